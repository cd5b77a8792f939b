-- The aggregates that read stored journeys directly, against independent
-- formulations over the same sample data: journey_stage_stats against
-- journey_stage_durations + percentile_cont (and plain SQL over the rows),
-- funnel_report_agg over journeys against funnel_report_agg over
-- window_funnel_times of the rows; shuffled input, forced parallel plans
-- (Partial and Finalize Aggregate, workers launched, results equal to the
-- serial plan's, with and without the leader), no rows, errors.  And a
-- journey store built on the sample data equals journey_agg over the rows.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(19);

-- a regular table of journeys (workers cannot read temp tables), with segments
CREATE TABLE st_journeys AS
SELECT t.customer_id, c.segment, journey_agg(t.occurred_at, t.stage::stage, t.channel, t.event) AS j
FROM touchpoints t JOIN customers c USING (customer_id) GROUP BY 1, 2;
ANALYZE st_journeys;

-- per (segment, stage): the direct aggregate
CREATE TEMP TABLE st_direct AS
SELECT segment, (s).stage, (s).customers, (s).visits,
       (extract(epoch FROM (s).total) * 1000000)::bigint AS total_us,
       (extract(epoch FROM (s).mean) * 1000000)::bigint AS mean_us,
       (extract(epoch FROM (s).median) * 1000000)::numeric AS median_us,
       (extract(epoch FROM (s).p90) * 1000000)::numeric AS p90_us
FROM (SELECT segment, unnest(journey_stage_stats(j)) AS s FROM st_journeys GROUP BY segment) x;

-- the same by expansion, percentiles over microseconds
CREATE TEMP TABLE st_expanded AS
SELECT segment, d.stage, count(*) AS customers, sum(d.visits) AS visits,
       sum((extract(epoch FROM d.duration) * 1000000)::bigint) AS total_us,
       avg((extract(epoch FROM d.duration) * 1000000)::bigint) AS mean_us,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY (extract(epoch FROM d.duration) * 1000000)::bigint)::numeric) AS median_us,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY (extract(epoch FROM d.duration) * 1000000)::bigint)::numeric) AS p90_us
FROM st_journeys s, journey_stage_durations(s.j) d GROUP BY 1, 2;

SELECT ok((SELECT count(*) FROM st_direct) > 10, 'journey_stage_stats: rows for every segment and stage');
SELECT is_empty($$SELECT segment, stage, customers, visits, total_us FROM st_direct
                  EXCEPT SELECT segment, stage, customers, visits, total_us FROM st_expanded$$,
                'customers, visits and totals equal the expansion''s');
SELECT is((SELECT count(*) FROM st_direct), (SELECT count(*) FROM st_expanded), 'the same (segment, stage) groups');
SELECT is_empty($$SELECT * FROM st_direct d JOIN st_expanded e USING (segment, stage)
                  WHERE abs(d.median_us - e.median_us) > 1 OR abs(d.p90_us - e.p90_us) > 1
                     OR abs(d.mean_us - e.mean_us) > 1$$,
                'mean, median and p90 equal avg and percentile_cont to the microsecond');

-- plain SQL over the rows: time to the next touch, summed per customer and stage
SELECT is_empty($$
    WITH per AS (
        SELECT customer_id, stage, sum(coalesce(next_at - occurred_at, interval '0')) AS d
        FROM (SELECT DISTINCT customer_id, occurred_at, stage::stage AS stage FROM touchpoints) p,
             LATERAL (SELECT min(q.occurred_at) AS next_at FROM touchpoints q
                      WHERE q.customer_id = p.customer_id AND (q.occurred_at, q.stage::stage) > (p.occurred_at, p.stage)
                        AND q.occurred_at >= p.occurred_at) n
        GROUP BY 1, 2)
    SELECT stage::text, count(*), (extract(epoch FROM sum(d)) * 1000000)::bigint FROM per GROUP BY 1
    EXCEPT
    SELECT (s).stage, (s).customers, (extract(epoch FROM (s).total) * 1000000)::bigint
    FROM (SELECT unnest(journey_stage_stats(j)) AS s FROM st_journeys) x$$,
    'per-stage customers and totals equal plain SQL over the rows');

-- shuffled input
SELECT is((SELECT journey_stage_stats(j)::text FROM (SELECT j FROM st_journeys ORDER BY random()) s),
          (SELECT journey_stage_stats(j)::text FROM (SELECT j FROM st_journeys ORDER BY customer_id) s),
          'journey_stage_stats does not depend on the input order');

-- funnel_report_agg over journeys = over window_funnel_times of the rows
SELECT is((SELECT funnel_report_agg(j, interval '30 days', 'default', 'event = page_view',
                                    'event = signup | event = trial_start | event = demo_request',
                                    'event = purchase')::text FROM st_journeys),
          (SELECT funnel_report_agg(t, 3)::text FROM (
               SELECT window_funnel_times(interval '30 days', occurred_at, event = 'page_view',
                                          event IN ('signup', 'trial_start', 'demo_request'),
                                          event = 'purchase') AS t
               FROM touchpoints GROUP BY customer_id) x),
          'funnel_report_agg over journeys (an alternatives step) equals the rows form');
SELECT is((SELECT funnel_report_agg(j, interval '7 days', 'strict_order', 'stage = consideration',
                                    'stage >= decision', 'channel = email')::text FROM st_journeys),
          (SELECT funnel_report_agg(t, 3)::text FROM (
               SELECT window_funnel_times(interval '7 days', 'strict_order', occurred_at,
                                          stage = 'consideration', stage::stage >= 'decision',
                                          channel = 'email') AS t
               FROM touchpoints GROUP BY customer_id) x),
          'stage, stage >= and channel steps under strict_order equal the rows form');
