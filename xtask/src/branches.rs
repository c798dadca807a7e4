//! One Git branch per stage crate: `chapter-02-thread-park-waker` holds
//! `examples-code/ch02-thread-park-waker` as a Cargo project of its own, so a reader can
//! `git clone --branch chapter-02-thread-park-waker --single-branch …` and run `cargo test`.
//!
//! The branches form one linear history (chapter N's commit has chapter N - 1's as parent) and
//! are generated, never edited: `cargo xtask branches` builds them from the stage crates with
//! `git fast-import`, with a fixed author, committer and date, so the same sources always give
//! the same commit ids and a push of unchanged branches is a no-op.
//!
//! A branch's tree is the stage's files without the book's anchor lines, plus:
//! - the stage's `Cargo.toml` with an empty `[workspace]` table, so a clone inside another
//!   Cargo workspace is not taken for one of its members;
//! - a `Cargo.lock` cut down from the repository's own by `cargo metadata --offline`, so the
//!   branch builds with exactly the versions the book was tested with;
//! - a `README.md` that names the chapter, links to it and says how to run the code;
//! - a `.gitignore` for `target/`.

use crate::{Problem, anchors, examples, relative, site};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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
}

/// `ch02-thread-park-waker` → `chapter-02-thread-park-waker`.
pub fn branch_name(package: &str) -> String {
    format!("chapter-{}", package.trim_start_matches("ch"))
}

/// Every stage crate (`examples-code/chNN-…/Cargo.toml`), in chapter order, with its page.
pub fn stages(root: &Path) -> Vec<Stage> {
    let Ok(entries) = std::fs::read_dir(root.join("examples-code")) else {
        return Vec::new();
    };
    let mut packages: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| examples::is_stage(name))
        .collect();
    packages.sort();
    let pages: Vec<PathBuf> = crate::files_with_suffix(&root.join("src"), ".md");
    packages
        .into_iter()
        .map(|package| {
            let prefix = format!("{}-", &package[..4]);
            let chapter = pages
                .iter()
                .find(|page| {
                    page.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
                })
                .map(|page| relative(root, page));
            Stage {
                number: package[2..4].parse().unwrap_or(0),
                branch: branch_name(&package),
                package,
                chapter,
            }
        })
        .collect()
}

/// The command that gets one chapter's branch and nothing else.
pub fn clone_command(repository: &str, branch: &str) -> String {
    format!("git clone --branch {branch} --single-branch {repository}")
}

