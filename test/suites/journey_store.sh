#!/usr/bin/env bash
# journey_store.sh -- the journey store (journey_store_create, _refresh,
# _schedule, _drop) stays exactly equal to journey_agg over the raw rows.
#
# Three sources of different shapes (bigint key with an enum stage column,
# uuid key with a text stage column, text key with odd column names, no
# channel), each put through random rounds of inserts (new customers, later
# rows, late and out-of-order rows, rows at an existing instant, NULL keys
# and times), updates (stage, time, key) and deletes, with refreshes in
# between; after every refresh the store must equal journey_agg over the raw
# rows for every customer (a FULL JOIN, both ways), and a re-run must change
# nothing.  Then the concurrency contract: inserts committed by other
# sessions while refreshes run (including a transaction that began before a
# refresh and commits after it) are neither lost nor counted twice;
# overlapping refreshes wait for each other (wait => false returns NULLs);
# TRUNCATE of the source empties the store.  Last, the pg_cron job's
# command and journey_store_drop.  Prints TAP.
#
# Env: CJ_STORE_ROUNDS (default 12).
set -uo pipefail
export LC_ALL=C

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CJ_LIB=${CJ_LIB:-$CJ_ROOT/scripts/lib.sh}
# shellcheck source=scripts/lib.sh
source "$CJ_LIB"
# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"

ROUNDS=${CJ_STORE_ROUNDS:-12}
DB=cj_store_$$
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
    cj_cleanup
}
trap cleanup EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
psql -X -q -d postgres -c "CREATE DATABASE $DB" || bail "create database $DB"

q >/dev/null <<'SQL' || bail "set up the sources"
CREATE EXTENSION cjourney;
CREATE SCHEMA crm;
CREATE TYPE crm.lifecycle AS ENUM ('lead', 'mql', 'sql', 'won', 'churned');
-- 1: bigint key, enum stage column
CREATE TABLE crm.touches (customer_id bigint, occurred_at timestamptz, stage crm.lifecycle,
    channel text, event text);
CREATE INDEX ON crm.touches (customer_id);
-- 2: uuid key, text stage column cast to the built-in stage enum
CREATE TABLE crm.events (account uuid, ts timestamptz, lifecycle_stage text, src varchar(20), kind text);
CREATE INDEX ON crm.events (account);
-- 3: text key, mixed-case names, no channel, no index
CREATE TABLE "Odd Source" ("Who" text, "When" timestamptz, "Stage" text, "What" text);

-- random rows: n rows for keys 1..nkeys, times around a base (late when base is early)
CREATE FUNCTION gen(n int, nkeys int, base timestamptz)
RETURNS TABLE (k int, t timestamptz, s int, ch text, ev text) LANGUAGE sql VOLATILE AS $$
    SELECT 1 + (random() * (nkeys - 1))::int,
           CASE WHEN random() < 0.02 THEN NULL
                ELSE base + (random() * 1000)::int * interval '1 minute' END,
           (random() * 4)::int,
           (ARRAY['web', 'email', 'ads', NULL])[1 + (random() * 3)::int],
           (ARRAY['view', 'signup', 'purchase', NULL])[1 + (random() * 3)::int]
    FROM generate_series(1, n)
$$;
CREATE FUNCTION ins(n int, nkeys int, base timestamptz) RETURNS void LANGUAGE sql VOLATILE AS $$
    INSERT INTO crm.touches SELECT CASE WHEN random() < 0.01 THEN NULL ELSE k END, t,
        (enum_range(NULL::crm.lifecycle))[1 + s], ch, ev FROM gen(n, nkeys, base);
    INSERT INTO crm.events SELECT md5(k::text)::uuid, t, (enum_range(NULL::stage))[1 + s]::text, ch, ev
        FROM gen(n, nkeys, base);
    INSERT INTO "Odd Source" SELECT 'c' || k, t, (enum_range(NULL::stage))[1 + s]::text, ev
        FROM gen(n, nkeys, base);
