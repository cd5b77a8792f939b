#!/usr/bin/env bash
# cron.sh -- the pg_cron rollup recipe (recipes/cron_rollups.sql), end to end.
#
# Starts its own cluster with shared_preload_libraries = 'pg_cron' (background
# workers, cron.database_name = postgres), creates cjourney and pg_cron, loads
# a small sample (data/load.sh), installs the recipe, schedules a real job on
# '* * * * *' (pg_cron 1.4 has no seconds) and waits for it, bounded, in
# cron.job_run_details. Then every dashboard tile read from the rollups is
# compared with the same analysis written in plain SQL over the raw rows
# (lead() over distinct points for time in stage, min() for entry weeks,
# DISTINCT weeks for retention), over several date ranges; refresh_day is
# checked to be idempotent, TimeZone-independent, safe under concurrent runs,
# and to pick up late-arriving rows when their day is re-run.
#
# Env: CJ_ROOT, CJ_LIB, CJ_SUITE_TMP (scripts/test.sh); CJ_EXTRA_CONF (see
# scripts/lib.sh) to test a staged build. Prints TAP.
set -uo pipefail
export LC_ALL=C

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CJ_LIB=${CJ_LIB:-$CJ_ROOT/scripts/lib.sh}
# shellcheck source=scripts/lib.sh
source "$CJ_LIB"
# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"

CUSTOMERS=${CJ_CRON_CUSTOMERS:-400}
WAIT=${CJ_CRON_WAIT:-75} # seconds; a '* * * * *' job starts within 60

if [[ -n ${CJ_SUITE_TMP:-} ]]; then
    TMP=$CJ_SUITE_TMP
else
    cj_tmpdir cron || exit 1
    TMP=$CJ_TMP
fi
DIR=$TMP/cron

cj_cluster_start "$DIR" \
    "shared_preload_libraries = 'pg_cron'" \
    "cron.database_name = 'postgres'" \
    "cron.use_background_workers = on" \
    "max_worker_processes = 32" ||
    bail "start a cluster with pg_cron preloaded"
ok "cluster with shared_preload_libraries = pg_cron"
cj_cluster_env "$DIR"

q() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }

# same DESCRIPTION QUERY_A QUERY_B: both give the same rows (as multisets),
# and at least one row
same() {
    local desc=$1 a=$2 b=$3 out
    out=$(q -F ' ' -c "SELECT (SELECT count(*) FROM ($a) x),
            (SELECT count(*) FROM ((($a) EXCEPT ALL ($b)) UNION ALL (($b) EXCEPT ALL ($a))) d)" 2>&1)
    if [[ $out =~ ^([0-9]+)\ 0$ ]] && ((BASH_REMATCH[1] > 0)); then
        ok "$desc"
    else
        not_ok "$desc" "rows, differing rows: $out"
    fi
}

if q -c "CREATE EXTENSION cjourney" -c "CREATE EXTENSION pg_cron"; then
    ok "CREATE EXTENSION cjourney, pg_cron"
else
    bail "CREATE EXTENSION cjourney, pg_cron"
fi

if out=$(bash "$CJ_ROOT/data/load.sh" --customers "$CUSTOMERS" 2>&1); then
    ok "sample data: $out"
else
    bail "data/load.sh" "$out"
fi

# --- recipe ----------------------------------------------------------------------

if out=$(q -f "$CJ_ROOT/recipes/cron_rollups.sql" 2>&1); then
    ok "recipe installs"
else
    bail "recipe installs" "$out"
fi
is "$(q -c "SELECT schedule || ' ' || command FROM cron.job WHERE jobname = 'cjourney-nightly'")" \
    "15 2 * * * SELECT cjourney_reports.refresh_recent(3)" "recipe registers the nightly pg_cron job"
is "$(q -c "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'cjourney_reports' AND c.relkind IN ('r', 'v')
                AND obj_description(c.oid, 'pg_class') IS NULL)
          + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'cjourney_reports' AND obj_description(p.oid, 'pg_proc') IS NULL)
          + (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'cjourney_reports' AND c.relkind IN ('r', 'v') AND a.attnum > 0
                AND col_description(c.oid, a.attnum) IS NULL)")" \
    0 "every table, view, column and function of the recipe has a comment"

