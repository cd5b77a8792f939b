#!/usr/bin/env bash
# bench.sh -- time cjourney's aggregates against plain-SQL baselines.
#
#   bash bench/bench.sh [--customers N] [--runs R] [--no-load] [--skip-cjourney]
#
#   --customers N    sample size loaded with data/load.sh (default 100000)
#   --runs R         timed runs per query; the best one counts (default 3)
#   --no-load        use the customers/touchpoints tables already loaded
#   --skip-cjourney  run only the rows that do not need the extension
#                    (to check the harness on a server without cjourney)
#
# Runs against the server and database given by the libpq environment
# (PGHOST, PGPORT, PGUSER, PGDATABASE).  Does CREATE EXTENSION IF NOT EXISTS
# cjourney, (re)loads the sample data into public.customers and
# public.touchpoints unless --no-load, then times every query server-side
# with EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) and prints a table of
# best-of-R execution times and ratios.  See bench/README.md.
set -euo pipefail

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit "${1:-0}"
}

die() {
    printf 'bench.sh: %s\n' "$*" >&2
    exit 1
}

customers=100000
runs=3
load=1
skip_cjourney=0
while (($#)); do
    case $1 in
    --customers)
        [[ ${2:-} =~ ^[0-9]+$ ]] || die "--customers needs a number"
        customers=$2
        shift
        ;;
    --runs)
        [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive number"
        runs=$2
        shift
        ;;
    --no-load) load=0 ;;
    --skip-cjourney) skip_cjourney=1 ;;
    -h | --help) usage 0 ;;
    *)
        printf 'bench.sh: unknown argument: %s\n' "$1" >&2
        usage 2 >&2
        ;;
    esac
    shift
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Every session gets the benchmark settings: serial plans, enough memory to
# keep sorts and hash tables in RAM, no JIT.
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c max_parallel_workers_per_gather=0 -c work_mem=256MB -c jit=off"
PSQL=(psql -X -v ON_ERROR_STOP=1 -q -P pager=off)

# Run SQL read from stdin; print the unaligned, tuples-only result.
sql() {
    "${PSQL[@]}" -At "$@"
}

# --- the rows ----------------------------------------------------------------
#
# bench_row [-e] NAME SQL [COMPARE]
#   Register a timed query.  -e marks queries that need the cjourney
#   extension.  COMPARE names an earlier or later row whose time goes into
#   the "x plain SQL" column.  Rows are timed and printed in this order.
#   The "x count" and "x array_agg" columns divide by the rows named
#   group_count and group_array_agg.

ROW_NAMES=()
declare -A ROW_SQL=() ROW_COMPARE=() ROW_EXT=() ROW_MS=() ROW_PLAN=()

bench_row() {
    local ext=0
    if [[ $1 == -e ]]; then
        ext=1
        shift
    fi
    ROW_NAMES+=("$1")
    ROW_SQL[$1]=$2
    ROW_COMPARE[$1]=${3:-}
    ROW_EXT[$1]=$ext
}

# The grouped journey query and its closest plain-SQL equivalent; also used
# by the journey size section.
JOURNEY_AGG="journey_agg(occurred_at, stage::stage, channel, event)"
PLAIN_AGG="array_agg(ROW(occurred_at, stage, channel, event) ORDER BY occurred_at, stage::stage, channel, event)"

bench_row scan_count \
    "SELECT count(*) FROM touchpoints"
bench_row group_count \
    "SELECT customer_id, count(*) FROM touchpoints GROUP BY customer_id"
# the same grouping over a heap column: no index-only scan, so the floor of
# every per-customer aggregate that reads the rows (Seq Scan + HashAggregate)
bench_row group_count_heap \
    "SELECT customer_id, count(occurred_at) FROM touchpoints GROUP BY customer_id"
bench_row group_array_agg \
    "SELECT customer_id, array_agg(occurred_at) FROM touchpoints GROUP BY customer_id"
bench_row -e journey_agg \
    "SELECT customer_id, $JOURNEY_AGG FROM touchpoints GROUP BY customer_id" \
    journey_agg_sql
bench_row -e journey_agg_sql \
    "SELECT customer_id, $PLAIN_AGG FROM touchpoints GROUP BY customer_id"
# the text -> enum cast every stage_time/journey query pays (enum_in per row)
bench_row group_count_stage \
    "SELECT customer_id, count(stage::stage) FROM touchpoints GROUP BY customer_id"
