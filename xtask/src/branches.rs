//! One Git branch per stage crate: `chapter-02-thread-park-waker` holds
//! `examples-code/ch02-thread-park-waker` as a Cargo project of its own, so a reader can
//! `git clone --branch chapter-02-thread-park-waker --single-branch …` and run `cargo test`.
//!
//! The branches form a tree that follows the stages' declared bases: a stage's commit has its
//! base's commit as parent (`git show chapter-14-making-it-fast` is the diff from chapter 9),
//! and a stage with no base (a fresh design) is a root commit. They are generated, never
//! edited: `cargo xtask branches` builds them from the stage crates with `git fast-import`,
//! with a fixed author, committer and date, so the same sources always give the same commit
//! ids and a push of unchanged branches is a no-op.
//!
//! A branch's tree is the stage's files without the book's anchor lines, plus:
//! - the stage's `Cargo.toml` with an empty `[workspace]` table, so a clone inside another
//!   Cargo workspace is not taken for one of its members;
//! - a `Cargo.lock` cut down from the repository's own by `cargo metadata --offline`, so the
//!   branch builds with exactly the versions the book was tested with;
//! - a `README.md` that names the chapter, links to it and says how to run the code;
//! - a `.gitignore` for `target/`.

use crate::cmd::Cmd;
use crate::repo::Repo;
use crate::{Problem, anchors, relative, site};
use anyhow::Context as _;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Who and when every branch commit is by: fixed, so that commit ids depend on content only.
pub const AUTHOR: &str = "cargo xtask branches <branches@build-your-own-async-runtime.invalid>";
/// 2025-01-01T00:00:00Z, as `git fast-import` reads a raw date.
pub const DATE: &str = "1735689600 +0000";

/// A stage crate and the branch made from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The crate's folder name = its package name, e.g. `ch02-thread-park-waker`.
    pub package: String,
    /// The chapter number, from the `chNN-` prefix.
    pub number: u32,
    /// The branch, e.g. `chapter-02-thread-park-waker`.
    pub branch: String,
    /// The chapter's page, relative to the repository root (`src/ch02-….md`), if it is written.
    pub chapter: Option<PathBuf>,
    /// The stage it was built from, whose branch is its parent; `None` for a fresh design.
    pub base: Option<String>,
}

/// `ch02-thread-park-waker` → `chapter-02-thread-park-waker`.
pub fn branch_name(package: &str) -> String {
    format!("chapter-{}", package.trim_start_matches("ch"))
}

/// Every stage crate, in chapter order, with its page and its base.
pub fn stages(repo: &Repo) -> Vec<Stage> {
    repo.stages()
        .map(|krate| Stage {
            package: krate.name.clone(),
            number: krate.number().unwrap_or(0),
            branch: branch_name(&krate.name),
            chapter: repo
                .chapter_of(&krate.name)
                .map(|c| c.page.clone())
                .filter(|page| repo.root.join(page).is_file()),
            base: krate.base().map(str::to_string),
        })
        .collect()
}

/// The command that gets one chapter's branch and nothing else.
pub fn clone_command(repository: &str, branch: &str) -> String {
    format!("git clone --branch {branch} --single-branch {repository}")
}

/// The repository's public address (`git-repository-url` in book.toml).
pub fn repository_url(repo: &Repo) -> Result<String, String> {
    repo.book_setting("git-repository-url")
        .ok_or_else(|| "book.toml has no output.html git-repository-url".to_string())
}

/// The first `# ` heading of a page.
pub fn page_title(text: &str) -> Option<String> {
    text.lines()
        .find_map(|line| line.strip_prefix("# "))
        .map(|title| title.trim().to_string())
}

/// `text` without the lines mdBook reads as anchor markers.
pub fn strip_anchor_lines(text: &str) -> String {
    let markers: std::collections::BTreeSet<usize> =
        anchors::parse(text).into_iter().map(|m| m.line).collect();
    if markers.is_empty() {
        return text.to_string();
    }
    text.split_inclusive('\n')
        .enumerate()
        .filter(|(index, _)| !markers.contains(&(index + 1)))
        .map(|(_, line)| line)
        .collect()
}

