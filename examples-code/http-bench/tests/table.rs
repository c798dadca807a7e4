//! The table the chapter shows is the one the committed results make.

#[test]
fn the_committed_table_is_the_one_the_committed_results_make() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ch18.json")).unwrap()).unwrap();
    let table = std::fs::read_to_string(dir.join("ch18-table.md")).unwrap();
    assert_eq!(
        table,
        http_bench::measure::table(&data),
        "run `cargo run -p http-bench -- table`"
    );
}
