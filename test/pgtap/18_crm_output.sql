-- The output side of issue 14 on the sample data, against plain SQL:
-- window_funnel_times' first_step_start rule, funnel reports that state
-- their rule, stage funnels by reach, retention in long form, and the jsonb
-- forms of the state types; shuffled input and forced parallel plans give
-- the serial results; errors carry their SQLSTATEs.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(34);

CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; result text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP result := result || line || E'\n'; END LOOP;
  RETURN result;
END $$;
CREATE FUNCTION pg_temp.force_parallel(on_ boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF on_ THEN
    PERFORM set_config('max_parallel_workers_per_gather', '2', true);
    PERFORM set_config('parallel_setup_cost', '0', true);
    PERFORM set_config('parallel_tuple_cost', '0', true);
    PERFORM set_config('min_parallel_table_scan_size', '0', true);
    PERFORM set_config('parallel_leader_participation', 'off', true);
    IF current_setting('server_version_num')::int >= 160000 THEN
      PERFORM set_config('debug_parallel_query', 'on', true);
    ELSE
      PERFORM set_config('force_parallel_mode', 'on', true);
    END IF;
  ELSE
    PERFORM set_config('max_parallel_workers_per_gather', '0', true);
    PERFORM set_config('force_parallel_mode', 'off', true);
  END IF;
END $$;

-- a 3-step funnel on half the customers
CREATE TEMP TABLE steps AS
SELECT customer_id, occurred_at AS t,
       coalesce(event IN ('ad_click', 'page_view'), false) AS s1,
       coalesce(event IN ('signup', 'demo_request'), false) AS s2,
       coalesce(event = 'purchase', false) AS s3
FROM touchpoints WHERE customer_id % 2 = 0;
CREATE INDEX ON steps (customer_id, t);
ANALYZE steps;

-- plain SQL: from each step-1 row the earliest step 2 at or after it and the
-- earliest step 3 at or after that, within 14 days of the start; the
-- earliest start of the deepest chain
CREATE TEMP TABLE ref_first AS
WITH chains AS (
    SELECT a.customer_id, a.t AS s,
           (SELECT min(b.t) FROM steps b WHERE b.customer_id = a.customer_id AND b.s2 AND b.t >= a.t
              AND b.t <= a.t + interval '14 days') AS t2
    FROM steps a WHERE a.s1),
 chains3 AS (
    SELECT c.*, (SELECT min(x.t) FROM steps x WHERE x.customer_id = c.customer_id AND x.s3 AND x.t >= c.t2
                   AND x.t <= c.s + interval '14 days') AS t3
    FROM chains c),
 best AS (
    SELECT DISTINCT ON (customer_id) customer_id,
           CASE WHEN t3 IS NOT NULL THEN 3 WHEN t2 IS NOT NULL THEN 2 ELSE 1 END AS level,
           (ARRAY[s, t2, t3])[1:CASE WHEN t3 IS NOT NULL THEN 3 WHEN t2 IS NOT NULL THEN 2 ELSE 1 END] AS times
    FROM chains3 ORDER BY customer_id, 2 DESC, s)
SELECT c.customer_id, coalesce(b.level, 0) AS level, coalesce(b.times, '{}') AS times
FROM (SELECT DISTINCT customer_id FROM steps) c LEFT JOIN best b USING (customer_id);

CREATE TEMP TABLE wf AS
SELECT customer_id,
       window_funnel(interval '14 days', t, s1, s2, s3) AS level,
       window_funnel_times(interval '14 days', 'first_step_start', t, s1, s2, s3) AS first_times,
       window_funnel_times(interval '14 days', t, s1, s2, s3) AS latest_times
FROM steps GROUP BY customer_id;

SELECT ok((SELECT count(*) FROM ref_first WHERE level = 3) > 20, 'the sample has customers who complete the funnel');
SELECT is((SELECT count(*) FROM ref_first r JOIN wf w USING (customer_id) WHERE r.times IS DISTINCT FROM w.first_times), 0::bigint,
          'first_step_start step times = the plain SQL earliest chain');
SELECT is((SELECT count(*) FROM wf WHERE cardinality(first_times) <> level OR cardinality(latest_times) <> level), 0::bigint,
          'both step-time rules reach window_funnel''s level');
SELECT ok((SELECT count(*) FROM wf WHERE first_times <> latest_times) > 0,
          'the rules differ for some customers (an earlier step 1 that reaches the same level)');
SELECT is((SELECT count(*) FROM wf w JOIN (
              SELECT customer_id, window_funnel_times(interval '14 days', 'first_step_start', t, s1, s2, s3) AS ft
              FROM (SELECT * FROM steps ORDER BY md5(customer_id || '/' || t || s1::text)) sh GROUP BY customer_id) x
              USING (customer_id) WHERE x.ft IS DISTINCT FROM w.first_times), 0::bigint,
          'first_step_start does not depend on input order');

-- forced parallel plans: the per-customer times and the report that states its rule
\set qtimes 'SELECT customer_id, window_funnel_times(interval $$14 days$$, $$first_step_start$$, occurred_at, coalesce(event IN ($$ad_click$$, $$page_view$$), false), coalesce(event IN ($$signup$$, $$demo_request$$), false), coalesce(event = $$purchase$$, false)) AS times FROM touchpoints GROUP BY customer_id'
SELECT pg_temp.force_parallel(false);
CREATE TABLE serial_times AS :qtimes;
ANALYZE serial_times;
CREATE TEMP TABLE serial_report AS
SELECT funnel_report_agg(times, 3, 'first_step_start')::text AS r FROM serial_times;
SELECT pg_temp.force_parallel(true);
SELECT matches(pg_temp.plan_of(:'qtimes'), 'Partial .*Aggregate|Gather', 'the step-time query runs in a parallel plan');
CREATE TEMP TABLE par_times AS :qtimes;
SELECT is((SELECT count(*) FROM serial_times s FULL JOIN par_times p USING (customer_id) WHERE s.times IS DISTINCT FROM p.times), 0::bigint,
          'forced parallel: first_step_start times = serial');
SELECT matches(pg_temp.plan_of('SELECT funnel_report_agg(times, 3, ''first_step_start'') FROM serial_times'), 'Partial Aggregate',
               'funnel_report_agg with a rule runs as a partial aggregate');
SELECT is((SELECT funnel_report_agg(times, 3, 'first_step_start')::text FROM serial_times), (SELECT r FROM serial_report),
          'forced parallel: funnel_report_agg(times, 3, rule) = serial');
SELECT pg_temp.force_parallel(false);
SELECT is(funnel_step_time_rule((SELECT r FROM serial_report)::funnel_report), 'first_step_start', 'the report states its rule');
SELECT is((SELECT array_agg(row(step, customers, median_seconds_from_previous)::text ORDER BY step)
           FROM funnel_steps((SELECT r FROM serial_report)::funnel_report, NULL)),
          (SELECT array_agg(row(k, n, med)::text ORDER BY k)
           FROM (SELECT k, count(*) FILTER (WHERE cardinality(times) >= k) AS n,
                        extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY times[k] - times[k - 1])
                                FILTER (WHERE cardinality(times) >= k AND k > 1))::float8 AS med
                 FROM serial_times, generate_series(1, 3) k GROUP BY k) x),
          'funnel_steps of the report = plain SQL counts and median times');
