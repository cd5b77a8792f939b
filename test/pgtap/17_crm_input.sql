-- CRM input (issue 14): timestamp without time zone overloads, checked
-- under two session time zones against the timestamptz forms on the same
-- wall-clock values read as UTC; out-of-range times named in the error.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(29);

-- the sample data as a CRM table keeps it: wall-clock timestamps
CREATE TEMP TABLE crm_ts AS
SELECT customer_id, (occurred_at AT TIME ZONE 'UTC')::timestamp AS ts, occurred_at AS tz,
       stage::stage AS st, channel, event, revenue, event = 'purchase' AS conv,
       stage = 'consideration' AS lead, stage = 'decision' AS opp
FROM touchpoints;

-- every aggregate and function over timestamp, one text per customer
CREATE FUNCTION pg_temp.answers_ts() RETURNS SETOF text LANGUAGE sql AS $f$
SELECT concat_ws(' | ', customer_id,
       journey_agg(ts, st, channel, event)::text,
       stage_time_agg(ts, st)::text,
       window_funnel('30 days', ts, st = 'awareness', st = 'consideration', conv),
       window_funnel('30 days', 'strict_order', ts, st = 'awareness', st = 'consideration', conv),
       window_funnel_times('30 days', ts, st = 'awareness', st = 'consideration', conv)::text,
       window_funnel_times('30 days', 'strict_increase', ts, st = 'awareness', conv)::text,
       touches_before_conversion(ts, conv), touches_before_conversion(ts, conv, '7 days'),
       touches_before_each_conversion(ts, conv)::text, time_to_conversion(ts, conv),
       conversion_path(ts, channel, conv)::text, conversion_path(ts, channel, conv, true, 3)::text,
       attribution_agg(ts, channel, conv, revenue, 'time_decay')::text,
       attribution_agg(ts, channel, conv, revenue, 'linear', 'lookback=30 days')::text,
       attribution_agg(ts, channel, conv, revenue, lead, opp, 'w_shaped', '')::text,
       event_path(ts, channel)::text,
       event_path(ts, channel, 'web', 'from', 5, true)::text,
       event_path_between(ts, channel, 'web', 'email', 4, false)::text,
       journey_agg(touchpoint(ts, st, channel, event, revenue))::text,
       duration_in(stage_time_agg(ts, st), 'decision'::stage, '2026-06-01 00:00'::timestamp),
       stage_at(stage_time_agg(ts, st), '2025-03-09 12:00'::timestamp),
       journey_stage_at(journey_agg(ts, st, channel, event), '2025-03-09 12:00'::timestamp),
       journey_slice(journey_agg(ts, st, channel, event), '2025-02-01'::timestamp, '2025-04-01'::timestamp)::text)
FROM crm_ts GROUP BY customer_id ORDER BY customer_id
$f$;
-- the same on timestamptz values: the wall clock read as UTC
CREATE FUNCTION pg_temp.answers_tz() RETURNS SETOF text LANGUAGE sql AS $f$
SELECT concat_ws(' | ', customer_id,
       journey_agg(tz, st, channel, event)::text,
       stage_time_agg(tz, st)::text,
       window_funnel('30 days', tz, st = 'awareness', st = 'consideration', conv),
       window_funnel('30 days', 'strict_order', tz, st = 'awareness', st = 'consideration', conv),
       (SELECT array_agg(x AT TIME ZONE 'UTC') FROM unnest(window_funnel_times('30 days', tz, st = 'awareness', st = 'consideration', conv)) x)::text,
       (SELECT array_agg(x AT TIME ZONE 'UTC') FROM unnest(window_funnel_times('30 days', 'strict_increase', tz, st = 'awareness', conv)) x)::text,
       touches_before_conversion(tz, conv), touches_before_conversion(tz, conv, '7 days'),
       touches_before_each_conversion(tz, conv)::text, time_to_conversion(tz, conv),
       conversion_path(tz, channel, conv)::text, conversion_path(tz, channel, conv, true, 3)::text,
       attribution_agg(tz, channel, conv, revenue, 'time_decay')::text,
       attribution_agg(tz, channel, conv, revenue, 'linear', 'lookback=30 days')::text,
       attribution_agg(tz, channel, conv, revenue, lead, opp, 'w_shaped', '')::text,
       event_path(tz, channel)::text,
       event_path(tz, channel, 'web', 'from', 5, true)::text,
       event_path_between(tz, channel, 'web', 'email', 4, false)::text,
       journey_agg(touchpoint(tz, st, channel, event, revenue))::text,
       duration_in(stage_time_agg(tz, st), 'decision'::stage, '2026-06-01 00:00Z'::timestamptz),
       stage_at(stage_time_agg(tz, st), '2025-03-09 12:00Z'::timestamptz),
       journey_stage_at(journey_agg(tz, st, channel, event), '2025-03-09 12:00Z'::timestamptz),
       journey_slice(journey_agg(tz, st, channel, event), '2025-02-01Z'::timestamptz, '2025-04-01Z'::timestamptz)::text)