# The raw-row formulations, in plain SQL (no cjourney aggregate).
q <<'SQL' || bail "create the raw-row reference functions"
CREATE SCHEMA raw;
-- UTC day bounds
CREATE FUNCTION raw.lo(d date) RETURNS timestamptz IMMUTABLE LANGUAGE sql AS $$ SELECT d::timestamp AT TIME ZONE 'UTC' $$;
-- per customer (and bucket) and stage: time until the next distinct point, first entry
CREATE FUNCTION raw.durations(f date, t date, weekly boolean DEFAULT false)
RETURNS TABLE (bucket date, customer_id bigint, stage text, duration interval, first_entered timestamptz)
STABLE LANGUAGE sql AS $$
  WITH pts AS (
    SELECT DISTINCT CASE WHEN weekly THEN date_trunc('week', occurred_at AT TIME ZONE 'UTC')::date END AS bucket,
           customer_id, occurred_at, stage::stage AS s
    FROM public.touchpoints
    WHERE occurred_at >= raw.lo(f) AND occurred_at < raw.lo(t + 1) AND stage IS NOT NULL),
  p AS (
    SELECT bucket, customer_id, occurred_at, s,
           lead(occurred_at) OVER (PARTITION BY bucket, customer_id ORDER BY occurred_at, s) AS nxt
    FROM pts)
  -- days and hours < 24, the form stage_durations returns: interval
  -- arithmetic in percentile_cont and avg rounds by representation
  SELECT bucket, customer_id, s::text, justify_hours(sum(coalesce(nxt - occurred_at, interval '0'))), min(occurred_at)
  FROM p GROUP BY bucket, customer_id, s
$$;
CREATE FUNCTION raw.stage_order(s text) RETURNS integer STABLE LANGUAGE sql AS
  $$ SELECT array_position(enum_range(NULL::stage)::text[], s) $$;
CREATE FUNCTION raw.time_in_stage(f date, t date)
RETURNS TABLE (segment text, stage text, stage_order integer, customers bigint,
               median_duration interval, p90_duration interval, avg_duration interval, median_days float8)
STABLE LANGUAGE sql AS $$
  SELECT c.segment, d.stage, raw.stage_order(d.stage), count(*),
         justify_hours(percentile_cont(0.5) WITHIN GROUP (ORDER BY d.duration)),
         justify_hours(percentile_cont(0.9) WITHIN GROUP (ORDER BY d.duration)),
         justify_hours(avg(d.duration)),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.duration)::float8 / 86400)
  FROM raw.durations(f, t) d JOIN public.customers c USING (customer_id)
  GROUP BY 1, 2
$$;
SQL
ok "raw-row reference functions"

# --- the scheduled job -------------------------------------------------------------

read -r FIRST LAST < <(q -F ' ' -c "SELECT min((occurred_at AT TIME ZONE 'UTC')::date), max((occurred_at AT TIME ZONE 'UTC')::date) FROM touchpoints")
jobid=$(q -c "SELECT cron.schedule('cjourney-test', '* * * * *',
                 \$\$SELECT cjourney_reports.refresh_days('$FIRST', '$LAST')\$\$)")
[[ $jobid =~ ^[0-9]+$ ]] || bail "cron.schedule a job on '* * * * *'" "$jobid"
ok "cron.schedule a job on '* * * * *' (refresh $FIRST .. $LAST)"

