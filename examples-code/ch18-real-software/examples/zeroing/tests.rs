use super::*;

#[test]
fn both_ways_read_the_whole_request() {
    let mut uninit = vec![MaybeUninit::<u8>::uninit(); BUFFER];
    assert_eq!(read_zeroed(&mut uninit), REQUEST.len());
    let mut init = vec![0u8; BUFFER];
    assert_eq!(read_initialized(&mut init), REQUEST.len());
    assert_eq!(&init[..REQUEST.len()], REQUEST);
}

#[test]
fn the_zeroed_room_holds_the_request_and_zeros_after_it() {
    let mut room = vec![MaybeUninit::<u8>::new(7); BUFFER];
    read_zeroed(&mut room);
    // SAFETY: every byte of `room` was initialized (to 7, then zeroed, then the request).
    let bytes: Vec<u8> = room.iter().map(|b| unsafe { b.assume_init() }).collect();
    assert_eq!(&bytes[..REQUEST.len()], REQUEST);
    assert!(bytes[REQUEST.len()..].iter().all(|&b| b == 0));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "two million reads take hours under Miri; the tests above run the same code"
)]
fn main_runs() {
    let (zeroed, initialized, got) = measure(1000);
    assert_eq!(got, REQUEST.len());
    assert!(zeroed > 0.0 && initialized > 0.0);
    main();
}