bench_row -e stage_time_agg \
    "SELECT customer_id, stage_time_agg(occurred_at, stage::stage) FROM touchpoints GROUP BY customer_id" \
    stage_time_sql
bench_row -e stage_durations \
    "SELECT customer_id, d.stage, d.duration FROM (SELECT customer_id, stage_time_agg(occurred_at, stage::stage) AS st FROM touchpoints GROUP BY customer_id) s, stage_durations(s.st) d" \
    stage_time_sql
# the stage column as text, the stage order named once per call (0.2.0): no cast per row
bench_row -e stage_time_agg_text \
    "SELECT customer_id, stage_time_agg(occurred_at, stage, 'awareness<consideration<decision<retention<advocacy') FROM touchpoints GROUP BY customer_id" \
    stage_time_agg
bench_row -e journey_agg_text \
    "SELECT customer_id, journey_agg(occurred_at, stage, channel, event, 'awareness<consideration<decision<retention<advocacy') FROM touchpoints GROUP BY customer_id" \
    journey_agg
bench_row -e touches_before_conversion \
    "SELECT customer_id, touches_before_conversion(occurred_at, event = 'purchase') FROM touchpoints GROUP BY customer_id" \
    touches_before_sql
# the join formulation: first purchase per customer, then count the earlier rows
bench_row -e touches_before_sql \
    "SELECT t.customer_id, count(*) FILTER (WHERE t.occurred_at < f.t1) FROM touchpoints t JOIN (SELECT customer_id, min(occurred_at) AS t1 FROM touchpoints WHERE event = 'purchase' GROUP BY customer_id) f USING (customer_id) GROUP BY t.customer_id"
FUNNEL_STEPS="event = 'page_view', event = 'signup', event = 'purchase'"
bench_row -e window_funnel \
    "SELECT customer_id, window_funnel(interval '14 days', occurred_at, $FUNNEL_STEPS) FROM touchpoints GROUP BY customer_id" \
    funnel_sql
bench_row -e window_funnel_matching \
    "SELECT customer_id, window_funnel(interval '14 days', occurred_at, $FUNNEL_STEPS) FROM touchpoints WHERE event IN ('page_view', 'signup', 'purchase') GROUP BY customer_id" \
    funnel_sql
# the exact plain-SQL formulation: a chain a <= b <= c within 14 days of a, by self-joins
bench_row -e funnel_sql \
    "SELECT a.customer_id, max(CASE WHEN c.occurred_at IS NOT NULL THEN 3 WHEN b.occurred_at IS NOT NULL THEN 2 ELSE 1 END) FROM touchpoints a LEFT JOIN touchpoints b ON b.customer_id = a.customer_id AND b.event = 'signup' AND b.occurred_at >= a.occurred_at AND b.occurred_at <= a.occurred_at + interval '14 days' LEFT JOIN touchpoints c ON c.customer_id = a.customer_id AND c.event = 'purchase' AND c.occurred_at >= b.occurred_at AND c.occurred_at <= a.occurred_at + interval '14 days' WHERE a.event = 'page_view' GROUP BY a.customer_id"
bench_row -e stage_time_sql \
    "SELECT customer_id, stage, sum(next_at - occurred_at) FROM (SELECT customer_id, stage::stage AS stage, occurred_at, lead(occurred_at) OVER (PARTITION BY customer_id ORDER BY occurred_at, stage::stage) AS next_at FROM touchpoints) s GROUP BY 1, 2"

# Segment response: the aggregate (counts, rates, lift, interval, z-test per
# segment) against the four plain count(*) FILTER aggregates it replaces, on
# the same join of touchpoints to customers.
RESP_FROM="FROM touchpoints t JOIN customers c USING (customer_id) GROUP BY c.segment"
bench_row -e segment_response \
    "SELECT c.segment, segment_response(c.campaign_group = 'treatment', t.event = 'purchase') $RESP_FROM" \
    segment_response_sql
bench_row segment_response_sql \
    "SELECT c.segment,
            count(*) FILTER (WHERE c.campaign_group = 'treatment' AND t.event IS NOT NULL),
            count(*) FILTER (WHERE c.campaign_group = 'treatment' AND t.event = 'purchase'),
            count(*) FILTER (WHERE c.campaign_group <> 'treatment' AND t.event IS NOT NULL),
            count(*) FILTER (WHERE c.campaign_group <> 'treatment' AND t.event = 'purchase') $RESP_FROM"

