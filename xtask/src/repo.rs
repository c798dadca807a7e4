//! The repository as the tooling sees it, built once from `cargo metadata --no-deps`,
//! `book.toml` and `src/SUMMARY.md`: the crates of `examples-code/` (stages, exercises, the
//! benchmark suite), their example programs and files, the chapters and the stage each shows.
//! Every step reads this model; none scans the tree on its own.
//!
//! What a crate is comes from its name and its manifest:
//! - a **stage** (`chNN-slug`) is a chapter's code. It declares what it was built from:
//!   `[package.metadata.stage] base = "ch09-blocking"`, or no `base` for a fresh design; and
//!   `leaves-out = ["raw_epoll"]` for programs of its base it does not carry forward.
//! - an **exercise** (`exNN-slug`) holds the solutions of a chapter's exercises. It declares
//!   `[package.metadata.exercise] base = "ch09-blocking"` and `files = [...]`, the files the
//!   solutions add or change (an entry ending in `/` covers a folder); every other file must be
//!   its base's, anchor lines aside.
//! - anything else (the benchmark suite, `bench`) is neither.

use crate::Problem;
use anyhow::{Context as _, Result, bail};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The marker that exempts a program from having an `output.txt`.
pub const NO_OUTPUT: &str = "// xtask: no-output";

/// The marker of a program whose output holds measurements. Its `output.txt` is one real run
/// of a release build (`cargo run --release …`), and the check compares everything but the
/// figures.
pub const NUMBERS_VARY: &str = "// xtask: numbers-vary";

/// The marker of a program that crosses into the kernel (raw wakers, epoll, eventfd,
/// timerfd, sockets, threads): the `valgrind` step runs it under memcheck, and it must end
/// on its own.
pub const VALGRIND: &str = "// xtask: valgrind";

/// The whole model.
#[derive(Debug, Clone)]
pub struct Repo {
    pub root: PathBuf,
    /// The crates of `examples-code/`, sorted by name.
    pub crates: Vec<Crate>,
    /// The chapters SUMMARY.md links, in its order.
    pub chapters: Vec<Chapter>,
    /// Every Markdown file of `src/`, relative to the root (`src/ch01-….md`), sorted.
    pub pages: Vec<PathBuf>,
    /// `book.toml`'s text.
    pub book_toml: String,
}

/// One crate of `examples-code/`.
#[derive(Debug, Clone)]
pub struct Crate {
    /// The package name, which is also its folder's name.
    pub name: String,
    /// Its folder (absolute).
    pub dir: PathBuf,
    pub kind: Kind,
    /// Its example programs, sorted by name.
    pub examples: Vec<Example>,
    /// Every file of the crate, relative to its folder with `/` separators, sorted (build
    /// output in `target/` left out).
    pub files: Vec<String>,
    /// Keys of its `[package.metadata.stage]` or `[package.metadata.exercise]` table that
    /// mean nothing (a typo, or the `fresh-start` of old).
    pub unknown_keys: Vec<String>,
}

/// What a crate is to the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `chNN-…`: a chapter's code.
    Stage {
        number: u32,
        /// Whether it has a `[package.metadata.stage]` table at all.
        declared: bool,
        /// The stage it was built from; `None` for a fresh design.
        base: Option<String>,
        /// Programs of the base this stage leaves out on purpose (`leaves-out = [...]`).
        leaves_out: Vec<String>,
    },
    /// `exNN-…`: the solutions of a chapter's exercises.
    Exercise {
        number: u32,
        /// `None` when the manifest does not say.
        base: Option<String>,
        /// The files the solutions add or change; `None` when the manifest does not say.
        files: Option<Vec<String>>,
    },
    /// Neither (the benchmark suite).
    Other,
}

/// One example program: `examples-code/<crate>/examples/<name>/main.rs`.
#[derive(Debug, Clone)]
pub struct Example {
    /// The crate's package name.
    pub package: String,
    pub name: String,
    /// Its folder (absolute).
    pub dir: PathBuf,
    /// Whether `cargo test` runs its tests (`test = true` in its `[[example]]`).
    pub tested: bool,
    /// The crate features it needs (`required-features` in its `[[example]]`): a recorder
    /// such as chapter 14's and 15's `trace`. `cargo test --workspace` skips such an example,
    /// so the `cargo-test` step tests it again with them; its command names them.
    pub features: Vec<String>,
    /// Its `main.rs`.
    pub source: String,
}

