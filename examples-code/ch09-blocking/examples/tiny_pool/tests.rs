use super::*;

#[test]
fn jobs_run_off_the_main_thread_two_at_a_time() {
    assert_eq!(
        demo(Duration::from_millis(30)),
        [
            "job 1 gave 1, off the main thread: true",
            "job 2 gave 4, off the main thread: true",
            "job 3 gave 9, off the main thread: true",
            "3 jobs on 2 threads, the third waited its turn: true",
        ]
    );
}

#[test]
fn a_result_that_is_ready_before_the_first_poll_is_not_lost() {
    let pool = Pool::new(1);
    let handle = pool.spawn_blocking(|| 42);
    thread::sleep(Duration::from_millis(20)); // the job is done before anyone polls
    assert_eq!(block_on(handle), 42);
}

#[test]
fn many_results_all_arrive() {
    let pool = Pool::new(4);
    let handles: Vec<_> = (0..1000u64)
        .map(|n| pool.spawn_blocking(move || n))
        .collect();
    let sum = block_on(async {
        let mut sum = 0;
        for handle in handles {
            sum += handle.await;
        }
        sum
    });
    assert_eq!(sum, 999 * 1000 / 2);
}

#[test]
fn main_runs() {
    main();
}