$$;
-- the raw truth for each store
CREATE VIEW truth1 AS SELECT customer_id AS k, journey_agg(occurred_at, stage, channel, event) AS j
    FROM crm.touches WHERE customer_id IS NOT NULL GROUP BY 1;
CREATE VIEW truth2 AS SELECT account AS k, journey_agg(ts, lifecycle_stage::stage, src::text, kind) AS j
    FROM crm.events WHERE account IS NOT NULL GROUP BY 1;
CREATE VIEW truth3 AS SELECT "Who" AS k, journey_agg("When", "Stage"::stage, NULL::text, "What") AS j
    FROM "Odd Source" WHERE "Who" IS NOT NULL GROUP BY 1;
SELECT setseed(0.18);
SELECT ins(3000, 300, '2026-03-01');
SQL
ok "three sources of different shapes"

is "$(q -c "SELECT journey_store_create('crm.j1', 'crm.touches', 'customer_id', 'occurred_at', 'stage', 'channel', 'event') > 0,
            journey_store_create('crm.j2', 'crm.events', 'account', 'ts', 'lifecycle_stage', 'src', 'kind', stage_type => 'stage') > 0,
            journey_store_create('\"Odd Store\"', '\"Odd Source\"', 'Who', 'When', 'Stage', event_column => 'What', stage_type => 'stage') > 0")" \
    "t|t|t" "journey_store_create builds bigint, uuid and text keyed stores"

# differences between a store and its truth (0 when equal), as text too
diff_sql() {
    echo "SELECT count(*) FROM $1 s FULL JOIN $2 r ON r.k = s.$3
          WHERE s.journey IS DISTINCT FROM r.j OR s.journey::text IS DISTINCT FROM r.j::text
             OR (r.j IS NULL AND s.journey IS NOT NULL)"
}
check_all() {
    local what=$1 got
    got=$(q -c "$(diff_sql crm.j1 truth1 customer_id)" -c "$(diff_sql crm.j2 truth2 account)" \
        -c "$(diff_sql '"Odd Store"' truth3 '"Who"')" | tr '\n' ' ')
    is "$got" "0 0 0 " "$what: every store equals journey_agg over the raw rows"
}
refresh_all() {
    q -c "SELECT (journey_store_refresh('crm.j1')).*" -c "SELECT (journey_store_refresh('crm.j2')).*" \
        -c "SELECT (journey_store_refresh('\"Odd Store\"')).*"
}
check_all "initial build"
is "$(q -c "SELECT count(*) FROM crm.j1")" "$(q -c "SELECT count(*) FROM truth1")" "one row per customer"

# insert-only: merged, not rebuilt
q -c "SELECT ins(200, 320, '2026-04-01')" >/dev/null
is "$(q -c "SELECT merged > 0, rebuilt, removed FROM journey_store_refresh('crm.j1')")" "t|0|0" \
    "inserts (later rows and new customers) are merged, no customer rebuilt"
q -c "SELECT ins(200, 300, '2025-01-01')" >/dev/null
is "$(q -c "SELECT merged > 0, rebuilt, removed FROM journey_store_refresh('crm.j1')")" "t|0|0" \
    "late rows are merged too (journey_merge is exact in any time order)"
refresh_all >/dev/null
check_all "after merged inserts"
is "$(q -c "SELECT merged, rebuilt, removed, queued FROM journey_store_refresh('crm.j1')")" "0|0|0|0" \
    "a re-run finds nothing to do"

# random rounds of inserts, updates, deletes
for r in $(seq 1 "$ROUNDS"); do
    q >/dev/null <<SQL || not_ok "round $r statements"
