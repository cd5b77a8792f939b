#!/usr/bin/env bash
# dump_restore.sh -- journeys and touchpoints survive pg_dump / pg_restore into
# a database whose OID layout differs (stored values carry their stage labels,
# not enum OIDs). Prints TAP.
#
# Source database: the extension, enums sales_stage and support_stage (the
# latter grown with ALTER TYPE ... ADD VALUE, so its OIDs are out of sort
# order), a raw events table, journey/touchpoint tables built from it, btree,
# hash, expression and partial indexes, a generated column, a CHECK and a
# view. Then:
#   pg_dump -Fc | pg_restore --exit-on-error into a database that first got
#   unrelated enums and a table; pg_dump | psql into a third database.
# Checks: COPY output of every table identical, enum OIDs differ, journeys
# re-aggregated from the restored raw rows equal the restored journeys,
# stage lists and furthest stages follow the enums, indexes valid (amcheck)
# and used. Run by scripts/test.sh with a throwaway cluster's PG* env.
set -uo pipefail
export LC_ALL=C

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CJ_LIB=${CJ_LIB:-$CJ_ROOT/scripts/lib.sh}
# shellcheck source=scripts/lib.sh
source "$CJ_LIB" # PG15 tools first in PATH, cj_tmpdir, cj_cleanup

SRC=cj_dump_src_$$
DST=cj_dump_dst_$$
PLAIN=cj_dump_plain_$$
cj_tmpdir dump_restore || exit 1
TMP=$CJ_TMP

cleanup() {
    local db
    for db in "$SRC" "$DST" "$PLAIN"; do
        psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
    done
    cj_cleanup
}
trap cleanup EXIT

# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"

# dst (pg_restore) or plain (pg_dump | psql), for test names
label_of() { if [[ $1 == "$DST" ]]; then echo dst; else echo plain; fi; }

PSQL=(psql -X -v ON_ERROR_STOP=1 -qAt)
q() {
    local db=$1
    shift
    "${PSQL[@]}" -d "$db" "$@"
}

for db in "$SRC" "$DST" "$PLAIN"; do
    q postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" \
        -c "CREATE DATABASE $db" >/dev/null || bail "create database $db"
done

# --- source ----------------------------------------------------------------------

