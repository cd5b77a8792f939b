#!/usr/bin/env bash
# soak.sh -- concurrency soak: pgbench clients mixing inserts with journey
# and stage_time merges, consistency checks and whole-table (parallel)
# aggregates, then a full check of the stored values.
#
#   bash test/soak/soak.sh [--clients N] [--seconds S]    (default 8 x 20)
#
# Runs against the database the PG* variables name (it must have cjourney;
# cjfuzz.recv is used when test/fuzz/cjourney_fuzz.sql was loaded there).
# Scripts, with weights: add.pgbench 6 (soak_add: a touch, merged into the
# customer's stored journey with || and stage_time with rollup, in one
# transaction), check.pgbench 3 (ten customers' stored values equal a
# recomputation from their rows in one snapshot; slicing a journey and
# merging the halves gives it back), scan.pgbench 1 (the same over every
# customer under parallel partial aggregation, and attribution and funnel
# reports that must read back).  A failed check raises, which aborts the
# pgbench client.  Afterwards every stored value must round-trip through
# text and binary COPY and equal a recomputation.
#
# Prints "PASS<TAB>description" / "FAIL<TAB>description<TAB>detail" lines
# and a "STAT<TAB>..." line; exit status 1 on any failure.
set -uo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLIENTS=8
SECONDS_=20
while (($#)); do
    case $1 in
    --clients) CLIENTS=$2; shift ;;
    --seconds) SECONDS_=$2; shift ;;
    *) echo "soak.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

failed=0
pass() { printf 'PASS\t%s\n' "$1"; }
fail() {
    failed=1
    printf 'FAIL\t%s\t%s\n' "$1" "$(printf '%s' "${2:-}" | tr '\t\n' '  ' | cut -c1-2000)"
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

if ! out=$(q -f "$HERE/setup.sql" 2>&1); then
    fail "soak set-up" "$out"
    exit 1
fi

# parallel plans for every aggregate the clients run
export PGOPTIONS="-c parallel_setup_cost=0 -c parallel_tuple_cost=0 -c min_parallel_table_scan_size=0 -c max_parallel_workers_per_gather=2"
plan=$(q -c "EXPLAIN (COSTS OFF) SELECT * FROM soak_mismatches" 2>&1)
[[ $plan == *"Partial GroupAggregate"* || $plan == *"Partial HashAggregate"* ]] &&
    pass "the whole-table checks run as parallel partial aggregates" ||
    fail "the whole-table checks run as parallel partial aggregates" "$plan"
log=$(mktemp)
rc=0
pgbench -n -c "$CLIENTS" -j 2 -T "$SECONDS_" -r \
    -f "$HERE/add.pgbench@6" -f "$HERE/check.pgbench@3" -f "$HERE/scan.pgbench@1" >"$log" 2>&1 || rc=$?
unset PGOPTIONS
tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$log")
per=$(awk '/^SQL script [0-9]+: /{name=$4} /^ - [0-9]+ transactions/{printf "%s%s %s", sep, name, $2; sep=", "}' "$log" |
    sed "s|$HERE/||g")
if ((rc == 0)) && [[ -n $tx ]] && ! grep -q 'aborted' "$log"; then
    pass "pgbench: $CLIENTS clients x ${SECONDS_} s, $tx transactions ($per), no client aborted"
else
    fail "pgbench: $CLIENTS clients x ${SECONDS_} s, no client aborted (exit status $rc)" \
        "$(grep -E 'error|ERROR|abort|FATAL|failed' "$log" | head -n 8)"
fi
printf 'STAT\tsoak: %s clients x %s s, %s transactions (%s)\n' "$CLIENTS" "$SECONDS_" "${tx:-0}" "$per"
rm -f "$log"

# every stored value: equal to its recomputation, and read back unchanged
n=$(q -c "SELECT count(*) FROM soak_journeys")
bad=$(q -c "SELECT count(*) FROM soak_mismatches" 2>&1)
[[ $bad == 0 && $n -ge 300 ]] && pass "all $n stored journeys and stage times equal a recomputation from the rows" ||
    fail "stored journeys and stage times equal a recomputation" "$bad of $n differ"
touches=$(q -c "SELECT (SELECT count(*) FROM soak_touches) = (SELECT sum(journey_length(j)) FROM soak_journeys)" 2>&1)
[[ $touches == t ]] && pass "the stored journeys hold every touch" || fail "the stored journeys hold every touch" "$touches"
has_fuzz=$(q -c "SELECT count(*) FROM pg_proc WHERE proname = 'recv' AND pronamespace::regnamespace::text = 'cjfuzz'")
recv_check="true"
((has_fuzz > 0)) && recv_check="cjfuzz.recv(journey_send(s.j), NULL::journey) = s.j AND cjfuzz.recv(stage_time_send(soak_stage_times.st), NULL::stage_time) = soak_stage_times.st"
bin=$(mktemp)
out=$(q <<SQL 2>&1
CREATE TEMP TABLE back (LIKE soak_journeys);
CREATE TEMP TABLE back_st (LIKE soak_stage_times);
\\copy soak_journeys TO '$bin.j' (FORMAT binary)
\\copy back FROM '$bin.j' (FORMAT binary)
\\copy soak_stage_times TO '$bin.st' (FORMAT binary)
\\copy back_st FROM '$bin.st' (FORMAT binary)
SELECT count(*) FROM soak_journeys s JOIN soak_stage_times USING (customer_id)
LEFT JOIN back b USING (customer_id) LEFT JOIN back_st bs USING (customer_id)
WHERE NOT (s.j::text::journey = s.j AND soak_stage_times.st::text::stage_time = soak_stage_times.st
           AND b.j = s.j AND bs.st = soak_stage_times.st
           AND $recv_check);
SQL
)
rm -f "$bin" "$bin.j" "$bin.st"
[[ $out == 0 ]] && pass "all $n stored journeys and stage times read back unchanged from text and binary (COPY$( ((has_fuzz > 0)) && echo ', exact-size recv'))" ||
    fail "every stored journey and stage time reads back from text and binary" "$out"
exit $failed
