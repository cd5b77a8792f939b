#!/usr/bin/env bash
# peers.sh -- the same questions in cjourney, plain SQL, DuckDB and ClickHouse.
#
#   bash bench/peers.sh [--customers N] [--runs R] [--no-load] [--threads T]
#                       [--temp-cluster] [--smoke]
#
#   --customers N    sample size loaded with data/load.sh (default 200000,
#                    about 2.5M touchpoints)
#   --runs R         timed runs per query; the best one counts (default 3)
#   --no-load        use the customers/touchpoints tables already loaded
#   --threads T      threads for DuckDB and ClickHouse (default 2; the
#                    parallel PostgreSQL column uses 2 workers)
#   --temp-cluster   start a throwaway PostgreSQL 15 cluster instead of using
#                    the libpq environment (with CJ_DESTDIR set, cjourney is
#                    built and staged there first, as scripts/test.sh does)
#   --smoke          a quick check of the harness: --customers 500 --runs 1
#
# Runs against the server and database of the libpq environment (PGHOST,
# PGPORT, PGUSER, PGDATABASE) unless --temp-cluster.  Loads the sample data
# (data/load.sh), stores one journey per customer in cjourney_peers.journeys,
# exports the touchpoints to a CSV file, loads it into DuckDB
# (@duckdb/node-api) and ClickHouse (chdb, embedded), runs nine questions in
# every engine, checks that all engines give the same answer and prints the
# times and ratios.  The two npm packages are installed with
# `npm install --prefix` into a cache outside the repository:
# $CJ_BENCH_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/cjourney-bench.
# Exits 3 when an answer differs or a query fails.  See bench/README.md.
set -euo pipefail

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit "${1:-0}"
}

die() {
    printf 'peers.sh: %s\n' "$*" >&2
    exit 1
}

customers=200000
runs=3
load=1
threads=2
temp_cluster=0
while (($#)); do
    case $1 in
    --customers)
        [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--customers needs a positive number"
        customers=$2
        shift
        ;;
    --runs)
        [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive number"
        runs=$2
        shift
        ;;
    --threads)
        [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--threads needs a positive number"
        threads=$2
        shift
        ;;
    --no-load) load=0 ;;
    --temp-cluster) temp_cluster=1 ;;
    --smoke)
        customers=500
        runs=1
        ;;
    -h | --help) usage 0 ;;
    *)
        printf 'peers.sh: unknown argument: %s\n' "$1" >&2
        usage 2 >&2
        ;;
    esac
    shift
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
peers=$here/peers
cache=$(source "$here/peer_packages.sh" && cj_peer_cache)

# --- the peers: node and the npm packages --------------------------------------

# shellcheck source=bench/peer_packages.sh
source "$here/peer_packages.sh"
cj_peer_install "$cache" "$DUCKDB_PKG" "$CHDB_PKG" || die "cannot install the peer engines"

# --- PostgreSQL ----------------------------------------------------------------

