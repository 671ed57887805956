#!/bin/sh
# Instructions per operation, counted by callgrind: a bench run with N = 0 and
# N = 100000 operations, the difference divided by 100000.
# Usage: sh benches/count-instructions.sh WHAT SET
#   WHAT: hand_written_match | decide | first_model | metadata_string |
#         metadata_string_then_decide  (benches/anchor.rs, the anchor route)
#   SET:  plain | sticky
# or:    sh benches/count-instructions.sh replay
#   (benches/simulate.rs: tiers-shaped traffic lines read in place and run)
# or:    sh benches/count-instructions.sh check N
#   (benches/compile.rs: parse, lower, validate and compile a generated
#   N-node YAML route, once)
set -eu
what=${1:-decide}
set=${2:-plain}
if [ "$what" = check ]; then
    bench=compile
    spec() { if [ "$1" = 0 ]; then echo "check/$set/0"; else echo "check/$set"; fi; }
elif [ "$what" = replay ]; then
    bench=simulate
    spec() { echo "replay/$1"; }
else
    bench=anchor
    spec() { echo "$what/$set/$1"; }
fi
bin=$(cargo bench --bench "$bench" --no-run 2>&1 | grep -o "target/release/deps/$bench-[0-9a-f]*" | head -n 1)
count() {
    AIG_ROUTE_COUNT=$(spec "$1") valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
base=$(count 0)
total=$(count 100000)
if [ "$what" = check ]; then
    echo "check of $set nodes: $(( total - base )) instructions"
elif [ "$what" = replay ]; then
    echo "replay: $(( (total - base) / 100000 )) instructions per line"
else
    echo "$what/$set: $(( (total - base) / 100000 )) instructions per operation"
fi