-- and on times cut to the day, touches of several steps at one instant
-- ordered by steps in both forms (0.3.0)
SELECT is((SELECT funnel_report_agg(j, interval '3 days', m, 'event = page_view | event = ad_click',
                                    'stage >= consideration', 'event = purchase')::text
           FROM (SELECT journey_agg(date_trunc('day', occurred_at), stage::stage, channel, event) AS j
                 FROM touchpoints GROUP BY customer_id) d) || ' ' || m,
          (SELECT funnel_report_agg(t, 3)::text FROM (
               SELECT window_funnel_times(interval '3 days', m, date_trunc('day', occurred_at),
                                          event IN ('page_view', 'ad_click'), stage::stage >= 'consideration',
                                          event = 'purchase') AS t
               FROM touchpoints GROUP BY customer_id) x) || ' ' || m,
          'funnel_report_agg over journeys = the rows form with many simultaneous touches: ' || m)
FROM (VALUES ('strict_deduplication, strict_once')) v(m);
SELECT is((SELECT funnel_report_agg(j, interval '30 days', 'default', 'page_view', 'signup')::text
           FROM (SELECT j FROM st_journeys ORDER BY random()) s),
          (SELECT funnel_report_agg(j, interval '30 days', 'default', 'page_view', 'signup')::text
           FROM st_journeys),
          'funnel_report_agg over journeys does not depend on the input order');

-- forced parallel plans: Partial/Finalize, workers, serial results (the
-- attribution credits rounded: their float sums follow the plan's order)
CREATE FUNCTION pg_temp.par(q text, leader boolean) RETURNS text LANGUAGE plpgsql AS $$
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
  FOR line IN EXECUTE format('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) CREATE TABLE st_par_%s AS %s',
                             CASE WHEN leader THEN 'l' ELSE 'n' END, q) LOOP
    result := result || line || E'\n';
  END LOOP;
  PERFORM set_config('max_parallel_workers_per_gather', '0', true);
  PERFORM set_config('parallel_leader_participation', 'on', true);
  RETURN result;
END $$;
\set q 'SELECT k, v || (SELECT string_agg(c.channel || '' '' || round(c.conversions::numeric, 9) || '' '' || round(c.revenue::numeric, 4), '','' ORDER BY c.channel) FROM attribution_credits(a) c) AS v FROM (SELECT segment AS k, journey_stage_stats(j)::text || funnel_report_agg(j, interval ''30 days'', ''default'', ''page_view'', ''signup | trial_start'', ''purchase'')::text AS v, journey_attribution_agg(j, ''purchase | stage >= retention'', ''markov'') AS a FROM st_journeys GROUP BY segment) g'
CREATE TEMP TABLE st_serial AS :q;
SELECT pg_temp.par(:'q', true) AS plan_l \gset
SELECT pg_temp.par(:'q', false) AS plan_n \gset
SELECT ok((SELECT count(*) > 1 AND bool_and(v LIKE '%direct %') FROM st_serial),
          'every segment has its stage stats, funnel report and attribution credits');
SELECT matches(:'plan_l'::text, 'Finalize [A-Za-z]*Aggregate.*Partial [A-Za-z]*Aggregate', 'the parallel plan has a Partial and a Finalize Aggregate');
SELECT matches(:'plan_l'::text, 'Workers Launched: [1-9]', 'workers ran');
SELECT matches(:'plan_n'::text, 'Workers Launched: [1-9]', 'workers ran without the leader');
SELECT is_empty($$SELECT k FROM st_serial x FULL JOIN st_par_l y USING (k) WHERE x.v IS DISTINCT FROM y.v$$,
                'parallel results equal the serial ones');
SELECT is_empty($$SELECT k FROM st_serial x FULL JOIN st_par_n y USING (k) WHERE x.v IS DISTINCT FROM y.v$$,
                'parallel results without the leader (every state serialized) equal the serial ones');

-- no rows, errors
SELECT is((SELECT journey_stage_stats(j)::text FROM st_journeys WHERE false), NULL::text, 'journey_stage_stats of no rows is NULL');
CREATE TYPE pg_temp.deal AS ENUM ('lead', 'won');
SELECT throws_ok($$SELECT journey_stage_stats(j) FROM ((SELECT j FROM st_journeys LIMIT 2)
                   UNION ALL SELECT journey_agg(now(), 'won'::pg_temp.deal, NULL, NULL)) s$$,
                 '22023', NULL, 'journeys with different stage lists in one group are an error');

-- a journey store over the sample data equals journey_agg over the rows
CREATE TABLE st_src AS SELECT customer_id, occurred_at, stage, channel, event FROM touchpoints;
CREATE INDEX ON st_src (customer_id);
SELECT journey_store_create('st_store', 'st_src', 'customer_id', 'occurred_at', 'stage', 'channel', 'event',
                            stage_type => 'stage') AS built \gset
INSERT INTO st_src SELECT customer_id, occurred_at + interval '1 year', stage, channel, event
FROM st_src WHERE customer_id % 50 = 3;
DELETE FROM st_src WHERE customer_id % 97 = 5 AND event = 'page_view';
SELECT journey_store_refresh('st_store') AS r \gset
SELECT is_empty($$SELECT customer_id FROM st_store s FULL JOIN
                    (SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS j
                     FROM st_src GROUP BY 1) r USING (customer_id)
                  WHERE s.journey IS DISTINCT FROM r.j$$,
                'a refreshed journey store equals journey_agg over the sample rows');
SELECT * FROM finish();
ROLLBACK;
