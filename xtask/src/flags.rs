//! The command line of `cargo xtask`, parsed (with `lexopt`): every command and flag is
//! declared here, and anything else is an error, never a silent default.

use crate::examples::Mode;
use anyhow::{Result, bail};
use lexopt::prelude::*;
use std::ffi::OsString;
use std::path::PathBuf;

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    Serve { open: bool, port: u16 },
    Test { quick: bool, steps: Vec<String> },
    Build,
    Outputs(Mode),
    Check,
    Bench(BenchOptions),
    Charts { check: bool },
    Figures { check: bool },
    Branches { check: bool, dir: Option<PathBuf> },
    Bugs { check: bool },
    MiriIgnored { check: bool },
    Readme { check: bool },
    Help,
}

/// `cargo xtask bench CHAPTER …`
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BenchOptions {
    /// The chart file `examples-code/bench/charts/<chapter>.json` whose results are remeasured.
    pub chapter: String,
    /// Measured runs per case and process.
    pub runs: Option<u32>,
    /// Paired runs per target.
    pub rounds: Option<u32>,
    pub note: Option<String>,
    /// Only these runtimes (keys), only these cases.
    pub only: Option<String>,
    pub cases: Option<String>,
    /// Skip the passes pinned to one CPU.
    pub no_pinned: bool,
}

pub const HELP: &str = "\
cargo xtask <command>

The README's two commands:
  serve [--open] [--port PORT]
                       serve the book on http://127.0.0.1:3000 (installs mdBook if missing)
  test [--quick] [STEP…]
                       run every check (--quick: only the steps that take seconds);
                       with STEP names, only those steps