/// The stage's manifest as the root of a workspace of its own.
pub fn standalone_manifest(manifest: &str) -> String {
    if manifest.lines().any(|line| line.trim() == "[workspace]") {
        return manifest.to_string();
    }
    let mut out = manifest.trim_end().to_string();
    out.push_str(
        "\n\n# A project of its own: not a member of any Cargo workspace it is cloned into.\n\
         [workspace]\n",
    );
    out
}

/// One file of a branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Relative path with `/` separators.
    pub path: String,
    pub bytes: Vec<u8>,
    pub executable: bool,
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_: &Path) -> bool {
    false
}

/// What the README of a stage's branch says.
pub struct ReadmeInput<'a> {
    pub book_title: &'a str,
    pub stage: &'a Stage,
    /// `Chapter 2: A thread-park waker`, see [`heading`].
    pub heading: &'a str,
    /// The chapter's page on the published book, or the book itself if it has no page yet.
    pub chapter_url: &'a str,
    pub repository: &'a str,
    /// (program, shown by this chapter) in the order the README lists them.
    pub programs: &'a [(String, bool)],
}

pub fn readme(input: &ReadmeInput) -> String {
    let stage = input.stage;
    let mut out = format!(
        "# {}\n\n\
         The code of chapter {} of *{}* as a Cargo project of its own, as it stands at the end\n\
         of the chapter. Read the chapter at <{}>.\n\n\
         Get this branch and nothing else:\n\n\
         ```console\n{} {}\ncd {}\n```\n\n",
        input.heading,
        stage.number,
        input.book_title,
        input.chapter_url,
        clone_command(input.repository, &stage.branch),
        stage.branch,
        stage.branch,
    );
    let listing = |shown: bool| -> String {
        input
            .programs
            .iter()
            .filter(|(_, s)| *s == shown)
            .map(|(name, _)| format!("cargo run --example {name}\n"))
            .collect()
    };
    let (this, earlier) = (listing(true), listing(false));
    if !this.is_empty() {
        out.push_str(&format!(
            "Run the programs this chapter shows (each is a folder of `examples/`):\n\n\
             ```console\n{this}```\n\n"
        ));
    }
    if !earlier.is_empty() {
        out.push_str(&format!(
            "The programs of earlier chapters are here too, as this chapter left them:\n\n\
             ```console\n{earlier}```\n\n"
        ));
    }
    out.push_str(&format!(
        "Run every test (each program's tests sit beside it in `tests.rs`):\n\n\
         ```console\ncargo test\n```\n\n\
         This branch is generated from `examples-code/{}` on the book's `main` branch by\n\
         `cargo xtask branches` and rebuilt on every push: send changes to `main`, not here.\n",
        stage.package
    ));
    out
}

/// A `git` command in `dir`, unaffected by the environment of a surrounding Git command.
fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir);
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_NAMESPACE",
    ] {
        command.env_remove(var);
    }
    command
}

/// Runs a command; its stdout on success, its stderr in the error.
fn output(command: Command, what: &str) -> Result<String, String> {
    Cmd::from(command)
        .read()
        .map_err(|e| format!("{what}: {e:#}"))
}

/// Creates an empty bare repository at `dir` (removing what was there).
fn init_bare(dir: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut command = git(dir);
    command.args(["-c", "init.defaultBranch=main", "init", "--quiet", "--bare"]);
    output(command, "git init").map(|_| ())
}

/// A scratch directory of our own under the system's temporary directory.
fn scratch_dir(what: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "xtask-{what}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ))
}