SELECT setseed($r / 100.0);
SELECT ins((random() * 300)::int, 340, '2026-03-01'::timestamptz + (random() * 60 - 40) * interval '1 day');
-- duplicates of existing rows (same instant, same everything)
INSERT INTO crm.touches SELECT * FROM crm.touches WHERE random() < 0.01;
INSERT INTO crm.events SELECT * FROM crm.events WHERE random() < 0.01;
UPDATE crm.touches SET stage = 'won' WHERE random() < 0.01;
UPDATE crm.touches SET occurred_at = occurred_at - interval '30 days' WHERE random() < 0.005;
UPDATE crm.touches SET customer_id = customer_id + 1 WHERE random() < 0.003;
UPDATE crm.events SET lifecycle_stage = 'advocacy' WHERE random() < 0.01;
UPDATE "Odd Source" SET "Who" = 'c' || (1 + (random() * 50)::int) WHERE random() < 0.01;
DELETE FROM crm.touches WHERE random() < 0.02;
DELETE FROM crm.touches WHERE customer_id = (SELECT min(customer_id) + $r FROM crm.touches);
DELETE FROM crm.events WHERE random() < 0.02;
DELETE FROM "Odd Source" WHERE random() < 0.02;
SQL
    if ((r % 3 != 0)); then
        refresh_all >/dev/null || not_ok "round $r refresh"
        check_all "round $r"
    fi
done
refresh_all >/dev/null
check_all "after $ROUNDS random rounds"

# a full rebuild gives the same store, and is idempotent
before=$(q -c "SELECT md5(string_agg(customer_id || ':' || journey::text, ',' ORDER BY customer_id)) FROM crm.j1")
q -c "SELECT journey_store_refresh('crm.j1', rebuild => true)" >/dev/null
is "$(q -c "SELECT md5(string_agg(customer_id || ':' || journey::text, ',' ORDER BY customer_id)) FROM crm.j1")" \
    "$before" "rebuild => true gives the same store as the incremental refreshes"

# rows in a transaction that rolls back never reach the store
q -c "BEGIN; SELECT ins(100, 400, '2026-05-01'); ROLLBACK;" >/dev/null
is "$(q -c "SELECT queued FROM journey_store_refresh('crm.j1')")" "0" "a rolled-back insert queues nothing"

# --- concurrency ---------------------------------------------------------
# writers: 2 sessions inserting small batches in their own transactions for a while
for w in 1 2; do
    (for i in $(seq 1 40); do
        q -c "SELECT ins(20, 360, '2026-03-15'::timestamptz + $i * interval '1 hour')" >/dev/null 2>&1
    done) &
    PIDS+=($!)
done
# a long transaction that began before refreshes and commits after some of them
(q -c "BEGIN; SELECT ins(50, 360, '2026-02-01'); SELECT pg_sleep(3); COMMIT;" >/dev/null 2>&1) &
PIDS+=($!)
# a deleter
(for i in $(seq 1 10); do
    q -c "DELETE FROM crm.touches WHERE customer_id = 5 + $i; UPDATE crm.events SET ts = ts + interval '1 s' WHERE random() < 0.01" >/dev/null 2>&1
    sleep 0.2
done) &
PIDS+=($!)
# two refreshers racing each other while the writers run
fails=0
for f in 1 2; do
    (for i in $(seq 1 15); do refresh_all >/dev/null || exit 1; done) &
    PIDS+=($!)
done
for p in "${PIDS[@]}"; do wait "$p" || fails=$((fails + 1)); done
PIDS=()
is "$fails" "0" "concurrent writers, a long transaction and two racing refreshers all succeed"
refresh_all >/dev/null
check_all "after concurrent inserts, deletes and refreshes"

# wait => false while another refresh holds the lock: NULLs; wait => true waits
q -c "SELECT ins(30, 300, '2026-06-01')" >/dev/null
(q -c "BEGIN; SELECT journey_store_refresh('crm.j1'); SELECT pg_sleep(2); COMMIT;" >/dev/null 2>&1) &
holder=$!
sleep 0.7
is "$(q -c "SELECT merged IS NULL AND rebuilt IS NULL AND queued IS NULL FROM journey_store_refresh('crm.j1', wait => false)")" \
    "t" "wait => false returns NULLs while another refresh of the store runs"