/// One chapter of SUMMARY.md.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// As SUMMARY.md names it.
    pub title: String,
    /// Relative to the root: `src/ch02-thread-park-waker.md`.
    pub page: PathBuf,
    /// The number of a numbered chapter (`chNN-…` pages).
    pub number: Option<u32>,
    /// The stage crate whose code it shows: the one with its number.
    pub stage: Option<String>,
}

/// `chNN-…` → (`"ch"`, NN).
fn numbered(name: &str) -> Option<(&str, u32)> {
    let bytes = name.as_bytes();
    if bytes.len() > 5 && bytes[2].is_ascii_digit() && bytes[3].is_ascii_digit() && bytes[4] == b'-'
    {
        Some((&name[..2], name[2..4].parse().ok()?))
    } else {
        None
    }
}

impl Example {
    pub fn main_rs(&self) -> PathBuf {
        self.dir.join("main.rs")
    }
    pub fn output_txt(&self) -> PathBuf {
        self.dir.join("output.txt")
    }
    pub fn wants_output(&self) -> bool {
        !self.source.lines().any(|line| line.trim() == NO_OUTPUT)
    }
    pub fn numbers_vary(&self) -> bool {
        self.source.lines().any(|line| line.trim() == NUMBERS_VARY)
    }
    pub fn under_valgrind(&self) -> bool {
        self.source.lines().any(|line| line.trim() == VALGRIND)
    }
    /// The command that runs it from the repository root, as the first line of its
    /// `output.txt` shows it: measured figures come from release builds.
    pub fn command(&self) -> String {
        format!(
            "$ cargo run -p {} --example {}{}{}",
            self.package,
            self.name,
            if self.features.is_empty() {
                String::new()
            } else {
                format!(" --features {}", self.features.join(","))
            },
            if self.numbers_vary() {
                " --release"
            } else {
                ""
            }
        )
    }
}

