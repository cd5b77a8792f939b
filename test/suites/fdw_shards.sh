#!/usr/bin/env bash
# fdw_shards.sh -- cjourney on postgres_fdw shards: a coordinator and two shard
# clusters on loopback (127.0.0.1, trust), started here on free ports and
# stopped at the end.
#
# Every node has cjourney in schema cjourney. The shards hold a plain table
# touchpoints_shard; the coordinator has dist.touchpoints hash-partitioned by
# customer_id into two foreign tables on servers with extensions 'cjourney'
# (and async_capable), filled through the coordinator, and the same rows in
# an ordinary local table (public.touchpoints, data/load.sh) as the single
# node. With enable_partitionwise_aggregate = on:
#   - per-customer queries (GROUP BY customer_id) are pushed down whole:
#     EXPLAIN VERBOSE shows a Remote SQL calling the cjourney aggregate on each
#     shard, and every per-customer value equals the single node's;
#   - cross-customer reports are computed as per-shard states (one per
#     customer and day) merged with rollup() on the coordinator, and equal the
#     single node's results and plain SQL over the raw rows.
# Timings of the distributed and single-node queries are printed as TAP
# comments. Env: CJ_ROOT, CJ_LIB, CJ_SUITE_TMP; CJ_EXTRA_CONF (scripts/lib.sh)
# for a staged build. Prints TAP.
set -uo pipefail
export LC_ALL=C

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CJ_LIB=${CJ_LIB:-$CJ_ROOT/scripts/lib.sh}
# shellcheck source=scripts/lib.sh
source "$CJ_LIB"
# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"

CUSTOMERS=${CJ_FDW_CUSTOMERS:-2000}

if [[ -n ${CJ_SUITE_TMP:-} ]]; then
    TMP=$CJ_SUITE_TMP
else
    cj_tmpdir fdw || exit 1
    TMP=$CJ_TMP
fi
COORD=$TMP/coord
SHARDS=("$TMP/shard1" "$TMP/shard2")

t0=$SECONDS
for d in "$COORD" "${SHARDS[@]}"; do
    cj_cluster_start "$d" || bail "start cluster $(basename "$d")"
done
ok "coordinator and two shards started on loopback ($((SECONDS - t0)) s)"

qc() { PGOPTIONS="-c enable_partitionwise_aggregate=on ${PGOPTIONS:-}" cj_psql "$COORD" -qAt "$@"; }

# same DESCRIPTION QUERY_A QUERY_B (on the coordinator): the same rows, and some
same() {
    local desc=$1 a=$2 b=$3 out
    out=$(qc -F ' ' -c "SELECT (SELECT count(*) FROM ($a) x),
            (SELECT count(*) FROM ((($a) EXCEPT ALL ($b)) UNION ALL (($b) EXCEPT ALL ($a))) d)" 2>&1)
    if [[ $out =~ ^([0-9]+)\ 0$ ]] && ((BASH_REMATCH[1] > 0)); then
        ok "$desc ($((BASH_REMATCH[1])) rows)"
    else
        not_ok "$desc" "rows, differing rows: $out"
    fi
}

# plan TEXT of a query on the coordinator
plan() { qc -c "EXPLAIN (VERBOSE, COSTS OFF) $1"; }

# ms QUERY: best of 3 execution times on the coordinator
ms() {
    local i input=
    for i in 1 2 3 4; do input+="EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $1;"$'\n'; done
    qc <<<"$input" | awk '/^Execution Time:/ { n++; if (n > 1 && (b == "" || $3 < b)) b = $3 } END { printf "%.1f", b }'
}

# --- set-up ----------------------------------------------------------------------

for d in "${SHARDS[@]}"; do
    cj_psql "$d" -q <<'SQL' || bail "shard set-up in $d"
CREATE SCHEMA cjourney;
CREATE EXTENSION cjourney SCHEMA cjourney;
CREATE TABLE public.touchpoints_shard (
    customer_id bigint NOT NULL,
    occurred_at timestamptz NOT NULL,
    stage       cjourney.stage NOT NULL,
    channel     text NOT NULL,
    event       text,
    campaign    text,
    revenue     numeric(12,2)
);
SQL
done
ok "shards: cjourney in schema cjourney, table touchpoints_shard"

P1=$(cj_cluster_port "${SHARDS[0]}")
P2=$(cj_cluster_port "${SHARDS[1]}")
cj_psql "$COORD" -q -c "CREATE SCHEMA cjourney" -c "CREATE EXTENSION cjourney SCHEMA cjourney" \
    -c "CREATE EXTENSION postgres_fdw" || bail "coordinator extensions"
(cj_cluster_env "$COORD" && bash "$CJ_ROOT/data/load.sh" --customers "$CUSTOMERS" >/dev/null) ||
    bail "load the sample data on the coordinator"
out=$(cj_psql "$COORD" -q -v VERBOSITY=terse 2>&1 <<SQL
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '127.0.0.1', port '$P1', dbname 'postgres', extensions 'cjourney',
             async_capable 'true', batch_size '1000', fetch_size '10000',
             fdw_tuple_cost '0.2');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '127.0.0.1', port '$P2', dbname 'postgres', extensions 'cjourney',
             async_capable 'true', batch_size '1000', fetch_size '10000',
             fdw_tuple_cost '0.2');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2 OPTIONS (user 'postgres');
