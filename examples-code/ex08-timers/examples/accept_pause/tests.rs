//! The demo lowers the process's fd limit, which would fail the other tests of this binary,
//! so each test that fills the table runs alone, in a child process.

use super::*;
use std::process::{Command, ExitStatus};
use std::thread;

/// The environment variable that tells a test it runs as the child of `run_in_child`.
const CHILD: &str = "EX08_CHILD_TEST";

/// Whether this process is the child `run_in_child(test)` started.
fn is_child(test: &str) -> bool {
    std::env::var_os(CHILD).is_some_and(|name| name == test)
}

/// Runs the test `test` again, alone, in a child process; kills it after 60 s: an accept
/// loop that spins instead of pausing never lets the runtime get to its timers, and hangs.
fn run_in_child(test: &str) -> ExitStatus {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, test)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait(); // reap it: no zombie left behind
            panic!("the child process did not finish in 60 s");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `body` in a child process when called from the parent, and directly in the child.
fn in_child(test: &str, body: impl FnOnce()) {
    if is_child(test) {
        body();
    } else {
        let status = run_in_child(test);
        assert!(status.success(), "the child process failed: {status}");
    }
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn out_of_fds_the_server_pauses_and_serves_every_waiting_client_later() {
    in_child(
        "tests::out_of_fds_the_server_pauses_and_serves_every_waiting_client_later",
        || {
            let stuck = Duration::from_millis(500);
            let report = demo(stuck).unwrap();
            assert!(report.clients > 0, "{report:?}");
            let want: Vec<String> = (0..report.clients).map(|n| format!("client {n}")).collect();
            assert_eq!(report.echoed, want);
            // A pause of 100 ms: about five in 500 ms. Without the pause, the loop spins
            // and the runtime never gets back to its timers: the child hangs.
            assert!(
                (2..=7).contains(&report.pauses),
                "{} pauses in {stuck:?}",
                report.pauses
            );
        },
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn out_of_fds_a_queue_sleep_works_and_a_timerfd_sleep_fails_with_emfile() {
    in_child(
        "tests::out_of_fds_a_queue_sleep_works_and_a_timerfd_sleep_fails_with_emfile",
        || {
            Runtime::new().unwrap().block_on(async {
                let old = fd_limit::set(fd_limit::leaving(1).unwrap()).unwrap();
                let mut files = Vec::new();
                let full = loop {
                    assert!(files.len() < 64, "the fd table does not fill up");
                    match std::fs::File::open("/dev/null") {
                        Ok(file) => files.push(file),
                        Err(error) => break error,
                    }
                };
                assert_eq!(full.raw_os_error(), Some(libc::EMFILE), "{full}");
                let timerfd = ch08_timers::time::timerfd::sleep(Duration::from_millis(10)).await;
                sleep(Duration::from_millis(10)).await; // an entry in the queue: no fd
                fd_limit::set(old).unwrap();
                let error = timerfd.unwrap_err();
                assert_eq!(error.raw_os_error(), Some(libc::EMFILE), "{error}");
            });
        },
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn only_running_out_of_something_pauses() {
    let error = |code| io::Error::from_raw_os_error(code);
    assert!(out_of_resources(&error(libc::EMFILE)));
    assert!(out_of_resources(&error(libc::ENFILE)));
    assert!(!out_of_resources(&error(libc::ECONNABORTED)));
    assert!(!out_of_resources(&error(libc::EBADF)));
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn main_runs() {
    in_child("tests::main_runs", || main().unwrap());
}
