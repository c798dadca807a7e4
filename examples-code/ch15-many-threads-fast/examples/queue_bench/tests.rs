use super::*;

const SMALL: Sizes = Sizes {
    push_pop: 1_000,
    spawn_many: 1_000,
    yield_tasks: 10,
    yields: 10,
    pairs: 4,
    hops: 10,
    chain: 100,
};

#[test]
fn every_benchmark_runs_on_every_kind_of_queue() {
    let rows = measure(SMALL);
    let names: Vec<_> = rows.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        [
            "push + pop, one thread (ns/item)",
            "push + pop, a thief stealing (ns/item)",
            "spawn_many (ns/task)",
            "yield_many (ns/yield)",
            "ping_pong (ns/hop)",
            "chained_spawn (ns/spawn)",
        ]
    );
}

#[test]
fn push_pop_gives_back_every_item_on_both_kinds() {
    let expected = (0..1_000).sum::<u64>();
    assert_eq!(push_pop::<Ring>(1_000), expected);
    assert_eq!(push_pop::<Crossbeam>(1_000), expected);
}

#[test]
fn with_a_thief_every_item_is_taken_once_by_the_owner_or_the_thief() {
    let expected = (0..20_000).sum::<u64>();
    assert_eq!(push_pop_stolen::<Ring>(20_000).0, expected);
    assert_eq!(push_pop_stolen::<Crossbeam>(20_000).0, expected);
}

#[test]
fn the_benchmarks_give_their_answers() {
    for kind in KINDS {
        let rt = runtime(kind);
        assert_eq!(rt.block_on(rt.spawn(chained_spawn(500))).unwrap(), 500);
        rt.block_on(rt.spawn(ping_pong(3, 50))).unwrap();
        rt.block_on(rt.spawn(yield_many(5, 5))).unwrap();
        rt.block_on(rt.spawn(spawn_many(500))).unwrap();
    }
}

#[test]
fn main_runs() {
    main();
}
