#!/usr/bin/env bash
# cron.sh -- the pg_cron rollup recipe (examples/cron_rollups.sql), end to end.
#
# Starts its own cluster with shared_preload_libraries = 'pg_cron' (background
# workers, cron.database_name = postgres), creates cjourney and pg_cron, loads
# a small sample (data/load.sh), installs the recipe, schedules a real job on
# '* * * * *' (pg_cron 1.4 has no seconds) and waits for it, bounded, in
# cron.job_run_details. Then every dashboard tile read from the rollups is
# compared with the same analysis written in plain SQL over the raw rows
# (lead() over distinct points for time in stage, min() for entry weeks,
# DISTINCT weeks for retention; window_funnel_times + funnel_report_agg and
# plain SQL over the step times for funnels; segment_response over raw
# customer-days for the campaign), over several date ranges; refresh_day is
# checked to be idempotent, TimeZone-independent, safe under concurrent runs,
# and to pick up late-arriving rows when their day is re-run (funnels: a
# completion days after the entry, an entry that moves to a later chain,
# deleted touches).
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
WAIT=${CJ_CRON_WAIT:-150} # seconds; a '* * * * *' job starts within 60

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

if out=$(q -f "$CJ_ROOT/examples/cron_rollups.sql" 2>&1); then
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
-- funnels: each customer's step times straight from window_funnel_times over
-- all raw rows (the direct aggregate call), entry day = UTC day of step 1
CREATE FUNCTION raw.funnel_customer()
RETURNS TABLE (customer_id bigint, segment text, entry_day date, times timestamptz[])
STABLE LANGUAGE sql AS $$
  SELECT customer_id, segment, (times[1] AT TIME ZONE 'UTC')::date, times
  FROM (SELECT t.customer_id, c.segment,
               window_funnel_times(interval '14 days', t.occurred_at,
                                   t.event IN ('ad_click', 'page_view'),
                                   t.event IN ('signup', 'demo_request'),
                                   t.event = 'purchase') AS times
        FROM public.touchpoints t JOIN public.customers c USING (customer_id)
        GROUP BY 1, 2) s
  WHERE cardinality(times) > 0
$$;
-- funnel by step of the customers who entered in f..t: direct aggregate calls
CREATE FUNCTION raw.funnel(f date, t date)
RETURNS TABLE (segment text, step integer, customers bigint, conversion_from_previous float8,
               conversion_from_first float8, dropped_off bigint, median_time_from_previous interval,
               p90_time_from_previous interval)
STABLE LANGUAGE sql AS $$
  SELECT r.segment, s.*
  FROM (SELECT segment, funnel_report_agg(times, 3) AS r FROM raw.funnel_customer()
        WHERE entry_day BETWEEN f AND t GROUP BY 1) r, funnel_steps(r.r) s
$$;
-- the same counts in plain SQL over the step-time arrays (no funnel_report)
CREATE FUNCTION raw.funnel_plain(f date, t date)
RETURNS TABLE (segment text, step integer, customers bigint, conversion_from_previous float8,
               conversion_from_first float8, dropped_off bigint, median_seconds float8, p90_seconds float8)
STABLE LANGUAGE sql AS $$
  WITH c AS (SELECT * FROM raw.funnel_customer() WHERE entry_day BETWEEN f AND t),
  k AS (SELECT c.segment, g.k, count(*) FILTER (WHERE cardinality(c.times) >= g.k) AS n,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.times[g.k] - c.times[g.k - 1])::float8)
                 FILTER (WHERE cardinality(c.times) >= g.k AND g.k > 1) AS med,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.times[g.k] - c.times[g.k - 1])::float8)
                 FILTER (WHERE cardinality(c.times) >= g.k AND g.k > 1) AS p90
        FROM c CROSS JOIN generate_series(1, 3) g(k) GROUP BY 1, 2)
  SELECT segment, k, n,
         CASE WHEN k > 1 AND lag(n) OVER w > 0 THEN n::float8 / lag(n) OVER w END,
         n::float8 / first_value(n) OVER w,
         CASE WHEN k > 1 THEN lag(n) OVER w - n END, med, p90
  FROM k WINDOW w AS (PARTITION BY segment ORDER BY k)