CREATE SCHEMA dist;
CREATE TABLE dist.touchpoints (
    customer_id bigint NOT NULL,
    occurred_at timestamptz NOT NULL,
    stage       cjourney.stage NOT NULL,
    channel     text NOT NULL,
    event       text,
    campaign    text,
    revenue     numeric(12,2)
) PARTITION BY HASH (customer_id);
CREATE FOREIGN TABLE dist.touchpoints_0 PARTITION OF dist.touchpoints
    FOR VALUES WITH (MODULUS 2, REMAINDER 0) SERVER shard1 OPTIONS (schema_name 'public', table_name 'touchpoints_shard');
CREATE FOREIGN TABLE dist.touchpoints_1 PARTITION OF dist.touchpoints
    FOR VALUES WITH (MODULUS 2, REMAINDER 1) SERVER shard2 OPTIONS (schema_name 'public', table_name 'touchpoints_shard');
INSERT INTO dist.touchpoints
SELECT customer_id, occurred_at, stage::cjourney.stage, channel, event, campaign, revenue FROM public.touchpoints;
SQL
) || bail "coordinator: servers and partitioned table" "${out:0:2000}"
for d in "${SHARDS[@]}"; do cj_psql "$d" -q -c "ANALYZE touchpoints_shard" || bail "ANALYZE on a shard"; done
qc -c "ANALYZE dist.touchpoints" || bail "ANALYZE dist.touchpoints"
n1=$(cj_psql "${SHARDS[0]}" -qAt -c "SELECT count(*) FROM touchpoints_shard")
n2=$(cj_psql "${SHARDS[1]}" -qAt -c "SELECT count(*) FROM touchpoints_shard")
total=$(qc -c "SELECT count(*) FROM public.touchpoints")
if ((n1 > 0 && n2 > 0 && n1 + n2 == total)); then
    ok "rows distributed by hash(customer_id): $n1 + $n2 = $total"
else
    bail "rows distributed by hash(customer_id)" "$n1 + $n2 <> $total"
fi
is "$(qc -c "SELECT count(*) FROM (SELECT customer_id FROM dist.touchpoints_0 INTERSECT SELECT customer_id FROM dist.touchpoints_1) s")" 0 \
    "each customer lives on one shard"

# --- per-customer queries: pushed down whole --------------------------------------

J_DIST="SELECT customer_id, cjourney.journey_agg(occurred_at, stage, channel, event) AS j FROM dist.touchpoints GROUP BY customer_id"
J_LOCAL="SELECT customer_id, cjourney.journey_agg(occurred_at, stage::cjourney.stage, channel, event) AS j FROM public.touchpoints GROUP BY customer_id"
JT_DIST="SELECT customer_id, cjourney.journey_agg(cjourney.touchpoint(occurred_at, stage, channel, event, revenue)) AS j FROM dist.touchpoints GROUP BY customer_id"
JT_LOCAL="SELECT customer_id, cjourney.journey_agg(cjourney.touchpoint(occurred_at, stage::cjourney.stage, channel, event, revenue)) AS j FROM public.touchpoints GROUP BY customer_id"
ST_DIST="SELECT customer_id, cjourney.stage_time_agg(occurred_at, stage) AS st FROM dist.touchpoints GROUP BY customer_id"
ST_LOCAL="SELECT customer_id, cjourney.stage_time_agg(occurred_at, stage::cjourney.stage) AS st FROM public.touchpoints GROUP BY customer_id"
# the UTC day as its start: date_bin is immutable and takes no text argument,
# so postgres_fdw ships it ((occurred_at AT TIME ZONE 'UTC')::date is not
# shipped: the 'UTC' constant carries a collation the remote side cannot be
# trusted to share)
DAY="date_bin('1 day', occurred_at, timestamptz '2000-01-01 00:00+00')"
DAILY_DIST="SELECT customer_id, $DAY AS day, cjourney.stage_time_agg(occurred_at, stage) AS st FROM dist.touchpoints GROUP BY customer_id, $DAY"
DAILY_LOCAL="SELECT customer_id, $DAY AS day, cjourney.stage_time_agg(occurred_at, stage::cjourney.stage) AS st FROM public.touchpoints GROUP BY customer_id, $DAY"