is "$(q -c "SELECT queued FROM journey_store_refresh('crm.j1')")" "0" \
    "wait => true waits for it, then finds its work done"
wait "$holder"
refresh_all >/dev/null
check_all "after overlapping refreshes"

# TRUNCATE empties the store and the queue with the source
q -c "SELECT ins(10, 300, '2026-07-01'); TRUNCATE \"Odd Source\"" >/dev/null
is "$(q -c "SELECT count(*) FROM \"Odd Store\"")|$(q -c "SELECT count(*) FROM \"Odd Store_queue\"")" "0|0" \
    "TRUNCATE of the source empties its store and queue"
q -c "SELECT ins(50, 300, '2026-07-02')" >/dev/null
refresh_all >/dev/null
check_all "after TRUNCATE and new rows"

# errors
err() { q -c "$1" 2>&1 | head -1; }
is "$(err "SELECT journey_store_create('x', 'crm.touches', 'nope', 'occurred_at', 'stage')")" \
    'ERROR:  column "nope" does not exist in crm.touches' "a missing key column is a clear error"
is "$(err "SELECT journey_store_create('x', 'crm.events', 'account', 'ts', 'lifecycle_stage')")" \
    'ERROR:  stage column "lifecycle_stage" is not an enum and no stage_type was given' "a text stage needs stage_type"
is "$(q -c "SELECT journey_store_create('x', 'crm.touches', 'customer_id', 'channel', 'stage')" 2>&1 | head -1)" \
    'ERROR:  time column "channel" of crm.touches is missing or not timestamptz' "the time column must be timestamptz"
is "$(err "SELECT journey_store_refresh('crm.touches')")" 'ERROR:  crm.touches is not a journey store' \
    "refresh of a table that is not a store"
is "$(q -c "SELECT count(*) FROM pg_class WHERE relname = 'x'")" "0" "a failed create leaves nothing behind"

# pg_cron: the job command (pg_cron may not be installable here: then skip)
if q -c "CREATE EXTENSION IF NOT EXISTS pg_cron" >/dev/null 2>&1; then
    q -c "SELECT journey_store_schedule('crm.j1', '*/5 * * * *')" >/dev/null
    is "$(q -c "SELECT jobname, schedule, command FROM cron.job")" \
        "journey_store crm.j1|*/5 * * * *|SELECT * FROM public.journey_store_refresh('crm.j1'::regclass, wait => false)" \
        "journey_store_schedule makes one pg_cron job"
    q -c "SELECT journey_store_schedule('crm.j1')" >/dev/null
    is "$(q -c "SELECT count(*), min(schedule) FROM cron.job")" "1|* * * * *" "scheduling again replaces the job"
    q -c "$(q -c "SELECT command FROM cron.job")" >/dev/null && ok "the job's command runs" || not_ok "the job's command runs"
else
    ok "# SKIP pg_cron not available in this cluster"
fi

# drop: triggers, tables, cron job
q -c "SELECT journey_store_drop('crm.j1')" >/dev/null
is "$(q -c "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'crm.touches'::regclass")|$(q -c "SELECT count(*) FROM pg_class WHERE relname LIKE 'j1%'")" \
    "0|0" "journey_store_drop removes the triggers and the tables"
if q -c "SELECT 1 FROM pg_extension WHERE extname = 'pg_cron'" | grep -q 1; then
    is "$(q -c "SELECT count(*) FROM cron.job")" "0" "and the pg_cron job"
fi
q -c "INSERT INTO crm.touches VALUES (1, now(), 'lead', 'web', 'view')" >/dev/null &&
    ok "the source takes inserts after the drop" || not_ok "the source takes inserts after the drop"

echo "1..$N"
