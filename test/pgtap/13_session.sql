-- Sessions against independent plain SQL on the sample data: sessionize,
-- session_start and session_count for every rule (gap, day boundary,
-- explicit start event, max_duration), the integer and timestamp forms, the
-- journey forms, shuffled input, forced parallel plans and the errors.
--
-- Plain SQL: the instants of a customer (distinct times, an instant asking
-- for a new session if any of its rows does), lag() for the previous
-- instant and a running sum of "starts a session"; max_duration needs the
-- session's start, so it is a recursive CTE over the instants.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(29);

CREATE TEMP TABLE inst AS
SELECT customer_id, occurred_at AS t, bool_or(coalesce(event = 'login', false)) AS login
FROM touchpoints GROUP BY 1, 2;
CREATE TEMP TABLE ref AS
SELECT customer_id, t,
       sum(CASE WHEN prev IS NULL OR t - prev > interval '30 minutes' THEN 1 ELSE 0 END)
         OVER w AS gap,
       sum(CASE WHEN prev IS NULL OR t - prev > interval '30 minutes' OR login
                  OR (t AT TIME ZONE 'America/New_York')::date <> (prev AT TIME ZONE 'America/New_York')::date
                THEN 1 ELSE 0 END) OVER w AS all_but_max
FROM (SELECT *, lag(t) OVER (PARTITION BY customer_id ORDER BY t) AS prev FROM inst) x
WINDOW w AS (PARTITION BY customer_id ORDER BY t);
-- max_duration 20 minutes, gap 30 minutes: the session's start carried along;
-- sess_login also starts a session at every login instant
CREATE TEMP TABLE ref_max AS
WITH RECURSIVE n AS (
  SELECT customer_id, t, login, row_number() OVER (PARTITION BY customer_id ORDER BY t) AS rn FROM inst),
r AS (
  SELECT customer_id, rn, t, t AS start, 1::bigint AS sess, t AS start_l, 1::bigint AS sess_login FROM n WHERE rn = 1
  UNION ALL
  SELECT n.customer_id, n.rn, n.t,
         CASE WHEN n.t - r.t > interval '30 minutes' OR n.t - r.start > interval '20 minutes' THEN n.t ELSE r.start END,
         r.sess + CASE WHEN n.t - r.t > interval '30 minutes' OR n.t - r.start > interval '20 minutes' THEN 1 ELSE 0 END,
         CASE WHEN n.login OR n.t - r.t > interval '30 minutes' OR n.t - r.start_l > interval '20 minutes' THEN n.t ELSE r.start_l END,
         r.sess_login + CASE WHEN n.login OR n.t - r.t > interval '30 minutes' OR n.t - r.start_l > interval '20 minutes' THEN 1 ELSE 0 END
  FROM r JOIN n ON n.customer_id = r.customer_id AND n.rn = r.rn + 1)
SELECT customer_id, t, start, sess, sess_login FROM r;
CREATE INDEX ON ref (customer_id, t);
CREATE INDEX ON ref_max (customer_id, t);
ANALYZE ref;
ANALYZE ref_max;

CREATE TEMP TABLE win AS
SELECT customer_id, occurred_at AS t, event,
       sessionize(occurred_at, interval '30 minutes') OVER w AS gap,
       sessionize(occurred_at, interval '30 minutes', NULL, 'America/New_York', event = 'login') OVER w AS all_but_max,
       sessionize(occurred_at, interval '30 minutes', interval '20 minutes', NULL, NULL) OVER w AS max20m,
       session_start(occurred_at, interval '30 minutes') OVER w AS gap_start,
       session_start(occurred_at, interval '30 minutes', interval '20 minutes', NULL, NULL) OVER w AS max20m_start,
       sessionize(extract(epoch FROM occurred_at)::bigint, 1800) OVER w AS gap_bigint,
       sessionize(extract(epoch FROM occurred_at)::bigint, 1800, 1200, event = 'login') OVER w AS bigint_login_max,
       sessionize(occurred_at AT TIME ZONE 'America/New_York', interval '30 minutes', NULL, true, event = 'login') OVER w AS ts_all
FROM touchpoints WINDOW w AS (PARTITION BY customer_id ORDER BY occurred_at);

SELECT ok((SELECT count(*) FROM ref WHERE gap > 1) > 1000 AND (SELECT count(*) FROM ref_max WHERE sess > 1) > 1000
          AND (SELECT count(*) FROM (SELECT 1 FROM touchpoints GROUP BY customer_id, occurred_at HAVING count(*) > 1) x) > 100,
          'the sample data has many sessions per customer and many same-instant rows');
SELECT ok((SELECT count(*) FROM ref_max m JOIN ref r USING (customer_id, t) WHERE m.sess <> r.gap) > 100
          AND (SELECT count(*) FROM ref WHERE all_but_max <> gap) > 100,
          'max_duration, day boundary and start event each change sessions');