$$;
-- campaign customer-days: a campaign customer's touches on one UTC day
CREATE FUNCTION raw.customer_days()
RETURNS TABLE (day date, customer_id bigint, segment text, treated boolean, responded boolean, revenue float8)
STABLE LANGUAGE sql AS $$
  SELECT (t.occurred_at AT TIME ZONE 'UTC')::date, t.customer_id, c.segment, c.campaign_group = 'treatment',
         coalesce(bool_or(t.event = 'purchase'), false),
         coalesce(sum(t.revenue) FILTER (WHERE t.event = 'purchase'), 0)::float8
  FROM public.touchpoints t JOIN public.customers c USING (customer_id)
  WHERE c.campaign_group IN ('treatment', 'control')
  GROUP BY 1, 2, 3, 4
$$;
-- campaign response by segment over f..t: the segment_response aggregate
CREATE FUNCTION raw.response(f date, t date)
RETURNS SETOF record STABLE LANGUAGE sql AS $$
  SELECT segment, (r).* FROM (SELECT segment, segment_response(treated, responded) AS r
                              FROM raw.customer_days() WHERE day BETWEEN f AND t GROUP BY 1) x
$$;
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
                          justify_hours(percentile_cont(0.5) WITHIN GROUP (ORDER BY s.first_at - f.first_at)) AS median_time,
                          percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', s.first_at - f.first_at) / 86400) AS median_days
                   FROM (SELECT customer_id, stage, min(occurred_at) AS first_at FROM touchpoints GROUP BY 1, 2) s
                   JOIN f USING (customer_id) JOIN customers c USING (customer_id) GROUP BY 1, 2, 3)
  SELECT c.entry_week, c.segment, l.stage, raw.stage_order(l.stage), c.customers, coalesce(r.reached, 0),
         round(coalesce(r.reached, 0)::numeric / c.customers, 4), r.median_time, r.median_days
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

# funnel and campaign tiles over the same ranges
RESP_COLS="segment text, treated_n bigint, treated_responders bigint, treated_rate float8, control_n bigint,
           control_responders bigint, control_rate float8, abs_lift float8, lift float8, ci_low float8,
           ci_high float8, z float8, p_value float8"