FROM crm_ts GROUP BY customer_id ORDER BY customer_id
$f$;

SET LOCAL TimeZone = 'UTC';
CREATE TEMP TABLE ref AS SELECT row_number() OVER () AS i, a FROM pg_temp.answers_tz() a;
CREATE TEMP TABLE a_utc AS SELECT row_number() OVER () AS i, a FROM pg_temp.answers_ts() a;
SET LOCAL TimeZone = 'America/New_York';
CREATE TEMP TABLE a_ny AS SELECT row_number() OVER () AS i, a FROM pg_temp.answers_ts() a;
SET LOCAL TimeZone = 'Asia/Kolkata';
CREATE TEMP TABLE a_ist AS SELECT row_number() OVER () AS i, a FROM pg_temp.answers_ts() a;

SELECT cmp_ok((SELECT count(*) FROM ref), '>', 1000::bigint, 'every customer answered');
SELECT is((SELECT count(*) FROM ref r JOIN a_utc u USING (i) WHERE r.a = u.a), (SELECT count(*) FROM ref),
          'timestamp overloads under UTC = timestamptz forms on the wall clock read as UTC');
SELECT is((SELECT count(*) FROM a_utc u JOIN a_ny n USING (i) WHERE u.a = n.a), (SELECT count(*) FROM ref),
          'timestamp overloads: America/New_York gives the same answers as UTC');
SELECT is((SELECT count(*) FROM a_utc u JOIN a_ist n USING (i) WHERE u.a = n.a), (SELECT count(*) FROM ref),
          'timestamp overloads: Asia/Kolkata gives the same answers as UTC');

-- a DST change between two rows: 2 days of wall clock are 2 days
CREATE TEMP TABLE dst(ts timestamp, st stage);
INSERT INTO dst VALUES ('2025-03-08 12:00', 'awareness'), ('2025-03-10 12:00', 'consideration');
SELECT is((SELECT duration_in(stage_time_agg(ts, st), 'awareness'::stage) FROM dst), interval '2 days',
          'time in stage over a DST change under America/New_York');
SELECT is((SELECT window_funnel_times('7 days', ts, st = 'awareness', st = 'consideration') FROM dst),
          ARRAY['2025-03-08 12:00', '2025-03-10 12:00']::timestamp[], 'window_funnel_times over timestamp gives timestamp[]');
SELECT is((SELECT funnel_report_agg(t, 2)::text FROM (SELECT window_funnel_times('7 days', ts, st = 'awareness', st = 'consideration') t FROM dst) s),
          (SELECT funnel_report_agg(ARRAY['2025-03-08 12:00Z', '2025-03-10 12:00Z']::timestamptz[], 2)::text),
          'funnel_report_agg takes timestamp[] step times');
SELECT is((SELECT session_count(ts, '1 day') FROM dst), 2::bigint, 'session_count over timestamp (0.2.0 sessions)');
SET LOCAL TimeZone = 'UTC';
SELECT is((SELECT duration_in(stage_time_agg(ts, st), 'awareness'::stage) FROM dst), interval '2 days',
          'the same under UTC');
-- a literal still means timestamptz (the preferred type): no ambiguity
SELECT is(journey_agg('2025-01-01 00:00Z', 'awareness'::stage, 'web', NULL)::text,
          '{2025-01-01T00:00:00Z awareness web NULL}', 'an untyped literal resolves to the timestamptz form');

-- out-of-range times: the message names the value, the hint shows the filter
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE m text; h text;
BEGIN
  EXECUTE q;
  RETURN NULL;