t0=$SECONDS
status=
while ((SECONDS - t0 < WAIT)); do
    status=$(q -c "SELECT status || ' | ' || coalesce(return_message, '') FROM cron.job_run_details
                   WHERE jobid = $jobid AND status IN ('succeeded', 'failed') ORDER BY start_time LIMIT 1")
    [[ -n $status ]] && break
    sleep 1
done
echo "# pg_cron ran the job after $((SECONDS - t0)) s: $status"
is "$status" "succeeded | SELECT 1" "pg_cron ran the refresh job (bounded wait ${WAIT}s)"
q -c "SELECT cron.unschedule($jobid)" >/dev/null
# a run started in the meantime must not overlap the checks below
for _ in $(seq 1 30); do
    [[ $(q -c "SELECT count(*) FROM cron.job_run_details WHERE jobid = $jobid AND status IN ('starting', 'running')") == 0 ]] && break
    sleep 1
done

# --- rollups equal the raw rows ----------------------------------------------------

same "daily_customer holds each (UTC day, customer) with its touch count and segment" \
    "SELECT day, customer_id, segment, touches FROM cjourney_reports.daily_customer" \
    "SELECT (t.occurred_at AT TIME ZONE 'UTC')::date, t.customer_id, c.segment, count(*)::int
     FROM touchpoints t JOIN customers c USING (customer_id) GROUP BY 1, 2, 3"
is "$(q -c "SELECT count(*) FROM generate_series('$FIRST'::date, '$LAST', '1 day') d
            LEFT JOIN cjourney_reports.refresh_log l ON l.day = d::date WHERE l.day IS NULL")" 0 \
    "refresh_log has every day of the range"
same "per customer, rollup of all daily states = stage_time_agg of all raw rows" \
    "SELECT customer_id, rollup(st)::text FROM cjourney_reports.daily_customer GROUP BY 1" \
    "SELECT customer_id, stage_time_agg(occurred_at, stage::stage)::text FROM touchpoints GROUP BY 1"
same "per customer and stage, durations from the rollups = plain SQL over raw rows" \
    "SELECT s.customer_id, d.stage, d.duration, d.first_entered
     FROM (SELECT customer_id, rollup(st) AS st FROM cjourney_reports.daily_customer GROUP BY 1) s,
          stage_durations(s.st) d" \
    "SELECT customer_id, stage, duration, first_entered FROM raw.durations('$FIRST', '$LAST')"

# dashboard ranges: all, a quarter, a month, a week, one day
RANGES=("$FIRST $LAST" "2025-04-01 2025-06-30" "2025-03-01 2025-03-31" "2025-08-04 2025-08-10" "2025-05-15 2025-05-15")
for r in "${RANGES[@]}"; do
    set -- $r
    same "time_in_stage_by_segment('$1', '$2') = plain SQL over raw rows" \
        "SELECT * FROM cjourney_reports.time_in_stage_by_segment('$1', '$2')" \
        "SELECT * FROM raw.time_in_stage('$1', '$2')"
done

same "time_in_stage_weekly = plain SQL over raw rows per customer and week" \
    "SELECT * FROM cjourney_reports.time_in_stage_weekly" \
    "SELECT d.bucket, c.segment, d.stage, raw.stage_order(d.stage), count(*),
            justify_hours(percentile_cont(0.5) WITHIN GROUP (ORDER BY d.duration)),
            justify_hours(percentile_cont(0.9) WITHIN GROUP (ORDER BY d.duration)),
            justify_hours(avg(d.duration)),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.duration)::float8 / 86400)
     FROM raw.durations('$FIRST', '$LAST', true) d JOIN customers c USING (customer_id)
     GROUP BY 1, 2, 3"

RAW_ENTRY="WITH f AS (SELECT customer_id, min(occurred_at) AS first_at,
                        date_trunc('week', min(occurred_at) AT TIME ZONE 'UTC')::date AS entry_week
                 FROM touchpoints GROUP BY 1),
       cohorts AS (SELECT entry_week, segment, count(*) AS customers FROM f JOIN customers USING (customer_id) GROUP BY 1, 2),
       reached AS (SELECT f.entry_week, c.segment, s.stage, count(*) AS reached,
                          justify_hours(percentile_cont(0.5) WITHIN GROUP (ORDER BY s.first_at - f.first_at)) AS median_time
                   FROM (SELECT customer_id, stage, min(occurred_at) AS first_at FROM touchpoints GROUP BY 1, 2) s
                   JOIN f USING (customer_id) JOIN customers c USING (customer_id) GROUP BY 1, 2, 3)
  SELECT c.entry_week, c.segment, l.stage, raw.stage_order(l.stage), c.customers, coalesce(r.reached, 0),
         round(coalesce(r.reached, 0)::numeric / c.customers, 4), r.median_time
  FROM cohorts c CROSS JOIN unnest(enum_range(NULL::stage)::text[]) l(stage)
  LEFT JOIN reached r ON (r.entry_week, r.segment, r.stage) = (c.entry_week, c.segment, l.stage)"