# Attribution per customer: the state (linear model), the credit rows, and a
# plain-SQL linear attribution (conversion cycles by lag(), the touches of
# each cycle by a join, 1/k each).
ATTR_AGG="attribution_agg(occurred_at, channel, event = 'purchase', revenue, 'linear')"
bench_row -e attribution_agg \
    "SELECT customer_id, $ATTR_AGG FROM touchpoints GROUP BY customer_id" \
    attribution_sql
bench_row -e attribution_rows \
    "SELECT s.customer_id, c.channel, c.conversions, c.revenue FROM (SELECT customer_id, $ATTR_AGG AS a FROM touchpoints GROUP BY customer_id) s, attribution_credits(s.a) c" \
    attribution_sql
bench_row -e attribution_sql \
    "WITH ct AS (SELECT DISTINCT customer_id, occurred_at AS t FROM touchpoints WHERE event = 'purchase'),
          cyc AS (SELECT customer_id, t, lag(t) OVER (PARTITION BY customer_id ORDER BY t) AS prev FROM ct),
          conv AS (SELECT p.customer_id, p.occurred_at AS t, coalesce(p.revenue, 0) AS rev, cyc.prev, row_number() OVER () AS id
                   FROM touchpoints p JOIN cyc ON cyc.customer_id = p.customer_id AND cyc.t = p.occurred_at WHERE p.event = 'purchase'),
          pt AS (SELECT v.customer_id, v.rev, x.channel, count(*) OVER (PARTITION BY v.id) AS k
                 FROM conv v JOIN touchpoints x ON x.customer_id = v.customer_id AND x.event IS DISTINCT FROM 'purchase'
                  AND x.channel IS NOT NULL AND x.occurred_at < v.t AND (v.prev IS NULL OR x.occurred_at >= v.prev))
     SELECT customer_id, channel, sum(1.0 / k), sum(rev / k) FROM pt GROUP BY 1, 2"

# --- set-up ------------------------------------------------------------------

sql -c "SELECT 1" >/dev/null ||
    die "cannot connect (check PGHOST, PGPORT, PGUSER, PGDATABASE)"

if ((!load)); then
    [[ $(sql -c "SELECT to_regclass('public.touchpoints') IS NOT NULL AND to_regclass('public.customers') IS NOT NULL") == t ]] ||
        die "--no-load but public.touchpoints or public.customers is missing (run data/load.sh)"
fi

if ((skip_cjourney)); then
    echo "--skip-cjourney: not using the cjourney extension" >&2
