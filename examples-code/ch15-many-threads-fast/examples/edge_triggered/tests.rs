use super::*;

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn an_edge_comes_once_and_bytes_left_behind_make_no_new_one() {
    assert_eq!(
        demo().unwrap(),
        [
            "100 bytes sent, events: 1",
            "read 10: 10 bytes",
            "90 bytes left, events: 0",
            "read 1000: 90 bytes",
            "read 1000: WouldBlock",
            "5 more bytes sent, events: 1",
            "read 1000: 5 bytes",
        ]
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn main_runs() {
    main().unwrap();
}