SELECT throws_ok($$SELECT window_funnel_times(interval '1 day', 'strict_once, first_step_start', now(), true)$$, '22023', NULL,
                 'first_step_start with strict_once is an error');
SELECT throws_ok($$SELECT rollup(r) FROM (VALUES ('2 first_step_start; 1 0;'::funnel_report), ('2 latest_step_start; 1 0;')) v(r)$$,
                 '22023', NULL, 'reports of different rules do not roll up');
SELECT throws_ok($$SELECT funnel_report_agg(ARRAY[now()], 1, 'first') $$, '22023', NULL, 'an unknown rule is an error');

-- stage funnels by reach: customers at stage k = journeys whose furthest stage is k or later
CREATE TEMP TABLE jr AS
SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS j
FROM touchpoints WHERE customer_id % 2 = 0 GROUP BY customer_id;
SELECT is((SELECT array_agg(customers ORDER BY step) FROM funnel_steps((SELECT funnel_report_agg(journey_stage_funnel(j, 'reached'), 5) FROM jr))),
          (SELECT array_agg(n ORDER BY k) FROM (SELECT k, count(*) FILTER (WHERE journey_furthest_stage(j)::stage >= (enum_range(NULL::stage))[k]) AS n
                                                FROM jr, generate_series(1, 5) k GROUP BY k) x),
          'journey_stage_funnel(j, ''reached'') counts every journey up to its furthest stage');
SELECT is((SELECT count(*) FROM jr WHERE journey_stage_funnel(j, 'reached') IS DISTINCT FROM
             (SELECT array_agg(m ORDER BY k) FILTER (WHERE m IS NOT NULL)
              FROM (SELECT k, (SELECT min(t.occurred_at) FROM touchpoints t WHERE t.customer_id = jr.customer_id
                                 AND t.stage::stage >= (enum_range(NULL::stage))[k]) AS m FROM generate_series(1, 5) k) y)), 0::bigint,
          'reached step k = the first touch in stage k or later (plain SQL)');