if err=$(q "$SRC" 2>&1 >/dev/null <<'SQL'
CREATE EXTENSION cjourney;
CREATE TYPE sales_stage AS ENUM ('lead', 'mql', 'sql', 'opportunity', 'customer');
CREATE TYPE support_stage AS ENUM ('new', 'closed');
ALTER TYPE support_stage ADD VALUE 'open' BEFORE 'closed';
ALTER TYPE support_stage ADD VALUE 'triage' AFTER 'new';
ALTER TYPE support_stage ADD VALUE 'escalated' BEFORE 'open';
-- support_stage is new < triage < escalated < open < closed

CREATE TABLE raw_events (
    id           int PRIMARY KEY,
    customer_id  int NOT NULL,
    occurred_at  timestamptz NOT NULL,
    life         stage NOT NULL,
    sales        sales_stage NOT NULL,
    support      support_stage NOT NULL,
    channel      text,
    event        text,
    value        numeric
);
INSERT INTO raw_events
SELECT row_number() OVER (ORDER BY c, k), c,
       '2025-01-01 00:00:00+00'::timestamptz + ((c * 37 + k * 101) % 1000) * interval '1 hour'
           + (k % 4) * interval '0.25 seconds' + (c % 3) * interval '1 microsecond',
       (enum_range(NULL::stage))[1 + (c + k) % 5],
       (enum_range(NULL::sales_stage))[1 + (c * k) % 5],
       (enum_range(NULL::support_stage))[1 + (c + 2 * k) % 5],
       (ARRAY['web', 'email', 'store', 'a b', 'x"y', 'NULL', '', 'café'])[1 + (c + k) % 8],
       CASE WHEN k % 4 = 0 THEN NULL ELSE 'ev' || (c * k) % 9 END,
       CASE WHEN k % 3 = 0 THEN round((c * k)::numeric / 7, k % 4) END
FROM generate_series(1, 300) c, generate_series(1, 1 + c % 9) k;

CREATE TABLE journeys (
    customer_id  int PRIMARY KEY,
    j            journey NOT NULL CHECK (journey_length(j) > 0),
    j_sales      journey NOT NULL,
    j_support    journey NOT NULL,
    n            int GENERATED ALWAYS AS (journey_length(j)) STORED
);
INSERT INTO journeys (customer_id, j, j_sales, j_support)
SELECT customer_id,
       journey_agg(touchpoint(occurred_at, life, channel, event, value)),
       journey_agg(touchpoint(occurred_at, sales, channel, event, value)),
       journey_agg(occurred_at, support, channel, event)
FROM raw_events GROUP BY customer_id;

CREATE TABLE touchpoints (
    id           int PRIMARY KEY REFERENCES raw_events,
    tp           touchpoint NOT NULL,
    tp_sales     touchpoint NOT NULL,
    tp_support   touchpoint
);
INSERT INTO touchpoints
SELECT id, touchpoint(occurred_at, life, channel, event, value),
       touchpoint(occurred_at, sales, channel, event, value),
       CASE WHEN id % 10 <> 0 THEN touchpoint(occurred_at, support, channel, NULL) END
FROM raw_events;

-- values that are not aggregates: empty, literal custom lists
CREATE TABLE literals (id int PRIMARY KEY, j journey, t touchpoint);
INSERT INTO literals VALUES
 (1, '{}', '2025-03-01T09:00:00Z awareness web NULL'),
 (2, '[lead<mql<sql<opportunity<customer] {}', '[lead<mql<sql<opportunity<customer] 2025-03-01T09:00:00.000001Z customer crm won 1.00'),
 (3, '["x y"<"a<b"<NULL] {0001-01-01T00:00:00Z "x y" "" "NULL" -1e-30; 9999-12-31T23:59:59.999999Z "NULL" a b 1e30}', NULL),
 (4, NULL, NULL);

CREATE INDEX journeys_j_btree ON journeys USING btree (j journey_ops);
CREATE INDEX journeys_sales_btree ON journeys (j_sales);
CREATE INDEX journeys_support_hash ON journeys USING hash (j_support journey_hash_ops);
CREATE INDEX journeys_sales_hash ON journeys USING hash (j_sales);
CREATE INDEX journeys_furthest ON journeys (journey_furthest_stage(j_sales));
CREATE INDEX journeys_won ON journeys (customer_id) WHERE j_sales @> 'customer'::sales_stage;
CREATE INDEX touchpoints_sales_btree ON touchpoints (tp_sales);
CREATE INDEX touchpoints_hash ON touchpoints USING hash (tp);

CREATE VIEW furthest AS
SELECT customer_id, journey_furthest_stage(j) AS life, journey_furthest_stage(j_sales) AS sales,
       journey_furthest_stage(j_support) AS support, journey_stages(j_support) AS support_stages,
       j_sales @> 'opportunity'::sales_stage AS opp
FROM journeys;
ANALYZE;
SQL
); then
    ok "source database: $(q "$SRC" -c 'SELECT count(*) FROM raw_events') raw rows, $(q "$SRC" -c 'SELECT count(*) FROM journeys') journeys"
else
    bail "source database" "$err"
fi

# --- dump, then restore into a database with a different OID layout -----------------

if err=$(pg_dump -Fc -d "$SRC" -f "$TMP/src.dump" 2>&1); then
    ok "pg_dump -Fc"
else
    not_ok "pg_dump -Fc" "$err"
fi

# unrelated objects first, so every OID in the restored database is different
if err=$(q "$DST" 2>&1 >/dev/null <<'SQL'
DO $$ BEGIN
    FOR i IN 1..8 LOOP
        EXECUTE format('CREATE TYPE unrelated_%s AS ENUM (''x'', ''y'', ''z'')', i);
    END LOOP;
END $$;
CREATE TABLE dummy (id serial PRIMARY KEY, note text, u unrelated_3);
INSERT INTO dummy (note, u) SELECT 'n' || i, 'y' FROM generate_series(1, 100) i;
CREATE INDEX ON dummy (u);
SQL
); then
    ok "target database: unrelated enums and a table created first"
else
    not_ok "target database: unrelated enums and a table created first" "$err"
fi