/// The files of one stage's branch. `scratch` is a directory where the stage is written out so
/// that cargo can cut the workspace's `Cargo.lock` down to it.
pub fn branch_files(repo: &Repo, stage: &Stage, scratch: &Path) -> Result<Vec<File>, String> {
    let root = repo.root.as_path();
    let krate = repo
        .krate(&stage.package)
        .ok_or_else(|| format!("no crate {}", stage.package))?;
    let dir = krate.dir.clone();
    let mut files: BTreeMap<String, File> = BTreeMap::new();
    for path in &krate.files {
        let full = dir.join(path);
        let path = path.clone();
        let raw = std::fs::read(&full).map_err(|e| format!("{}: {e}", full.display()))?;
        let bytes = match String::from_utf8(raw) {
            Ok(text) if path == "Cargo.toml" => {
                standalone_manifest(&strip_anchor_lines(&text)).into_bytes()
            }
            Ok(text) => strip_anchor_lines(&text).into_bytes(),
            // Not text: no anchors can be in it.
            Err(e) => e.into_bytes(),
        };
        files.insert(
            path.clone(),
            File {
                executable: is_executable(&full),
                path,
                bytes,
            },
        );
    }
    if !files.contains_key("Cargo.toml") {
        return Err(format!(
            "{} has no Cargo.toml",
            relative(root, &dir).display()
        ));
    }

    // The README.
    let repository = repository_url(repo)?;
    let book_title = repo
        .book_setting("title")
        .unwrap_or_else(|| "the book".into());
    let chapter_url = match &stage.chapter {
        Some(page) => site::published_url(root, page)?,
        None => site::site_base(root)?,
    };
    let page_text = stage
        .chapter
        .as_ref()
        .and_then(|page| std::fs::read_to_string(root.join(page)).ok())
        .unwrap_or_default();
    let mut programs: Vec<(String, bool)> = krate
        .examples
        .iter()
        .map(|example| {
            let shown = page_text.contains(&format!(
                "examples-code/{}/examples/{}/",
                stage.package, example.name
            ));
            (example.name.clone(), shown)
        })
        .collect();
    programs.sort_by_key(|(name, shown)| (!shown, name.clone()));
    let readme = readme(&ReadmeInput {
        book_title: &book_title,
        stage,
        heading: &heading(root, stage),
        chapter_url: &chapter_url,
        repository: &repository,
        programs: &programs,
    });
    for (path, bytes) in [
        ("README.md", readme.into_bytes()),
        (".gitignore", b"/target\n".to_vec()),
        ("Cargo.lock", stage_lock(root, &files, scratch)?),
    ] {
        files.insert(
            path.to_string(),
            File {
                path: path.to_string(),
                bytes,
                executable: false,
            },
        );
    }
    Ok(files.into_values().collect())
}