SELECT ok((SELECT count(*) FROM jr WHERE journey_stage_funnel(j) <> journey_stage_funnel(j, 'reached')) > 0,
          'the sample has journeys that do not enter at the first stage');

-- retention in long form: monthly cohorts, 6 months of 30 days, as of 2025-09-01
CREATE TEMP TABLE firsts AS SELECT customer_id, min(occurred_at) AS f FROM touchpoints WHERE customer_id % 2 = 0 GROUP BY 1;
\set qret 'SELECT date_bin($$30 days$$, f, $$2025-01-01 00:00+00$$) AS cohort, r.* FROM (SELECT f, retention_report_agg(p) AS a FROM (SELECT t.customer_id, min(fi.f) AS f, retention_periods(fi.f, t.occurred_at, $$30 days$$, 6, $$n_day$$, $$2025-09-01 00:00+00$$) AS p FROM touchpoints t JOIN firsts fi USING (customer_id) GROUP BY t.customer_id) pc GROUP BY date_bin($$30 days$$, f, $$2025-01-01 00:00+00$$), f) s, unnest(s.a) r'
CREATE TEMP TABLE ret_by_cohort AS
SELECT cohort, period, sum(customers) AS customers, sum(observed) AS observed, sum(retained) AS retained
FROM (SELECT date_bin('30 days', f, '2025-01-01 00:00+00') AS cohort, r.*
      FROM (SELECT date_bin('30 days', f, '2025-01-01 00:00+00') AS f, retention_report_agg(p) AS a
            FROM (SELECT t.customer_id, min(fi.f) AS f,
                         retention_periods(fi.f, t.occurred_at, '30 days', 6, 'n_day', '2025-09-01 00:00+00') AS p
                  FROM touchpoints t JOIN firsts fi USING (customer_id) GROUP BY t.customer_id) pc
            GROUP BY 1) s, unnest(s.a) r) x
GROUP BY 1, 2;
SET LOCAL TimeZone = 'UTC';
CREATE TEMP TABLE ret_plain AS
WITH per AS (
    SELECT date_bin('30 days', fi.f, '2025-01-01 00:00+00') AS cohort, k AS period,
           fi.f + (k + 1) * interval '30 days' <= '2025-09-01 00:00+00' AS obs,
           EXISTS (SELECT 1 FROM touchpoints t WHERE t.customer_id = fi.customer_id AND t.occurred_at <= '2025-09-01 00:00+00'
                     AND t.occurred_at >= fi.f + k * interval '30 days' AND t.occurred_at < fi.f + (k + 1) * interval '30 days') AS act
    FROM firsts fi, generate_series(0, 6) k)
SELECT cohort, period, count(*) AS customers, count(*) FILTER (WHERE obs) AS observed,
       CASE WHEN count(*) FILTER (WHERE obs) > 0 THEN count(*) FILTER (WHERE obs AND act) END AS retained
FROM per GROUP BY 1, 2;
RESET TimeZone;
SELECT is((SELECT count(*) FROM ret_plain p FULL JOIN ret_by_cohort c USING (cohort, period)
           WHERE row(p.customers, p.observed, p.retained) IS DISTINCT FROM row(c.customers, c.observed, c.retained)), 0::bigint,
          'retention_periods + retention_report_agg = plain SQL (n_day, monthly cohorts)');
SELECT ok((SELECT count(*) FROM ret_plain WHERE retained IS NULL) > 0 AND (SELECT count(*) FROM ret_plain WHERE retained > 0) > 0,
          'some periods are not yet observable (NULL), others retained');
SELECT pg_temp.force_parallel(false);
CREATE TEMP TABLE ret_serial AS :qret;
SELECT pg_temp.force_parallel(true);
SELECT matches(pg_temp.plan_of(:'qret'), 'Partial .*Aggregate|Gather', 'the retention query runs in a parallel plan');
CREATE TEMP TABLE ret_par AS :qret;
SELECT pg_temp.force_parallel(false);
SELECT is((SELECT count(*) FROM (SELECT * FROM ret_serial EXCEPT ALL SELECT * FROM ret_par) d) +
          (SELECT count(*) FROM (SELECT * FROM ret_par EXCEPT ALL SELECT * FROM ret_serial) d), 0::bigint,
          'forced parallel: retention rows = serial');
