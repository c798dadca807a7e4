//! The book's sources hold together: these run with a plain `cargo test`, so a maintainer who
//! edits a stage crate learns at once which page it breaks.

use xtask::book::Chapters;
use xtask::repo::Repo;
use xtask::{anchors, repo_root};

fn assert_none(problems: Vec<xtask::Problem>) {
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(problems.is_empty(), "\n{}\n", text.join("\n"));
}

fn repo() -> Repo {
    Repo::load(&repo_root()).expect("the repository's model")
}

#[test]
fn no_rust_block_holds_code_of_its_own() {
    assert_none(Chapters::from_repo(&repo()).inline_code_blocks());
}

#[test]
fn every_include_resolves_to_a_file_and_a_named_anchor() {
    assert_none(Chapters::from_repo(&repo()).check_includes());
}

#[test]
fn anchors_are_balanced() {
    assert_none(anchors::check_balanced(&repo()).unwrap());
}

#[test]
fn every_anchor_is_shown_by_a_page() {
    let repo = repo();
    assert_none(anchors::check_all_used(&repo, &Chapters::from_repo(&repo)).unwrap());
}

#[test]
fn every_example_is_tested_and_its_output_starts_with_the_command_that_runs_it() {
    assert_none(repo().check_output_files().unwrap());
}

#[test]
fn every_chapter_in_the_summary_exists_and_every_page_is_in_the_summary() {
    let repo = repo();
    let chapters = Chapters::from_repo(&repo);
    assert_none(chapters.unreadable.clone());
    assert_none(chapters.check_summary(&repo));
}

#[test]
fn every_stage_declares_its_base_and_carries_its_programs_forward() {
    let repo = repo();
    assert_none(repo.check_declarations());
    assert_none(repo.check_carry_forward());
}

#[test]
fn every_exercise_changes_only_the_files_it_declares() {
    assert_none(repo().check_exercises().unwrap());
}
