//! The files around a route: traffic lines, synthetic traffic specs and
//! pricing tables. The first byte picks the reader.
#![no_main]

use aig_route::simulate::{Pricing, SyntheticSpec, parse_line};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match which % 3 {
        0 => {
            for (i, line) in text.lines().enumerate() {
                let _ = parse_line(line, i as u64 + 1);
            }
        }
        1 => {
            if let Ok(spec) = SyntheticSpec::parse(text) {
                assert!(spec.check().is_ok());
            }
        }
        _ => {
            let _ = Pricing::parse(text);
        }
    }
});