Also:
  build                build the book into book/ (HTML and link check)
  outputs [--check | --remeasure]
                       rerun the example programs and rewrite (or check) their output.txt;
                       measuring programs run in release builds and keep their figures
                       unless --remeasure
  check                the static checks of the sources only (includes, anchors, stages,
                       exercises, outputs' first lines, the README's table of steps)
  bench CHAPTER [--runs N] [--rounds N] [--note TEXT] [--only KEYS] [--cases CASES] [--no-pinned]
                       run the benchmark suite (release build, many minutes, on a quiet
                       machine) into the results file of examples-code/bench/charts/CHAPTER.json,
                       with ROUNDS paired runs of each target, then redraw the charts
  charts [--check]     draw (or check) src/charts/ from the committed benchmark data
  figures [--check]    draw (or check) the SVGs of src/figures/ from their sources
  branches [--check] [--dir REPO]
                       build one branch per stage crate (chapter-NN-slug) into this repository
                       or REPO; --check fails when one is missing or stale
  bugs [--check]       put each classic bug of chapter 17 back into a scratch copy of its stage
                       and require its test to catch it; write (or check) xtask/proof/bugs/*.txt
  miri-ignored [--check]
                       write (or check) xtask/proof/miri-ignored.md, the tests Miri skips and why
  readme [--check]     write (or check) the README's table of steps
  help                 this text

Steps of `test`, in order:
";

/// The help text, with the table of steps.
pub fn help() -> String {
    format!("{HELP}{}", crate::steps::help())
}

/// `--check` alone, or nothing.
fn check_only(parser: &mut lexopt::Parser) -> Result<bool> {
    let mut check = false;
    while let Some(arg) = parser.next()? {
        match arg {
            Long("check") => check = true,
            other => return Err(other.unexpected().into()),
        }
    }
    Ok(check)
}

fn no_arguments(parser: &mut lexopt::Parser) -> Result<()> {
    if let Some(arg) = parser.next()? {
        return Err(arg.unexpected().into());
    }
    Ok(())
}

fn string(parser: &mut lexopt::Parser) -> Result<String> {
    Ok(parser.value()?.string()?)
}

/// Parses the arguments after `cargo xtask`.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Task> {
    let mut parser = lexopt::Parser::from_args(args);
    let command = match parser.next()? {
        None => return Ok(Task::Help),
        Some(Value(command)) => command.string()?,
        Some(Long("help") | Short('h')) => return Ok(Task::Help),
        Some(other) => return Err(other.unexpected().into()),
    };
    let task = match command.as_str() {
        "help" => {
            no_arguments(&mut parser)?;
            Task::Help
        }
        "serve" => {
            let (mut open, mut port) = (false, 3000);
            while let Some(arg) = parser.next()? {
                match arg {
                    Long("open") => open = true,
                    Long("port") => port = parser.value()?.parse()?,
                    other => return Err(other.unexpected().into()),
                }
            }
            Task::Serve { open, port }
        }
        "test" => {
            let (mut quick, mut steps) = (false, Vec::new());
            while let Some(arg) = parser.next()? {
                match arg {
                    Long("quick") => quick = true,
                    Value(step) => steps.push(step.string()?),
                    other => return Err(other.unexpected().into()),
                }
            }
            Task::Test { quick, steps }
        }
        "build" => {
            no_arguments(&mut parser)?;
            Task::Build
        }
        "check" => {
            no_arguments(&mut parser)?;
            Task::Check
        }
        "outputs" => {
            let mut mode = Mode::Write;
            while let Some(arg) = parser.next()? {
                match arg {
                    Long("check") if mode == Mode::Write => mode = Mode::Check,
                    Long("remeasure") if mode == Mode::Write => mode = Mode::Remeasure,
                    Long("check" | "remeasure") => {
                        bail!("outputs takes --check or --remeasure, not both")
                    }
                    other => return Err(other.unexpected().into()),
                }
            }
            Task::Outputs(mode)
        }
        "bench" => {
            let mut options = BenchOptions::default();
            while let Some(arg) = parser.next()? {
                match arg {
                    Long("runs") => options.runs = Some(parser.value()?.parse()?),
                    Long("rounds") => options.rounds = Some(parser.value()?.parse()?),
                    Long("note") => options.note = Some(string(&mut parser)?),
                    Long("only") => options.only = Some(string(&mut parser)?),
                    Long("cases") => options.cases = Some(string(&mut parser)?),
                    Long("no-pinned") => options.no_pinned = true,
                    Value(chapter) if options.chapter.is_empty() => {
                        options.chapter = chapter.string()?
                    }
                    other => return Err(other.unexpected().into()),
                }
            }
            if options.chapter.is_empty() {
                bail!(
                    "bench needs a CHAPTER: the name of a chart file of examples-code/bench/charts/ \
                     (e.g. `cargo xtask bench ch14`)"
                );
            }
            Task::Bench(options)
        }
        "charts" => Task::Charts {
            check: check_only(&mut parser)?,
        },
        "figures" => Task::Figures {
            check: check_only(&mut parser)?,
        },
        "bugs" => Task::Bugs {
            check: check_only(&mut parser)?,
        },
        "miri-ignored" => Task::MiriIgnored {
            check: check_only(&mut parser)?,
        },
        "readme" => Task::Readme {
            check: check_only(&mut parser)?,
        },
        "branches" => {
            let (mut check, mut dir) = (false, None);
            while let Some(arg) = parser.next()? {
                match arg {
                    Long("check") => check = true,
                    Long("dir") => dir = Some(PathBuf::from(parser.value()?)),
                    other => return Err(other.unexpected().into()),
                }
            }
            Task::Branches { check, dir }
        }
        other => bail!("unknown command `{other}` (`cargo xtask help` lists them)"),
    };
    Ok(task)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(line: &str) -> Result<Task> {
        parse(line.split_whitespace().map(OsString::from))
    }

    #[test]
    fn an_unknown_flag_is_an_error_not_a_write() {
        for line in [
            "charts --chek",
            "figures --chek",
            "bugs --chek",
            "miri-ignored --chek",
            "readme --chek",
            "outputs --chek",
            "test --quik",
            "branches --chek",
            "serve --opn",
            "check --fix",
            "build now",
            "bench ch14 --run 3",
        ] {
            let error = parsed(line).expect_err(line).to_string();
            assert!(
                error.contains("--") || error.contains("unexpected"),
                "{line}: {error}"
            );
        }
        assert!(parsed("chart").is_err());
        assert!(parsed("outputs --check --remeasure").is_err());
        assert!(parsed("bench").unwrap_err().to_string().contains("CHAPTER"));
    }

    #[test]
    fn commands_and_their_flags() {
        assert_eq!(parsed("").unwrap(), Task::Help);
        assert_eq!(parsed("--help").unwrap(), Task::Help);
        assert_eq!(
            parsed("charts --check").unwrap(),
            Task::Charts { check: true }
        );
        assert_eq!(parsed("charts").unwrap(), Task::Charts { check: false });
        assert_eq!(
            parsed("test --quick fmt build").unwrap(),
            Task::Test {
                quick: true,
                steps: vec!["fmt".into(), "build".into()]
            }
        );
        assert_eq!(
            parsed("outputs --remeasure").unwrap(),
            Task::Outputs(Mode::Remeasure)
        );
        assert_eq!(
            parsed("branches --dir /tmp/r --check").unwrap(),
            Task::Branches {
                check: true,
                dir: Some("/tmp/r".into())
            }
        );
        assert_eq!(
            parsed("serve --open --port 3001").unwrap(),
            Task::Serve {
                open: true,
                port: 3001
            }
        );
        assert_eq!(
            parsed("bench ch14 --rounds 9 --runs 3 --only ch14,tokio-ct --no-pinned").unwrap(),
            Task::Bench(BenchOptions {
                chapter: "ch14".into(),
                runs: Some(3),
                rounds: Some(9),
                only: Some("ch14,tokio-ct".into()),
                no_pinned: true,
                ..BenchOptions::default()
            })
        );
        assert!(parsed("bench ch14 --rounds many").is_err());
    }
}