SELECT is((SELECT array_agg(x ORDER BY customer_id) FROM (
              SELECT t.customer_id, retention_periods(fi.f, t.occurred_at, '7 days', 20, 'unbounded', '2025-06-01') AS x
              FROM (SELECT * FROM touchpoints WHERE customer_id % 2 = 0 ORDER BY md5(customer_id::text || occurred_at::text)) t
              JOIN firsts fi USING (customer_id) GROUP BY t.customer_id) a),
          (SELECT array_agg(x ORDER BY customer_id) FROM (
              SELECT t.customer_id, retention_periods(fi.f, t.occurred_at, '7 days', 20, 'unbounded', '2025-06-01') AS x
              FROM touchpoints t JOIN firsts fi USING (customer_id) WHERE t.customer_id % 2 = 0 GROUP BY t.customer_id) b),
          'retention_periods does not depend on input order');
SELECT throws_ok($$SELECT retention_periods(now(), now(), '-1 day', 3, 'n_day', NULL)$$, '22023', NULL, 'a negative period is an error');
SELECT throws_ok($$SELECT retention_periods(now(), now(), '1 day', 1000, 'n_day', NULL)$$, '54000', NULL, 'more than 500 periods is a limit error');
SELECT throws_ok($$SELECT retention_periods(now(), 'infinity', '1 day', 3, 'n_day', NULL)$$, '22008', NULL, 'an infinite time is an error');

-- jsonb forms on the sample data
SELECT is((SELECT count(*) FROM (
              SELECT customer_id, stage_time_agg(occurred_at, stage::stage) AS st FROM touchpoints WHERE customer_id % 5 = 0 GROUP BY 1) s,
              stage_durations(s.st) d
              LEFT JOIN LATERAL jsonb_to_recordset(s.st::jsonb -> 'durations') AS j(stage text, seconds float8, visits int, first_entered text)
                ON j.stage = d.stage
           WHERE j.seconds IS DISTINCT FROM extract(epoch FROM d.duration)::float8 OR j.visits IS DISTINCT FROM d.visits
              OR j.first_entered::timestamptz IS DISTINCT FROM d.first_entered), 0::bigint,
          'stage_time::jsonb durations = stage_durations rows');
SELECT is((SELECT count(*) FROM (
              SELECT a, attribution_to_jsonb(a) AS j FROM (
                  SELECT rollup(a) AS a FROM (SELECT attribution_agg(occurred_at, channel, event = 'purchase', revenue, 'linear') AS a
                                              FROM touchpoints WHERE customer_id % 2 = 0 GROUP BY customer_id) pc) r) x,
              attribution_credits(x.a) c
              LEFT JOIN LATERAL jsonb_to_recordset(x.j -> 'credits') AS k(channel text, conversions float8, revenue float8) ON k.channel = c.channel
           WHERE k.conversions IS DISTINCT FROM c.conversions OR k.revenue IS DISTINCT FROM c.revenue), 0::bigint,
          'attribution::jsonb credits = attribution_credits rows');
SELECT is((SELECT (j -> 'treated' ->> 'n')::bigint = (r).treated_n AND (j ->> 'p_value')::float8 = (r).p_value
                  AND (j ->> 'abs_lift')::float8 = (r).abs_lift
           FROM (SELECT st::jsonb AS j, segment_response(st) AS r
                 FROM (SELECT response_agg(c.campaign_group = 'treatment', t.event = 'purchase') AS st
                       FROM touchpoints t JOIN customers c USING (customer_id)) s) x), true,
          'response_state::jsonb fields = segment_response fields');

-- funnel options on the sample data: exclusion (an email open between
-- signup or demo and purchase), breakdown by channel, any order
ALTER TABLE steps ADD COLUMN x boolean;
UPDATE steps SET x = EXISTS (SELECT 1 FROM touchpoints t2 WHERE t2.customer_id = steps.customer_id
                             AND t2.occurred_at = steps.t AND t2.event = 'email_open');
CREATE TEMP TABLE chains AS
SELECT a.customer_id, 1 AS level, a.t AS t1, NULL::timestamptz AS t2, NULL::timestamptz AS t3 FROM steps a WHERE a.s1
UNION ALL
SELECT a.customer_id, 2, a.t, b.t, NULL FROM steps a JOIN steps b USING (customer_id)
WHERE a.s1 AND b.s2 AND b.t >= a.t AND b.t <= a.t + interval '14 days'
UNION ALL
SELECT a.customer_id, 3, a.t, b.t, c.t FROM steps a JOIN steps b USING (customer_id) JOIN steps c USING (customer_id)
WHERE a.s1 AND b.s2 AND c.s3 AND b.t >= a.t AND c.t >= b.t AND c.t <= a.t + interval '14 days';
CREATE TEMP TABLE excl_ref AS
WITH marked AS (
    SELECT c.customer_id, c.level,
           c.level >= 2 AND EXISTS (
               SELECT 1 FROM steps x WHERE x.customer_id = c.customer_id AND x.x AND x.t > c.t2
                 AND CASE WHEN c.level = 3 THEN x.t < c.t3 ELSE x.t <= c.t1 + interval '14 days' END) AS void
    FROM chains c)