SELECT is_empty($$SELECT customer_id, t FROM win GROUP BY 1, 2 HAVING count(DISTINCT gap) > 1 OR count(DISTINCT all_but_max) > 1
                                                                      OR count(DISTINCT max20m) > 1$$,
                'rows at one instant share a session');
SELECT is_empty($$SELECT * FROM win JOIN ref USING (customer_id, t) WHERE win.gap <> ref.gap$$,
                'sessionize(t, 30 min) = lag and running sum, every row');
SELECT is_empty($$SELECT * FROM win JOIN ref USING (customer_id, t) WHERE win.all_but_max <> ref.all_but_max$$,
                'sessionize with a New York day boundary and login starting sessions = plain SQL');
SELECT is_empty($$SELECT * FROM win JOIN ref_max USING (customer_id, t) WHERE win.max20m <> ref_max.sess$$,
                'sessionize with max_duration 20 minutes = recursive plain SQL');
SELECT is_empty($$SELECT * FROM win JOIN ref_max USING (customer_id, t) WHERE win.max20m_start <> ref_max.start$$,
                'session_start with max_duration = the session''s first time in plain SQL');
SELECT is_empty($$SELECT * FROM win w WHERE gap_start <> (SELECT min(t) FROM ref r WHERE r.customer_id = w.customer_id AND r.gap = w.gap)$$,
                'session_start = the earliest time of the session');
SELECT is_empty($$SELECT * FROM win WHERE gap_bigint <> gap$$, 'bigint epoch seconds and timeout 1800 = timestamptz');
SELECT is_empty($$SELECT * FROM win JOIN ref_max USING (customer_id, t) WHERE win.bigint_login_max <> ref_max.sess_login$$,
                'bigint sessionize with max_duration 1200 and login starting sessions = recursive plain SQL');
SELECT is_empty($$SELECT * FROM win WHERE ts_all <> all_but_max$$,
                'timestamp in New York local time with day_boundary true = timestamptz with day_boundary New York');

-- session_count = the number of sessions of plain SQL, whatever the input order
CREATE TEMP TABLE cnt AS
SELECT customer_id,
       session_count(occurred_at, interval '30 minutes') AS gap,
       session_count(occurred_at, interval '30 minutes', NULL, 'America/New_York', event = 'login') AS all_but_max,
       session_count(occurred_at, interval '30 minutes', interval '20 minutes', NULL, NULL) AS max20m,
       session_count(occurred_at, interval '30 minutes' ORDER BY md5(occurred_at::text || coalesce(event, ''))) AS gap_shuffled,
       session_count(occurred_at, interval '30 minutes', interval '20 minutes', NULL, NULL
                     ORDER BY md5(occurred_at::text || coalesce(event, '')) DESC) AS max20m_shuffled,
       session_count(extract(epoch FROM occurred_at)::bigint, 1800) AS gap_bigint,
       session_count(occurred_at AT TIME ZONE 'America/New_York', interval '30 minutes', NULL, true, event = 'login') AS ts_all
FROM touchpoints GROUP BY customer_id;
SELECT is_empty($$SELECT * FROM cnt JOIN (SELECT customer_id, max(gap) AS g, max(all_but_max) AS a FROM ref GROUP BY 1) r USING (customer_id)
                  WHERE cnt.gap <> r.g OR cnt.all_but_max <> r.a$$,
                'session_count = plain SQL (gap; day boundary and start event)');
SELECT is_empty($$SELECT * FROM cnt JOIN (SELECT customer_id, max(sess) AS m FROM ref_max GROUP BY 1) r USING (customer_id)
                  WHERE cnt.max20m <> r.m$$,
                'session_count with max_duration = recursive plain SQL');
SELECT is_empty($$SELECT * FROM cnt WHERE gap_shuffled <> gap OR max20m_shuffled <> max20m$$, 'shuffled input gives the same counts');
SELECT is_empty($$SELECT * FROM cnt WHERE gap_bigint <> gap OR ts_all <> all_but_max$$, 'bigint and timestamp forms = timestamptz');

-- journey forms = row forms, every customer
CREATE TEMP TABLE jr AS
SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS j FROM touchpoints GROUP BY 1;
SELECT is_empty($$
  SELECT customer_id, s.session, s.started_at, s.ended_at, s.touches, s.duration
  FROM jr, journey_sessions(j, interval '30 minutes', NULL, 'America/New_York', 'login') s
  EXCEPT
  SELECT customer_id, all_but_max::int, min(t), max(t), count(*)::int, max(t) - min(t) FROM win GROUP BY 1, 2$$,
  'journey_sessions (day boundary, start event) = the sessions of sessionize over the rows');
SELECT is((SELECT count(*) FROM jr, journey_sessions(j, interval '30 minutes', NULL, 'America/New_York', 'login')),
          (SELECT count(*) FROM (SELECT DISTINCT customer_id, all_but_max FROM win) x),
          'journey_sessions has one row per session');
