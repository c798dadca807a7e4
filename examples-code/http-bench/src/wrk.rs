//! `wrk` (Debian's package), run as a child process, and what it prints read back.

use std::io;
use std::process::Command;
use std::time::Duration;

/// What one run of `wrk --latency` measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    /// Requests answered per second, over the run.
    pub requests_per_second: f64,
    /// Latency percentiles, in nanoseconds.
    pub p50_ns: f64,
    pub p99_ns: f64,
    /// Requests answered in the run.
    pub requests: u64,
    /// Socket errors (connect, read, write, timeout) and answers that were not 2xx or 3xx.
    pub errors: u64,
}

/// Whether `wrk` is on the `PATH`.
pub fn installed() -> bool {
    Command::new("wrk")
        .arg("--version")
        .output()
        .is_ok_and(|out| !out.stdout.is_empty() || !out.stderr.is_empty())
}

/// Installs Debian's `wrk` with `apt-get` when it is missing, and says so.
pub fn ensure_installed() -> io::Result<()> {
    if installed() {
        return Ok(());
    }
    eprintln!("http-bench: wrk is missing; installing Debian's package: apt-get install -y wrk");
    let status = Command::new("apt-get")
        .args(["install", "-y", "wrk"])
        .status()?;
    if !status.success() || !installed() {
        return Err(io::Error::other(
            "wrk could not be installed (apt-get install -y wrk failed): install it and run again",
        ));
    }
    Ok(())
}

/// Runs `wrk -t1 -c<connections> -d<duration> --latency url`, on CPU `cpu` if given (as
/// `taskset -c` does), and reads what it prints.
pub fn run(
    url: &str,
    connections: usize,
    duration: Duration,
    cpu: Option<usize>,
) -> io::Result<Run> {
    let mut command = match cpu {
        Some(cpu) => {
            let mut command = Command::new("taskset");
            command.args(["-c", &cpu.to_string(), "wrk"]);
            command
        }
        None => Command::new("wrk"),
    };
    let out = command
        .args(["-t1", &format!("-c{connections}")])
        .arg(format!("-d{}s", duration.as_secs().max(1)))
        .args(["--latency", url])
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(io::Error::other(format!(
            "wrk failed ({}): {text}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    parse(&text).ok_or_else(|| io::Error::other(format!("cannot read wrk's output:\n{text}")))
}

/// `301.00us`, `1.20ms`, `2.00s` as nanoseconds.
fn duration_ns(text: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 1e3)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1e6)
    } else if let Some(n) = text.strip_suffix("ns") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1e9)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60e9)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

/// Reads the figures of `wrk --latency`'s report.
pub fn parse(text: &str) -> Option<Run> {
    let mut run = Run {
        requests_per_second: f64::NAN,
        p50_ns: f64::NAN,
        p99_ns: f64::NAN,
        requests: 0,
        errors: 0,
    };
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", value] => run.p50_ns = duration_ns(value)?,
            ["99%", value] => run.p99_ns = duration_ns(value)?,
            ["Requests/sec:", value] => run.requests_per_second = value.parse().ok()?,
            [count, "requests", "in", ..] => run.requests = count.parse().ok()?,
            ["Socket", "errors:", rest @ ..] => {
                run.errors += rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>();
            }
            ["Non-2xx", "or", "3xx", "responses:", n] => run.errors += n.parse::<u64>().ok()?,
            _ => {}
        }
    }
    let complete = run.requests_per_second.is_finite()
        && run.p50_ns.is_finite()
        && run.p99_ns.is_finite()
        && run.requests > 0;
    complete.then_some(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Running 10s test @ http://127.0.0.1:8080/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   512.30us  100.20us   3.10ms   90.00%
    Req/Sec    97.50k     2.10k  101.00k    70.00%
  Latency Distribution
     50%  501.00us
     75%  550.00us
     90%  610.00us
     99%    1.20ms
  970123 requests in 10.00s, 81.42MB read
  Socket errors: connect 0, read 3, write 0, timeout 1
  Non-2xx or 3xx responses: 2
Requests/sec:  97012.30
Transfer/sec:      8.14MB
";

    #[test]
    fn reads_the_throughput_the_percentiles_and_every_error() {
        let run = parse(REPORT).unwrap();
        assert_eq!(run.requests_per_second, 97012.30);
        assert_eq!(run.p50_ns, 501_000.0);
        assert_eq!(run.p99_ns, 1_200_000.0);
        assert_eq!(run.requests, 970_123);
        assert_eq!(run.errors, 6);
    }

    #[test]
    fn a_report_without_its_figures_is_refused() {
        assert!(parse("unable to connect to 127.0.0.1:8080 Connection refused").is_none());
        let no_latency = REPORT.replace("99%", "98%");
        assert!(parse(&no_latency).is_none());
        assert_eq!(duration_ns("2.00s"), Some(2e9));
        assert_eq!(duration_ns("7"), None);
    }
}