/// The repository's public address (`git-repository-url` in book.toml).
pub fn repository_url(root: &Path) -> Result<String, String> {
    site::book_setting(root, "git-repository-url")
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

/// Every file below `dir` except build output, with paths relative to `dir`, sorted.
fn walk(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if entry.file_name() != "target" && entry.file_name() != ".git" {
                    stack.push(path);
                }
            } else if path.is_file() {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((relative, path));
            }
        }
    }
    out.sort();
    out
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
fn output(mut command: Command, what: &str) -> Result<String, String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not start {what}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
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
pub fn branch_files(root: &Path, stage: &Stage, scratch: &Path) -> Result<Vec<File>, String> {
    let dir = root.join("examples-code").join(&stage.package);
    let mut files: BTreeMap<String, File> = BTreeMap::new();
    for (path, full) in walk(&dir) {
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
    let repository = repository_url(root)?;
    let book_title = site::book_setting(root, "title").unwrap_or_else(|| "the book".into());
    let chapter_url = match &stage.chapter {
        Some(page) => site::published_url(root, page)?,
        None => site::site_base(root)?,
    };
    let page_text = stage
        .chapter
        .as_ref()
        .and_then(|page| std::fs::read_to_string(root.join(page)).ok())
        .unwrap_or_default();
    let mut programs: Vec<(String, bool)> = examples::discover(root)
        .into_iter()
        .filter(|example| example.package == stage.package)
        .map(|example| {
            let shown = page_text.contains(&format!(
                "examples-code/{}/examples/{}/",
                stage.package, example.name
            ));
            (example.name, shown)
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
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .args([
            "metadata",
            "--offline",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(scratch.join("Cargo.toml"))
        .current_dir(scratch)
        .stdout(Stdio::null());
    output(
        command,
        "cargo metadata --offline (cutting Cargo.lock down to the stage)",
    )?;
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

/// The `git fast-import` stream that makes every branch, each commit on top of the last.
pub fn fast_import_stream(commits: &[(String, String, Vec<File>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (index, (branch, message, files)) in commits.iter().enumerate() {
        let mark = index + 1;
        if index == 0 {
            // The first chapter's commit has no parent, even if the branch exists already.
            out.extend(format!("reset refs/heads/{branch}\n\n").bytes());
        }
        out.extend(format!("commit refs/heads/{branch}\nmark :{mark}\n").bytes());
        out.extend(format!("author {AUTHOR} {DATE}\ncommitter {AUTHOR} {DATE}\n").bytes());
        out.extend(format!("data {}\n{message}\n", message.len()).bytes());
        if index > 0 {
            out.extend(format!("from :{index}\n").bytes());
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
pub fn build_into(root: &Path, repo: &Path) -> Result<Vec<(Stage, String)>, String> {
    let stages = stages(root);
    if stages.is_empty() {
        return Err("no stage crates (examples-code/chNN-…) found".into());
    }
    // Every locked crate in the local registry (a no-op when they are there already), so that
    // `cargo metadata --offline` and the clones' `cargo test --offline` find them.
    let mut fetch = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    fetch
        .args(["fetch", "--locked", "--quiet"])
        .current_dir(root);
    output(fetch, "cargo fetch --locked")?;
    let book_title = site::book_setting(root, "title").unwrap_or_else(|| "the book".into());
    let scratch = scratch_dir("branch-lock");
    let mut commits = Vec::new();
    for stage in &stages {
        let files = branch_files(root, stage, &scratch)
            .map_err(|e| format!("examples-code/{}: {e}", stage.package))?;
        commits.push((
            stage.branch.clone(),
            commit_message(&book_title, stage, &heading(root, stage)),
            files,
        ));
    }
    let stream = fast_import_stream(&commits);
    let mut child = git(repo)
        .args(["fast-import", "--quiet", "--force", "--date-format=raw"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start git fast-import: {e}"))?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&stream)
        .map_err(|e| format!("writing to git fast-import: {e}"))?;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("git fast-import: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git fast-import failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
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
    let out = git(repo)
        .args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("refs/heads/{branch}^{{commit}}"))
        .output()
        .map_err(|e| format!("could not run git: {e}"))?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
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
    root: &Path,
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
pub fn write(root: &Path, repo: &Path, mut log: impl FnMut(&str)) -> Result<(), String> {
    if !repo.exists() {
        std::fs::create_dir_all(repo).map_err(|e| format!("{}: {e}", repo.display()))?;
        let mut command = git(repo);
        command.args(["-c", "init.defaultBranch=main", "init", "--quiet"]);
        output(command, "git init")?;
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
}

/// `cargo xtask branches --check`: every branch in `repo` is what would be built now, and no
/// `chapter-…` branch is left over from a stage that is gone.
pub fn check(root: &Path, repo: &Path) -> Result<Vec<Problem>, String> {
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
}

/// The `branches` step of `cargo xtask test`: builds every branch twice into repositories under
/// `target/branches` (same ids both times), checks the history is linear, clones each branch
/// on its own and runs `cargo test --locked` in the clone. The clones sit inside this
/// repository's workspace on purpose: they must not be taken for members of it. One target
/// directory serves every clone, so dependencies are compiled once.
pub fn test(root: &Path, mut log: impl FnMut(&str)) -> Result<(), String> {
    let work = root.join("target").join("branches");
    let (first, second, clones) = (
        work.join("first.git"),
        work.join("second.git"),
        work.join("clones"),
    );
    init_bare(&first)?;
    init_bare(&second)?;
    let _ = std::fs::remove_dir_all(&clones);
    let built = build_into(root, &first)?;
    let again = build_into(root, &second)?;
    let ids = |b: &[(Stage, String)]| b.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>();
    if ids(&built) != ids(&again) {
        return Err(format!(
            "two builds from the same sources gave different commits: {:?} and {:?}",
            ids(&built),
            ids(&again)
        ));
    }
    log("built twice, same commit ids");
    let repository = repository_url(root)?;
    for (index, (stage, id)) in built.iter().enumerate() {
        let parent = git_line(
            &first,
            &["rev-parse", "--verify", "--quiet", &format!("{id}^")],
        );
        let expected = index.checked_sub(1).map(|i| built[i].1.clone());
        if parent != expected {
            return Err(format!(
                "{}: its parent is {parent:?}, expected {expected:?} (the previous chapter's branch)",
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
        for (path, full) in walk(&clone) {
            let text = std::fs::read_to_string(&full).unwrap_or_default();
            if !anchors::parse(&text).is_empty() {
                return Err(format!("{}: {path} still has anchor lines", stage.branch));
            }
        }
        // Quiet when it passes; the whole output when it does not.
        let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["test", "--locked", "--offline", "--quiet"])
            .current_dir(&clone)
            .env("CARGO_TARGET_DIR", work.join("target"))
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("could not run cargo test: {e}"))?;
        if !out.status.success() {
            eprintln!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
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
    let out = git(dir).args(args).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
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
            ),
            (
                "chapter-02-b".into(),
                "two\n".into(),
                vec![file("a \"b\".rs")],
            ),
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
    }

    /// A whole small book: builds, is deterministic, and `check` sees a changed stage.
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
             [[package]]\nname = \"ch02-b\"\nversion = \"0.1.0\"\n",
        );
        write("src/ch01-first.md", "# First\n");
        write("src/ch02-second.md", "# Second\n");
        for package in ["ch01-a", "ch02-b"] {
            write(
                &format!("examples-code/{package}/Cargo.toml"),
                &format!(
                    "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"
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

    fn write_and_check(root: &Path, repo: &Path) -> Result<(), String> {
        write(root, repo, |_| {})?;
        let first = chapter_branches(repo)?;
        assert_eq!(first, vec!["chapter-01-a", "chapter-02-b"]);
        let id = branch_id(repo, "chapter-02-b")?.unwrap();
        assert_eq!(check(root, repo)?, vec![]);
        write(root, repo, |_| {})?;
        assert_eq!(
            branch_id(repo, "chapter-02-b")?.unwrap(),
            id,
            "not deterministic"
        );
        assert_eq!(
            git_line(repo, &["rev-parse", "chapter-02-b^"]),
            branch_id(repo, "chapter-01-a")?
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
        let problems = check(root, repo)?;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("chapter-02-b is stale"));
        assert_eq!(problems[0].file, Path::new("examples-code/ch02-b"));
        Ok(())
    }
}
