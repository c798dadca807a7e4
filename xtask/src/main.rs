//! `cargo xtask <command>`: the book's automation. Run `cargo xtask help`.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;
use xtask::cmd::{self, Cmd};
use xtask::flags::{self, Task};
use xtask::repo::Repo;
use xtask::steps::report;
use xtask::{branches, examples, repo_root, tools};

fn main() -> ExitCode {
    // First, before any thread starts: a Ctrl-C or a `kill` reaches the commands we run too.
    if let Err(error) = cmd::forward_signals() {
        eprintln!("xtask: {error:#}");
        return ExitCode::FAILURE;
    }
    let result = flags::parse(std::env::args_os().skip(1)).and_then(|task| run(&repo_root(), task));
    cmd::defer_to_a_signal();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn log(message: &str) {
    eprintln!("xtask: {message}");
}

fn run(root: &Path, task: Task) -> Result<()> {
    match task {
        Task::Help => {
            print!("{}", flags::help());
            Ok(())
        }
        Task::Serve { open, port } => serve(root, open, port),
        Task::Test { quick, steps } => xtask::steps::run(root, &steps, quick),
        Task::Build => xtask::steps::build(root),
        Task::Outputs(mode) => {
            let repo = Repo::load(root)?;
            report(examples::update_outputs(&repo, mode, log)?).map(drop)
        }
        Task::Check => report(xtask::static_checks(root)?).map(drop),
        Task::Bench(options) => xtask::bench::run_full(root, &options),
        Task::Charts { check } => report(xtask::bench::charts(root, check)?).map(drop),
        Task::Figures { check } => report(if check {
            xtask::figures::check(root)
        } else {
            xtask::figures::write(root)
        })
        .map(drop),
        Task::Branches { check, dir } => {
            let repo = Repo::load(root)?;
            let target = dir.unwrap_or_else(|| root.to_path_buf());
            if check {
                report(branches::check(&repo, &target)?).map(drop)
            } else {
                branches::write(&repo, &target, log)
            }
        }
        Task::Bugs { check } => report(xtask::proof::bugs(root, check, log)?).map(drop),
        Task::MiriIgnored { check } => {
            let repo = Repo::load(root)?;
            report(xtask::proof::write_miri_table(&repo, check)?).map(drop)
        }
        Task::Readme { check } => report(xtask::steps::readme(root, check)?).map(drop),
    }
}

/// `mdbook serve` on 127.0.0.1. It runs until it is stopped: a SIGINT or SIGTERM to us is
/// passed on to it (see `cmd::forward_signals`). `XTASK_MDBOOK` names another mdBook binary
/// (the test of this uses a stand-in).
fn serve(root: &Path, open: bool, port: u16) -> Result<()> {
    let mdbook = match std::env::var_os("XTASK_MDBOOK") {
        Some(path) => path.into(),
        None => tools::MDBOOK.ensure()?,
    };
    let port = port.to_string();
    let mut command = Cmd::new(mdbook)
        .args(["serve", "--hostname", "127.0.0.1", "--port", &port])
        .dir(root)
        .no_limit();
    if open {
        command = command.arg("--open");
    }
    println!("xtask: serving the book on http://127.0.0.1:{port} (Ctrl-C to stop)");
    command.run()
}