impl Crate {
    pub fn is_stage(&self) -> bool {
        matches!(self.kind, Kind::Stage { .. })
    }
    pub fn is_exercise(&self) -> bool {
        matches!(self.kind, Kind::Exercise { .. })
    }
    /// The declared base of a stage or an exercise.
    pub fn base(&self) -> Option<&str> {
        match &self.kind {
            Kind::Stage { base, .. } | Kind::Exercise { base, .. } => base.as_deref(),
            Kind::Other => None,
        }
    }
    /// The chapter number of a stage or an exercise.
    pub fn number(&self) -> Option<u32> {
        match self.kind {
            Kind::Stage { number, .. } | Kind::Exercise { number, .. } => Some(number),
            Kind::Other => None,
        }
    }
    /// Its files whose path starts with `prefix` and ends with `suffix`, as absolute paths.
    pub fn files_matching(&self, prefix: &str, suffix: &str) -> Vec<PathBuf> {
        self.files
            .iter()
            .filter(|f| f.starts_with(prefix) && f.ends_with(suffix))
            .map(|f| self.dir.join(f))
            .collect()
    }
    /// Whether its library or integration tests hold unsafe code (then the `miri` step runs
    /// them under Miri).
    pub fn has_unsafe_code(&self) -> Result<bool> {
        for file in self
            .files_matching("src/", ".rs")
            .into_iter()
            .chain(self.files_matching("tests/", ".rs"))
        {
            if has_unsafe_code(&read(&file)?) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// A file's text; an error that names the file when it cannot be read.
pub fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Whether Rust source holds unsafe code: an `unsafe` block, fn, impl, trait or extern block
/// (a `#![forbid(unsafe_code)]` or the word in a comment does not count).
pub fn has_unsafe_code(source: &str) -> bool {
    source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .any(|line| {
            line.match_indices("unsafe").any(|(at, _)| {
                let before = line[..at].chars().next_back();
                let after = line[at + "unsafe".len()..].trim_start();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                    && ["{", "fn ", "impl", "trait ", "extern "]
                        .iter()
                        .any(|next| after.starts_with(next))
            })
        })
}

/// Every file below `dir`, relative with `/` separators, sorted; `target/` and `.git/` left out.
pub fn walk(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current)
            .with_context(|| format!("cannot list {}", current.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list {}", current.display()))?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                if entry.file_name() != "target" && entry.file_name() != ".git" {
                    stack.push(path);
                }
            } else if kind.is_file() {
                let relative = path
                    .strip_prefix(dir)
                    .expect("below dir")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push(relative);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The linked chapters of a SUMMARY.md: (title, path below `src/`).
pub fn summary_entries(summary: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in summary.lines() {
        let mut rest = line;
        while let Some(open) = rest.find('[') {
            let Some(close) = rest[open..].find("](") else {
                break;
            };
            let title = &rest[open + 1..open + close];
            let after = &rest[open + close + 2..];
            let Some(end) = after.find(')') else { break };
            let target = after[..end].trim();
            if !target.is_empty() {
                out.push((title.to_string(), target.to_string()));
            }
            rest = &after[end..];
        }
    }
    out
}

impl Repo {
    /// Reads the model of the repository at `root`.
    pub fn load(root: &Path) -> Result<Repo> {
        let metadata = crate::cmd::Cmd::cargo()
            .args([
                "metadata",
                "--no-deps",
                "--format-version",
                "1",
                "--offline",
            ])
            .dir(root)
            .read()
            .context("reading the workspace with `cargo metadata`")?;
        let metadata: Value =
            serde_json::from_str(&metadata).context("`cargo metadata` printed no JSON")?;
        Repo::from_metadata(root, &metadata)
    }

    /// The model from `cargo metadata`'s JSON and the files of `root`.
    pub fn from_metadata(root: &Path, metadata: &Value) -> Result<Repo> {
        let examples_code = root.join("examples-code");
        let mut crates = Vec::new();
        for package in metadata["packages"].as_array().into_iter().flatten() {
            let manifest = PathBuf::from(
                package["manifest_path"]
                    .as_str()
                    .context("a package without manifest_path")?,
            );
            let dir = manifest
                .parent()
                .expect("a manifest is in a folder")
                .to_path_buf();
            if dir.parent() != Some(examples_code.as_path()) {
                continue; // the tooling, the book-level tests
            }
            crates.push(load_crate(package, dir)?);
        }
        crates.sort_by(|a, b| a.name.cmp(&b.name));

        let summary_path = root.join("src").join("SUMMARY.md");
        let summary = read(&summary_path)?;
        let chapters = summary_entries(&summary)
            .into_iter()
            .map(|(title, target)| {
                let page = Path::new("src").join(&target);
                let stem = page
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let number = numbered(&stem)
                    .filter(|(prefix, _)| *prefix == "ch")
                    .map(|(_, n)| n);
                let stage = number.and_then(|n| {
                    crates
                        .iter()
                        .find(|c| matches!(c.kind, Kind::Stage { number, .. } if number == n))
                        .map(|c| c.name.clone())
                });
                Chapter {
                    title,
                    page,
                    number,
                    stage,
                }
            })
            .collect();
        let pages = walk(&root.join("src"))?
            .into_iter()
            .filter(|f| f.ends_with(".md"))
            .map(|f| Path::new("src").join(f))
            .collect();
        Ok(Repo {
            root: root.to_path_buf(),
            crates,
            chapters,
            pages,
            book_toml: read(&root.join("book.toml"))?,
        })
    }

    pub fn krate(&self, name: &str) -> Option<&Crate> {
        self.crates.iter().find(|c| c.name == name)
    }

    /// The stage crates, in chapter order.
    pub fn stages(&self) -> impl Iterator<Item = &Crate> {
        self.crates.iter().filter(|c| c.is_stage())
    }

    pub fn exercises(&self) -> impl Iterator<Item = &Crate> {
        self.crates.iter().filter(|c| c.is_exercise())
    }

    /// Every example of every crate, by crate then name.
    pub fn examples(&self) -> impl Iterator<Item = &Example> {
        self.crates.iter().flat_map(|c| c.examples.iter())
    }

    /// The chapter that shows a stage's code.
    pub fn chapter_of(&self, stage: &str) -> Option<&Chapter> {
        self.chapters
            .iter()
            .find(|c| c.stage.as_deref() == Some(stage))
    }

    /// A `book.toml` setting (see [`crate::site::setting`]).
    pub fn book_setting(&self, key: &str) -> Option<String> {
        crate::site::setting(&self.book_toml, key)
    }

    /// What the manifests declare, checked: every stage says what it was built from, and the
    /// base exists and comes before it; every exercise names an existing base and its files.
    pub fn check_declarations(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        for krate in &self.crates {
            let at = |message: String| {
                Problem::new(
                    Path::new("examples-code")
                        .join(&krate.name)
                        .join("Cargo.toml"),
                    None,
                    message,
                )
            };
            for key in &krate.unknown_keys {
                problems.push(at(format!(
                    "declares `{key}`, which means nothing here: a stage declares only `base` \
                     (none for a fresh design), an exercise `base` and `files`"
                )));
            }
            match &krate.kind {
                Kind::Stage {
                    declared: false, ..
                } => problems.push(at(
                    "declares no [package.metadata.stage]: add one, with `base = \"chNN-…\"` \
                     (the stage this one starts from) or without a base for a fresh design"
                        .into(),
                )),
                Kind::Stage {
                    number,
                    base: Some(base),
                    ..
                } => match self.krate(base) {
                    None => problems.push(at(format!(
                        "declares base = \"{base}\", which is not a crate of examples-code/ (yet?)"
                    ))),
                    Some(found) if !found.is_stage() => problems.push(at(format!(
                        "declares base = \"{base}\", which is not a stage (chNN-…)"
                    ))),
                    Some(found) if found.number() >= Some(*number) => problems.push(at(format!(
                        "declares base = \"{base}\", which does not come before it"
                    ))),
                    Some(_) => {}
                },
                Kind::Stage { .. } | Kind::Other => {}
                Kind::Exercise { base, files, .. } => {
                    match base {
                        None => problems.push(at(
                            "declares no [package.metadata.exercise] base = \"chNN-…\" (the \
                             stage its solutions start from)"
                                .into(),
                        )),
                        Some(base) if self.krate(base).is_none() => problems.push(at(format!(
                            "declares base = \"{base}\", which is not a crate of examples-code/"
                        ))),
                        Some(_) => {}
                    }
                    if files.is_none() {
                        problems.push(at(
                            "declares no [package.metadata.exercise] files = [...] (the files \
                             its solutions add or change)"
                                .into(),
                        ));
                    }
                }
            }
        }
        problems
    }

    /// A stage is its base plus the chapter's change: every example of the base is still an
    /// example of the stage (changed or not), unless the stage declares it left out.
    pub fn check_carry_forward(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        for stage in self.stages() {
            let Some(base) = stage.base().and_then(|b| self.krate(b)) else {
                continue;
            };
            let Kind::Stage { leaves_out, .. } = &stage.kind else {
                continue;
            };
            let at = |message: String| {
                Problem::new(Path::new("examples-code").join(&stage.name), None, message)
            };
            for name in leaves_out {
                if !base.examples.iter().any(|e| &e.name == name) {
                    problems.push(at(format!(
                        "leaves out `{name}`, which is no example of its base {}",
                        base.name
                    )));
                } else if stage.examples.iter().any(|e| &e.name == name) {
                    problems.push(at(format!(
                        "leaves out `{name}`, but has it: take it out of `leaves-out`"
                    )));
                }
            }
            for example in &base.examples {
                if leaves_out.contains(&example.name) {
                    continue;
                }
                if !stage.examples.iter().any(|e| e.name == example.name) {
                    problems.push(at(format!(
                        "lacks example `{}` of its base {}: a stage is its base plus the \
                         chapter's change (copy it, or declare it in `leaves-out`)",
                        example.name, base.name
                    )));
                }
            }
        }
        problems
    }

    /// An exercise changes only the files it declares: every other file is its base's
    /// (anchor lines aside, and its own `Cargo.toml`), a declared file exists and differs from
    /// the base's, and no file is new without being declared.
    pub fn check_exercises(&self) -> Result<Vec<Problem>> {
        let mut problems = Vec::new();
        for exercise in self.exercises() {
            let (
                Some(base),
                Kind::Exercise {
                    files: Some(declared),
                    ..
                },
            ) = (exercise.base().and_then(|b| self.krate(b)), &exercise.kind)
            else {
                continue; // check_declarations reports it
            };
            let covered = |file: &str| {
                declared
                    .iter()
                    .any(|d| d == file || (d.ends_with('/') && file.starts_with(d.as_str())))
            };
            let at = |file: &str, message: String| {
                Problem::new(
                    Path::new("examples-code").join(&exercise.name).join(file),
                    None,
                    message,
                )
            };
            let same = |file: &str| -> Result<bool> {
                let ours = std::fs::read(exercise.dir.join(file))
                    .with_context(|| format!("cannot read {}/{file}", exercise.name))?;
                let theirs = std::fs::read(base.dir.join(file))
                    .with_context(|| format!("cannot read {}/{file}", base.name))?;
                Ok(match (String::from_utf8(ours), String::from_utf8(theirs)) {
                    (Ok(a), Ok(b)) => {
                        crate::branches::strip_anchor_lines(&a)
                            == crate::branches::strip_anchor_lines(&b)
                    }
                    (a, b) => {
                        a.map_or_else(|e| e.into_bytes(), String::into_bytes)
                            == b.map_or_else(|e| e.into_bytes(), String::into_bytes)
                    }
                })
            };
            for file in exercise.files.iter().filter(|f| *f != "Cargo.toml") {
                let in_base = base.files.contains(file);
                match (covered(file), in_base) {
                    (true, true) if same(file)? => problems.push(at(
                        file,
                        format!(
                            "is declared in `files` but is the same as {}'s: take it out of \
                             `files`",
                            base.name
                        ),
                    )),
                    (true, _) => {}
                    (false, true) if !same(file)? => problems.push(at(
                        file,
                        format!(
                            "differs from {}/{file}, and is not one of the files the exercise \
                             declares: copy the base's file (`cp examples-code/{}/{file} \
                             examples-code/{}/{file}`) or add it to `files`",
                            base.name, base.name, exercise.name
                        ),
                    )),
                    (false, true) => {}
                    (false, false) => problems.push(at(
                        file,
                        format!(
                            "is not a file of its base {}: add it to the exercise's `files`",
                            base.name
                        ),
                    )),
                }
            }
            for entry in declared {
                if !exercise
                    .files
                    .iter()
                    .any(|f| f == entry || (entry.ends_with('/') && f.starts_with(entry.as_str())))
                {
                    problems.push(at(
                        "Cargo.toml",
                        format!("declares `{entry}` in `files`, but it has no such file"),
                    ));
                }
            }
        }
        Ok(problems)
    }

    /// Every example is tested by `cargo test`, and has an `output.txt` (or opts out) whose
    /// first line is the command that runs it from the repository root.
    pub fn check_output_files(&self) -> Result<Vec<Problem>> {
        let mut problems = Vec::new();
        for example in self.examples() {
            if !example.tested {
                problems.push(Problem::new(
                    Path::new("examples-code")
                        .join(&example.package)
                        .join("Cargo.toml"),
                    None,
                    format!(
                        "example `{}` needs an [[example]] entry with `test = true`, or `cargo \
                         test` skips its tests",
                        example.name
                    ),
                ));
            }
            if !example.wants_output() {
                continue;
            }
            let output = example.output_txt();
            let shown = crate::relative(&self.root, &output);
            if !output.exists() {
                problems.push(Problem::new(
                    crate::relative(&self.root, &example.dir),
                    None,
                    format!(
                        "has no output.txt: run `cargo xtask outputs` (or mark main.rs \
                         `{NO_OUTPUT}`)"
                    ),
                ));
                continue;
            }
            let text = read(&output)?;
            if text.lines().next() != Some(example.command().as_str()) {
                problems.push(Problem::new(
                    shown,
                    Some(1),
                    format!(
                        "the first line must be the command that runs it from the repository \
                         root: `{}`",
                        example.command()
                    ),
                ));
            }
        }
        Ok(problems)
    }

    /// The anchors of every Rust and TOML file of `examples-code/`: (file, its text).
    pub fn anchored_sources(&self) -> Result<Vec<(PathBuf, String)>> {
        let mut out = Vec::new();
        for krate in &self.crates {
            for file in krate
                .files
                .iter()
                .filter(|f| f.ends_with(".rs") || f.ends_with(".toml"))
            {
                let path = krate.dir.join(file);
                let text = read(&path)?;
                out.push((path, text));
            }
        }
        Ok(out)
    }

    /// The crates that carry loom models (`tests/loom_*.rs`), found, not listed, so that a
    /// later stage carrying the models forward is checked too.
    pub fn loom_crates(&self) -> Vec<&Crate> {
        self.crates
            .iter()
            .filter(|c| {
                c.files
                    .iter()
                    .any(|f| f.starts_with("tests/loom_") && f.ends_with(".rs"))
            })
            .collect()
    }

    /// The stages and exercises whose library or integration tests hold unsafe code.
    /// The programs marked `// xtask: valgrind`, by crate and name.
    pub fn valgrind_examples(&self) -> Vec<&Example> {
        let mut out: Vec<&Example> = self
            .crates
            .iter()
            .flat_map(|c| c.examples.iter())
            .filter(|e| e.under_valgrind())
            .collect();
        out.sort_by(|a, b| (&a.package, &a.name).cmp(&(&b.package, &b.name)));
        out
    }

    pub fn unsafe_crates(&self) -> Result<Vec<&Crate>> {
        let mut out = Vec::new();
        for krate in self
            .crates
            .iter()
            .filter(|c| c.is_stage() || c.is_exercise())
        {
            if krate.has_unsafe_code()? {
                out.push(krate);
            }
        }
        Ok(out)
    }

    /// The stage crates by name, with the stage each one was built from.
    pub fn stage_bases(&self) -> BTreeMap<&str, Option<&str>> {
        self.stages().map(|s| (s.name.as_str(), s.base())).collect()
    }
}

/// One crate from its `cargo metadata` entry.
fn load_crate(package: &Value, dir: PathBuf) -> Result<Crate> {
    let name = package["name"]
        .as_str()
        .context("a package without a name")?
        .to_string();
    let shown = format!("examples-code/{name}/Cargo.toml");
    let string = |value: &Value, key: &str| -> Result<Option<String>> {
        match &value[key] {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            other => bail!("{shown}: `{key}` must be a string, not {other}"),
        }
    };
    let (table_name, known): (&str, &[&str]) = match numbered(&name) {
        Some(("ch", _)) => ("stage", &["base", "leaves-out"]),
        Some(("ex", _)) => ("exercise", &["base", "files"]),
        _ => ("", &[]),
    };
    let unknown_keys: Vec<String> = package["metadata"][table_name]
        .as_object()
        .into_iter()
        .flat_map(|table| table.keys())
        .filter(|key| !known.contains(&key.as_str()))
        .cloned()
        .collect();
    let list = |value: &Value, key: &str| -> Result<Option<Vec<String>>> {
        match &value[key] {
            Value::Null => Ok(None),
            Value::Array(items) => Ok(Some(
                items
                    .iter()
                    .map(|item| {
                        item.as_str().map(str::to_string).with_context(|| {
                            format!("{shown}: every entry of `{key}` must be a string")
                        })
                    })
                    .collect::<Result<Vec<_>>>()?,
            )),
            other => bail!("{shown}: `{key}` must be a list, not {other}"),
        }
    };
    let kind = match numbered(&name) {
        Some(("ch", number)) => {
            let table = &package["metadata"]["stage"];
            Kind::Stage {
                number,
                declared: table.is_object(),
                base: string(table, "base")?,
                leaves_out: list(table, "leaves-out")?.unwrap_or_default(),
            }
        }
        Some(("ex", number)) => {
            let table = &package["metadata"]["exercise"];
            let files = list(table, "files")?;
            Kind::Exercise {
                number,
                base: string(table, "base")?,
                files,
            }
        }
        _ => Kind::Other,
    };
    let mut examples = Vec::new();
    for target in package["targets"].as_array().into_iter().flatten() {
        if !target["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|k| k == "example"))
        {
            continue;
        }
        let main = PathBuf::from(target["src_path"].as_str().unwrap_or_default());
        let example_dir = main.parent().unwrap_or(&dir).to_path_buf();
        examples.push(Example {
            package: name.clone(),
            name: target["name"].as_str().unwrap_or_default().to_string(),
            tested: target["test"] == true,
            features: target["required-features"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str().map(String::from))
                .collect(),
            source: read(&main)?,
            dir: example_dir,
        });
    }
    examples.sort_by(|a, b| a.name.cmp(&b.name));
    let files = walk(&dir)?;
    Ok(Crate {
        name,
        dir,
        kind,
        examples,
        files,
        unknown_keys,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small repository in a scratch folder: a workspace of the given crates (each
    /// `(name, extra manifest text, files)`), a SUMMARY.md and a book.toml.
    pub(crate) struct Scratch(pub PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    impl Scratch {
        pub(crate) fn new(what: &str) -> Scratch {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "xtask-{what}-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            let scratch = Scratch(dir);
            scratch.write(
                "Cargo.toml",
                "[workspace]\nresolver = \"3\"\nmembers = [\"examples-code/*\"]\n",
            );
            scratch.write(
                "book.toml",
                "[book]\ntitle = \"T\"\n[output.html]\nsite-url = \"/book/\"\ngit-repository-url = \"https://github.com/o/book\"\n",
            );
            scratch
        }

        pub(crate) fn write(&self, path: &str, text: &str) {
            let path = self.0.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }

        /// A crate with a library and the named examples (each tested, with a main.rs).
        pub(crate) fn krate(&self, name: &str, metadata: &str, examples: &[&str]) {
            let mut manifest = format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{metadata}\n"
            );
            for example in examples {
                manifest.push_str(&format!(
                    "\n[[example]]\nname = \"{example}\"\ntest = true\n"
                ));
                self.write(
                    &format!("examples-code/{name}/examples/{example}/main.rs"),
                    "fn main() {}\n",
                );
            }
            self.write(&format!("examples-code/{name}/Cargo.toml"), &manifest);
            self.write(
                &format!("examples-code/{name}/src/lib.rs"),
                "pub fn f() {}\n",
            );
        }

        pub(crate) fn load(&self) -> Result<Repo> {
            Repo::load(&self.0)
        }
    }

    fn messages(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_model_knows_stages_exercises_examples_and_chapters() {
        let repo = Scratch::new("repo-model");
        repo.write(
            "src/SUMMARY.md",
            "# Summary\n\n[Intro](introduction.md)\n\n- [One](ch01-one.md)\n- [Two](ch02-two.md)\n- [Draft]()\n",
        );
        for page in ["introduction", "ch01-one", "ch02-two"] {
            repo.write(&format!("src/{page}.md"), "# x\n");
        }
        repo.krate("ch01-a", "[package.metadata.stage]\n", &["hello"]);
        repo.krate(
            "ch02-b",
            "[package.metadata.stage]\nbase = \"ch01-a\"\n",
            &["hello", "more"],
        );
        repo.krate(
            "ex02-b",
            "[package.metadata.exercise]\nbase = \"ch02-b\"\nfiles = [\"examples/\"]\n",
            &["solution"],
        );
        repo.krate("bench", "", &[]);
        std::fs::create_dir_all(repo.0.join("examples-code/ch02-b/target/debug")).unwrap();
        let model = repo.load().unwrap();
        let names: Vec<&str> = model.crates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["bench", "ch01-a", "ch02-b", "ex02-b"]);
        let stage = model.krate("ch02-b").unwrap();
        assert_eq!(
            stage.kind,
            Kind::Stage {
                number: 2,
                declared: true,
                base: Some("ch01-a".into()),
                leaves_out: vec![],
            }
        );
        assert_eq!(
            model.krate("ch01-a").unwrap().kind,
            Kind::Stage {
                number: 1,
                declared: true,
                base: None,
                leaves_out: vec![],
            }
        );
        assert_eq!(model.krate("bench").unwrap().kind, Kind::Other);
        let examples: Vec<&str> = stage.examples.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(examples, ["hello", "more"]);
        assert!(stage.examples[0].tested);
        assert_eq!(
            stage.files,
            [
                "Cargo.toml",
                "examples/hello/main.rs",
                "examples/more/main.rs",
                "src/lib.rs"
            ]
        );
        assert_eq!(
            stage.examples[1].command(),
            "$ cargo run -p ch02-b --example more"
        );
        let chapters: Vec<(&str, Option<&str>)> = model
            .chapters
            .iter()
            .map(|c| (c.title.as_str(), c.stage.as_deref()))
            .collect();
        assert_eq!(
            chapters,
            [
                ("Intro", None),
                ("One", Some("ch01-a")),
                ("Two", Some("ch02-b"))
            ]
        );
        assert_eq!(
            model.chapter_of("ch02-b").unwrap().page,
            Path::new("src/ch02-two.md")
        );
        assert!(model.check_declarations().is_empty());
        assert!(model.check_carry_forward().is_empty());
        assert!(model.check_exercises().unwrap().is_empty());
    }

    #[test]
    fn a_stage_is_checked_against_its_declared_base_and_a_missing_base_is_a_problem() {
        let repo = Scratch::new("repo-bases");
        repo.write("src/SUMMARY.md", "- [One](ch01-one.md)\n");
        repo.krate("ch01-a", "[package.metadata.stage]\n", &["first"]);
        repo.krate(
            "ch02-b",
            "[package.metadata.stage]\nbase = \"ch01-a\"\n",
            &["second"],
        );
        // A fresh design: it need not carry ch02's programs.
        repo.krate("ch03-c", "[package.metadata.stage]\n", &["third"]);
        // Built from chapter 1, not from the stage before it in sort order; and one that
        // leaves a program out on purpose, and says so.
        repo.krate(
            "ch04-d",
            "[package.metadata.stage]\nbase = \"ch01-a\"\n",
            &["first"],
        );
        repo.krate(
            "ch09-i",
            "[package.metadata.stage]\nbase = \"ch04-d\"\nleaves-out = [\"first\", \"nine\"]\n",
            &[],
        );
        repo.krate(
            "ch05-e",
            "[package.metadata.stage]\nbase = \"ch09-later\"\n",
            &[],
        );
        repo.krate("ch06-f", "", &[]);
        repo.krate(
            "ch07-g",
            "[package.metadata.stage]\nbase = \"ch07-g\"\n",
            &[],
        );
        repo.krate(
            "ch08-h",
            "[package.metadata.stage]\nfresh-start = true\n",
            &[],
        );
        let model = repo.load().unwrap();
        let carry = messages(&model.check_carry_forward());
        assert_eq!(carry.len(), 2, "{carry:#?}");
        assert!(
            carry[1].contains("ch09-i: leaves out `nine`, which is no example of its base ch04-d"),
            "{carry:#?}"
        );
        assert!(
            carry[0].starts_with("examples-code/ch02-b: lacks example `first` of its base ch01-a"),
            "{carry:#?}"
        );
        let declared = messages(&model.check_declarations());
        assert_eq!(declared.len(), 4, "{declared:#?}");
        assert!(
            declared[0].contains(
                "ch05-e/Cargo.toml: declares base = \"ch09-later\", which is not a crate"
            )
        );
        assert!(declared[1].contains("ch06-f/Cargo.toml: declares no [package.metadata.stage]"));
        assert!(declared[2].contains(
            "ch07-g/Cargo.toml: declares base = \"ch07-g\", which does not come before it"
        ));
        assert!(
            declared[3]
                .contains("ch08-h/Cargo.toml: declares `fresh-start`, which means nothing here")
        );
    }

    #[test]
    fn an_exercise_may_change_only_the_files_it_declares() {
        let repo = Scratch::new("repo-exercises");
        repo.write("src/SUMMARY.md", "- [One](ch01-one.md)\n");
        repo.krate("ch01-a", "[package.metadata.stage]\n", &[]);
        repo.write(
            "examples-code/ch01-a/src/queue.rs",
            "// ANCHOR: q\nfn q() {}\n// ANCHOR_END: q\n",
        );
        repo.write("examples-code/ch01-a/src/same.rs", "fn s() {}\n");
        repo.krate(
            "ex01-a",
            "[package.metadata.exercise]\nbase = \"ch01-a\"\nfiles = [\"src/lib.rs\", \"src/same.rs\", \"examples/\", \"src/gone.rs\"]\n",
            &["solution"],
        );
        // Anchor lines aside, the same as the base's: fine.
        repo.write("examples-code/ex01-a/src/queue.rs", "fn q() {}\n");
        // Declared, but not changed at all.
        repo.write("examples-code/ex01-a/src/same.rs", "fn s() {}\n");
        // src/lib.rs: declared and changed.
        repo.write("examples-code/ex01-a/src/lib.rs", "pub fn g() {}\n");
        // Not declared, not in the base.
        repo.write("examples-code/ex01-a/src/new.rs", "fn n() {}\n");
        // Drift in a file the exercise does not declare.
        repo.write(
            "examples-code/ex01-a/src/queue.rs",
            "fn q() { drifted() }\n",
        );
        let model = repo.load().unwrap();
        let problems = messages(&model.check_exercises().unwrap());
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(
            problems[0]
                .starts_with("examples-code/ex01-a/src/new.rs: is not a file of its base ch01-a"),
            "{problems:#?}"
        );
        assert!(
            problems[1]
                .starts_with("examples-code/ex01-a/src/queue.rs: differs from ch01-a/src/queue.rs"),
            "{problems:#?}"
        );
        assert!(
            problems[2].starts_with(
                "examples-code/ex01-a/src/same.rs: is declared in `files` but is the same"
            ),
            "{problems:#?}"
        );
        assert!(
            problems[3].contains("declares `src/gone.rs` in `files`, but it has no such file"),
            "{problems:#?}"
        );
        // An exercise that declares nothing.
        repo.krate("ex02-z", "", &[]);
        let model = repo.load().unwrap();
        let declared = messages(&model.check_declarations());
        assert_eq!(declared.len(), 2, "{declared:#?}");
    }

    #[test]
    fn a_measuring_program_is_run_in_release_and_its_command_says_so() {
        let example = Example {
            package: "ch06-x".into(),
            name: "cost".into(),
            dir: PathBuf::from("/r"),
            tested: true,
            features: Vec::new(),
            source: format!("{NUMBERS_VARY}\nfn main() {{}}\n"),
        };
        assert_eq!(
            example.command(),
            "$ cargo run -p ch06-x --example cost --release"
        );
        let recorder = Example {
            features: vec!["trace".into()],
            ..example
        };
        assert_eq!(
            recorder.command(),
            "$ cargo run -p ch06-x --example cost --features trace --release"
        );
    }

    #[test]
    fn reads_the_linked_chapters_of_a_summary() {
        assert_eq!(
            summary_entries("[Intro](introduction.md)\n- [A `b`](ch01-a.md)\n- [Draft]()\n"),
            [
                ("Intro".to_string(), "introduction.md".to_string()),
                ("A `b`".to_string(), "ch01-a.md".to_string())
            ]
        );
    }

    #[test]
    fn tells_unsafe_code_from_the_word_unsafe() {
        assert!(has_unsafe_code("let x = unsafe { f() };"));
        assert!(has_unsafe_code("unsafe fn f() {}"));
        assert!(has_unsafe_code("    unsafe impl Send for X {}"));
        assert!(!has_unsafe_code("#![forbid(unsafe_code)]"));
        assert!(!has_unsafe_code("// an unsafe { block } in a comment"));
        assert!(!has_unsafe_code("let not_unsafe = 1;"));
    }
}
