//! `decide` on a warmed-up session allocates nothing per request (issue 4): a
//! counting global allocator watches 10,000 decisions on the anchor route, both
//! from pre-filled requests and from the raw `cf-aig-metadata` string.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use aig_route::check::check_text;
use aig_route::eval::{MemoryStore, Request, Session};
use aig_route::source::SourceMap;
use aig_route::syntax::Format;

struct Counting;

thread_local! {
    // Per thread: the test harness's own threads allocate while a test runs.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: every call is forwarded unchanged to the system allocator; the wrapper
// only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn decide_does_not_allocate_once_warm() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/anchor.json"))
        .unwrap();
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(&mut sources, "anchor.json", &text, Format::Json);
    let program = checked.program.unwrap();
    let metas: Vec<String> = (0..100)
        .map(|i| {
            let plan = ["paid", "free", "trial", "paid"][i % 4];
            format!(
                r#"{{"plan":"{plan}","tier":{},"region":"{}","user_id":"user-{i}","n":{}.5}}"#,
                i % 4,
                ["eu-west", "us"][i % 2],
                i
            )
        })
        .collect();
    let mut filled: Vec<Request> = metas
        .iter()
        .map(|m| {
            let mut r = Request::new(&program);
            r.set_metadata_json(&program, m).unwrap();
            r
        })
        .collect();
    let mut req = Request::new(&program);
    let mut session = Session::new(0);
    let mut store = MemoryStore::new();
    // Warm up: buffers grow to their working size.
    for round in 0..2 {
        for (i, m) in metas.iter().enumerate() {
            req.set_metadata_json(&program, m).unwrap();
            program
                .decide(&mut session, &req, &mut store, f64::from(round))
                .unwrap();
            program
                .decide(&mut session, &filled[i], &mut store, f64::from(round))
                .unwrap();
        }
    }
    let before = allocations();
    let mut served = 0;
    for round in 0..50 {
        for (i, m) in metas.iter().enumerate() {
            req.set_metadata_json(&program, m).unwrap();
            served += usize::from(
                program
                    .decide(&mut session, &req, &mut store, f64::from(round))
                    .unwrap()
                    .model
                    .is_some(),
            );
            served += usize::from(
                program
                    .decide(&mut session, &filled[i], &mut store, f64::from(round))
                    .unwrap()
                    .model
                    .is_some(),
            );
        }
    }
    let allocations = allocations() - before;
    assert_eq!(served, 10_000);
    assert_eq!(
        allocations, 0,
        "decide allocated {allocations} times in 10,000 decisions"
    );
    filled.clear();
}