workdir=$(mktemp -d "${TMPDIR:-/tmp}/cjourney-peers.XXXXXX")
cleanup() {
    rm -rf "$workdir"
    if declare -F cj_cleanup >/dev/null; then cj_cleanup; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ((temp_cluster)); then
    # shellcheck source=scripts/lib.sh
    source "$root/scripts/lib.sh"
    trap cleanup EXIT # lib.sh installs its own; ours calls cj_cleanup
    if [[ -n ${CJ_DESTDIR:-} ]]; then
        cj_build_install || die "could not build and stage cjourney in $CJ_DESTDIR"
    fi
    cj_reap_stale
    cj_tmpdir peers-pg || die "cannot make a temp dir for the cluster"
    cj_cluster_start "$CJ_TMP/c" "shared_buffers = '1GB'" || die "could not start a cluster"
    cj_cluster_env "$CJ_TMP/c"
    load=1
fi

# Every session: serial plans unless a query says otherwise, sorts and hash
# tables in memory, no JIT, UTC (the answers read times in UTC).
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c max_parallel_workers_per_gather=0 -c work_mem=256MB -c jit=off -c TimeZone=UTC"
PSQL=(psql -X -v ON_ERROR_STOP=1 -q -P pager=off)
sql() {
    "${PSQL[@]}" -At "$@"
}

sql -c "SELECT 1" >/dev/null ||
    die "cannot connect (check PGHOST, PGPORT, PGUSER, PGDATABASE, or use --temp-cluster)"
[[ $(sql -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'cjourney'") == 1 ]] ||
    die "the cjourney extension is not installed on this server (make install, or --temp-cluster with CJ_DESTDIR)"
sql -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS cjourney" ||
    die "CREATE EXTENSION cjourney failed"

if ((load)); then
    bash "$root/data/load.sh" --customers "$customers" >&2
else
    [[ $(sql -c "SELECT to_regclass('public.touchpoints') IS NOT NULL") == t ]] ||
        die "--no-load but public.touchpoints is missing (run data/load.sh)"
fi
sql -c "VACUUM (ANALYZE) public.touchpoints"

# Stored journeys (rebuilt every run, from the touchpoints just loaded) and
# the composite type of the plain-SQL journey.
start=$(date +%s%N)
sql <<'SQL' || die "could not build cjourney_peers.journeys"
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS cjourney_peers CASCADE;
CREATE SCHEMA cjourney_peers;
CREATE TYPE cjourney_peers.touch AS (occurred_at timestamptz, stage stage, channel text, event text);
CREATE TABLE cjourney_peers.journeys AS
    SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS j
    FROM public.touchpoints GROUP BY customer_id;
VACUUM (ANALYZE) cjourney_peers.journeys;
SQL
journeys_s=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')

# The file both peers read: times as integer microseconds since 1970 UTC.
csv=$workdir/touchpoints.csv
sql -c "COPY (SELECT customer_id, (extract(epoch FROM occurred_at) * 1000000)::bigint,
                     stage, channel, event
              FROM public.touchpoints) TO STDOUT (FORMAT csv, NULL '\\N')" >"$csv" ||
    die "could not export the touchpoints"

read -r ncust ntouch < <(sql -F ' ' -c \
    "SELECT count(DISTINCT customer_id), count(*) FROM public.touchpoints")
jsize=$(sql -c "SELECT pg_size_pretty(pg_total_relation_size('cjourney_peers.journeys'))")
tsize=$(sql -c "SELECT pg_size_pretty(pg_total_relation_size('public.touchpoints'))")
server=$(sql -c "SELECT current_setting('server_version')")
extver=$(sql -c "SELECT extversion FROM pg_extension WHERE extname = 'cjourney'")

# --- timing --------------------------------------------------------------------

QUESTIONS=(funnel_in funnel stage_median touches_before touches_7d journey seq_match seq_count next_node floor)
ENGINES=(rows par crows cpar stored spar agg apar sql duckdb clickhouse)
declare -A LABEL=(
    [funnel_in]="funnel, one IN step" [funnel]="funnel, single labels"
    [stage_median]="median time in stage" [touches_before]="touches before purchase"
    [touches_7d]="touches 7d, buy|signup"
    [journey]="journey per customer" [seq_match]="sequence_match, 1-day gate"
    [seq_count]="sequence_count, cart..buy" [next_node]="sequence_next_node"
    [floor]="floor: GROUP BY count(*)"
    [rows]="cj rows" [par]="cj rows 2w" [crows]="rows cust" [cpar]="cust 2w" [stored]="cj stored" [spar]="stored 2w" [agg]="cj agg"
    [apar]="agg 2w" [sql]="plain SQL"
    [duckdb]="DuckDB" [clickhouse]="ClickHouse")
declare -A MS=() ANSWER=() WORKERS=()

# The PostgreSQL queries: "-- name: QUESTION FORM" blocks, one line each.
declare -A PGQ=()
while IFS=$'\t' read -r key query; do
    PGQ[$key]=$query
done < <(awk '/^-- name: / { key = $3 " " $4; q = ""; next }
              key != "" && /^ *--/ { next }
              key != "" { q = q " " $0; if ($0 ~ /; *$/) { sub(/; *$/, "", q); print key "\t" q; key = "" } }' \
    "$peers/postgres.sql")

# time_pg QUESTION ENGINE FORM [SET...]: run the query once for its answer
# (and to warm up), then R times under EXPLAIN (ANALYZE, TIMING OFF); keep
# the best Execution Time and, for parallel plans, the workers launched.
time_pg() {
    local q=$1 engine=$2 query=${PGQ["$1 $3"]:-} set=${4:-} input out i
    [[ -n $query ]] || return 0
    if ! out=$(sql -F ' ' -P null=NULL <<<"$set $query;" 2>"$workdir/pg.err"); then
        ANSWER[$q.$engine]="ERROR: $(sed -n '1{s/^ERROR: *//;p;}' "$workdir/pg.err")"
        return 0
    fi
    ANSWER[$q.$engine]=$(paste -sd ';' <<<"$out")
    input=$set$'\n'
    for ((i = 0; i < runs; i++)); do
        input+="EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $query;"$'\n'
    done
    out=$(sql <<<"$input") || die "query $q ($engine) failed under EXPLAIN"
    MS[$q.$engine]=$(awk '/^Execution Time:/ { if (best == "" || $3 < best) best = $3 }
                          END { printf "%.1f", best }' <<<"$out")
    WORKERS[$q.$engine]=$(awk '/Workers Launched:/ { w = $3 } END { print w }' <<<"$out")
}

# The 2-worker column: parallel costs zeroed (and no table too small for a
# worker) so the planner does choose the parallel plan, as in bench.sh.
PARALLEL="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"
# The "rows cust" columns: the same rows queries over a copy of the
# touchpoints in customer order (a schema first in search_path holds it), as
# after CLUSTER on the customer key: a customer's rows are then together,
# for the hash table's cache and for the split among parallel workers.
sql <<'SQL' || die "could not copy the touchpoints in customer order"
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS cjourney_peers_c CASCADE;
CREATE SCHEMA cjourney_peers_c;
CREATE TABLE cjourney_peers_c.touchpoints AS
    SELECT * FROM public.touchpoints ORDER BY customer_id, occurred_at;
VACUUM (ANALYZE) cjourney_peers_c.touchpoints;
SQL
BY_CUSTOMER="SET search_path = cjourney_peers_c, public;"
for q in "${QUESTIONS[@]}"; do
    echo "postgres: $q" >&2
    time_pg "$q" rows rows
    time_pg "$q" par rows "$PARALLEL"
    time_pg "$q" crows rows "$BY_CUSTOMER"
    time_pg "$q" cpar rows "$BY_CUSTOMER $PARALLEL"
    time_pg "$q" stored stored
    time_pg "$q" spar stored "$PARALLEL"
    time_pg "$q" agg agg
    time_pg "$q" apar agg "$PARALLEL"
    time_pg "$q" sql sql
done

# --- the journey store: refresh after 1% new rows vs a full rebuild -------------

# timed SQL: the statement's time in ms as psql's \timing reports it (one
# statement; client wall time, which for these one-row results is the
# server's plus a round trip)
timed() {
    sql -c '\timing on' -c "$1" | awk '/^Time: / { t = $2 } END { printf "%.1f", t }'
}
echo "postgres: journey store" >&2
declare -A STORE=()
sql >/dev/null <<'SQL' || die "could not set up the journey store bench"
SET client_min_messages = warning;
CREATE TABLE cjourney_peers.store_src AS
    SELECT customer_id, occurred_at, stage, channel, event FROM public.touchpoints;
CREATE INDEX ON cjourney_peers.store_src (customer_id);
CREATE TABLE cjourney_peers.bare_src (LIKE cjourney_peers.store_src);
CREATE INDEX ON cjourney_peers.bare_src (customer_id);
VACUUM (ANALYZE) cjourney_peers.store_src;
SQL
STORE[create]=$(timed "SELECT journey_store_create('cjourney_peers.store', 'cjourney_peers.store_src', 'customer_id',
    'occurred_at', 'stage', 'channel', 'event', stage_type => 'stage')")
sql -c "VACUUM (ANALYZE) cjourney_peers.store"
STORE[refresh_1pct]='' STORE[insert_1pct]='' STORE[insert_bare]=''
for ((i = 1; i <= runs; i++)); do
    # 1% new rows, later than everything stored, on random customers (each
    # run another sample, a year later)
    sql -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS cjourney_peers.new_rows" \
        -c "CREATE TABLE cjourney_peers.new_rows AS
            SELECT customer_id, occurred_at + $i * interval '1 year' AS occurred_at, stage, channel, event
            FROM cjourney_peers.store_src TABLESAMPLE BERNOULLI (1) REPEATABLE ($i)" >/dev/null
    t=$(timed "INSERT INTO cjourney_peers.bare_src SELECT * FROM cjourney_peers.new_rows")
    [[ -n ${STORE[insert_bare]} ]] && (($(awk -v a="$t" -v b="${STORE[insert_bare]}" 'BEGIN { print (a >= b) }'))) || STORE[insert_bare]=$t
    t=$(timed "INSERT INTO cjourney_peers.store_src SELECT * FROM cjourney_peers.new_rows")
    [[ -n ${STORE[insert_1pct]} ]] && (($(awk -v a="$t" -v b="${STORE[insert_1pct]}" 'BEGIN { print (a >= b) }'))) || STORE[insert_1pct]=$t
    t=$(timed "SELECT * FROM journey_store_refresh('cjourney_peers.store')")
    [[ -n ${STORE[refresh_1pct]} ]] && (($(awk -v a="$t" -v b="${STORE[refresh_1pct]}" 'BEGIN { print (a >= b) }'))) || STORE[refresh_1pct]=$t
done
STORE[customers_1pct]=$(sql -c "SELECT count(DISTINCT customer_id) FROM cjourney_peers.new_rows")
STORE[rows_1pct]=$(sql -c "SELECT count(*) FROM cjourney_peers.new_rows")
# 1% new rows from 1% of the customers (the active ones)
sql -c "INSERT INTO cjourney_peers.store_src
        SELECT customer_id, occurred_at + interval '20 years', stage, channel, event
        FROM cjourney_peers.store_src WHERE customer_id % 100 = 42 AND occurred_at < '2100-01-01'" >/dev/null
STORE[refresh_active]=$(timed "SELECT * FROM journey_store_refresh('cjourney_peers.store')")
# 1% late rows (earlier than the stored journeys), random customers: merged too
sql -c "INSERT INTO cjourney_peers.store_src
        SELECT customer_id, occurred_at - interval '30 years', stage, channel, event
        FROM cjourney_peers.store_src TABLESAMPLE BERNOULLI (1) REPEATABLE (99)" >/dev/null
STORE[refresh_late]=$(timed "SELECT * FROM journey_store_refresh('cjourney_peers.store')")
# deletes on 0.1% of the customers: those are rebuilt from the source
sql -c "DELETE FROM cjourney_peers.store_src WHERE customer_id % 1000 = 7 AND event = 'page_view'" >/dev/null
STORE[refresh_delete]=$(timed "SELECT * FROM journey_store_refresh('cjourney_peers.store')")
STORE[refresh_idle]=$(timed "SELECT * FROM journey_store_refresh('cjourney_peers.store')")
STORE[rebuild]=$(timed "SELECT * FROM journey_store_refresh('cjourney_peers.store', rebuild => true)")
STORE[build_sql]=$(timed "CREATE TABLE cjourney_peers.rebuilt AS
    SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS journey
    FROM cjourney_peers.store_src GROUP BY customer_id")
STORE[check]=$(sql -c "SELECT CASE WHEN count(*) = 0 THEN 'OK' ELSE 'MISMATCH (' || count(*) || ' customers)' END
    FROM cjourney_peers.store s FULL JOIN cjourney_peers.rebuilt r USING (customer_id)
    WHERE s.journey IS DISTINCT FROM r.journey")
STORE[size]=$(sql -c "SELECT pg_size_pretty(pg_total_relation_size('cjourney_peers.store'))")
sql -c "SELECT journey_store_drop('cjourney_peers.store')" >/dev/null

# The peers, one process each, one after the other.
for engine in duckdb clickhouse; do
    out=$(node "$peers/run.mjs" --engine "$engine" --modules "$cache/node_modules" \
        --sql "$peers/$engine.sql" --csv "$csv" --workdir "$workdir" \
        --runs "$runs" --threads "$threads") || die "$engine failed"
    while IFS=$'\t' read -r q ms answer; do
        [[ $ms == - ]] || MS[$q.$engine]=$ms
        ANSWER[$q.$engine]=$answer
    done <<<"$out"
    rm -rf "${workdir:?}/chdb" "${workdir:?}/duckdb.tmp"
done

# --- report --------------------------------------------------------------------

# ratio A B: A / B, or "-" when either is missing
ratio() {
    if [[ -n ${1:-} && -n ${2:-} ]]; then
        awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
    else
        echo "-"
    fi
}

# Every engine that answered a question must give the first engine's answer.
declare -A CHECK=()
failed=0
for q in "${QUESTIONS[@]}"; do
    ref="" CHECK[$q]=OK
    for e in "${ENGINES[@]}"; do
        a=${ANSWER[$q.$e]:-}
        [[ -n $a ]] || continue
        if [[ $a == ERROR:* ]]; then
            CHECK[$q]=ERROR
        elif [[ -z $ref ]]; then
            ref=$a
        elif [[ $a != "$ref" && ${CHECK[$q]} == OK ]]; then
            CHECK[$q]=MISMATCH
        fi
    done
    [[ ${CHECK[$q]} == OK ]] || failed=1
done

echo
echo "cjourney peer bench  $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "PostgreSQL $server with cjourney $extver; $(node -p "'DuckDB ' + require('$cache/node_modules/@duckdb/node-api/package.json').version + ', chdb ' + require('$cache/node_modules/chdb/package.json').version"); node $(node --version)"
echo "customers $ncust, touchpoints $ntouch ($tsize in PostgreSQL); stored journeys $jsize, built in $journeys_s s"
echo "ms, best of $runs runs: PostgreSQL EXPLAIN ANALYZE Execution Time (serial unless 2w);"
echo "DuckDB and ClickHouse: wall time of the query in the node process, $threads threads; $(nproc 2>/dev/null || echo '?') CPUs"
echo

fmt='%-26s %9s %10s %9s %9s %9s %9s %9s %9s %9s %9s %10s  %s\n'
# shellcheck disable=SC2059
printf "$fmt" question "${LABEL[rows]}" "${LABEL[par]}" "${LABEL[crows]}" "${LABEL[cpar]}" \
    "${LABEL[stored]}" "${LABEL[spar]}" "${LABEL[agg]}" \
    "${LABEL[apar]}" "${LABEL[sql]}" "${LABEL[duckdb]}" "${LABEL[clickhouse]}" answers
for q in "${QUESTIONS[@]}"; do
    cells=()
    for e in "${ENGINES[@]}"; do
        if [[ ${ANSWER[$q.$e]:-} == ERROR:* ]]; then
            cells+=(error)
        else
            cells+=("${MS[$q.$e]:--}")
        fi
    done
    # shellcheck disable=SC2059
    printf "$fmt" "${LABEL[$q]}" "${cells[@]}" "${CHECK[$q]}"
done

floor=${MS[floor.sql]:-}
echo
echo "ratios (time / time; x floor: over PostgreSQL's GROUP BY floor):"
rfmt='%-26s %9s %10s %9s %9s %9s %10s %11s %9s %10s %9s %10s %9s\n'
# shellcheck disable=SC2059
printf "$rfmt" question "rows/CH" "stored/CH" "st2w/CH" "agg/CH" "agg2w/CH" "rows/Duck" "stored/Duck" "agg/Duck" \
    "rows/SQL" "cust/SQL" "stored/SQL" "rows x fl"
for q in "${QUESTIONS[@]}"; do
    [[ $q == floor ]] && continue
    r=${MS[$q.rows]:-} s=${MS[$q.stored]:-} a=${MS[$q.agg]:-}
    # shellcheck disable=SC2059
    printf "$rfmt" "${LABEL[$q]}" \
        "$(ratio "$r" "${MS[$q.clickhouse]:-}")" "$(ratio "$s" "${MS[$q.clickhouse]:-}")" \
        "$(ratio "${MS[$q.spar]:-}" "${MS[$q.clickhouse]:-}")" \
        "$(ratio "$a" "${MS[$q.clickhouse]:-}")" "$(ratio "${MS[$q.apar]:-}" "${MS[$q.clickhouse]:-}")" \
        "$(ratio "$r" "${MS[$q.duckdb]:-}")" "$(ratio "$s" "${MS[$q.duckdb]:-}")" \
        "$(ratio "$a" "${MS[$q.duckdb]:-}")" \
        "$(ratio "$r" "${MS[$q.sql]:-}")" "$(ratio "${MS[$q.crows]:-}" "${MS[$q.sql]:-}")" \
        "$(ratio "$s" "${MS[$q.sql]:-}")" \
        "$(ratio "$r" "$floor")"
done
echo "floors: PostgreSQL ${floor:--} ms, DuckDB ${MS[floor.duckdb]:--} ms, ClickHouse ${MS[floor.clickhouse]:--} ms"

notes=()
for q in "${QUESTIONS[@]}"; do
    for e in par cpar spar apar; do
        w=${WORKERS[$q.$e]:-}
        [[ -z ${MS[$q.$e]:-} || $w == 2 ]] ||
            notes+=("${LABEL[$q]} (${LABEL[$e]}): the 2-worker plan launched ${w:-no} workers")
    done
done
((${#notes[@]} == 0)) || printf 'note: %s\n' "${notes[@]}"

echo
echo "journey store (cjourney_peers.store over a copy of the touchpoints, ${STORE[size]}; ms; x rebuild: over the full rebuild):"
sfmt='  %-62s %9s %9s\n'
# shellcheck disable=SC2059
{
    printf "$sfmt" "journey_store_create (initial build)" "${STORE[create]}" "$(ratio "${STORE[create]}" "${STORE[rebuild]}")"
    printf "$sfmt" "refresh, 1% new rows (${STORE[rows_1pct]} rows, ${STORE[customers_1pct]} customers; best of $runs)" \
        "${STORE[refresh_1pct]}" "$(ratio "${STORE[refresh_1pct]}" "${STORE[rebuild]}")"
    printf "$sfmt" "refresh, 1% new rows from 1% of the customers" "${STORE[refresh_active]}" \
        "$(ratio "${STORE[refresh_active]}" "${STORE[rebuild]}")"
    printf "$sfmt" "refresh, 1% late rows (earlier than stored), random customers" "${STORE[refresh_late]}" \
        "$(ratio "${STORE[refresh_late]}" "${STORE[rebuild]}")"
    printf "$sfmt" "refresh, deletes on 0.1% of the customers (rebuilt)" "${STORE[refresh_delete]}" \
        "$(ratio "${STORE[refresh_delete]}" "${STORE[rebuild]}")"
    printf "$sfmt" "refresh with nothing queued" "${STORE[refresh_idle]}" "$(ratio "${STORE[refresh_idle]}" "${STORE[rebuild]}")"
    printf "$sfmt" "full rebuild: journey_store_refresh(rebuild => true)" "${STORE[rebuild]}" "1.00"
    printf "$sfmt" "full build in plain SQL: CREATE TABLE AS ... journey_agg" "${STORE[build_sql]}" \
        "$(ratio "${STORE[build_sql]}" "${STORE[rebuild]}")"
    printf "$sfmt" "INSERT of the 1% rows: with the store's trigger" "${STORE[insert_1pct]}" ""
    printf "$sfmt" "INSERT of the 1% rows: the same table without a store" "${STORE[insert_bare]}" ""
    printf '  store after all refreshes equals journey_agg over the rows: %s\n' "${STORE[check]}"
}
[[ ${STORE[check]} == OK ]] || failed=1
echo
echo "answers (funnels: customers at level 1, 2, 3; stage medians in ms; touches: buyers, touches;"
echo "journeys: touches, sum of durations in us, sum of last stage ordinals; floor: customers, touches):"
for q in "${QUESTIONS[@]}"; do
    if [[ ${CHECK[$q]} == OK ]]; then
        for e in "${ENGINES[@]}"; do
            [[ -n ${ANSWER[$q.$e]:-} ]] && break
        done
        printf '  %-26s OK        %s\n' "${LABEL[$q]}" "${ANSWER[$q.$e]}"
    else
        printf '  %-26s %-9s\n' "${LABEL[$q]}" "${CHECK[$q]}"
        for e in "${ENGINES[@]}"; do
            [[ -n ${ANSWER[$q.$e]:-} ]] || continue
            printf '    %-12s %s\n' "${LABEL[$e]}" "${ANSWER[$q.$e]}"
        done
    fi
done

sql -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS cjourney_peers CASCADE" \
    -c "DROP SCHEMA IF EXISTS cjourney_peers_c CASCADE"
if ((failed)); then
    echo "peers.sh: some answers differ or a query failed (see above)" >&2
    exit 3
fi
