use super::*;

#[test]
fn the_tasks_take_turns_then_both_are_joined() {
    assert_eq!(
        demo(),
        [
            "task a: step 1",
            "task b: step 1",
            "task a: step 2",
            "task b: step 2",
            "task a: step 3",
            "task b: step 3",
            "joined task a",
            "joined task b",
        ]
    );
}

#[test]
fn a_task_woken_from_another_thread_runs() {
    let got = block_on(async {
        spawn(async {
            let (sender, receiver) = oneshot::channel();
            std::thread::spawn(move || sender.send(5).unwrap());
            receiver.await.unwrap() // woken by the other thread's send
        })
        .await
        .unwrap()
    });
    assert_eq!(got, 5);
}

#[test]
#[should_panic(expected = "outside of `block_on`")]
fn spawn_outside_block_on_panics() {
    drop(spawn(async {}));
}

#[test]
fn main_runs() {
    main();
}
