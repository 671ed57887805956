#!/bin/sh
# Instructions per operation on the anchor route, counted by callgrind:
# benches/anchor.rs run with N = 0 and N = 100000 operations, the difference
# divided by 100000. Usage: sh benches/count-instructions.sh WHAT SET
#   WHAT: hand_written_match | decide | first_model | metadata_string_then_decide
#   SET:  plain | sticky
set -eu
what=${1:-decide}
set=${2:-plain}
bin=$(cargo bench --bench anchor --no-run 2>&1 | grep -o 'target/release/deps/anchor-[0-9a-f]*' | head -n 1)
count() {
    AIG_ROUTE_COUNT="$what/$set/$1" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
base=$(count 0)
total=$(count 100000)
echo "$what/$set: $(( (total - base) / 100000 )) instructions per operation"