else
    available=$(sql -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'cjourney'")
    [[ $available == 1 ]] ||
        die "the cjourney extension is not installed on this server (run make install first, or pass --skip-cjourney)"
    sql -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS cjourney" ||
        die "CREATE EXTENSION cjourney failed"
    # IF NOT EXISTS keeps an older version created before the last install.
    stale=$(sql -c "SELECT e.extversion || ' ' || a.default_version
                    FROM pg_extension e JOIN pg_available_extensions a ON a.name = e.extname
                    WHERE e.extname = 'cjourney' AND e.extversion <> a.default_version")
    [[ -z $stale ]] ||
        printf 'bench.sh: warning: this database has cjourney %s but the installed default is %s (DROP EXTENSION cjourney CASCADE, or ALTER EXTENSION cjourney UPDATE, to bench the new build)\n' \
            "${stale% *}" "${stale#* }" >&2
fi

if ((load)); then
    bash "$root/data/load.sh" --customers "$customers"
fi

# A known state for every run: hint bits set, visibility map and statistics
# fresh (otherwise autovacuum may start in the middle of the timings).
sql -c "VACUUM (ANALYZE) public.customers" -c "VACUUM (ANALYZE) public.touchpoints"

# --- timing ------------------------------------------------------------------

# time_row NAME: run the row's EXPLAIN ANALYZE once to warm up, then $runs
# times in one session; set ROW_MS (best Execution Time) and ROW_PLAN (top
# plan node).
time_row() {
    local name=$1 query=${ROW_SQL[$1]} input="" out i
    for ((i = 0; i <= runs; i++)); do
        input+="EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $query;"$'\n'
    done
    out=$(sql <<<"$input") || die "query $name failed: $query"
    ROW_MS[$name]=$(awk '/^Execution Time:/ { n++; if (n > 1 && (best == "" || $3 < best)) best = $3 }
                         END { if (best == "") exit 1; printf "%.1f", best }' <<<"$out") ||
        die "no Execution Time in EXPLAIN output of $name"
    # first plan line, e.g. "HashAggregate  (cost=... rows=...)"
    ROW_PLAN[$name]=$(head -n 1 <<<"$out" | sed 's/  (.*//; s/^ *//')
}

# ratio A B: A / B with two decimals, or "-" if B is missing
ratio() {
    if [[ -n ${2:-} ]]; then
        awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
    else
        echo "-"
    fi
}

for name in "${ROW_NAMES[@]}"; do
    if ((skip_cjourney && ROW_EXT[$name])); then
        continue
    fi
    time_row "$name"
done

# --- report ------------------------------------------------------------------

read -r ncust ntouch < <(sql -F ' ' -c \
    "SELECT (SELECT count(*) FROM public.customers), (SELECT count(*) FROM public.touchpoints)")
server=$(sql -c "SELECT current_setting('server_version')")
extver=$(sql -c "SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'cjourney'), 'not installed')")

echo
echo "cjourney benchmark  $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "PostgreSQL $server, cjourney $extver, database $(sql -c 'SELECT current_database()')"
echo "customers $ncust, touchpoints $ntouch, best of $runs runs (EXPLAIN ANALYZE Execution Time)"
echo "settings: max_parallel_workers_per_gather=0 work_mem=256MB jit=off"
echo

fmt='%-25s %12s %9s %12s %12s  %s\n'
# shellcheck disable=SC2059
printf "$fmt" name "best ms" "x count" "x array_agg" "x plain SQL" plan
# shellcheck disable=SC2059
printf "$fmt" ------------------------- ------------ --------- ------------ ------------ ---------------
for name in "${ROW_NAMES[@]}"; do
    [[ -n ${ROW_MS[$name]:-} ]] || continue
    ms=${ROW_MS[$name]}
    cmp=${ROW_COMPARE[$name]}
    # shellcheck disable=SC2059
    printf "$fmt" "$name" "$ms" \
        "$(ratio "$ms" "${ROW_MS[group_count]:-}")" \
        "$(ratio "$ms" "${ROW_MS[group_array_agg]:-}")" \
        "$(ratio "$ms" "${cmp:+${ROW_MS[$cmp]:-}}")" \
        "${ROW_PLAN[$name]}"
done

# touches_before_conversion against its floors (issue 5: within 1.5x of the
# grouped count, and no slower than the join formulation)
if [[ -n ${ROW_MS[touches_before_conversion]:-} ]]; then
    tbc=${ROW_MS[touches_before_conversion]}
    echo
    printf 'touches_before_conversion %s ms: %sx group_count (%s), %sx group_count_heap, %sx the join (touches_before_sql)\n' \
        "$tbc" "$(ratio "$tbc" "${ROW_MS[group_count]:-}")" "${ROW_PLAN[group_count]:-?}" \
        "$(ratio "$tbc" "${ROW_MS[group_count_heap]:-}")" "$(ratio "$tbc" "${ROW_MS[touches_before_sql]:-}")"
fi

# --- funnel growth with journey length ----------------------------------------

# window_funnel walks each customer's rows once (plus a sort); the plain-SQL
# self-join compares pairs of rows, so it grows with the square of the
# journey length.  Same 200 customers, 10 / 100 / 1000 touches each, events
# cycling through the three steps; plain SQL gets 60 s at most.
echo
echo "window_funnel vs plain-SQL self-join as journeys grow (200 customers, ms, best of $runs):"
printf '  %-22s %12s %12s %10s\n' "touches per customer" "window_funnel" "plain SQL" "ratio"
for len in 10 100 1000; do
    out=$(sql <<SQL
SET statement_timeout = '60s';
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_grow;
CREATE TABLE bench_grow AS
SELECT c AS customer_id, '2025-01-01'::timestamptz + (g * 3 + c % 7) * interval '1 hour' AS occurred_at,
       (ARRAY['page_view', 'signup', 'purchase'])[1 + (g + c) % 3] AS event
FROM generate_series(1, 200) c, generate_series(1, $len) g;
ANALYZE bench_grow;
SQL
    ) || die "growth table"
    wf=$(for ((i = 0; i < runs; i++)); do
        sql -c "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) SELECT customer_id, window_funnel(interval '14 days', occurred_at, event = 'page_view', event = 'signup', event = 'purchase') FROM bench_grow GROUP BY customer_id" 2>/dev/null || true
    done | awk '/^Execution Time:/ { if (best == "" || $3 < best) best = $3 } END { printf "%.1f", best }')
    plain=$(for ((i = 0; i < runs; i++)); do
        sql -c "SET statement_timeout = '60s'" -c "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) SELECT a.customer_id, max(CASE WHEN c.occurred_at IS NOT NULL THEN 3 WHEN b.occurred_at IS NOT NULL THEN 2 ELSE 1 END) FROM bench_grow a LEFT JOIN bench_grow b ON b.customer_id = a.customer_id AND b.event = 'signup' AND b.occurred_at >= a.occurred_at AND b.occurred_at <= a.occurred_at + interval '14 days' LEFT JOIN bench_grow c ON c.customer_id = a.customer_id AND c.event = 'purchase' AND c.occurred_at >= b.occurred_at AND c.occurred_at <= a.occurred_at + interval '14 days' WHERE a.event = 'page_view' GROUP BY a.customer_id" 2>/dev/null || true
    done | awk '/^Execution Time:/ { if (best == "" || $3 < best) best = $3 } END { if (best == "") print "timeout"; else printf "%.1f", best }')
    printf '  %-22s %12s %12s %10s\n' "$len" "$wf" "$plain" "$(ratio "$wf" "${plain/timeout/}")"
done
sql -c "DROP TABLE IF EXISTS bench_grow" >/dev/null

# --- data-driven attribution over 1M paths --------------------------------------

# One million generated paths (1 to 8 touches over 10 channels, about a
# quarter converting), aggregated into one attribution state and read: the
# Markov model solves its chain once, Shapley enumerates each converting
# channel set's subsets.
if ((!skip_cjourney)); then
    echo
    echo "data-driven attribution over 1,000,000 paths (ms, best of $runs):"
    sql <<'SQL' >/dev/null || die "paths table"
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_paths;
CREATE TABLE bench_paths AS
SELECT ARRAY(SELECT 'ch' || (hashint4(g * 16 + i) & 1023) % 10 FROM generate_series(1, 1 + (hashint4(g) & 1023) % 8) i) AS path,
       ((hashint4(g + 7) & 1023) < 256)::int::bigint AS conversions,
       ((hashint4(g + 7) & 1023) >= 256)::int::bigint AS nulls,
       ((hashint4(g + 11) & 1023) % 200)::numeric AS revenue
FROM generate_series(1, 1000000) g;
ANALYZE bench_paths;
SQL
    printf '  %-34s %12s\n' step "best ms"
    for model in markov shapley; do
        for what in state credits; do
            if [[ $what == state ]]; then
                q="SELECT attribution_agg(path, conversions, nulls, revenue, '$model') FROM bench_paths"
            else
                q="SELECT c.* FROM (SELECT attribution_agg(path, conversions, nulls, revenue, '$model') AS a FROM bench_paths) s, attribution_credits(s.a) c"
            fi
            ms=$(for ((i = 0; i < runs; i++)); do
                sql -c "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $q"
            done | awk '/^Execution Time:/ { if (best == "" || $3 < best) best = $3 } END { printf "%.1f", best }')
            label="$model: the state"
            [[ $what == credits ]] && label="$model: the state and its credits"
            printf '  %-34s %12s\n' "$label" "$ms"
        done
    done
    sql -c "SELECT count(*) FROM (SELECT DISTINCT path FROM bench_paths) d" | sed 's/^/  distinct paths: /'
    sql -c "DROP TABLE IF EXISTS bench_paths" >/dev/null
fi

# --- parallel speedup ----------------------------------------------------------
#
# Each per-customer aggregate timed with 2 parallel workers against the serial
# plan, on the same data in the same session. parallel_setup_cost and
# parallel_tuple_cost are 0 so that the planner picks the parallel plan (a
# grouped aggregate with ~100k groups is otherwise often costed serial); the
# plan line shows what ran and how many workers were launched.

# time_parallel QUERY WORKERS: best Execution Time and the plan summary
time_parallel() {
    local query=$1 workers=$2 input i out
    input="SET max_parallel_workers_per_gather = $workers; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;"$'\n'
    for ((i = 0; i <= runs; i++)); do
        input+="EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON, COSTS OFF) $query;"$'\n'
    done
    out=$(sql <<<"$input") || die "parallel timing failed: $query"
    awk '/^Execution Time:/ { n++; if (n > 1 && (best == "" || $3 < best)) best = $3 }
         /Workers Launched:/ { w = $3 }
         NR == 1 { sub(/ *\(.*/, ""); sub(/^ */, ""); top = $0 }
         END { printf "%.1f %s %s\n", best, (w == "" ? 0 : w), top }' <<<"$out"
}

if ((!skip_cjourney)); then
    echo
    echo "parallel speedup (max_parallel_workers_per_gather 2 vs 0, best of $runs; $(nproc 2>/dev/null || echo '?') CPUs):"
    pfmt='  %-16s %10s %10s %8s  %s\n'
    # shellcheck disable=SC2059
    printf "$pfmt" aggregate "serial ms" "2 workers" speedup "parallel plan (workers launched)"
    for name in journey_agg stage_time_agg window_funnel; do
        read -r ms0 _ plan0 < <(time_parallel "${ROW_SQL[$name]}" 0)
        read -r ms2 w2 plan2 < <(time_parallel "${ROW_SQL[$name]}" 2)
        # shellcheck disable=SC2059
        printf "$pfmt" "$name" "$ms0" "$ms2" "$(ratio "$ms0" "$ms2")x" "$plan2 ($w2)"
    done
fi

# --- journey size --------------------------------------------------------------

echo
if ((skip_cjourney)); then
    echo "journey size: skipped (--skip-cjourney)"
    exit 0
fi

# Both values are materialised in temp tables (TOAST may compress them) and
# measured in memory, freshly computed (uncompressed).  The plain-SQL array
# needs a named row type to be stored in a table.
echo "journey size (bytes per touch):"
sql -F $'\t' <<SQL | awk -F '\t' '{ printf "  %-34s %10s %10s %14s\n", $1, $2, $3, $4 }'
SET client_min_messages = warning;
CREATE TYPE pg_temp.bench_touch AS
    (occurred_at timestamptz, stage text, channel text, event text);
CREATE TEMP TABLE bench_j AS
    SELECT customer_id, $JOURNEY_AGG AS j
    FROM touchpoints GROUP BY customer_id;
CREATE TEMP TABLE bench_a AS
    SELECT customer_id,
           array_agg(ROW(occurred_at, stage, channel, event)::pg_temp.bench_touch
                     ORDER BY occurred_at, stage::stage, channel, event) AS a
    FROM touchpoints GROUP BY customer_id;
SELECT '', 'stored', 'in memory', 'table size';
SELECT 'journey_agg (journey)',
       round((SELECT sum(pg_column_size(j))::float8 / sum(journey_length(j)) FROM bench_j)::numeric, 2),
       round((SELECT sum(pg_column_size(x))::float8 / sum(journey_length(x))
              FROM (SELECT $JOURNEY_AGG AS x FROM touchpoints GROUP BY customer_id) s)::numeric, 2),
       pg_size_pretty(pg_total_relation_size('bench_j'));
SELECT 'plain SQL (array of rows)',
       round((SELECT sum(pg_column_size(a))::float8 / sum(cardinality(a)) FROM bench_a)::numeric, 2),
       round((SELECT sum(pg_column_size(x))::float8 / sum(cardinality(x))
              FROM (SELECT $PLAIN_AGG AS x FROM touchpoints GROUP BY customer_id) s)::numeric, 2),
       pg_size_pretty(pg_total_relation_size('bench_a'));
SELECT 'stage_time_agg (stage_time)',
       round((SELECT sum(pg_column_size(st))::float8 / count(*) FROM
              (SELECT stage_time_agg(occurred_at, stage::stage) AS st FROM touchpoints GROUP BY customer_id) s)::numeric
             / (SELECT count(*) FROM touchpoints) * (SELECT count(DISTINCT customer_id) FROM touchpoints), 2),
       '-', '-';
SELECT 'touchpoints (heap + index)',
       round((pg_total_relation_size('public.touchpoints')::float8 / count(*))::numeric, 2),
       '-',
       pg_size_pretty(pg_total_relation_size('public.touchpoints'))
FROM public.touchpoints;
SQL
