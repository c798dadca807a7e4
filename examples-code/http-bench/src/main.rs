//! `http-bench`: chapter 18's servers, and their measurement with `wrk`.
//!
//! ```text
//! cargo run --release -p http-bench -- serve KEY [PORT]
//!     serve on 127.0.0.1:PORT (0 or none: a free port) with one server: ch14, tokio-ct,
//!     ch15, tokio-mt, smol, ch14-raw, ch15-raw; prints `listening on http://ADDR`
//! cargo run --release -p http-bench -- measure [--rounds N] [--duration SECS]
//!         [--connections 50,500] [--only KEYS] [--note TEXT] [--out FILE]
//!     every server in rounds under wrk (installed with apt-get when missing), into
//!     examples-code/http-bench/results/ch18.json and its table (ch18-table.md)
//! cargo run -p http-bench -- table [--check]
//!     rewrite (or check) the table from the committed results
//! ```
//!
//! Run `measure` on a quiet machine (no build, no other benchmark): with the defaults (5
//! rounds of 10 s runs) it takes about 15 minutes on two CPUs. Then `cargo xtask charts`
//! redraws the chapter's charts from the results.

use http_bench::{measure, servers, wrk};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

fn results_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("results/ch18.json")
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("http-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => {
            let key = args.get(1).ok_or("serve needs a server's key")?;
            let port: u16 = match args.get(2) {
                Some(port) => port.parse().map_err(|e| format!("port {port}: {e}"))?,
                None => 0,
            };
            servers::serve(key, port, |addr| {
                println!("listening on http://{addr}");
            })
            .map_err(|e| e.to_string())
        }
        Some("measure") => {
            let mut options = measure::Options::default();
            let mut out = results_file();
            let mut rest = args[1..].iter();
            while let Some(flag) = rest.next() {
                let mut value = || rest.next().ok_or(format!("{flag} needs a value"));
                match flag.as_str() {
                    "--rounds" => options.rounds = number(value()?)?,
                    "--duration" => {
                        options.duration = Duration::from_secs(number(value()?)? as u64)
                    }
                    "--connections" => {
                        options.connections =
                            value()?.split(',').map(number).collect::<Result<_, _>>()?
                    }
                    "--only" => {
                        options.only = value()?.split(',').map(str::to_string).collect();
                        for key in &options.only {
                            servers::server(key).ok_or(format!("no server `{key}`"))?;
                        }
                    }
                    "--note" => options.note = value()?.clone(),
                    "--out" => out = PathBuf::from(value()?),
                    other => return Err(format!("unknown flag {other}")),
                }
            }
            if options.rounds == 0 {
                return Err("--rounds must be at least 1".into());
            }
            let data = measure::run(&options).map_err(|e| e.to_string())?;
            measure::write(&out, &data).map_err(|e| format!("{}: {e}", out.display()))?;
            eprintln!(
                "http-bench: wrote {} and {}; now `cargo xtask charts`",
                out.display(),
                measure::table_path(&out).display()
            );
            Ok(())
        }
        Some("table") => {
            let check = args.get(1).map(String::as_str) == Some("--check");
            let path = results_file();
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let data: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            let table = measure::table(&data);
            let table_path = measure::table_path(&path);
            if check {
                let existing = std::fs::read_to_string(&table_path).unwrap_or_default();
                if existing != table {
                    return Err(format!(
                        "{} is not the table of {}: run `cargo run -p http-bench -- table`",
                        table_path.display(),
                        path.display()
                    ));
                }
                Ok(())
            } else {
                std::fs::write(&table_path, table).map_err(|e| e.to_string())
            }
        }
        Some("wrk-installed") => {
            println!("{}", wrk::installed());
            Ok(())
        }
        _ => Err(
            "usage: http-bench serve KEY [PORT] | measure [flags] | table [--check] (see main.rs)"
                .into(),
        ),
    }
}

fn number(text: &str) -> Result<usize, String> {
    text.parse().map_err(|e| format!("{text}: {e}"))
}