SELECT is_empty($$
  SELECT customer_id, s.session, s.started_at, s.touches FROM jr, journey_sessions(j, interval '30 minutes', max_duration => interval '20 minutes') s
  EXCEPT SELECT customer_id, max20m::int, min(t), count(*)::int FROM win GROUP BY 1, 2$$,
  'journey_sessions with max_duration = sessionize');
SELECT is_empty($$
  SELECT customer_id FROM jr JOIN cnt USING (customer_id)
  WHERE cardinality(journey_sessionize(j, interval '30 minutes')) <> cnt.gap
     OR (SELECT sum(journey_length(s)) FROM unnest(journey_sessionize(j, interval '30 minutes')) s) <> journey_length(j)$$,
  'journey_sessionize: one journey per session, all touches kept');
SELECT is_empty($$
  SELECT customer_id, k, journey_start(s), journey_length(s) FROM jr, unnest(journey_sessionize(j, interval '30 minutes', interval '20 minutes')) WITH ORDINALITY u(s, k)
  EXCEPT SELECT customer_id, max20m, min(t), count(*)::int FROM win GROUP BY 1, 2$$,
  'journey_sessionize sessions start and hold what sessionize says');

-- forced parallel plans: session_count gives the serial result
CREATE TABLE par_s AS SELECT * FROM touchpoints;
ANALYZE par_s;
CREATE FUNCTION pg_temp.parallel_counts(leader boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; result text := '';
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', '2', true);
  PERFORM set_config('parallel_setup_cost', '0', true);
  PERFORM set_config('parallel_tuple_cost', '0', true);
  PERFORM set_config('min_parallel_table_scan_size', '0', true);
  PERFORM set_config('parallel_leader_participation', leader::text, true);
  IF current_setting('server_version_num')::int >= 160000 THEN
    PERFORM set_config('debug_parallel_query', 'on', true);
  ELSE
    PERFORM set_config('force_parallel_mode', 'on', true);
  END IF;
  DROP TABLE IF EXISTS par_cnt;
  FOR line IN EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) CREATE TABLE par_cnt AS
    SELECT customer_id, session_count(occurred_at, interval '30 minutes', interval '20 minutes', 'America/New_York', event = 'login') AS n,
           session_count(extract(epoch FROM occurred_at)::bigint, 1800, 1200, event = 'login') AS nb
    FROM par_s GROUP BY customer_id LOOP
    result := result || line || E'\n';
  END LOOP;
  PERFORM set_config('max_parallel_workers_per_gather', '0', true);
  PERFORM set_config('parallel_leader_participation', 'on', true);
  RETURN result;
END $$;
CREATE TEMP TABLE ser_cnt AS
SELECT customer_id, session_count(occurred_at, interval '30 minutes', interval '20 minutes', 'America/New_York', event = 'login') AS n,
       session_count(extract(epoch FROM occurred_at)::bigint, 1800, 1200, event = 'login') AS nb
FROM touchpoints GROUP BY customer_id;
SELECT matches(pg_temp.parallel_counts(true), 'Finalize [A-Za-z]*Aggregate.*Workers Launched: [1-9].*Partial [A-Za-z]*Aggregate',
               'session_count: Partial and Finalize Aggregate, workers ran');
SELECT is_empty($$SELECT * FROM par_cnt FULL JOIN ser_cnt s USING (customer_id) WHERE par_cnt.n IS DISTINCT FROM s.n OR par_cnt.nb IS DISTINCT FROM s.nb$$,
                'session_count: parallel = serial');
SELECT matches(pg_temp.parallel_counts(false), 'Workers Launched: [1-9]', 'session_count, leader off: workers ran');
SELECT is_empty($$SELECT * FROM par_cnt FULL JOIN ser_cnt s USING (customer_id) WHERE par_cnt.n IS DISTINCT FROM s.n OR par_cnt.nb IS DISTINCT FROM s.nb$$,
                'session_count, leader off (every state serialized): parallel = serial');

-- errors
SELECT throws_ok($$SELECT sessionize(occurred_at, interval '0') OVER (ORDER BY occurred_at) FROM touchpoints$$, '22023',
                 'sessionize timeout must be positive, not "00:00:00"');
SELECT throws_ok($$SELECT sessionize(occurred_at, interval '30 minutes') OVER (PARTITION BY customer_id ORDER BY event) FROM touchpoints$$, '22023',
                 'sessionize needs its window ordered by occurred_at');
SELECT throws_ok($$SELECT session_count(occurred_at, interval '30 minutes', interval '-1 hour', NULL, NULL) FROM touchpoints$$, '22023',
                 'session_count max_duration must be positive, not "-01:00:00"');
SELECT throws_ok($$SELECT session_count(occurred_at, interval '30 minutes', NULL, 'Nowhere/City', NULL) FROM touchpoints$$, '22023',
                 'session_count day_boundary "Nowhere/City" is not a known time zone');
SELECT throws_ok($$SELECT session_count(g, -5) FROM generate_series(1, 3) g$$, '22023',
                 'session_count timeout must be positive, not "-5"');

SELECT * FROM finish();
ROLLBACK;