/// The workspace's `Cargo.lock` cut down to one stage: the stage's files and the workspace lock
/// are written to `scratch`, and `cargo metadata --offline` drops every package the stage does
/// not use. Offline, cargo keeps the locked versions and never looks for newer ones.
fn stage_lock(
    root: &Path,
    files: &BTreeMap<String, File>,
    scratch: &Path,
) -> Result<Vec<u8>, String> {
    let _ = std::fs::remove_dir_all(scratch);
    for file in files.values() {
        let path = scratch.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap())
            .and_then(|_| std::fs::write(&path, &file.bytes))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock"))
        .map_err(|e| format!("copying Cargo.lock: {e}"))?;
    Cmd::cargo()
        .args([
            "metadata",
            "--offline",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(scratch.join("Cargo.toml"))
        .dir(scratch)
        .read()
        .map_err(|e| format!("cutting Cargo.lock down to the stage: {e:#}"))?;
    let lock = std::fs::read(scratch.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"));
    let _ = std::fs::remove_dir_all(scratch);
    lock
}

/// A path as `git fast-import` reads it: quoted, with `"` and `\` escaped.
fn quote_path(path: &str) -> String {
    format!("\"{}\"", path.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `Chapter 2: A thread-park waker`: the chapter's number and the title of its page (just
/// `Chapter 2` while the page is not written).
pub fn heading(root: &Path, stage: &Stage) -> String {
    let title = stage
        .chapter
        .as_ref()
        .and_then(|page| std::fs::read_to_string(root.join(page)).ok())
        .and_then(|text| page_title(&text));
    match title {
        Some(title) => format!("Chapter {}: {title}", stage.number),
        None => format!("Chapter {}", stage.number),
    }
}

/// The commit message of a stage's branch.
pub fn commit_message(book_title: &str, stage: &Stage, heading: &str) -> String {
    format!(
        "{heading}\n\n\
         The code of chapter {} of \"{book_title}\" as a Cargo project of its own,\n\
         generated from examples-code/{} by `cargo xtask branches`.\n",
        stage.number, stage.package
    )
}

/// One commit of the stream: its branch, message, files, and the index (in the same list)
/// of its parent, `None` for a root commit.
pub type Commit = (String, String, Vec<File>, Option<usize>);

/// The `git fast-import` stream that makes every branch, each commit on top of its parent's
/// (which comes earlier in the list).
pub fn fast_import_stream(commits: &[Commit]) -> Vec<u8> {
    let mut out = Vec::new();
    for (index, (branch, message, files, parent)) in commits.iter().enumerate() {
        let mark = index + 1;
        if parent.is_none() {
            // A root commit has no parent, even if the branch exists already.
            out.extend(format!("reset refs/heads/{branch}\n\n").bytes());
        }
        out.extend(format!("commit refs/heads/{branch}\nmark :{mark}\n").bytes());
        out.extend(format!("author {AUTHOR} {DATE}\ncommitter {AUTHOR} {DATE}\n").bytes());
        out.extend(format!("data {}\n{message}\n", message.len()).bytes());
        if let Some(parent) = parent {
            out.extend(format!("from :{}\n", parent + 1).bytes());
        }
        out.extend(b"deleteall\n");
        for file in files {
            let mode = if file.executable { "100755" } else { "100644" };
            out.extend(format!("M {mode} inline {}\n", quote_path(&file.path)).bytes());
            out.extend(format!("data {}\n", file.bytes.len()).bytes());
            out.extend(&file.bytes);
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    out
}

/// Builds every branch into the Git repository at `repo` (refs/heads/chapter-…), replacing
/// branches of the same names. Returns (stage, commit id) in chapter order.
pub fn build_into(model: &Repo, repo: &Path) -> Result<Vec<(Stage, String)>, String> {
    let root = model.root.as_path();
    let stages = stages(model);
    if stages.is_empty() {
        return Err("no stage crates (examples-code/chNN-…) found".into());
    }
    let problems = model.check_declarations();
    if !problems.is_empty() {
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(format!(
            "the stages' declarations must be fixed first:\n{}",
            text.join("\n")
        ));
    }
    // Every locked crate in the local registry (a no-op when they are there already), so that
    // `cargo metadata --offline` and the clones' `cargo test --offline` find them.
    Cmd::cargo()
        .args(["fetch", "--locked", "--quiet"])
        .dir(root)
        .run()
        .map_err(|e| format!("{e:#}"))?;
    let book_title = model
        .book_setting("title")
        .unwrap_or_else(|| "the book".into());
    let scratch = scratch_dir("branch-lock");
    let mut commits = Vec::new();
    for stage in &stages {
        let files = branch_files(model, stage, &scratch)
            .map_err(|e| format!("examples-code/{}: {e}", stage.package))?;
        // A base comes before its stage (check_declarations made sure).
        let parent = match &stage.base {
            None => None,
            Some(base) => Some(
                stages
                    .iter()
                    .position(|s| &s.package == base)
                    .ok_or_else(|| format!("{}: its base {base} is no stage", stage.package))?,
            ),
        };
        commits.push((
            stage.branch.clone(),
            commit_message(&book_title, stage, &heading(root, stage)),
            files,
            parent,
        ));
    }
    let stream = fast_import_stream(&commits);
    let mut command = git(repo);
    command.args(["fast-import", "--quiet", "--force", "--date-format=raw"]);
    Cmd::from(command)
        .read_with_input(&stream)
        .map_err(|e| format!("{e:#}"))?;
    let mut built = Vec::new();
    for stage in stages {
        let id = branch_id(repo, &stage.branch)?
            .ok_or_else(|| format!("git fast-import did not make {}", stage.branch))?;
        built.push((stage, id));
    }
    Ok(built)
}

/// The commit a branch of `repo` points at, if it exists.
pub fn branch_id(repo: &Path, branch: &str) -> Result<Option<String>, String> {
    let mut command = git(repo);
    command
        .args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("refs/heads/{branch}^{{commit}}"));
    let out = Cmd::from(command).output().map_err(|e| format!("{e:#}"))?;
    Ok(out.success().then(|| out.stdout.trim().to_string()))
}

/// The `chapter-…` branches of `repo`.
pub fn chapter_branches(repo: &Path) -> Result<Vec<String>, String> {
    let mut command = git(repo);
    command.args([
        "for-each-ref",
        "--format=%(refname:strip=2)",
        "refs/heads/chapter-*",
    ]);
    Ok(output(command, "git for-each-ref")?
        .lines()
        .map(str::to_string)
        .collect())
}

/// Builds the branches in a scratch repository, then calls `then` with it.
fn with_scratch_build<T>(
    root: &Repo,
    then: impl FnOnce(&Path, &[(Stage, String)]) -> Result<T, String>,
) -> Result<T, String> {
    let scratch = scratch_dir("branches");
    let result = init_bare(&scratch)
        .and_then(|_| build_into(root, &scratch))
        .and_then(|built| then(&scratch, &built));
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// `cargo xtask branches [--dir REPO]`: builds every branch and writes it into `repo`
/// (created if missing), replacing the old ones and deleting `chapter-…` branches that no
/// stage makes any more.
pub fn write(root: &Repo, repo: &Path, mut log: impl FnMut(&str)) -> anyhow::Result<()> {
    if !repo.exists() {
        std::fs::create_dir_all(repo).with_context(|| format!("cannot make {}", repo.display()))?;
        let mut command = git(repo);
        command.args(["-c", "init.defaultBranch=main", "init", "--quiet"]);
        output(command, "git init").map_err(anyhow::Error::msg)?;
    }
    with_scratch_build(root, |scratch, built| {
        let mut command = git(repo);
        command
            .args(["fetch", "--quiet", "--no-tags", "--prune", "--force"])
            .arg(scratch)
            .arg("+refs/heads/chapter-*:refs/heads/chapter-*");
        output(command, "git fetch (from the freshly built branches)")?;
        for (stage, id) in built {
            log(&format!(
                "{} {} ← examples-code/{}",
                &id[..12],
                stage.branch,
                stage.package
            ));
        }
        Ok(())
    })
    .map_err(anyhow::Error::msg)
}

/// `cargo xtask branches --check`: every branch in `repo` is what would be built now, and no
/// `chapter-…` branch is left over from a stage that is gone.
pub fn check(root: &Repo, repo: &Path) -> anyhow::Result<Vec<Problem>> {
    with_scratch_build(root, |_, built| {
        let mut problems = Vec::new();
        for (stage, id) in built {
            let at = Path::new("examples-code").join(&stage.package);
            match branch_id(repo, &stage.branch)? {
                None => problems.push(Problem::new(
                    at,
                    None,
                    format!(
                        "branch {} is missing: run `cargo xtask branches`",
                        stage.branch
                    ),
                )),
                Some(existing) if &existing != id => problems.push(Problem::new(
                    at,
                    None,
                    format!(
                        "branch {} is stale ({} there, {} built from this stage): run `cargo xtask branches`",
                        stage.branch,
                        &existing[..12],
                        &id[..12]
                    ),
                )),
                Some(_) => {}
            }
        }
        for branch in chapter_branches(repo)? {
            if !built.iter().any(|(stage, _)| stage.branch == branch) {
                problems.push(Problem::new(
                    "examples-code",
                    None,
                    format!("branch {branch} has no stage crate any more: run `cargo xtask branches` to delete it"),
                ));
            }
        }
        Ok(problems)
    })
    .map_err(anyhow::Error::msg)
}

/// The `branches` step of `cargo xtask test`: builds every branch twice into repositories under
/// `target/branches` (same ids both times), checks each commit's parent is its base's, clones each branch
/// on its own and runs `cargo test --locked` in the clone. The clones sit inside this
/// repository's workspace on purpose: they must not be taken for members of it. One target
/// directory serves every clone, so dependencies are compiled once.
pub fn test(model: &Repo, mut log: impl FnMut(&str)) -> anyhow::Result<()> {
    test_in(model, &mut log).map_err(anyhow::Error::msg)
}

fn test_in(model: &Repo, log: &mut impl FnMut(&str)) -> Result<(), String> {
    let root = model.root.as_path();
    let work = root.join("target").join("branches");
    let (first, second, clones) = (
        work.join("first.git"),
        work.join("second.git"),
        work.join("clones"),
    );
    init_bare(&first)?;
    init_bare(&second)?;
    let _ = std::fs::remove_dir_all(&clones);
    let built = build_into(model, &first)?;
    let again = build_into(model, &second)?;
    let ids = |b: &[(Stage, String)]| b.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>();
    if ids(&built) != ids(&again) {
        return Err(format!(
            "two builds from the same sources gave different commits: {:?} and {:?}",
            ids(&built),
            ids(&again)
        ));
    }
    log("built twice, same commit ids");
    let repository = repository_url(model)?;
    for (stage, id) in &built {
        let parent = git_line(
            &first,
            &["rev-parse", "--verify", "--quiet", &format!("{id}^")],
        );
        let expected = stage.base.as_ref().and_then(|base| {
            built
                .iter()
                .find(|(s, _)| &s.package == base)
                .map(|(_, id)| id.clone())
        });
        if parent != expected {
            return Err(format!(
                "{}: its parent is {parent:?}, expected {expected:?} (its base's branch, or none)",
                stage.branch
            ));
        }
        let clone = clones.join(&stage.branch);
        let started = std::time::Instant::now();
        let mut command = git(root);
        command
            .args([
                "clone",
                "--quiet",
                "--no-local",
                "--branch",
                &stage.branch,
                "--single-branch",
            ])
            .arg(&first)
            .arg(&clone);
        output(
            command,
            &format!(
                "{} ({})",
                clone_command(&repository, &stage.branch),
                stage.branch
            ),
        )?;
        let remote = git_line(
            &clone,
            &["branch", "--remotes", "--format=%(refname:short)"],
        );
        if remote.as_deref() != Some(&format!("origin/{}", stage.branch)) {
            return Err(format!(
                "{}: a --single-branch clone has remote branches {remote:?}",
                stage.branch
            ));
        }
        for path in crate::repo::walk(&clone).map_err(|e| format!("{e:#}"))? {
            let full = clone.join(&path);
            let text = std::fs::read_to_string(&full).unwrap_or_default(); // binary files have no anchors
            if !anchors::parse(&text).is_empty() {
                return Err(format!("{}: {path} still has anchor lines", stage.branch));
            }
        }
        // Quiet when it passes; the whole output when it does not.
        let out = crate::cmd::Cmd::cargo_scratch()
            .args(["test", "--locked", "--offline", "--quiet"])
            .dir(&clone)
            .env("CARGO_TARGET_DIR", work.join("target"))
            .output()
            .map_err(|e| format!("{e:#}"))?;
        if !out.success() {
            eprintln!("{}{}", out.stdout, out.stderr);
            return Err(format!(
                "`cargo test --locked` failed in a clone of {} (examples-code/{}; the clone is in {})",
                stage.branch,
                stage.package,
                relative(root, &clone).display()
            ));
        }
        if let Some(changed) = git_line(&clone, &["status", "--porcelain"]) {
            return Err(format!(
                "{}: `cargo test` changed the clone: {changed}",
                stage.branch
            ));
        }
        log(&format!(
            "{} {}: cloned and tested ({:.1} s)",
            &id[..12],
            stage.branch,
            started.elapsed().as_secs_f64()
        ));
    }
    let _ = std::fs::remove_dir_all(&second);
    Ok(())
}

/// The trimmed stdout of a git command, `None` if it failed or printed nothing.
fn git_line(dir: &Path, args: &[&str]) -> Option<String> {
    let mut command = git(dir);
    command.args(args);
    let out = Cmd::from(command).output().ok()?;
    let text = out.stdout.trim().to_string();
    (out.success() && !text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_branch_after_its_stage() {
        assert_eq!(
            branch_name("ch02-thread-park-waker"),
            "chapter-02-thread-park-waker"
        );
        assert_eq!(
            clone_command("https://github.com/o/book", "chapter-01-x"),
            "git clone --branch chapter-01-x --single-branch https://github.com/o/book"
        );
    }

    #[test]
    fn drops_anchor_lines_and_nothing_else() {
        let source = "fn a() {}\n// ANCHOR: b\nfn b() {}\n    // ANCHOR_END: b\n// an ANCHOR without colon\n";
        assert_eq!(
            strip_anchor_lines(source),
            "fn a() {}\nfn b() {}\n// an ANCHOR without colon\n"
        );
        assert_eq!(strip_anchor_lines("no newline"), "no newline");
    }

    #[test]
    fn a_stage_manifest_becomes_a_workspace_of_its_own() {
        let manifest = "[package]\nname = \"ch01-x\"\n\n[lints.rust]\nx = \"deny\"\n";
        let standalone = standalone_manifest(manifest);
        assert!(standalone.starts_with(manifest.trim_end()));
        assert!(standalone.ends_with("\n[workspace]\n"), "{standalone}");
        assert_eq!(standalone_manifest(&standalone), standalone);
    }

    #[test]
    fn finds_a_page_title() {
        assert_eq!(
            page_title("# A thread-park waker\n\ntext\n## Not this"),
            Some("A thread-park waker".into())
        );
        assert_eq!(page_title("no heading"), None);
    }

    #[test]
    fn the_readme_says_how_to_get_and_run_the_code() {
        let stage = Stage {
            package: "ch02-thread-park-waker".into(),
            number: 2,
            branch: "chapter-02-thread-park-waker".into(),
            chapter: Some("src/ch02-thread-park-waker.md".into()),
            base: Some("ch01-futures-by-hand".into()),
        };
        let text = readme(&ReadmeInput {
            book_title: "Build Your Own Async Runtime",
            stage: &stage,
            heading: "Chapter 2: A thread-park waker",
            chapter_url: "https://o.github.io/book/ch02-thread-park-waker.html",
            repository: "https://github.com/o/book",
            programs: &[("vtable_waker".into(), true), ("countdown".into(), false)],
        });
        for expected in [
            "# Chapter 2: A thread-park waker\n",
            "<https://o.github.io/book/ch02-thread-park-waker.html>",
            "git clone --branch chapter-02-thread-park-waker --single-branch https://github.com/o/book chapter-02-thread-park-waker\n",
            "cargo run --example vtable_waker\n```",
            "cargo run --example countdown\n",
            "cargo test\n",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
    }

    #[test]
    fn the_fast_import_stream_chains_commits_and_quotes_paths() {
        let file = |path: &str| File {
            path: path.into(),
            bytes: b"x\n".to_vec(),
            executable: false,
        };
        let stream = fast_import_stream(&[
            (
                "chapter-01-a".into(),
                "one\n".into(),
                vec![file("src/lib.rs")],
                None,
            ),
            (
                "chapter-02-b".into(),
                "two\n".into(),
                vec![file("a \"b\".rs")],
                Some(0),
            ),
            ("chapter-03-c".into(), "three\n".into(), vec![], None),
        ]);
        let text = String::from_utf8(stream).unwrap();
        assert!(text.contains("commit refs/heads/chapter-01-a\nmark :1\n"));
        assert!(text.contains(&format!("author {AUTHOR} {DATE}\n")));
        assert!(
            text.starts_with("reset refs/heads/chapter-01-a\n\ncommit"),
            "{text}"
        );
        assert!(!text.contains("data 4\none\n\nfrom"), "{text}");
        assert!(text.contains("mark :2\n"));
        assert!(text.contains("from :1\ndeleteall\n"));
        assert!(text.contains("M 100644 inline \"a \\\"b\\\".rs\"\ndata 2\nx\n"));
        // A fresh design starts a history of its own.
        assert!(text.contains(
            "reset refs/heads/chapter-03-c\n\ncommit refs/heads/chapter-03-c\nmark :3\n"
        ));
        assert!(!text.contains("from :2"), "{text}");
    }

    /// A whole small book: builds, is deterministic, each branch sits on its base's, and
    /// `check` sees a changed stage.
    #[test]
    fn builds_deterministic_branches_and_check_finds_a_stale_one() {
        let root = scratch_dir("branches-test-root");
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "book.toml",
            "[book]\ntitle = \"T\"\n[output.html]\nsite-url = \"/book/\"\ngit-repository-url = \"https://github.com/o/book\"\n",
        );
        write(
            "Cargo.toml",
            "[workspace]\nresolver = \"3\"\nmembers = [\"examples-code/*\"]\n",
        );
        write(
            "Cargo.lock",
            "# This file is automatically @generated by Cargo.\n\
             # It is not intended for manual editing.\n\
             version = 4\n\n\
             [[package]]\nname = \"ch01-a\"\nversion = \"0.1.0\"\n\n\
             [[package]]\nname = \"ch02-b\"\nversion = \"0.1.0\"\n\n\
             [[package]]\nname = \"ch03-c\"\nversion = \"0.1.0\"\n",
        );
        write("src/ch01-first.md", "# First\n");
        write("src/ch02-second.md", "# Second\n");
        write(
            "src/SUMMARY.md",
            "- [First](ch01-first.md)\n- [Second](ch02-second.md)\n",
        );
        for (package, base) in [("ch01-a", ""), ("ch02-b", ""), ("ch03-c", "ch01-a")] {
            let base = if base.is_empty() {
                String::new()
            } else {
                format!("base = \"{base}\"\n")
            };
            write(
                &format!("examples-code/{package}/Cargo.toml"),
                &format!(
                    "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[package.metadata.stage]\n{base}"
                ),
            );
            write(
                &format!("examples-code/{package}/src/lib.rs"),
                "// ANCHOR: f\npub fn f() {}\n// ANCHOR_END: f\n",
            );
        }
        let repo = root.join("repo.git");
        write(".keep", "");
        let ok = write_and_check(&root, &repo);
        let _ = std::fs::remove_dir_all(&root);
        ok.unwrap();
    }

    fn write_and_check(root: &Path, repo: &Path) -> anyhow::Result<()> {
        let model = Repo::load(root)?;
        write(&model, repo, |_| {})?;
        let first = chapter_branches(repo).map_err(anyhow::Error::msg)?;
        assert_eq!(first, vec!["chapter-01-a", "chapter-02-b", "chapter-03-c"]);
        let id = branch_id(repo, "chapter-02-b")
            .map_err(anyhow::Error::msg)?
            .unwrap();
        assert_eq!(check(&model, repo)?, vec![]);
        write(&model, repo, |_| {})?;
        assert_eq!(
            branch_id(repo, "chapter-02-b")
                .map_err(anyhow::Error::msg)?
                .unwrap(),
            id,
            "not deterministic"
        );
        // A stage with no base is a root commit; one with a base sits on its base's branch,
        // not on the branch before it.
        assert_eq!(
            git_line(repo, &["rev-parse", "--verify", "--quiet", "chapter-02-b^"]),
            None
        );
        assert_eq!(
            git_line(repo, &["rev-parse", "chapter-03-c^"]),
            branch_id(repo, "chapter-01-a").map_err(anyhow::Error::msg)?
        );
        let lib = git_line(repo, &["show", "chapter-01-a:src/lib.rs"]);
        assert_eq!(lib.as_deref(), Some("pub fn f() {}"));
        let lock = git_line(repo, &["show", "chapter-01-a:Cargo.lock"]).unwrap();
        assert!(lock.contains("name = \"ch01-a\""), "{lock}");
        std::fs::write(
            root.join("examples-code/ch02-b/src/lib.rs"),
            "pub fn g() {}\n",
        )
        .unwrap();
        let model = Repo::load(root)?;
        let problems = check(&model, repo)?;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("chapter-02-b is stale"));
        assert_eq!(problems[0].file, Path::new("examples-code/ch02-b"));
        Ok(())
    }
}