# pushed NAME QUERY AGG: two Remote SQL lines calling cjourney.AGG, no local aggregation
pushed() {
    local p n local_agg
    p=$(plan "$2" 2>&1)
    n=$(grep -cE "Remote SQL: SELECT .*cjourney\.$3\(.*GROUP BY" <<<"$p")
    local_agg=$(grep -cE '^ *(-> +)?(Finalize |Partial )?(Hash|Group|Mixed)?Aggregate' <<<"$p")
    if [[ $n == 2 && $local_agg == 0 ]]; then
        ok "$1: pushed down whole, Remote SQL calls cjourney.$3 on each shard"
    else
        not_ok "$1: pushed down whole, Remote SQL calls cjourney.$3 on each shard" "$p"
    fi
}
pushed "journey_agg(occurred_at, stage, channel, event) GROUP BY customer_id" "$J_DIST" journey_agg
pushed "journey_agg(touchpoint) GROUP BY customer_id" "$JT_DIST" journey_agg
pushed "stage_time_agg GROUP BY customer_id" "$ST_DIST" stage_time_agg
pushed "stage_time_agg GROUP BY customer_id, UTC day" "$DAILY_DIST" stage_time_agg
if grep -q 'Async Foreign Scan' <<<"$(plan "$J_DIST")"; then
    ok "async_capable servers: the shards run concurrently (Async Foreign Scan)"
else
    not_ok "async_capable servers: the shards run concurrently (Async Foreign Scan)" "$(plan "$J_DIST")"
fi
# one customer: pruned to its shard with the WHERE shipped; PG15 then
# aggregates that customer's few rows on the coordinator (it does not push an
# aggregate whose group key is fixed by the WHERE)
ONE="SELECT customer_id, cjourney.journey_agg(occurred_at, stage, channel, event)::text FROM dist.touchpoints WHERE customer_id = 42 GROUP BY customer_id"
p=$(plan "$ONE")
if [[ $(grep -c 'Remote SQL' <<<"$p") == 1 ]] && grep -qE 'Remote SQL: .*WHERE .*customer_id = 42' <<<"$p"; then
    ok "one customer: one shard queried, WHERE pushed down"
else
    not_ok "one customer: one shard queried, WHERE pushed down" "$p"
fi
same "one customer: = single node" "$ONE" \
    "SELECT customer_id, cjourney.journey_agg(occurred_at, stage::cjourney.stage, channel, event)::text FROM public.touchpoints WHERE customer_id = 42 GROUP BY customer_id"

same "every journey_agg result on shards = single node" "SELECT customer_id, j::text FROM ($J_DIST) s" "SELECT customer_id, j::text FROM ($J_LOCAL) s"
same "every journey_agg(touchpoint) result on shards = single node" "SELECT customer_id, j::text FROM ($JT_DIST) s" "SELECT customer_id, j::text FROM ($JT_LOCAL) s"
same "every stage_time_agg result on shards = single node" "SELECT customer_id, st::text FROM ($ST_DIST) s" "SELECT customer_id, st::text FROM ($ST_LOCAL) s"
same "every per-customer-day state on shards = single node" "SELECT customer_id, day, st::text FROM ($DAILY_DIST) s" "SELECT customer_id, day, st::text FROM ($DAILY_LOCAL) s"
same "accessors over shipped journeys = single node (stages, length, furthest)" \
    "SELECT customer_id, cjourney.journey_stages(j), cjourney.journey_length(j), cjourney.journey_furthest_stage(j) FROM ($J_DIST) s" \
    "SELECT customer_id, cjourney.journey_stages(j), cjourney.journey_length(j), cjourney.journey_furthest_stage(j) FROM ($J_LOCAL) s"

# --- cross-customer reports: per-shard states, rollup on the coordinator ------------

