//! Route files in the Dsl format through the whole pipeline.
#![no_main]

mod pipeline;

libfuzzer_sys::fuzz_target!(|data: &[u8]| pipeline::run(data, aig_route::syntax::Format::Dsl));