SELECT g.customer_id,
       CASE WHEN bool_or(m.level >= 2) AND NOT coalesce(bool_or(m.level >= 2 AND NOT m.void), false) THEN NULL
            ELSE coalesce(max(m.level) FILTER (WHERE NOT m.void), 0) END AS level
FROM (SELECT DISTINCT customer_id FROM steps) g LEFT JOIN marked m USING (customer_id)
GROUP BY g.customer_id;
CREATE TEMP TABLE excl AS
SELECT customer_id, window_funnel_excluding(interval '14 days', 'default', t, x, 2, 3, s1, s2, s3) AS level
FROM steps GROUP BY customer_id;
SELECT is((SELECT count(*) FROM excl_ref r JOIN excl e USING (customer_id) WHERE r.level IS DISTINCT FROM e.level), 0::bigint,
          'window_funnel_excluding = plain SQL over every chain');
SELECT ok((SELECT count(*) FROM excl WHERE level IS NULL) > 0 AND
          (SELECT count(*) FROM excl e JOIN wf w USING (customer_id) WHERE e.level IS DISTINCT FROM w.level) > 10,
          'some customers are excluded or lose steps');
\set qopt 'SELECT customer_id, window_funnel_excluding(interval $$14 days$$, $$default$$, occurred_at, event = $$email_open$$, 2, 3, event IN ($$ad_click$$, $$page_view$$), event IN ($$signup$$, $$demo_request$$), event = $$purchase$$) AS level, window_funnel_breakdown(interval $$14 days$$, $$default$$, occurred_at, channel, $$last_touch$$, event IN ($$ad_click$$, $$page_view$$), event IN ($$signup$$, $$demo_request$$), event = $$purchase$$) AS b, window_funnel(interval $$14 days$$, $$unordered$$, occurred_at, event = $$purchase$$, event = $$signup$$, event = $$ad_click$$) AS u FROM touchpoints GROUP BY customer_id'
SELECT pg_temp.force_parallel(false);
CREATE TEMP TABLE opt_serial AS :qopt;
SELECT pg_temp.force_parallel(true);
SELECT matches(pg_temp.plan_of(:'qopt'), 'Partial .*Aggregate|Gather', 'the funnel-options query runs in a parallel plan');
CREATE TEMP TABLE opt_par AS :qopt;
SELECT pg_temp.force_parallel(false);
SELECT is((SELECT count(*) FROM opt_serial s FULL JOIN opt_par p USING (customer_id)
           WHERE s.level IS DISTINCT FROM p.level OR s.b IS DISTINCT FROM p.b OR s.u IS DISTINCT FROM p.u), 0::bigint,
          'forced parallel: exclusion, breakdown and unordered results = serial');
SELECT is((SELECT count(*) FROM (
              SELECT customer_id, window_funnel_breakdown(interval '14 days', 'default', occurred_at, channel, 'last_touch',
                                                          event IN ('ad_click', 'page_view'), event IN ('signup', 'demo_request'), event = 'purchase') AS b
              FROM (SELECT * FROM touchpoints ORDER BY md5(occurred_at::text || customer_id || channel)) sh GROUP BY customer_id) x
           JOIN opt_serial o USING (customer_id) WHERE x.b IS DISTINCT FROM o.b), 0::bigint,
          'window_funnel_breakdown does not depend on input order');
SELECT is((SELECT count(*) FROM opt_serial o JOIN (
              SELECT g.customer_id, coalesce(max(n), 0) AS level
              FROM (SELECT DISTINCT customer_id FROM touchpoints) g
              LEFT JOIN LATERAL (
                  SELECT (SELECT count(DISTINCT y.event) FROM touchpoints y WHERE y.customer_id = x.customer_id
                            AND y.event IN ('purchase', 'signup', 'ad_click')
                            AND y.occurred_at >= x.occurred_at AND y.occurred_at <= x.occurred_at + interval '14 days') AS n
                  FROM touchpoints x WHERE x.customer_id = g.customer_id AND x.event IN ('purchase', 'signup', 'ad_click')) m ON true
              GROUP BY g.customer_id) r USING (customer_id) WHERE o.u <> r.level), 0::bigint,
          'unordered window_funnel = plain SQL');

SELECT * FROM finish();
ROLLBACK;
