#!/usr/bin/env bash
# journey_index.sh -- the README's way to index stored journeys works for
# journeys of 100,000 touches: the CREATE INDEX statements of its Getting
# started example (taken from README.md itself) build on such a table, the
# planner uses them, and they find what a sequential scan finds, and what the
# raw rows say; a btree index on the journey itself fails, as the README says.
# Prints TAP.
set -uo pipefail
export LC_ALL=C

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CJ_LIB=${CJ_LIB:-$CJ_ROOT/scripts/lib.sh}
# shellcheck source=scripts/lib.sh
source "$CJ_LIB"
# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"

DB=cj_index_$$
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1; cj_cleanup' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
psql -X -q -d postgres -c "CREATE DATABASE $DB" || bail "create database $DB"

# 2,000 customers; customers 1..10 have 100,000 touches each, the others 3 to 12
q >/dev/null <<'SQL' || bail "set up the journeys"
CREATE EXTENSION cjourney;
CREATE TABLE touchpoints AS
SELECT c AS customer_id,
       '2025-01-01'::timestamptz + (c * 4) * interval '1 hour' + k * interval '37 seconds' AS occurred_at,
       (enum_range(NULL::stage))[1 + (k * 7 + c) % 5]::text AS stage,
       'ch' || ((k + c) % 23) AS channel, CASE WHEN k % 9 = 0 THEN 'purchase' ELSE 'view' END AS event,
       CASE WHEN k % 9 = 0 THEN (k % 500) * 1.25 END AS revenue
FROM generate_series(1, 2000) c, LATERAL generate_series(1, CASE WHEN c <= 10 THEN 100000 ELSE 3 + c % 10 END) k;
CREATE TABLE journeys AS
SELECT customer_id, journey_agg(touchpoint(occurred_at, stage::stage, channel, event, revenue)) AS j
FROM touchpoints GROUP BY customer_id;
ANALYZE journeys;
SQL
is "$(q -c "SELECT count(*), min(journey_length(j)), max(journey_length(j)) FROM journeys WHERE customer_id <= 10")" \
    "10|100000|100000" "ten stored journeys of 100,000 touches"

# a btree index on the journeys themselves fails: 54000 over the 2,704-byte
# entry limit (under a thousand touches), or over a page (100,000 touches)
out=$(q -v VERBOSITY=verbose -c "CREATE TABLE mid AS SELECT journey_agg(touchpoint(occurred_at, stage::stage, channel, event, revenue)) AS j
                                 FROM touchpoints WHERE customer_id = 1 AND occurred_at < '2025-01-01 12:00+00'" \
    -c "SELECT journey_length(j) FROM mid" -c "CREATE INDEX ON mid (j)" 2>&1)
if [[ $out == *"ERROR:  54000: index row size"*"exceeds btree version 4 maximum 2704"* ]]; then
    ok "a btree index on a journey of $(head -n 1 <<<"$out") touches fails with 54000 (the 2,704-byte limit the README names)"
else
    not_ok "a btree index on a mid-sized journey fails with 54000 (2,704 bytes)" "$out"
fi
out=$(q -v VERBOSITY=verbose -c "CREATE INDEX journeys_btree ON journeys (j)" 2>&1)
if [[ $out == *"ERROR:  54000: index row requires"* ]]; then
    ok "a btree index on 100,000-touch journeys fails with 54000"
else
    not_ok "a btree index on 100,000-touch journeys fails with 54000" "$out"
fi

# the README's index statements, from the example that creates journeys
stmts=$(awk '/^```sql$/ { block = ""; inblock = 1; next }
             /^```/     { if (inblock && block ~ /CREATE TABLE journeys AS/) print block; inblock = 0; next }
             inblock    { block = block $0 "\n" }' "$CJ_ROOT/README.md" |
    grep -E '^(ALTER TABLE journeys|CREATE (UNIQUE )?INDEX)')
if [[ -z $stmts ]]; then
    not_ok "the README shows how to index stored journeys" "no CREATE INDEX for journeys in the Getting started example"
elif out=$(q -c "$stmts" 2>&1); then
    ok "the README's index statements build on 100,000-touch journeys: $(tr '\n' ' ' <<<"$stmts")"
else
    not_ok "the README's index statements build on 100,000-touch journeys" "$stmts" "$out"
fi

# plan_uses DESCRIPTION INDEX QUERY: with sequential scans off, the plan names INDEX
plan_uses() {
    local plan
    plan=$(q -c "SET enable_seqscan = off" -c "EXPLAIN (COSTS OFF) $3" 2>&1)
    if [[ $plan == *"$2"* ]]; then ok "$1"; else not_ok "$1" "$plan"; fi
}
# same_result DESCRIPTION QUERY: the same rows through the indexes and without them
same_result() {
    local a b
    a=$(q -c "SET enable_seqscan = off" -c "$2" 2>&1)
    b=$(q -c "SET enable_indexscan = off" -c "SET enable_bitmapscan = off" -c "$2" 2>&1)
    if [[ -n $a && $a == "$b" ]]; then ok "$1"; else not_ok "$1" "with indexes: ${a:0:300}" "without: ${b:0:300}"; fi
}

eq="SELECT customer_id FROM journeys WHERE j = (SELECT j FROM journeys WHERE customer_id = 7) ORDER BY 1"
plan_uses "equality on a 100,000-touch journey uses the hash index" journeys_j "$eq"
same_result "the hash index finds that journey, and only it" "$eq"
is "$(q -c "SET enable_seqscan = off" -c "SELECT string_agg(customer_id::text, ',' ORDER BY customer_id) FROM journeys a
              WHERE customer_id <= 10 AND (SELECT count(*) FROM journeys b WHERE b.j = a.j) = 1")" \
    "1,2,3,4,5,6,7,8,9,10" "each of the ten big journeys is found by equality through the index"

range="SELECT customer_id FROM journeys WHERE journey_start(j) >= '2025-01-01 20:00+00' AND journey_start(j) < '2025-01-03 00:00+00' ORDER BY 1"
plan_uses "a range of start times uses the journey_start(j) index" journeys_start "$range"
same_result "the journey_start(j) index finds what a sequential scan finds" "$range"
is "$(q -c "SET enable_seqscan = off" -c "SELECT string_agg(customer_id::text, ',') FROM ($range) s")" \
    "$(q -c "SELECT string_agg(customer_id::text, ',' ORDER BY customer_id) FROM (SELECT customer_id FROM touchpoints GROUP BY 1
             HAVING min(occurred_at) >= '2025-01-01 20:00+00' AND min(occurred_at) < '2025-01-03 00:00+00') s")" \
    "the journeys found by start time are those whose first raw row falls in the range"
plan_uses "a customer's journey is found through the primary key" journeys_pkey \
    "SELECT journey_length(j) FROM journeys WHERE customer_id = 3"

# the indexes take new big journeys
q >/dev/null <<'SQL' || not_ok "insert a 100,000-touch journey into the indexed table"
INSERT INTO journeys
SELECT 5000, journey_agg(touchpoint('2026-06-01'::timestamptz + k * interval '1 minute', 'decision'::stage, 'web', NULL, NULL))
FROM generate_series(1, 100000) k;
SQL
is "$(q -c "SET enable_seqscan = off" -c "SELECT customer_id FROM journeys WHERE j = (SELECT j FROM journeys WHERE customer_id = 5000)
          AND journey_start(j) = '2026-06-01 00:01+00'")" "5000" \
    "a 100,000-touch journey inserted after the indexes is found through both"
echo "1..$N"
