//! Condition expressions and Mongo queries: what reads prints and reads back
//! to the same condition.
#![no_main]

use aig_route::source::{SourceId, Span};
use aig_route::syntax::cond::{TextPos, parse_expr, parse_query, to_expr};
use aig_route::syntax::{Format, Limits, parse_doc};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let pos = TextPos {
        source: SourceId(0),
        base: Some(0),
        whole: Span::default(),
    };
    if let Ok(c) = parse_expr(text, pos, 64) {
        let printed = to_expr(&c);
        let back = parse_expr(&printed, pos, 64).expect("a printed condition reads back");
        assert_eq!(to_expr(&back), printed);
    }
    if let Ok(doc) = parse_doc(text, SourceId(0), Format::Json, &Limits::default()) {
        let _ = parse_query(&doc, aig_route::syntax::Format::Json, "", 64, &mut Vec::new());
    }
});