# median time in stage by segment over a date range: shards build one state
# per customer and day, the coordinator merges a customer's days with rollup
# and reads durations; customers is a local (dimension) table
report() { # $1: table, $2: its stage expression, $3, $4: range of UTC days
    echo "WITH daily AS MATERIALIZED (
              SELECT customer_id, $DAY AS day, cjourney.stage_time_agg(occurred_at, $2) AS st
              FROM $1
              WHERE occurred_at >= '$3'::timestamp AT TIME ZONE 'UTC'
                AND occurred_at < ('$4'::date + 1)::timestamp AT TIME ZONE 'UTC'
              GROUP BY customer_id, $DAY)
          SELECT c.segment, d.stage, count(*) AS customers,
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY d.duration) AS median,
                 percentile_cont(0.9) WITHIN GROUP (ORDER BY d.duration) AS p90
          FROM (SELECT customer_id, cjourney.rollup(st) AS st FROM daily GROUP BY customer_id) r
          JOIN public.customers c USING (customer_id), cjourney.stage_durations(r.st) d
          GROUP BY 1, 2"
}
# the same over raw rows in plain SQL (no cjourney aggregate)
raw_report() {
    echo "WITH pts AS (SELECT DISTINCT customer_id, occurred_at, stage::cjourney.stage AS s FROM public.touchpoints
                       WHERE occurred_at >= '$1'::timestamp AT TIME ZONE 'UTC'
                         AND occurred_at < ('$2'::date + 1)::timestamp AT TIME ZONE 'UTC'),
               p AS (SELECT customer_id, s, coalesce(lead(occurred_at) OVER (PARTITION BY customer_id ORDER BY occurred_at, s)
                                                      - occurred_at, interval '0') AS dur FROM pts),
               d AS (SELECT customer_id, s::text AS stage, justify_hours(sum(dur)) AS duration FROM p GROUP BY 1, 2)
          SELECT c.segment, d.stage, count(*),
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY d.duration),
                 percentile_cont(0.9) WITHIN GROUP (ORDER BY d.duration)
          FROM d JOIN public.customers c USING (customer_id) GROUP BY 1, 2"
}
R_DIST=$(report dist.touchpoints stage 2025-04-01 2025-06-30)
p=$(plan "$R_DIST" 2>&1)
if [[ $(grep -cE "Remote SQL: SELECT .*cjourney\.stage_time_agg\(.*WHERE .*occurred_at >= .*GROUP BY 1, 2" <<<"$p") == 2 ]]; then
    ok "report plan: per-customer-day states and the date range computed on each shard"
else
    not_ok "report plan: per-customer-day states and the date range computed on each shard" "$p"
fi
same "median time in stage by segment, Q2: shard states + rollup = single node" \
    "$R_DIST" "$(report public.touchpoints stage::cjourney.stage 2025-04-01 2025-06-30)"
same "median time in stage by segment, Q2: shard states + rollup = plain SQL over raw rows" \
    "$R_DIST" "$(raw_report 2025-04-01 2025-06-30)"
same "median time in stage by segment, whole year: shard states + rollup = plain SQL over raw rows" \
    "$(report dist.touchpoints stage 2025-01-01 2025-12-31)" "$(raw_report 2025-01-01 2025-12-31)"

# journeys reaching each stage by segment: counts of pushed-down journeys
REACH="SELECT c.segment, s.stage, count(*) FROM (J) j JOIN public.customers c USING (customer_id),
              unnest(cjourney.journey_stages(j.j)) s(stage) GROUP BY 1, 2"
same "journeys reaching each stage by segment: shards = single node" "${REACH/(J)/($J_DIST)}" "${REACH/(J)/($J_LOCAL)}"
same "journeys reaching each stage by segment: shards = plain SQL over raw rows" "${REACH/(J)/($J_DIST)}" \
    "SELECT c.segment, t.stage, count(DISTINCT t.customer_id) FROM public.touchpoints t JOIN public.customers c USING (customer_id) GROUP BY 1, 2"

# --- timings (closing note) ---------------------------------------------------------

echo "# timings, best of 3 (EXPLAIN ANALYZE Execution Time, ms), $total touchpoints, 2 shards:"
timing() { printf '#   %-34s shards %8s   single node %8s\n' "$1" "$(ms "$2")" "$(ms "$3")"; }
timing "journey_agg per customer" "$J_DIST" "$J_LOCAL"
timing "stage_time_agg per customer" "$ST_DIST" "$ST_LOCAL"
timing "stage_time_agg per customer-day" "$DAILY_DIST" "$DAILY_LOCAL"
timing "median time in stage report (Q2)" "$R_DIST" "$(report public.touchpoints stage::cjourney.stage 2025-04-01 2025-06-30)"

crash=0
for d in "$COORD" "${SHARDS[@]}"; do cj_crash_check "$d/server.log" || crash=1; done
if ((crash == 0)); then ok "no backend crash on any node"; else not_ok "no backend crash on any node"; fi
for d in "$COORD" "${SHARDS[@]}"; do cj_cluster_stop "$d"; done
echo "# total $((SECONDS - t0)) s"
echo "1..$N"
