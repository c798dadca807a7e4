use super::*;

/// The recorder is global: these tests take turns.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn polls_per_worker(trace: &Trace) -> Vec<usize> {
    trace
        .threads
        .iter()
        .filter(|(_, name)| name.starts_with("worker"))
        .map(|(thread, _)| {
            trace
                .records
                .iter()
                .filter(|r| r.thread == *thread && matches!(r.event, Event::PollStart { .. }))
                .count()
        })
        .collect()
}

#[test]
fn with_the_lifo_slot_a_ping_pong_pair_stays_on_one_worker() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let trace = record(|_| {}, |runtime| ping_pong(runtime, 200));
    let polls = polls_per_worker(&trace);
    let all: usize = polls.iter().sum();
    assert!(all >= 400, "{polls:?}");
    assert!(
        trace.count(|e| matches!(
            e,
            Event::Push {
                queue: Queue::Lifo,
                ..
            }
        )) >= 300,
        "the pair wakes each other through the slot"
    );
    // Which worker runs them depends on who took the first spawn; after that, one does.
    assert!(
        *polls.iter().max().unwrap() * 10 >= all * 9,
        "one worker ran at least 90% of the polls: {polls:?}"
    );
}

#[test]
fn without_the_lifo_slot_nothing_goes_through_it() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let trace = record(
        |builder| {
            builder.disable_lifo_slot();
        },
        |runtime| ping_pong(runtime, 200),
    );
    assert_eq!(
        trace.count(|e| matches!(
            e,
            Event::Push {
                queue: Queue::Lifo,
                ..
            }
        )),
        0
    );
    assert!(
        trace.count(|e| matches!(
            e,
            Event::Push {
                queue: Queue::Local,
                ..
            }
        )) >= 300
    );
}

#[test]
fn busy_tasks_spawned_on_one_worker_are_stolen_by_the_other() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let trace = record(
        |_| {},
        // 5 ms each, 160 ms in all: time for the other worker to wake and steal even when a
        // loaded machine is slow to give it a CPU.
        |runtime| spawn_many(runtime, 32, Duration::from_millis(5)),
    );
    assert!(trace.count(|e| matches!(e, Event::Steal { .. })) >= 1);
    let polls = polls_per_worker(&trace);
    assert!(
        polls.iter().all(|&p| p > 0),
        "both workers ran tasks: {polls:?}"
    );
}

#[test]
fn each_wake_from_outside_is_one_push_and_one_unpark() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let trace = record(|_| {}, |runtime| ext_round_trip(runtime, 20));
    // The spawn and the 20 wakes go through the injector.
    assert_eq!(
        trace.count(|e| matches!(
            e,
            Event::Push {
                queue: Queue::Injector,
                ..
            }
        )),
        21
    );
    // Every worker sleeps when a wake comes: each wake unparks one worker, and the worker
    // that runs the task wakes nobody else (it sees no other work).
    let unparks = trace.count(|e| matches!(e, Event::Unpark { .. }));
    assert_eq!(unparks, 21, "one unpark per push");
}

#[test]
fn the_files_are_chrome_trace_json_with_a_row_per_thread() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = std::env::temp_dir().join(format!("ch15-traces-{}", std::process::id()));
    let traces = record_all(Some(&dir));
    for (name, trace) in &traces {
        let json = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
        assert!(json.starts_with("{\"displayTimeUnit\":\"ns\",\"traceEvents\":["));
        assert!(json.trim_end().ends_with("]}"));
        assert_eq!(
            json.matches("\"ph\":\"B\"").count(),
            json.matches("\"ph\":\"E\"").count()
        );
        // A row for each thread that recorded something: a worker at least.
        assert!(json.contains("\"args\":{\"name\":\"worker "));
        assert!(!trace.records.is_empty());
        println!("{}", summary(name, trace));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