same "stages_reached_by_entry_week = plain SQL over raw rows" \
    "SELECT * FROM cjourney_reports.stages_reached_by_entry_week" "$RAW_ENTRY"

RAW_RETENTION="WITH f AS (SELECT customer_id, date_trunc('week', min(occurred_at) AT TIME ZONE 'UTC')::date AS entry_week
                 FROM touchpoints GROUP BY 1),
       cohorts AS (SELECT entry_week, segment, count(*) AS customers FROM f JOIN customers USING (customer_id) GROUP BY 1, 2),
       w AS (SELECT DISTINCT customer_id, date_trunc('week', occurred_at AT TIME ZONE 'UTC')::date AS week FROM touchpoints)
  SELECT f.entry_week, c.segment, ((w.week - f.entry_week) / 7)::int, co.customers, count(*),
         round(count(*)::numeric / co.customers, 4)
  FROM f JOIN w USING (customer_id) JOIN customers c USING (customer_id)
  JOIN cohorts co ON (co.entry_week, co.segment) = (f.entry_week, c.segment)
  GROUP BY 1, 2, 3, 4"
same "cohort_retention_weekly = plain SQL over raw rows" \
    "SELECT * FROM cjourney_reports.cohort_retention_weekly" "$RAW_RETENTION"

# stable names and types for BI tools
cols() {
    q -c "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
          FROM pg_attribute WHERE attrelid = 'cjourney_reports.$1'::regclass AND attnum > 0 AND NOT attisdropped"
}
is "$(cols time_in_stage_by_segment_28d)" \
    "from_day date, to_day date, segment text, stage text, stage_order integer, customers bigint, median_duration interval, p90_duration interval, avg_duration interval, median_days double precision" \
    "time_in_stage_by_segment_28d: columns and types"
is "$(cols time_in_stage_weekly)" \
    "week_start date, segment text, stage text, stage_order integer, customers bigint, median_duration interval, p90_duration interval, avg_duration interval, median_days double precision" \
    "time_in_stage_weekly: columns and types"
is "$(cols stages_reached_by_entry_week)" \
    "entry_week date, segment text, stage text, stage_order integer, customers bigint, reached bigint, share_reached numeric, median_time_to_reach interval" \
    "stages_reached_by_entry_week: columns and types"
is "$(cols cohort_retention_weekly)" \
    "entry_week date, segment text, week_number integer, customers bigint, active_customers bigint, share_active numeric" \
    "cohort_retention_weekly: columns and types"
if out=$(q -c "SELECT count(*) FROM cjourney_reports.time_in_stage_by_segment_28d" 2>&1); then
    ok "time_in_stage_by_segment_28d answers ($out rows today)"
else
    not_ok "time_in_stage_by_segment_28d answers" "$out"
fi

# --- idempotence, late rows, time zones, concurrency ----------------------------------

q -c "CREATE TABLE snap AS SELECT day, customer_id, segment, touches, st::text AS st FROM cjourney_reports.daily_customer"
SNAP="SELECT day, customer_id, segment, touches, st::text FROM snap"
CUR="SELECT day, customer_id, segment, touches, st::text FROM cjourney_reports.daily_customer"
q -c "SELECT cjourney_reports.refresh_day('2025-05-15')" -c "SELECT cjourney_reports.refresh_day('2025-05-15')" >/dev/null
same "refresh_day twice: the table is unchanged" "$CUR" "$SNAP"
q -c "SELECT cjourney_reports.refresh_days('$FIRST', '$LAST')" >/dev/null
same "refresh_days over every day again: the table the cron job wrote" "$CUR" "$SNAP"
PGOPTIONS="-c TimeZone=Pacific/Kiritimati" q -c "SELECT cjourney_reports.refresh_days('$FIRST', '$LAST')" >/dev/null
same "refresh under TimeZone = Pacific/Kiritimati (+14): same UTC days" "$CUR" "$SNAP"
PGOPTIONS="-c search_path=" q -c "SELECT cjourney_reports.refresh_day('2025-05-15')" >/dev/null &&
    n=$(PGOPTIONS="-c search_path=" q -c "SELECT count(*) FROM cjourney_reports.time_in_stage_by_segment('2025-05-01', '2025-05-31')") &&
    [[ $n -gt 0 ]] && ok "refresh and dashboard functions run with an empty search_path" ||
    not_ok "refresh and dashboard functions run with an empty search_path"

