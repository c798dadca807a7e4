//! Each chapter tells the reader which branch holds its code, and every branch the book names
//! is one that `cargo xtask branches` makes.

use xtask::repo::Repo;
use xtask::{book::Chapters, branches, repo_root};

#[test]
fn every_chapter_with_a_stage_crate_names_its_branch_at_its_start() {
    let root = repo_root();
    let repo = Repo::load(&root).unwrap();
    let repository = branches::repository_url(&repo).unwrap();
    let mut problems = Vec::new();
    for stage in branches::stages(&repo) {
        let Some(page) = &stage.chapter else {
            continue; // the chapter is not written yet
        };
        let text = std::fs::read_to_string(root.join(page)).unwrap();
        // The opening: everything before the first section.
        let opening = text.split("\n## ").next().unwrap();
        let command = branches::clone_command(&repository, &stage.branch);
        if !opening.contains(&command) {
            problems.push(format!(
                "{}: its opening should say how to get its code: `{command}`",
                page.display()
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn every_branch_the_book_names_is_made_from_a_stage_crate() {
    let root = repo_root();
    let made: Vec<String> = branches::stages(&Repo::load(&root).unwrap())
        .into_iter()
        .map(|stage| stage.branch)
        .collect();
    let mut problems = Vec::new();
    for (page, text) in Chapters::load(&root).files {
        for (at, _) in text.match_indices("chapter-") {
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            let numbered = name
                .as_bytes()
                .get(8..10)
                .is_some_and(|n| n.iter().all(u8::is_ascii_digit));
            if numbered && !made.contains(&name) {
                problems.push(format!(
                    "{}: names branch `{name}`, but no stage crate makes it (stages: {})",
                    page.display(),
                    made.join(", ")
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}
