-- CRM input (issue 14): timestamp without time zone overloads, checked
-- under two session time zones against the timestamptz forms on the same
-- wall-clock values read as UTC; out-of-range times named in the error.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(16);

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

SELECT * FROM finish();
ROLLBACK;