# two sessions refresh the same days at once: serialised, nothing doubled
(q -c "SELECT cjourney_reports.refresh_days('2025-05-01', '2025-05-31')" >/dev/null) &
p1=$!
(q -c "SELECT cjourney_reports.refresh_days('2025-05-01', '2025-05-31')" >/dev/null) &
p2=$!
rc=0
wait $p1 || rc=1
wait $p2 || rc=1
if ((rc == 0)); then ok "concurrent refreshes of the same days both succeed"; else not_ok "concurrent refreshes of the same days both succeed"; fi
same "after concurrent refreshes: the table is unchanged" "$CUR" "$SNAP"

# late rows: a past day gets new touches (an existing customer, and a new one)
LATE_DAY=2025-03-12
q <<SQL || bail "insert late rows"
INSERT INTO customers SELECT 999999001, '2025-03-01', 'enterprise', 'emea', 'control', 'control';
INSERT INTO touchpoints (customer_id, occurred_at, stage, channel, event)
SELECT customer_id, '$LATE_DAY 23:59:59+00', 'advocacy', 'late', 'late_event'
FROM (SELECT customer_id FROM touchpoints WHERE occurred_at < '$LATE_DAY' ORDER BY customer_id LIMIT 5) s
UNION ALL
VALUES (999999001::bigint, '$LATE_DAY 10:00+00'::timestamptz, 'awareness', 'web', 'page_view'),
       (999999001, '$LATE_DAY 18:00+00', 'decision', 'web', 'signup');
SQL
MARCH_DASH="SELECT * FROM cjourney_reports.time_in_stage_by_segment('2025-03-01', '2025-03-31')"
MARCH_RAW="SELECT * FROM raw.time_in_stage('2025-03-01', '2025-03-31')"
is "$(q -c "SELECT count(*) > 0 FROM (($MARCH_DASH) EXCEPT ($MARCH_RAW)) d")" t \
    "before re-running the day, the late rows are missing from the rollups"
q -c "SELECT cjourney_reports.refresh_day('$LATE_DAY')" >/dev/null
same "after refresh_day('$LATE_DAY'): March dashboard = raw rows again" "$MARCH_DASH" "$MARCH_RAW"
same "after the late rows: every range ending later equals raw rows too" \
    "SELECT * FROM cjourney_reports.time_in_stage_by_segment('$FIRST', '$LAST')" \
    "SELECT * FROM raw.time_in_stage('$FIRST', '$LAST')"
same "after the late rows: stages_reached_by_entry_week = raw rows" \
    "SELECT * FROM cjourney_reports.stages_reached_by_entry_week" "$RAW_ENTRY"
same "after the late rows: cohort_retention_weekly = raw rows" \
    "SELECT * FROM cjourney_reports.cohort_retention_weekly" "$RAW_RETENTION"

if out=$(q -f "$CJ_ROOT/recipes/cron_rollups.sql" 2>&1) &&
    [[ $(q -c "SELECT count(*) FROM cjourney_reports.daily_customer d JOIN snap s USING (day, customer_id)") -gt 0 &&
    $(q -c "SELECT count(*) FROM cron.job WHERE jobname = 'cjourney-nightly'") == 1 ]]; then
    ok "re-installing the recipe keeps the rollups and the one nightly job"
else
    not_ok "re-installing the recipe keeps the rollups and the one nightly job" "$out"
fi

if cj_crash_check "$DIR/server.log"; then ok "no backend crash"; else not_ok "no backend crash"; fi
cj_cluster_stop "$DIR"
echo "1..$N"
