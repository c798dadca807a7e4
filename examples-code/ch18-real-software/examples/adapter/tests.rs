use super::*;

#[test]
fn the_library_reads_a_whole_head_through_the_adapter() {
    let stream = futures::io::Cursor::new(&b"GET / HTTP/1.1\r\n\r\n"[..]);
    let mut adapter = Adapter { stream, zeroed: 0 };
    let (head, reads) = read_head(&mut adapter).unwrap();
    // 16 bytes a read: the 18 bytes of the head take two, and the library stops at the
    // blank line; each read's 16 bytes of fresh memory were zeroed.
    assert_eq!(head, "GET / HTTP/1.1\r\n\r\n");
    assert_eq!(reads, 2);
    assert_eq!(adapter.zeroed, 32);
}

#[test]
fn at_end_of_file_the_library_stops_with_what_came() {
    let stream = futures::io::Cursor::new(&b"GET /"[..]);
    let mut adapter = Adapter { stream, zeroed: 0 };
    assert_eq!(read_head(&mut adapter).unwrap(), ("GET /".to_string(), 1));
}

#[test]
fn main_runs() {
    main().unwrap();
}
