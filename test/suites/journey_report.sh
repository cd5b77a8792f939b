#!/usr/bin/env bash
# journey_report.sh -- the visual journey report (scripts/journey_report.sh)
# in a real browser, and its numbers against SQL. Prints TAP.
#
# Loads the sample data (10,000 customers) into a database of its own and
# writes the report twice:
#   1. the sample data, connecting with a connection string;
#   2. a CRM-style copy of the same rows, shuffled, with a uuid key, a
#      timestamp without time zone, varchar stages of a lifecycle of its own
#      given with --stages (lead .. customer), the segment and a boolean
#      campaign flag on the rows themselves, through the libpq environment
#      and with forced parallel plans.
# Each page is opened in headless Chromium (Debian's chromium, driven by
# puppeteer-core from npm over a pipe) with host names unresolvable and a
# proxy to nowhere: no console error, no network request, every chart an
# ECharts instance with data on a canvas that is not blank
# (test/lib/report_browser.mjs). The JSON document the page parsed is then
# compared with a second run of the report's SQL (--json), with plain SQL
# over the rows (test/lib/journey_report_checks.sql), and the CRM copy's
# with the sample's (same customers, same numbers). A third report of the
# CRM copy with only the required columns (no segment, revenue or campaign)
# has no lift chart and the CRM report's overall numbers. Also: a stage
# outside the --stages list, and a missing column, are clear errors.
#
# The first run installs puppeteer-core (and the report installs echarts)
# with npm into $CJ_REPORT_CACHE (default ~/.cache/cjourney-report), outside
# the repository, and chromium with apt when missing. The full-page
# screenshot is left in $CJ_SUITE_TMP; with CJ_UPDATE_DOCS=1 the top of it
# is also written to docs/journey_report.png (the README's picture).
set -uo pipefail
export LC_ALL=C

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"
# shellcheck source=scripts/lib.sh
source "$CJ_ROOT/scripts/lib.sh"

PUPPETEER_PKG=puppeteer-core@25.16.0
CACHE=${CJ_REPORT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cjourney-report}
export CJ_REPORT_CACHE=$CACHE
WORK=${CJ_SUITE_TMP:-$(mktemp -d)}
mkdir -p "$WORK"
DB=cj_journey_report_$$
PSQL=(psql -X -v ON_ERROR_STOP=1 -qAt)
CHARTS=journey,reached,funnel,funnel-segments,stage-time,retention,attribution,lift

suite_cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
    cj_cleanup
}
trap suite_cleanup EXIT