check_tiles() { # $1 from, $2 to, $3 label prefix
    same "${3:-}funnel_by_step('$1', '$2') = funnel_report_agg over window_funnel_times of the raw rows" \
        "SELECT segment, step, customers, conversion_from_previous, conversion_from_first, dropped_off,
                median_time_from_previous, p90_time_from_previous
         FROM cjourney_reports.funnel_by_step('$1', '$2')" \
        "SELECT * FROM raw.funnel('$1', '$2')"
    same "${3:-}funnel_by_step('$1', '$2') = plain SQL over the step times (counts, rates, percentiles)" \
        "SELECT segment, step, customers, conversion_from_previous, conversion_from_first, dropped_off,
                round(extract(epoch FROM median_time_from_previous), 3), round(extract(epoch FROM p90_time_from_previous), 3)
         FROM cjourney_reports.funnel_by_step('$1', '$2')" \
        "SELECT segment, step, customers, conversion_from_previous, conversion_from_first, dropped_off,
                round(median_seconds::numeric, 3), round(p90_seconds::numeric, 3)
         FROM raw.funnel_plain('$1', '$2')"
    same "${3:-}campaign_response_by_segment('$1', '$2') = segment_response over raw customer-days" \
        "SELECT segment, treated_n, treated_responders, treated_rate, control_n, control_responders, control_rate,
                abs_lift, lift, ci_low, ci_high, z, p_value
         FROM cjourney_reports.campaign_response_by_segment('$1', '$2')" \
        "SELECT * FROM raw.response('$1', '$2') AS ($RESP_COLS)"
    same "${3:-}campaign_response_by_segment('$1', '$2'): counts = plain SQL, mean revenue to 1e-9" \
        "SELECT segment, treated_n, treated_responders, control_n, control_responders,
                round(treated_mean_value::numeric, 9), round(control_mean_value::numeric, 9)
         FROM cjourney_reports.campaign_response_by_segment('$1', '$2')" \
        "SELECT segment, count(*) FILTER (WHERE treated), count(*) FILTER (WHERE treated AND responded),
                count(*) FILTER (WHERE NOT treated), count(*) FILTER (WHERE NOT treated AND responded),
                round(avg(revenue) FILTER (WHERE treated)::numeric, 9), round(avg(revenue) FILTER (WHERE NOT treated)::numeric, 9)
         FROM raw.customer_days() WHERE day BETWEEN '$1' AND '$2' GROUP BY 1"
    # a single day may hold no purchase in a small sample: nothing to credit
    if [[ $(q -c "SELECT count(*) FROM touchpoints WHERE event = 'purchase'
                  AND (occurred_at AT TIME ZONE 'UTC')::date BETWEEN '$1' AND '$2'") != 0 ]]; then
        same "${3:-}channel_credit_by_model('$1', '$2') linear = plain-SQL linear credit of the range's purchases" \
            "SELECT channel, round(sum(conversions)::numeric, 6), round(sum(revenue)::numeric, 4)
             FROM cjourney_reports.channel_credit_by_model('$1', '$2') WHERE model = 'linear' GROUP BY channel" \
            "WITH conv AS (
               SELECT row_number() OVER () AS id, c.customer_id, c.occurred_at AS t, coalesce(c.revenue, 0) AS rev,
                      (SELECT max(p.occurred_at) FROM touchpoints p WHERE p.customer_id = c.customer_id
                         AND p.event = 'purchase' AND p.occurred_at < c.occurred_at) AS prev
               FROM touchpoints c WHERE c.event = 'purchase'
                AND (c.occurred_at AT TIME ZONE 'UTC')::date BETWEEN '$1' AND '$2'),
             pt AS (
               SELECT v.id, v.rev, x.channel, count(*) OVER (PARTITION BY v.id) AS k
               FROM conv v JOIN touchpoints x ON x.customer_id = v.customer_id AND x.event IS DISTINCT FROM 'purchase'
                AND x.channel IS NOT NULL AND x.occurred_at < v.t AND (v.prev IS NULL OR x.occurred_at >= v.prev))
             SELECT channel, round(sum(1.0 / k), 6), round(sum(rev / k), 4) FROM pt GROUP BY channel
             UNION ALL
             SELECT '(none)', count(*), round(sum(rev), 4) FROM conv WHERE NOT EXISTS (SELECT FROM pt WHERE pt.id = conv.id)
             HAVING count(*) > 0"
        same "${3:-}channel_credit_by_model('$1', '$2'): each model credits every purchase and its revenue once" \
            "SELECT model, round(sum(conversions)::numeric, 6), round(sum(revenue)::numeric, 4)
             FROM cjourney_reports.channel_credit_by_model('$1', '$2') GROUP BY model" \
            "SELECT m, count(*)::numeric(20, 6), round(sum(coalesce(revenue, 0)), 4)
             FROM touchpoints, unnest(ARRAY['last_touch', 'linear', 'position_based', 'time_decay']) m
             WHERE event = 'purchase' AND (occurred_at AT TIME ZONE 'UTC')::date BETWEEN '$1' AND '$2' GROUP BY m"
    fi
}
for r in "${RANGES[@]}" "2025-03-01 2025-05-31"; do
    set -- $r
    # a single day may hold no funnel entries in a small sample: skip empty ones
    if [[ $1 == "$2" && $(q -c "SELECT count(*) FROM raw.funnel_customer() WHERE entry_day = '$1'") == 0 ]]; then
        continue
    fi
    check_tiles "$1" "$2"
done
RAW_FUNNEL_WEEKLY="SELECT r.week_start, r.segment, s.*
     FROM (SELECT date_trunc('week', entry_day::timestamp)::date AS week_start, segment,
                  funnel_report_agg(times, 3) AS r
           FROM raw.funnel_customer() GROUP BY 1, 2) r, funnel_steps(r.r) s"
FUNNEL_WEEKLY="SELECT week_start, segment, step, customers, conversion_from_previous, conversion_from_first,
            dropped_off, median_time_from_previous, p90_time_from_previous FROM cjourney_reports.funnel_by_entry_week"
same "funnel_by_entry_week = funnel_report_agg per entry week over the raw rows" "$FUNNEL_WEEKLY" "$RAW_FUNNEL_WEEKLY"
same "funnel_customer = window_funnel_times over each customer's raw rows" \
    "SELECT customer_id, segment, entry_day, step_times FROM cjourney_reports.funnel_customer" \
    "SELECT * FROM raw.funnel_customer()"

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
    "entry_week date, segment text, stage text, stage_order integer, customers bigint, reached bigint, share_reached numeric, median_time_to_reach interval, median_days_to_reach double precision" \
    "stages_reached_by_entry_week: columns and types"
is "$(cols cohort_retention_weekly)" \
    "entry_week date, segment text, week_number integer, customers bigint, active_customers bigint, share_active numeric" \
    "cohort_retention_weekly: columns and types"
is "$(cols funnel_by_step_28d)" \
    "from_day date, to_day date, segment text, step integer, step_name text, customers bigint, conversion_from_previous double precision, conversion_from_first double precision, dropped_off bigint, median_time_from_previous interval, p90_time_from_previous interval, median_days_from_previous double precision, p90_days_from_previous double precision" \
    "funnel_by_step_28d: columns and types"
is "$(cols funnel_by_entry_week)" \
    "week_start date, segment text, step integer, step_name text, customers bigint, conversion_from_previous double precision, conversion_from_first double precision, dropped_off bigint, median_time_from_previous interval, p90_time_from_previous interval, median_days_from_previous double precision, p90_days_from_previous double precision" \
    "funnel_by_entry_week: columns and types"
is "$(cols campaign_response_by_segment_28d)" \
    "from_day date, to_day date, segment text, treated_n bigint, treated_responders bigint, treated_rate double precision, control_n bigint, control_responders bigint, control_rate double precision, abs_lift double precision, lift double precision, ci_low double precision, ci_high double precision, z double precision, p_value double precision, treated_mean_value double precision, control_mean_value double precision" \
    "campaign_response_by_segment_28d: columns and types"
is "$(cols channel_credit_by_model_28d)" \
    "from_day date, to_day date, segment text, model text, channel text, conversions double precision, revenue double precision" \
    "channel_credit_by_model_28d: columns and types"
for v in funnel_by_step_28d campaign_response_by_segment_28d channel_credit_by_model_28d; do
    if out=$(q -c "SELECT count(*) FROM cjourney_reports.$v" 2>&1); then
        ok "$v answers ($out rows today)"
    else
        not_ok "$v answers" "$out"
    fi
done
if out=$(q -c "SELECT count(*) FROM cjourney_reports.time_in_stage_by_segment_28d" 2>&1); then
    ok "time_in_stage_by_segment_28d answers ($out rows today)"
else
    not_ok "time_in_stage_by_segment_28d answers" "$out"
fi

# --- idempotence, late rows, time zones, concurrency ----------------------------------

# every rollup table, one text row per stored row
CUR="SELECT 'daily_customer' AS tbl, to_jsonb(x)::text AS r FROM (SELECT day, customer_id, segment, touches, st::text AS st FROM cjourney_reports.daily_customer) x
     UNION ALL SELECT 'funnel_customer', to_jsonb(x)::text FROM cjourney_reports.funnel_customer x
     UNION ALL SELECT 'daily_funnel', to_jsonb(x)::text FROM (SELECT day, segment, customers, report::text AS report FROM cjourney_reports.daily_funnel) x
     UNION ALL SELECT 'daily_response', to_jsonb(x)::text FROM (SELECT day, segment, st::text AS st FROM cjourney_reports.daily_response) x
     UNION ALL SELECT 'daily_attribution', to_jsonb(x)::text FROM (SELECT day, segment, model, a::text AS a FROM cjourney_reports.daily_attribution) x"
q -c "CREATE TABLE snap AS SELECT day, customer_id, segment, touches, st::text AS st FROM cjourney_reports.daily_customer" \
  -c "CREATE TABLE snap_all AS $CUR"
SNAP="SELECT tbl, r FROM snap_all"
q -c "SELECT cjourney_reports.refresh_day('2025-05-15')" -c "SELECT cjourney_reports.refresh_day('2025-05-15')" >/dev/null
same "refresh_day twice: the rollup tables are unchanged" "$CUR" "$SNAP"
q -c "SELECT cjourney_reports.refresh_days('$FIRST', '$LAST')" >/dev/null
same "refresh_days over every day again: the rollup tables the cron job wrote" "$CUR" "$SNAP"
q -c "SELECT cjourney_reports.refresh_day(d::date) FROM generate_series('$LAST'::date, '$FIRST', '-1 day') d" >/dev/null
same "refresh_day over every day in reverse order: the rollup tables are unchanged" "$CUR" "$SNAP"
q -c "SELECT cjourney_reports.refresh_days('2025-06-01', '2025-06-30')" -c "SELECT cjourney_reports.refresh_days('2025-06-10', '2025-07-20')" >/dev/null
same "overlapping ranges re-run: the rollup tables are unchanged" "$CUR" "$SNAP"
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
same "after concurrent refreshes: the rollup tables are unchanged" "$CUR" "$SNAP"

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
check_tiles 2025-03-01 2025-03-31 "after the late rows: "
check_tiles "$FIRST" "$LAST" "after the late rows: "

# late completions: customer 999999001 (entered on $LATE_DAY with page_view,
# signup) purchases 3 days later; only that later day is refreshed, and the
# purchase is credited to the entry day's funnel row
q -c "INSERT INTO touchpoints (customer_id, occurred_at, stage, channel, event, revenue)
      VALUES (999999001, '2025-03-15 09:00+00', 'retention', 'web', 'purchase', 120)" >/dev/null
q -c "SELECT cjourney_reports.refresh_day('2025-03-15')" >/dev/null
is "$(q -c "SELECT entry_day || ' ' || cardinality(step_times) FROM cjourney_reports.funnel_customer WHERE customer_id = 999999001")" \
    "$LATE_DAY 3" "a completion 3 days later: the customer's funnel is complete, entry day unchanged"
check_tiles "$LATE_DAY" "$LATE_DAY" "late completion: "
check_tiles 2025-03-01 2025-03-31 "late completion: "
# a later, deeper chain moves a customer's entry: 999999002 reaches step 2 on
# 2025-06-02; a full chain on 2025-07-01..02 (past the 14-day window) makes
# 2025-07-01 the entry, and refreshing only July's days takes the customer
# out of June 2's row
q <<SQL || bail "insert rows of customer 999999002"
INSERT INTO customers SELECT 999999002, '2025-06-01', 'smb', 'na', 'treatment', 'variant_a';
INSERT INTO touchpoints (customer_id, occurred_at, stage, channel, event) VALUES
  (999999002, '2025-06-02 10:00+00', 'awareness', 'web', 'page_view'),
  (999999002, '2025-06-02 11:00+00', 'consideration', 'web', 'signup');
SQL
q -c "SELECT cjourney_reports.refresh_day('2025-06-02')" >/dev/null
check_tiles 2025-06-01 2025-06-30 "entry moves (before): "
q -c "INSERT INTO touchpoints (customer_id, occurred_at, stage, channel, event, revenue) VALUES
        (999999002, '2025-07-01 10:00+00', 'awareness', 'web', 'ad_click', NULL),
        (999999002, '2025-07-01 12:00+00', 'decision', 'web', 'demo_request', NULL),
        (999999002, '2025-07-02 08:00+00', 'retention', 'web', 'purchase', 99)" >/dev/null
q -c "SELECT cjourney_reports.refresh_days('2025-07-01', '2025-07-02')" >/dev/null
is "$(q -c "SELECT entry_day || ' ' || cardinality(step_times) FROM cjourney_reports.funnel_customer WHERE customer_id = 999999002")" \
    "2025-07-01 3" "a later, deeper chain moves the customer's entry day"
check_tiles 2025-06-01 2025-06-30 "entry moves (after): "
check_tiles 2025-06-01 2025-07-31 "entry moves (after): "
same "entry moves (after): funnel_by_entry_week = raw rows" "$FUNNEL_WEEKLY" "$RAW_FUNNEL_WEEKLY"
# touches deleted: refreshing their day removes them from every rollup
q -c "DELETE FROM touchpoints WHERE customer_id = 999999002 AND occurred_at >= '2025-07-01'" >/dev/null
q -c "SELECT cjourney_reports.refresh_days('2025-07-01', '2025-07-02')" >/dev/null
is "$(q -c "SELECT entry_day || ' ' || cardinality(step_times) FROM cjourney_reports.funnel_customer WHERE customer_id = 999999002")" \
    "2025-06-02 2" "deleted touches: the customer's funnel falls back to the earlier entry"
check_tiles 2025-06-01 2025-07-31 "deleted touches: "
same "deleted touches: funnel_by_entry_week = raw rows" "$FUNNEL_WEEKLY" "$RAW_FUNNEL_WEEKLY"

if out=$(q -f "$CJ_ROOT/examples/cron_rollups.sql" 2>&1) &&
    [[ $(q -c "SELECT count(*) FROM cjourney_reports.daily_customer d JOIN snap s USING (day, customer_id)") -gt 0 &&
    $(q -c "SELECT count(*) FROM cron.job WHERE jobname = 'cjourney-nightly'") == 1 ]]; then
    ok "re-installing the recipe keeps the rollups and the one nightly job"
else
    not_ok "re-installing the recipe keeps the rollups and the one nightly job" "$out"
fi

# --- another schema: uuid key, timestamp without time zone, varchar stages -------------
# The same touches as a CRM export keeps them, in a database of its own: the
# recipe installed with the column names as parameters gives the same tiles
# as the sample-data install (checked against plain SQL above).
q -c "SELECT cjourney_reports.refresh_days('2025-01-01', '2026-01-31')" >/dev/null
q -c "CREATE DATABASE crm_uuid" -c "CREATE DATABASE crm_atomic" -c "CREATE DATABASE crm_funnel" >/dev/null
for db in crm_uuid crm_atomic crm_funnel; do
    q -d "$db" <<'SQL' >/dev/null || bail "create the uuid schema in $db"
CREATE EXTENSION cjourney;
CREATE SCHEMA crm;
CREATE TABLE crm.events (contact_id uuid NOT NULL, ts timestamp NOT NULL, lifecycle_stage varchar(40),
                         event_name varchar(40), source varchar(40), amount numeric(12, 2));
CREATE TABLE crm.contacts (contact_id uuid PRIMARY KEY, tier varchar(20), ab_group varchar(20));
SQL
    q -d "$db" -c "CREATE INDEX ON crm.events (contact_id)" -c "CREATE INDEX ON crm.events ((ts AT TIME ZONE 'UTC'))" >/dev/null
    q -c "COPY (SELECT md5(customer_id::text)::uuid, occurred_at AT TIME ZONE 'UTC', stage, event, channel, revenue FROM touchpoints) TO STDOUT" |
        q -d "$db" -c "COPY crm.events FROM STDIN" || bail "copy the touches to $db"
    q -c "COPY (SELECT md5(customer_id::text)::uuid, segment, campaign_group FROM customers) TO STDOUT" |
        q -d "$db" -c "COPY crm.contacts FROM STDIN" || bail "copy the customers to $db"
    q -d "$db" -c "ANALYZE" >/dev/null
done
CRM_VARS=(-v cj_touchpoints=crm.events -v cj_key=contact_id -v cj_time=ts -v cj_stage=lifecycle_stage
    -v cj_event=event_name -v cj_channel=source -v cj_revenue=amount -v cj_customers=crm.contacts
    -v cj_segment=tier -v cj_campaign_group=ab_group -v cj_schedule=off)
if out=$(q -d crm_uuid "${CRM_VARS[@]}" -v "cj_stages=awareness<consideration<decision<retention<advocacy" \
    -f "$CJ_ROOT/examples/cron_rollups.sql" 2>&1); then
    ok "recipe installs on a uuid / timestamp / varchar schema"
else
    not_ok "recipe installs on a uuid / timestamp / varchar schema" "$out"
fi
is "$(q -d crm_uuid -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'cjourney_reports.daily_customer'::regclass AND attname = 'customer_id'")" \
    "uuid" "the rollups key on the source's key type"
q -d crm_uuid -c "SET TimeZone = 'America/New_York'" -c "SELECT cjourney_reports.refresh_days('2025-01-01', '2026-01-31')" >/dev/null ||
    not_ok "refresh_days on the uuid schema"
# Float sums over many rows (credit, mean values) are compared rounded: their
# last bits follow the order the rows arrive in (README, Limits).
TILES="SELECT 'stage', t::text FROM cjourney_reports.time_in_stage_by_segment('2025-01-01', '2026-01-31') t
UNION ALL SELECT 'funnel', t::text FROM cjourney_reports.funnel_by_step('2025-01-01', '2026-01-31') t
UNION ALL SELECT 'response', (t.segment, t.treated_n, t.treated_responders, t.treated_rate, t.control_n, t.control_responders,
                              t.control_rate, t.abs_lift, t.lift, t.ci_low, t.ci_high, t.z, t.p_value,
                              round(t.treated_mean_value::numeric, 9), round(t.control_mean_value::numeric, 9))::text
          FROM cjourney_reports.campaign_response_by_segment('2025-01-01', '2026-01-31') t
UNION ALL SELECT 'credit', concat_ws(' ', t.segment, t.model, t.channel, round(t.conversions::numeric, 6), round(t.revenue::numeric, 4))
          FROM cjourney_reports.channel_credit_by_model('2025-01-01', '2026-01-31') t
UNION ALL SELECT 'log', day || ' ' || customers || ' ' || touches FROM cjourney_reports.refresh_log
ORDER BY 1, 2"
a=$(q -c "$TILES" 2>&1)
b=$(q -d crm_uuid -c "$TILES" 2>&1)
if [[ -n $a && $a == "$b" ]]; then
    ok "uuid / timestamp / varchar schema (refreshed under America/New_York): every tile equals the sample install's ($(wc -l <<<"$a") rows)"
else
    not_ok "uuid / timestamp / varchar schema: every tile equals the sample install's" "$(diff <(echo "$a") <(echo "$b") | head -20)"
fi
# one transaction: an error part-way leaves nothing behind
if out=$(q -d crm_atomic "${CRM_VARS[@]}" -v cj_funnel_window=nonsense -f "$CJ_ROOT/examples/cron_rollups.sql" 2>&1); then
    not_ok "an install that fails part-way is an error" "$out"
else
    is "$(q -d crm_atomic -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'cjourney_reports'")" 0 \
        "an install that fails part-way (bad cj_funnel_window) leaves no schema behind"
fi
out=$(q -d crm_atomic "${CRM_VARS[@]}" -v cj_key=no_such_column -f "$CJ_ROOT/examples/cron_rollups.sql" 2>&1)
if [[ $out == *'table crm.events has no column "no_such_column"'* ]] &&
    [[ $(q -d crm_atomic -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'cjourney_reports'") == 0 ]]; then
    ok "a wrong column name is a clear error and installs nothing"
else
    not_ok "a wrong column name is a clear error and installs nothing" "$out"
fi
# the funnel steps as a parameter: a 2-step funnel in a 7-day window, against plain SQL
if out=$(q -d crm_funnel "${CRM_VARS[@]}" -v 'cj_funnel=page_view|purchase' -v 'cj_funnel_window=7 days' \
    -f "$CJ_ROOT/examples/cron_rollups.sql" 2>&1) &&
    q -d crm_funnel -c "SELECT cjourney_reports.refresh_days('2025-01-01', '2026-01-31')" >/dev/null; then
    ok "recipe installs with cj_funnel='page_view|purchase'"
else
    not_ok "recipe installs with cj_funnel='page_view|purchase'" "$out"
fi
is "$(q -d crm_funnel -c "SELECT string_agg(step || ':' || step_name || ':' || window_length, ' ' ORDER BY step) FROM cjourney_reports.funnel_definition")" \
    "1:page_view:7 days 2:purchase:7 days" "funnel_definition shows the funnel installed"
got=$(q -d crm_funnel -c "SELECT string_agg(step || ':' || customers, ' ' ORDER BY step) FROM (SELECT step, sum(customers) AS customers FROM cjourney_reports.funnel_by_step('2025-01-01', '2026-01-31') GROUP BY step) s")
want=$(q -d crm_funnel -c "WITH pv AS (SELECT contact_id, ts FROM crm.events WHERE event_name = 'page_view'),
    pu AS (SELECT contact_id, ts FROM crm.events WHERE event_name = 'purchase'),
    lvl AS (SELECT c.contact_id, CASE WHEN EXISTS (SELECT 1 FROM pv JOIN pu USING (contact_id) WHERE pv.contact_id = c.contact_id AND pu.ts >= pv.ts AND pu.ts <= pv.ts + interval '7 days') THEN 2
                                      WHEN EXISTS (SELECT 1 FROM pv WHERE pv.contact_id = c.contact_id) THEN 1 ELSE 0 END AS l
            FROM (SELECT DISTINCT contact_id FROM crm.events) c)
    SELECT '1:' || count(*) FILTER (WHERE l >= 1) || ' 2:' || count(*) FILTER (WHERE l >= 2) FROM lvl")
is "$got" "$want" "the 2-step funnel's customers per step = plain SQL over the raw rows"

if cj_crash_check "$DIR/server.log"; then ok "no backend crash"; else not_ok "no backend crash"; fi
cj_cluster_stop "$DIR"
echo "1..$N"