err=$(pg_restore --exit-on-error -d "$DST" "$TMP/src.dump" 2>&1)
rc=$?
if ((rc == 0)) && [[ -z $err ]]; then
    ok "pg_restore --exit-on-error succeeds without messages"
else
    not_ok "pg_restore --exit-on-error succeeds without messages" "exit status $rc" "$err"
fi

# plain format through psql
err=$( (pg_dump -d "$SRC" | psql -X -v ON_ERROR_STOP=1 -q -d "$PLAIN" >/dev/null) 2>&1)
rc=$?
if ((rc == 0)) && [[ -z $err ]]; then
    ok "pg_dump (plain) | psql succeeds without messages"
else
    not_ok "pg_dump (plain) | psql succeeds without messages" "exit status $rc" "$err"
fi

# --- identical data ----------------------------------------------------------------

tables=(raw_events journeys touchpoints literals furthest)
declare -A key=([raw_events]=id [journeys]=customer_id [touchpoints]=id [literals]=id [furthest]=customer_id)
for t in "${tables[@]}"; do
    sql="COPY (SELECT * FROM $t ORDER BY ${key[$t]}) TO STDOUT"
    src_out=$(q "$SRC" -c "$sql")
    for db in "$DST" "$PLAIN"; do
        label=$(label_of "$db")
        dst_out=$(q "$db" -c "$sql" 2>&1)
        if [[ -n $src_out && $dst_out == "$src_out" ]]; then
            ok "$label: text of every row of $t equals the source's"
        else
            not_ok "$label: text of every row of $t equals the source's" \
                "$(diff <(echo "$src_out") <(echo "$dst_out") | head -n 10)"
        fi
    done
    # binary COPY too: the send format of every value is identical
    sql="COPY (SELECT * FROM $t ORDER BY ${key[$t]}) TO STDOUT (FORMAT binary)"
    is "$(q "$DST" -c "$sql" | md5sum)" "$(q "$SRC" -c "$sql" | md5sum)" \
        "dst: binary COPY of $t equals the source's"
done

# --- the OID layout really changed ---------------------------------------------------

oids() {
    q "$1" -c "SELECT string_agg(x, ' ' ORDER BY x) FROM (
        SELECT t.oid::text AS x FROM pg_type t WHERE t.typname IN ('stage', 'sales_stage', 'support_stage', 'journey', 'touchpoint')
        UNION ALL SELECT e.oid::text FROM pg_enum e
        WHERE e.enumtypid IN ('stage'::regtype, 'sales_stage'::regtype, 'support_stage'::regtype)) s"
}
src_oids=$(oids "$SRC")
dst_oids=$(oids "$DST")
common=$(comm -12 <(tr ' ' '\n' <<<"$src_oids" | sort) <(tr ' ' '\n' <<<"$dst_oids" | sort) | tr '\n' ' ')
if [[ -n $src_oids && -n $dst_oids && $(wc -w <<<"$dst_oids") -eq 20 && -z $common ]]; then
    ok "dst: no type or enum value OID is the same as in the source (20 compared)"
else
    not_ok "dst: no type or enum value OID is the same as in the source" \
        "source: $src_oids" "dst: $dst_oids" "common: $common"
fi
# support_stage's OIDs were out of sort order in the source, in order after restore
is "$(q "$SRC" -c "SELECT array_agg(enumlabel ORDER BY enumsortorder) = array_agg(enumlabel ORDER BY oid)
                   FROM pg_enum WHERE enumtypid = 'support_stage'::regtype")|$(
    q "$DST" -c "SELECT array_agg(enumlabel ORDER BY enumsortorder)::text FROM pg_enum WHERE enumtypid = 'support_stage'::regtype")" \
    "f|{new,triage,escalated,open,closed}" "support_stage: odd OID order in the source, same labels and order in dst"

# --- re-aggregation in the restored database ---------------------------------------