# --- tools: chromium, node, npm, puppeteer-core ---------------------------------
pkgs=()
command -v chromium >/dev/null || pkgs+=(chromium)
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)
if ((${#pkgs[@]})) && ! cj_install_packages "${pkgs[@]}" >"$WORK/apt.log" 2>&1; then
    bail "install ${pkgs[*]}" "$(tail -n 5 "$WORK/apt.log")"
fi
CHROMIUM=$(command -v chromium)
if [[ ! -f $CACHE/node_modules/puppeteer-core/package.json ]]; then
    mkdir -p "$CACHE"
    [[ -f $CACHE/package.json ]] || echo '{"name": "cjourney-report-deps", "private": true}' >"$CACHE/package.json"
    if ! npm install --prefix "$CACHE" --no-audit --no-fund --ignore-scripts "$PUPPETEER_PKG" \
        >"$CACHE/npm-install.log" 2>&1; then
        bail "npm install $PUPPETEER_PKG into $CACHE" "$(tail -n 10 "$CACHE/npm-install.log")"
    fi
fi
ok "chromium ($("$CHROMIUM" --version 2>/dev/null | head -n 1)) and puppeteer-core in $CACHE"

# --- the database ---------------------------------------------------------------
if ! err=$({
    "${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" &&
        "${PSQL[@]}" -d "$DB" -c "CREATE EXTENSION cjourney" &&
        PGDATABASE=$DB bash "$CJ_ROOT/data/load.sh" --customers 10000
} 2>&1); then
    bail "database $DB with cjourney and the sample data" "$err"
fi
ok "sample data loaded (10,000 customers)"

# the CRM copy: uuid, timestamp, varchar stages of another lifecycle, shuffled
if ! err=$("${PSQL[@]}" -d "$DB" 2>&1 <<'SQL'
CREATE SCHEMA crm;
CREATE TABLE crm.contact_touches (
    contact_id      uuid NOT NULL,
    ts              timestamp NOT NULL,
    lifecycle_stage varchar(32) NOT NULL,
    event_name      varchar(64),
    source          varchar(64),
    amount          numeric(12,2),
    segment         varchar(32),
    in_campaign     boolean
);
INSERT INTO crm.contact_touches
SELECT md5('contact ' || t.customer_id)::uuid, t.occurred_at AT TIME ZONE 'UTC',
       (ARRAY['lead', 'mql', 'sql', 'opportunity', 'customer'])[array_position(enum_range(NULL::stage)::text[], t.stage)],
       t.event, t.channel, t.revenue, c.segment,
       CASE c.campaign_group WHEN 'treatment' THEN true WHEN 'control' THEN false END
FROM touchpoints t JOIN customers c USING (customer_id)
ORDER BY md5(t.customer_id || ' ' || t.occurred_at || ' ' || t.event);
ANALYZE crm.contact_touches;

-- the rows as the checks read them
CREATE VIEW chk_sample AS
SELECT t.customer_id::text AS customer, t.occurred_at, t.stage,
       array_position(enum_range(NULL::stage)::text[], t.stage) AS stage_order,
       t.event, t.channel, t.revenue AS value, c.segment,
       CASE c.campaign_group WHEN 'treatment' THEN true WHEN 'control' THEN false END AS treated
FROM touchpoints t LEFT JOIN customers c USING (customer_id);
CREATE VIEW chk_crm AS
SELECT contact_id::text AS customer, ts AT TIME ZONE 'UTC' AS occurred_at, lifecycle_stage::text AS stage,
       array_position(ARRAY['lead', 'mql', 'sql', 'opportunity', 'customer'], lifecycle_stage::text) AS stage_order,
       event_name::text AS event, source::text AS channel, amount AS value, segment::text AS segment,
       in_campaign AS treated
FROM crm.contact_touches;
CREATE TABLE report_docs (name text PRIMARY KEY, doc jsonb NOT NULL);
SQL
); then
    bail "create the CRM fixture (uuid, timestamp, varchar)" "$err"
fi
ok "CRM fixture: crm.contact_touches (uuid, timestamp, varchar stages), shuffled"

# shellcheck disable=SC2054  # the commas belong to --stages
CRM_ARGS=(--table crm.contact_touches --customer-col contact_id --time-col ts
    --stage-col lifecycle_stage --stages lead,mql,sql,opportunity,customer
    --event-col event_name --channel-col source --value-col amount
    --segment-col segment --treated-col in_campaign --title "CRM contacts")
PARALLEL="-c parallel_setup_cost=0 -c parallel_tuple_cost=0 -c min_parallel_table_scan_size=0 -c max_parallel_workers_per_gather=2"

# report NAME ARGS...: write $WORK/NAME.html (and NAME.json) with the report
report() {
    local name=$1 out
    shift
    if out=$("$CJ_ROOT/scripts/journey_report.sh" -o "$WORK/$name.html" "$@" 2>&1); then
        ok "$name: journey_report.sh wrote $(basename "$out") ($(($(stat -c %s "$WORK/$name.html") / 1024)) kB)"
    else
        not_ok "$name: journey_report.sh" "$out"
        return 1
    fi
}

# rerun NAME ARGS...: the report's SQL again, the document alone in $WORK/NAME.rerun.json
rerun() {
    local name=$1
    shift
    "$CJ_ROOT/scripts/journey_report.sh" -o "$WORK/$name.rerun.html" --json "$WORK/$name.rerun.json" "$@" \
        >"$WORK/$name.rerun.log" 2>&1 || not_ok "$name: second run of the report" "$(cat "$WORK/$name.rerun.log")"
}

# browse NAME [screenshot args]: open the page, TAP lines, $WORK/NAME.page.json
browse() {
    local name=$1 status desc rest diags
    shift
    while IFS='|' read -r status desc rest; do
        if [[ $status == ok ]]; then
            ok "$name: $desc"
        else
            diags=()
            IFS='|' read -r -a diags <<<"$rest"
            not_ok "$name: $desc" "${diags[@]}"
        fi
    done < <(timeout 120 node "$CJ_ROOT/test/lib/report_browser.mjs" --modules "$CACHE/node_modules" \
        --chromium "$CHROMIUM" --page "$WORK/$name.html" --charts "$CHARTS" \
        --data-out "$WORK/$name.page.json" "$@" 2>&1 | sed '/|/!s/^/not ok|browser output|/')
}

# load NAME FILE: the JSON document into report_docs
load_doc() {
    echo "INSERT INTO report_docs VALUES (:'name', :'doc') ON CONFLICT (name) DO UPDATE SET doc = EXCLUDED.doc;" |
        "${PSQL[@]}" -d "$DB" -v name="$1" -v doc="$(cat "$2")"
}

# checks NAME VIEW: plain-SQL checks of document NAME over VIEW
checks() {
    local status desc rest
    while IFS='|' read -r status desc rest; do
        if [[ $status == ok ]]; then ok "$desc"; else not_ok "$desc" "$rest"; fi
    done < <("${PSQL[@]}" -d "$DB" -v src="$2" -v doc="$1" -v label="$1" \
        -f "$CJ_ROOT/test/lib/journey_report_checks.sql" 2>&1 | sed '/|/!s/^/not ok|checks output|/')
}

# same_as_rerun NAME: the page's document = a second run of the SQL (--json,
# serial plans), apart from the time it was generated
same_as_rerun() {
    local got
    got=$("${PSQL[@]}" -d "$DB" -v a="$1" -v b="$1.rerun" <<'SQL'
SELECT CASE WHEN (a.doc - 'generated_at') = (b.doc - 'generated_at') THEN 'same'
            ELSE (SELECT string_agg(k, ', ') FROM jsonb_object_keys(a.doc) k WHERE k <> 'generated_at'
                  AND a.doc->k IS DISTINCT FROM b.doc->k) END
FROM report_docs a, report_docs b WHERE a.name = :'a' AND b.name = :'b';
SQL
    )
    is "$got" same "$1: the page's JSON = the report's SQL run again (every section)"
}

start=$SECONDS

# --- 1. the sample data, by connection string ----------------------------------------
CONN="host=$PGHOST port=$PGPORT user=${PGUSER:-postgres} dbname=$DB"
if report sample -d "$CONN" --title "Sample data"; then
    rerun sample -d "$CONN" --title "Sample data"
    browse sample --screenshot "$WORK/journey_report.png"
    if [[ -s $WORK/sample.page.json ]] && load_doc sample "$WORK/sample.page.json" &&
        load_doc sample.rerun "$WORK/sample.rerun.json"; then
        same_as_rerun sample
        checks sample chk_sample
    else
        not_ok "sample: load the page's JSON document"
    fi
    if [[ ${CJ_UPDATE_DOCS:-0} == 1 ]]; then
        mkdir -p "$CJ_ROOT/docs"
        node "$CJ_ROOT/test/lib/report_browser.mjs" --modules "$CACHE/node_modules" --chromium "$CHROMIUM" \
            --page "$WORK/sample.html" --charts "$CHARTS" --data-out "$WORK/docs.page.json" \
            --screenshot "$CJ_ROOT/docs/journey_report.png" --screenshot-height 1180 >"$WORK/docs.log" 2>&1
        echo "# CJ_UPDATE_DOCS=1: wrote docs/journey_report.png"
    fi
fi

# --- 2. the CRM copy, by the libpq environment, parallel plans ----------------------
if PGDATABASE=$DB PGOPTIONS="$PARALLEL" report crm "${CRM_ARGS[@]}"; then
    PGDATABASE=$DB rerun crm "${CRM_ARGS[@]}"
    browse crm
    if [[ -s $WORK/crm.page.json ]] && load_doc crm "$WORK/crm.page.json" && load_doc crm.rerun "$WORK/crm.rerun.json"; then
        same_as_rerun crm
        checks crm chk_crm
        # same customers and rows, relabelled: the same numbers
        got=$("${PSQL[@]}" -d "$DB" <<'SQL'
WITH m(a, b) AS (VALUES ('awareness', 'lead'), ('consideration', 'mql'), ('decision', 'sql'),
                        ('retention', 'opportunity'), ('advocacy', 'customer')),
     s AS (SELECT doc FROM report_docs WHERE name = 'sample'),
     c AS (SELECT doc FROM report_docs WHERE name = 'crm'),
     tis AS (SELECT x - 'stage' || jsonb_build_object('stage', coalesce(m.b, x->>'stage')) AS x
             FROM s, jsonb_array_elements(s.doc->'time_in_stage') x LEFT JOIN m ON m.a = x->>'stage'),
     rch AS (SELECT x - 'stage' || jsonb_build_object('stage', coalesce(m.b, x->>'stage')) AS x
             FROM s, jsonb_array_elements(s.doc->'journey_map'->'reached') x LEFT JOIN m ON m.a = x->>'stage'),
     attr AS (SELECT count(*) AS bad
              FROM (SELECT x->>'model' AS model, x->>'channel' AS channel, (x->>'conversions')::float8 AS v,
                           (x->>'revenue')::float8 AS r FROM s, jsonb_array_elements(s.doc->'attribution'->'rows') x) a
              FULL JOIN (SELECT x->>'model' AS model, x->>'channel' AS channel, (x->>'conversions')::float8 AS v,
                                (x->>'revenue')::float8 AS r FROM c, jsonb_array_elements(c.doc->'attribution'->'rows') x) b
                USING (model, channel)
              WHERE a.v IS NULL OR b.v IS NULL OR abs(a.v - b.v) > 1e-9 * greatest(1, abs(a.v))
                    OR abs(a.r - b.r) > 1e-9 * greatest(1, abs(a.r)))
SELECT coalesce(nullif(concat_ws(' ',
    CASE WHEN (s.doc->'overview') - 'first_touch'::text - 'last_touch'::text <> (c.doc->'overview') - 'first_touch'::text - 'last_touch'::text THEN 'overview' END,
    CASE WHEN s.doc->'funnel' <> c.doc->'funnel' THEN 'funnel' END,
    CASE WHEN s.doc->'retention' <> c.doc->'retention' THEN 'retention' END,
    CASE WHEN s.doc->'lift'->'rows' <> c.doc->'lift'->'rows' THEN 'lift' END,
    CASE WHEN s.doc->'segments' <> c.doc->'segments' THEN 'segments' END,
    CASE WHEN (SELECT jsonb_agg(x ORDER BY x->>'segment', (x->>'stage_order')::int) FROM tis)
              <> (SELECT jsonb_agg(x ORDER BY x->>'segment', (x->>'stage_order')::int) FROM c, jsonb_array_elements(c.doc->'time_in_stage') x)
         THEN 'time_in_stage' END,
    CASE WHEN (SELECT jsonb_agg(x ORDER BY (x->>'stage_order')::int) FROM rch) <> c.doc->'journey_map'->'reached'
         THEN 'reached' END,
    CASE WHEN (SELECT bad FROM attr) > 0 THEN 'attribution' END,
    CASE WHEN c.doc->'stages' <> '["lead", "mql", "sql", "opportunity", "customer"]' THEN 'stages' END), ''), 'same')
FROM s, c;
SQL
        )
        is "$got" same "crm: same numbers as the sample report (funnel, time in stage, reached, retention, attribution, lift)"
    else
        not_ok "crm: load the page's JSON document"
    fi
fi

# --- 3. only the required columns: no segment, revenue or campaign --------------
if PGDATABASE=$DB report minimal --table crm.contact_touches --customer-col contact_id --time-col ts \
    --stage-col lifecycle_stage --stages lead,mql,sql,opportunity,customer --event-col event_name \
    --channel-col source; then
    CHARTS=${CHARTS%,lift} browse minimal
    if [[ -s $WORK/minimal.page.json ]] && load_doc minimal "$WORK/minimal.page.json"; then
        got=$("${PSQL[@]}" -d "$DB" <<'SQL'
WITH m AS (SELECT doc FROM report_docs WHERE name = 'minimal'),
     c AS (SELECT doc FROM report_docs WHERE name = 'crm'),
     all_rows AS (SELECT jsonb_agg(x ORDER BY (x->>'step')::int) AS r
                  FROM c, jsonb_array_elements(c.doc->'funnel'->'rows') x WHERE x->>'segment' = '(all)'),
     tis AS (SELECT jsonb_agg(x ORDER BY (x->>'stage_order')::int) AS r
             FROM c, jsonb_array_elements(c.doc->'time_in_stage') x WHERE x->>'segment' = '(all)')
SELECT coalesce(nullif(concat_ws(' ',
    CASE WHEN m.doc->'lift' <> 'null' THEN 'lift' END,
    CASE WHEN m.doc->'segments' <> '["(all)"]' THEN 'segments' END,
    CASE WHEN m.doc->'funnel'->'rows' <> (SELECT r FROM all_rows) THEN 'funnel' END,
    CASE WHEN m.doc->'time_in_stage' <> (SELECT r FROM tis) THEN 'time_in_stage' END,
    CASE WHEN m.doc->'retention' <> c.doc->'retention' THEN 'retention' END,
    CASE WHEN m.doc->'journey_map' <> c.doc->'journey_map' THEN 'journey_map' END), ''), 'same')
FROM m, c;
SQL
        )
        is "$got" same "minimal: no lift, one (all) segment, and the CRM report's (all) numbers (revenue aside)"
    else
        not_ok "minimal: load the page's JSON document"
    fi
fi

# --- 4. errors ------------------------------------------------------------------
out=$(PGDATABASE=$DB "$CJ_ROOT/scripts/journey_report.sh" -o "$WORK/bad.html" "${CRM_ARGS[@]}" \
    --stages lead,mql,sql,opportunity 2>&1)
rc=$?
if ((rc != 0)) && [[ $out == *"not in the lifecycle"*customer* && ! -e $WORK/bad.html ]]; then
    ok "a stage outside --stages is an error naming it, and no file is written"
else
    not_ok "a stage outside --stages is an error naming it, and no file is written" "rc=$rc" "$out"
fi
out=$(PGDATABASE=$DB "$CJ_ROOT/scripts/journey_report.sh" -o "$WORK/bad.html" --table crm.contact_touches \
    --customer-col nope 2>&1)
rc=$?
if ((rc != 0)) && [[ $out == *"customer key column nope not found"* ]]; then
    ok "a missing column is an error naming it"
else
    not_ok "a missing column is an error naming it" "rc=$rc" "$out"
fi

echo "# reports, browser and checks: $((SECONDS - start)) s"
echo "1..$N"
