//! The book's sources hold together: these run with a plain `cargo test`, so a maintainer who
//! edits a stage crate learns at once which page it breaks.

use xtask::{anchors, book::Chapters, examples, repo_root};

fn assert_none(problems: Vec<xtask::Problem>) {
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(problems.is_empty(), "\n{}\n", text.join("\n"));
}

#[test]
fn no_rust_block_holds_code_of_its_own() {
    assert_none(Chapters::load(&repo_root()).inline_code_blocks());
}

#[test]
fn every_include_resolves_to_a_file_and_a_named_anchor() {
    assert_none(Chapters::load(&repo_root()).check_includes());
}

#[test]
fn anchors_are_balanced() {
    assert_none(anchors::check_balanced(&repo_root()));
}

#[test]
fn every_anchor_is_shown_by_a_page() {
    let root = repo_root();
    assert_none(anchors::check_all_used(&root, &Chapters::load(&root)));
}

#[test]
fn every_example_is_tested_and_has_its_output_file() {
    assert_none(examples::check_output_files(&repo_root()));
}

#[test]
fn every_chapter_in_the_summary_exists_and_every_chapter_is_in_the_summary() {
    let root = repo_root();
    let summary = std::fs::read_to_string(root.join("src/SUMMARY.md")).unwrap();
    let linked: Vec<&str> = summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')').map(|(target, _)| target))
        .filter(|target| !target.is_empty())
        .collect();
    for target in &linked {
        assert!(
            root.join("src").join(target).is_file(),
            "SUMMARY.md links to src/{target}, which does not exist"
        );
    }
    for (chapter, _) in Chapters::load(&root).files {
        let name = chapter
            .strip_prefix("src")
            .unwrap()
            .to_string_lossy()
            .trim_start_matches('/')
            .to_string();
        assert!(
            name == "SUMMARY.md" || linked.contains(&name.as_str()),
            "src/{name} is not linked from SUMMARY.md, so the book never shows it"
        );
    }
}

#[test]
fn every_stage_carries_the_previous_stage_forward() {
    assert_none(examples::check_stages_carry_forward(&repo_root()));
}