EXCEPTION WHEN others THEN
  GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, h = PG_EXCEPTION_HINT;
  RETURN m || ' / ' || h;
END $f$;
SELECT throws_ok($$SELECT journey_agg(ts, 'awareness'::stage, 'web', NULL) FROM (VALUES ('2025-01-01'::timestamp), ('infinity')) v(ts)$$,
    '22008', 'touch time out of range: infinity', 'infinity: 22008 naming the value');
SELECT matches(pg_temp.err($$SELECT stage_time_agg(ts, 'awareness'::stage) FROM (VALUES ('-infinity'::timestamptz)) v(ts)$$),
    '^touch time out of range: -infinity / .*isfinite\(occurred_at\).*<> ''infinity''', '-infinity: the hint shows the filters');
SELECT is(pg_temp.err($$SELECT window_funnel('1 day', ts, true) FROM (VALUES ('10000-01-01 00:00'::timestamp)) v(ts)$$),
    'touch time out of range: 10000-01-01 00:00:00 UTC / Leave such rows out, for example WHERE isfinite(occurred_at), or WHERE occurred_at <> ''infinity'', or WHERE occurred_at BETWEEN ''0001-01-01'' AND ''9999-12-31''.',
    'a year-10000 time is named in UTC');
SET LOCAL TimeZone = 'America/New_York';
SELECT matches(pg_temp.err($$SELECT attribution_agg(ts, 'web', true, 1, 'linear') FROM (VALUES ('0001-01-01 00:00Z'::timestamptz - interval '1 second')) v(ts)$$),
    '^touch time out of range: 0001-12-31 23:59:59 BC UTC', 'the value is shown in UTC whatever the TimeZone');
SELECT matches(pg_temp.err($$SELECT touches_before_conversion(ts, true) FROM (VALUES ('infinity'::timestamp)) v(ts)$$),
    '^touch time out of range: infinity', 'conversion aggregates name the value too');
SELECT matches(pg_temp.err($$SELECT event_path(ts, 'a') FROM (VALUES ('infinity'::timestamp)) v(ts)$$),
    '^touch time out of range: infinity', 'event_path names the value too');

-- stages as text: the same answers as the enum path, in serial and forced-parallel plans
SET LOCAL TimeZone = 'UTC';
CREATE TEMP TABLE crm_txt AS SELECT customer_id, occurred_at, stage::varchar(40) AS stage, channel, event
FROM touchpoints ORDER BY md5(customer_id::text || occurred_at::text || channel);
CREATE TEMP TABLE by_enum AS
SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS j, stage_time_agg(occurred_at, stage::stage) AS st
FROM crm_txt GROUP BY customer_id;
CREATE TEMP TABLE by_text AS
SELECT customer_id, journey_agg(occurred_at, stage, channel, event, 'awareness<consideration<decision<retention<advocacy') AS j,
       stage_time_agg(occurred_at, stage, 'stage') AS st
FROM crm_txt GROUP BY customer_id;
SELECT is((SELECT count(*) FROM by_enum e JOIN by_text t USING (customer_id) WHERE e.j = t.j AND e.st::text = t.st::text),
          (SELECT count(*) FROM by_enum), 'text stages (a stage list, an enum type name) = the enum path');
SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0; SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2; SET LOCAL force_parallel_mode = on; SET LOCAL enable_indexscan = off;
SELECT is((SELECT md5(string_agg(j::text || st::text, ',' ORDER BY customer_id)) FROM
             (SELECT customer_id, journey_agg(occurred_at, stage, channel, event, 'awareness < consideration < decision < retention < advocacy') AS j,
                     stage_time_agg(occurred_at::timestamp, stage, 'stage') AS st FROM crm_txt GROUP BY customer_id) p),
          (SELECT md5(string_agg(j::text || st::text, ',' ORDER BY customer_id)) FROM
             (SELECT customer_id, j, stage_time_agg(occurred_at::timestamp, stage::stage) AS st FROM crm_txt JOIN by_enum USING (customer_id) GROUP BY customer_id, j) p),
          'text stages under a forced parallel plan');