for db in "$DST" "$PLAIN"; do
    label=$(label_of "$db")
    is "$(q "$db" -c "
        WITH again AS (
            SELECT customer_id,
                   journey_agg(touchpoint(occurred_at, life, channel, event, value)) AS j,
                   journey_agg(touchpoint(occurred_at, sales, channel, event, value)) AS j_sales,
                   journey_agg(occurred_at, support, channel, event) AS j_support
            FROM raw_events GROUP BY customer_id)
        SELECT count(*) || '|' ||
               count(*) FILTER (WHERE a.j = r.j AND a.j_sales = r.j_sales AND a.j_support = r.j_support
                                AND a.j::text = r.j::text AND a.j_sales::text = r.j_sales::text
                                AND a.j_support::text = r.j_support::text)
        FROM again a FULL JOIN journeys r USING (customer_id)")" \
        "300|300" "$label: journeys re-aggregated from the restored raw rows equal the restored ones"
    is "$(q "$db" -c "
        SELECT count(*) FILTER (WHERE t.tp = touchpoint(r.occurred_at, r.life, r.channel, r.event, r.value)
                                  AND t.tp_sales = touchpoint(r.occurred_at, r.sales, r.channel, r.event, r.value))
               || '|' || count(*)
        FROM touchpoints t JOIN raw_events r USING (id)")" \
        "$(q "$SRC" -c "SELECT count(*) || '|' || count(*) FROM raw_events")" \
        "$label: touchpoints rebuilt from the restored raw rows equal the restored ones"
done

# --- enum order and labels ---------------------------------------------------------

is "$(q "$DST" -c "
    SELECT count(*) FILTER (WHERE journey_stage_list(j_sales) = enum_range(NULL::sales_stage)::text[]
                              AND journey_stage_list(j_support) = enum_range(NULL::support_stage)::text[]
                              AND journey_stage_list(j) = enum_range(NULL::stage)::text[])
           || '|' || count(*) FROM journeys")" "300|300" \
    "dst: journey_stage_list matches the restored enums, in their order"
is "$(q "$DST" -c "SELECT DISTINCT journey_stage_list(j_support)::text FROM journeys")" \
    "{new,triage,escalated,open,closed}" "dst: support_stage list in ADD VALUE order"
furthest_sql="SELECT customer_id || ' ' || journey_furthest_stage(j_sales) || ' ' || journey_furthest_stage(j_support)
              || ' ' || journey_furthest_stage(j) FROM journeys ORDER BY customer_id"
is "$(q "$DST" -c "$furthest_sql" | md5sum)" "$(q "$SRC" -c "$furthest_sql" | md5sum)" \
    "dst: journey_furthest_stage of every journey equals the source's"
is "$(q "$DST" -c "
    SELECT count(*) FILTER (WHERE journey_furthest_stage(j.j_sales) = m.sales::text
                              AND journey_furthest_stage(j.j_support) = m.support::text) || '|' || count(*)
    FROM journeys j JOIN (SELECT customer_id, max(sales) AS sales, max(support) AS support
                          FROM raw_events GROUP BY customer_id) m USING (customer_id)")" "300|300" \
    "dst: journey_furthest_stage equals max() of the restored enum columns"
is "$(q "$DST" -c "SELECT count(*) FROM journeys WHERE j_sales @> 'customer'::sales_stage")" \
    "$(q "$SRC" -c "SELECT count(*) FROM journeys WHERE j_sales @> 'customer'::sales_stage")" \
    "dst: @> with a restored enum value finds the same journeys"
is "$(q "$DST" -c "SELECT journey_stage_list(j)::text || ' ' || journey_furthest_stage(j) FROM literals WHERE id = 3")" \
    '{"x y",a<b,"NULL"} NULL' "dst: a literal custom stage list with quoted labels survives"

# --- indexes -----------------------------------------------------------------------

idx_sql="SELECT string_agg(c.relname || ':' || i.indisvalid || ':' || i.indisready, ' ' ORDER BY c.relname)
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid IN ('journeys'::regclass, 'touchpoints'::regclass)"
is "$(q "$DST" -c "$idx_sql")" "$(q "$SRC" -c "$idx_sql")" "dst: same indexes, all valid and ready"

if amcheck=$(q "$DST" 2>&1 <<'SQL'
CREATE EXTENSION IF NOT EXISTS amcheck;
SELECT count(*) FROM (
    SELECT bt_index_check(c.oid, true)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
    WHERE a.amname = 'btree' AND i.indrelid IN ('journeys'::regclass, 'touchpoints'::regclass)) s;
DROP EXTENSION amcheck;
SQL
); then
    is "$amcheck" "7" "dst: amcheck bt_index_check (heapallindexed) passes on the 7 btree indexes"