RESET force_parallel_mode; RESET enable_indexscan; RESET max_parallel_workers_per_gather;
-- unknown labels: skip and null leave the row out, like a WHERE on the known labels
SELECT is((SELECT md5(string_agg(j::text, ',' ORDER BY customer_id)) FROM
             (SELECT customer_id, journey_agg(occurred_at, stage, channel, event, 'awareness<decision<advocacy; unknown=skip') AS j FROM crm_txt GROUP BY customer_id) x),
          (SELECT md5(string_agg(j::text, ',' ORDER BY customer_id)) FROM
             (SELECT customer_id, journey_agg(occurred_at, stage, channel, event, 'awareness<decision<advocacy') AS j FROM crm_txt
              WHERE stage IN ('awareness', 'decision', 'advocacy') GROUP BY customer_id) x),
          'unknown=skip = filtering the rows in SQL');
SELECT is((SELECT md5(string_agg(st::text, ',' ORDER BY customer_id)) FROM
             (SELECT customer_id, stage_time_agg(occurred_at, stage, 'awareness<decision<advocacy;unknown=null') AS st FROM crm_txt GROUP BY customer_id) x),
          (SELECT md5(string_agg(st::text, ',' ORDER BY customer_id)) FROM
             (SELECT customer_id, stage_time_agg(occurred_at, CASE WHEN stage IN ('awareness', 'decision', 'advocacy') THEN stage END, 'awareness<decision<advocacy') AS st FROM crm_txt GROUP BY customer_id) x),
          'unknown=null = a NULL stage (skipped by the aggregates)');
SELECT throws_ok($$SELECT journey_agg(now(), s, 'web', NULL, 'subscriber<lead<mql') FROM (VALUES ('lead'), ('Lead')) v(s)$$,
    '22P02', 'stage "Lead" is not in the stage list', 'an unknown label is an error naming it (exact match: case counts)');
SELECT matches(pg_temp.err($$SELECT stage_time_agg(now(), s, 'subscriber<lead<mql') FROM (VALUES ('marketingqualifiedlead')) v(s)$$),
    'stage "marketingqualifiedlead" is not in the stage list / .*unknown=skip', 'the hint shows how to skip');
SELECT throws_ok($$SELECT journey_agg(now(), 'lead', 'web', NULL, 'lead<<mql')$$, '22023', 'invalid stage list "lead<<mql"', 'an empty stage is an error');
SELECT throws_ok($$SELECT journey_agg(now(), 'lead', 'web', NULL, 'lead<mql<lead')$$, '22023', 'invalid stage list "lead<mql<lead"', 'a duplicate stage is an error');
SELECT throws_ok($$SELECT journey_agg(now(), 'lead', 'web', NULL, 'no_such_type')$$, '22023', 'invalid stage list "no_such_type"', 'a name that is no enum type is an error');
SELECT throws_ok($$SELECT journey_agg(now(), 'lead', 'web', NULL, 'lead<mql; unknown=maybe')$$, '22023', 'invalid stage list "lead<mql; unknown=maybe"', 'an unknown option is an error');
-- the functions that read a stage of a value take text (the value's own stage list)
SELECT is((SELECT count(*) FROM by_enum e JOIN by_text t USING (customer_id)
           WHERE duration_in(e.st, 'decision'::stage) = duration_in(t.st, 'decision')
             AND duration_in(e.st, 'decision'::stage, '2026-06-01Z'::timestamptz) = duration_in(t.st, 'decision', '2026-06-01Z'::timestamptz)
             AND journey_duration_in(e.j, 'retention'::stage) = journey_duration_in(t.j, 'retention')
             AND journey_reached(e.j, 'advocacy'::stage) = journey_reached(t.j, 'advocacy')
             AND journey_stage_reached_by('advocacy'::stage, e.j) = journey_stage_reached_by('advocacy', t.j)),
          (SELECT count(*) FROM by_enum), 'duration_in, journey_duration_in, journey_reached with a text stage = with the enum');
SELECT is((SELECT count(*) FILTER (WHERE journey_reached(j, 'advocacy')) FROM by_text),
          (SELECT count(DISTINCT customer_id) FROM crm_txt WHERE stage = 'advocacy'), 'journey_reached(text) against plain SQL');
SELECT throws_ok($$SELECT journey_reached('{2025-01-01T00:00:00Z awareness web NULL}'::journey, 'Awareness')$$,
    '22P02', 'stage "Awareness" is not in the stage list', 'a text stage not in the value''s list is an error');

SELECT * FROM finish();
ROLLBACK;