else
    not_ok "dst: amcheck bt_index_check (heapallindexed) passes on the 7 btree indexes" "$amcheck"
fi

# index_used DB INDEX QUERY: EXPLAIN of QUERY (seqscan off) mentions INDEX
index_used() {
    q "$1" -c "SET enable_seqscan = off" -c "EXPLAIN (COSTS OFF) $3" | grep -q "$2"
}
probe_j=$(q "$SRC" -c "SELECT j FROM journeys WHERE customer_id = 17")
probe_sales=$(q "$SRC" -c "SELECT j_sales FROM journeys WHERE customer_id = 123")
probe_support=$(q "$SRC" -c "SELECT j_support FROM journeys WHERE customer_id = 250")
probe_tp=$(q "$SRC" -c "SELECT tp_sales FROM touchpoints WHERE id = 400")
probe_tph=$(q "$SRC" -c "SELECT tp FROM touchpoints WHERE id = 777")
checks=(
    "journeys_j_btree|SELECT customer_id FROM journeys WHERE j = '${probe_j//\'/\'\'}'"
    "journeys_j_btree|SELECT count(*) FROM journeys WHERE j < '${probe_j//\'/\'\'}'"
    "journeys_sales_btree|SELECT count(*) FROM journeys WHERE j_sales >= '${probe_sales//\'/\'\'}'"
    "journeys_support_hash|SELECT customer_id FROM journeys WHERE j_support = '${probe_support//\'/\'\'}'"
    "journeys_furthest|SELECT count(*) FROM journeys WHERE journey_furthest_stage(j_sales) = 'opportunity'"
    "journeys_won|SELECT count(*) FROM journeys WHERE j_sales @> 'customer'::sales_stage AND customer_id < 100"
    "touchpoints_sales_btree|SELECT id FROM touchpoints WHERE tp_sales = '${probe_tp//\'/\'\'}' ORDER BY id"
    "touchpoints_hash|SELECT id FROM touchpoints WHERE tp = '${probe_tph//\'/\'\'}' ORDER BY id"
)
for c in "${checks[@]}"; do
    idx=${c%%|*}
    sql=${c#*|}
    if index_used "$DST" "$idx" "$sql"; then
        ok "dst: $idx is used with enable_seqscan = off"
    else
        not_ok "dst: $idx is used with enable_seqscan = off" \
            "$(q "$DST" -c "SET enable_seqscan = off" -c "EXPLAIN (COSTS OFF) $sql" 2>&1)"
    fi
    want=$(q "$SRC" -c "SET enable_indexscan = off" -c "SET enable_bitmapscan = off" -c "$sql")
    got=$(q "$DST" -c "SET enable_seqscan = off" -c "$sql")
    if [[ -n $want && $got == "$want" ]]; then
        ok "dst: $idx finds what a sequential scan of the source finds (${want//$'\n'/,})"
    else
        not_ok "dst: $idx finds what a sequential scan of the source finds" "got: $got" "want: $want"
    fi
done

# every journey is found through each hash index (nested loop over index probes)
for pair in "journeys_support_hash j_support" "journeys_sales_hash j_sales"; do
    read -r idx col <<<"$pair"
    plan=$(q "$DST" -c "SET enable_seqscan = off" -c "SET enable_hashjoin = off" -c "SET enable_mergejoin = off" \
        -c "SET enable_bitmapscan = off" -c "SET enable_indexscan = on" \
        -c "EXPLAIN (COSTS OFF) SELECT count(*) FROM journeys a, LATERAL (SELECT 1 FROM journeys b WHERE b.$col = a.$col LIMIT 1) x")
    got=$(q "$DST" -c "SET enable_seqscan = off" -c "SET enable_hashjoin = off" -c "SET enable_mergejoin = off" \
        -c "SET enable_bitmapscan = off" \
        -c "SELECT count(*) FROM journeys a, LATERAL (SELECT 1 FROM journeys b WHERE b.$col = a.$col LIMIT 1) x")
    if [[ $plan == *"$idx"* && $got == 300 ]]; then
        ok "dst: each of the 300 journeys is found by $idx"
    else
        not_ok "dst: each of the 300 journeys is found by $idx" "count: $got" "$plan"
    fi
done

echo "1..$N"
