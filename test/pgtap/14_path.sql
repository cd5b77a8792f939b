-- Paths and path reports against independent plain SQL on the sample data:
-- event_path (from / to an anchor, collapse, max_steps) and
-- event_path_between with row_number and lag; journey forms = row forms;
-- path report nodes, edges and top paths against unnest() counts; flows
-- that add up at every node (exits, and entries of right-aligned reports,
-- with and without "(other)" buckets); rollup of daily reports = the report
-- over all days; shuffled input and forced parallel plans; errors.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(35);

-- plain SQL: each customer's labels in time order (ties by label bytes),
-- and the same with consecutive repeats merged
CREATE TEMP TABLE seq AS
SELECT customer_id, event, row_number() OVER (PARTITION BY customer_id ORDER BY occurred_at, event COLLATE "C") AS rn
FROM touchpoints WHERE event IS NOT NULL;
CREATE TEMP TABLE cseq AS
SELECT customer_id, event, row_number() OVER (PARTITION BY customer_id ORDER BY rn) AS rn
FROM (SELECT *, lag(event) OVER (PARTITION BY customer_id ORDER BY rn) AS prev FROM seq) x
WHERE prev IS DISTINCT FROM event;
CREATE TEMP TABLE anchor AS
SELECT customer_id, min(rn) FILTER (WHERE event = 'purchase') AS h, min(rn) FILTER (WHERE event = 'ad_click') AS f
FROM seq GROUP BY 1;
CREATE TEMP TABLE anchor2 AS
SELECT s.customer_id, min(s.rn) AS t FROM seq s JOIN anchor a USING (customer_id) WHERE s.event = 'purchase' AND s.rn > a.f GROUP BY 1;
CREATE TEMP TABLE ref AS
SELECT c.customer_id, fp.p AS from_pv, tp.p AS to_purchase, w.p AS whole, bt.p AS between_ad_purchase
FROM (SELECT DISTINCT customer_id FROM touchpoints) c
LEFT JOIN (SELECT customer_id, array_agg(event ORDER BY rn) AS p
           FROM cseq JOIN (SELECT customer_id, min(rn) AS a FROM cseq WHERE event = 'page_view' GROUP BY 1) a USING (customer_id)
           WHERE rn >= a AND rn < a + 5 GROUP BY 1) fp USING (customer_id)
LEFT JOIN (SELECT customer_id, array_agg(event ORDER BY rn) AS p FROM seq JOIN anchor USING (customer_id)
           WHERE rn <= h AND rn > h - 4 GROUP BY 1) tp USING (customer_id)
LEFT JOIN (SELECT customer_id, array_agg(event ORDER BY rn) AS p FROM seq GROUP BY 1) w USING (customer_id)
LEFT JOIN (SELECT customer_id,
                  CASE WHEN t - f + 1 <= 4 THEN array_agg(event ORDER BY rn)
                       ELSE array_agg(event ORDER BY rn) FILTER (WHERE rn <= f + 1) || NULL::text
                            || array_agg(event ORDER BY rn) FILTER (WHERE rn >= t - 1) END AS p
           FROM seq JOIN anchor USING (customer_id) JOIN anchor2 USING (customer_id)
           WHERE rn BETWEEN f AND t GROUP BY customer_id, f, t) bt USING (customer_id);

CREATE TEMP TABLE ep AS
SELECT customer_id,
       event_path(occurred_at, event, 'page_view', 'from', 5, true) AS from_pv,
       event_path(occurred_at, event, 'purchase', 'to', 4, false) AS to_purchase,
       event_path(occurred_at, event) AS whole,
       event_path_between(occurred_at, event, 'ad_click', 'purchase', 4, false) AS between_ad_purchase,
       event_path(occurred_at, event, 'page_view', 'from', 5, true ORDER BY md5(occurred_at::text || coalesce(event, ''))) AS from_pv_shuffled,
       event_path(occurred_at, channel, NULL, 'to', 6, true) AS channels_last_6,
       event_path(occurred_at, stage, 'decision', 'from', NULL, true) AS stages_from_decision
FROM touchpoints GROUP BY customer_id;

SELECT ok((SELECT count(*) FROM ref WHERE from_pv IS NOT NULL) > 1000 AND (SELECT count(*) FROM ref WHERE to_purchase IS NOT NULL) > 300
          AND (SELECT count(*) FROM ref WHERE array_position(between_ad_purchase, NULL) IS NOT NULL) > 10
          AND (SELECT count(*) FROM ref WHERE array_position(between_ad_purchase, NULL) IS NULL AND cardinality(between_ad_purchase) <= 4) > 0,
          'the sample data has paths from page views, to purchases, and elided and short ad-to-purchase paths');
SELECT is_empty($$SELECT customer_id FROM ep JOIN ref r USING (customer_id) WHERE ep.from_pv IS DISTINCT FROM r.from_pv$$,
                'event_path from the first page_view, collapsed, 5 steps = plain SQL');
SELECT is_empty($$SELECT customer_id FROM ep JOIN ref r USING (customer_id) WHERE ep.to_purchase IS DISTINCT FROM r.to_purchase$$,
                'event_path up to the first purchase, 4 steps = plain SQL');
SELECT is_empty($$SELECT customer_id FROM ep JOIN ref r USING (customer_id) WHERE ep.whole IS DISTINCT FROM r.whole$$,
                'event_path(t, label) = every label in time order, ties by bytes');
SELECT is_empty($$SELECT customer_id FROM ep JOIN ref r USING (customer_id) WHERE ep.between_ad_purchase IS DISTINCT FROM r.between_ad_purchase$$,
                'event_path_between ad_click and purchase, 4 steps with an elision = plain SQL');
SELECT is_empty($$SELECT customer_id FROM ep WHERE from_pv_shuffled IS DISTINCT FROM from_pv$$, 'shuffled input gives the same paths');

-- journey forms = row forms, every customer
CREATE TEMP TABLE jr AS
SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS j FROM touchpoints GROUP BY 1;
SELECT is_empty($$SELECT customer_id FROM jr JOIN ep USING (customer_id)
                  WHERE journey_path(j, 'event', 'page_view', 'from', 5, true) IS DISTINCT FROM ep.from_pv
                     OR journey_path(j, 'event', 'purchase', 'to', 4, false) IS DISTINCT FROM ep.to_purchase
                     OR journey_path(j) IS DISTINCT FROM ep.whole
                     OR journey_path_between(j, 'event', 'ad_click', 'purchase', 4) IS DISTINCT FROM ep.between_ad_purchase$$,
                'journey_path and journey_path_between by event = event_path and event_path_between');
SELECT is_empty($$SELECT customer_id FROM jr JOIN ep USING (customer_id)
                  WHERE journey_path(j, 'channel', NULL, 'to', 6, true) IS DISTINCT FROM ep.channels_last_6
                     OR journey_path(j, 'stage', 'decision', 'from', NULL, true) IS DISTINCT FROM ep.stages_from_decision$$,
                'journey_path by channel and by stage = event_path over those columns');

-- the report: nodes, edges and top paths against unnest counts
CREATE TEMP TABLE rep AS SELECT path_report_agg(from_pv) AS r, path_report_agg(to_purchase, 'right') AS rr FROM ep;
CREATE TEMP TABLE el AS
SELECT customer_id, k::int AS step, label FROM ep, unnest(from_pv) WITH ORDINALITY u(label, k);
SELECT is((SELECT (r::jsonb ->> 'total')::bigint FROM rep), (SELECT count(*) FROM ep WHERE from_pv IS NOT NULL),
          'the report counts one path per customer with one');
SELECT set_eq($$SELECT step, label, value FROM path_nodes((SELECT r FROM rep))$$,
              $$SELECT step, label, count(*) FROM el GROUP BY 1, 2$$,
              'path_nodes = count of paths per (step, label)');
SELECT set_eq($$SELECT step, label, exits FROM path_nodes((SELECT r FROM rep))$$,
              $$SELECT e.step, e.label, count(*) FILTER (WHERE e.step = cardinality(p.from_pv)) FROM el e JOIN ep p USING (customer_id) GROUP BY 1, 2$$,
              'path_nodes exits = paths ending at the node');
SELECT set_eq($$SELECT step, source, target, value FROM path_edges((SELECT r FROM rep)) WHERE kind = 'step'$$,
              $$SELECT a.step, a.label AS source, b.label AS target, count(*) FROM el a JOIN el b ON b.customer_id = a.customer_id AND b.step = a.step + 1 GROUP BY 1, 2, 3$$,
              'step edges = consecutive pairs of plain SQL');
SELECT set_eq($$SELECT step, source, value FROM path_edges((SELECT r FROM rep)) WHERE kind = 'exit'$$,
              $$SELECT cardinality(from_pv), from_pv[cardinality(from_pv)], count(*) FROM ep WHERE from_pv IS NOT NULL GROUP BY 1, 2$$,
              'exit edges = last elements of plain SQL');
SELECT results_eq($$SELECT path, value FROM path_top((SELECT r FROM rep), 25)$$,
                  $$SELECT from_pv, count(*) FROM ep WHERE from_pv IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, from_pv COLLATE "C" LIMIT 25$$,
                  'path_top = group by path, most frequent first, ties in path order');
SELECT is((SELECT sum(value) FROM path_top((SELECT r FROM rep), 1000000)), (SELECT count(*) FROM ep WHERE from_pv IS NOT NULL)::numeric,
          'all top paths together count every path');

-- flows add up at every node: into = value = out of (exits included)
CREATE FUNCTION pg_temp.flow_errors(r path_report, k integer) RETURNS bigint LANGUAGE sql AS $$
  WITH n AS (SELECT * FROM path_nodes(r, k)), e AS (SELECT * FROM path_edges(r, k))
  SELECT count(*) FROM n
  WHERE n.value <> (SELECT coalesce(sum(value), 0) FROM e WHERE e.source_key = n.node_key AND e.kind IN ('step', 'exit'))
     OR (n.step > (SELECT min(step) FROM n) OR r::text LIKE 'right%')
        AND n.value <> (SELECT coalesce(sum(value), 0) FROM e WHERE e.target_key = n.node_key AND e.kind IN ('step', 'entry'))
     OR n.exits <> (SELECT coalesce(sum(value), 0) FROM e WHERE e.source_key = n.node_key AND e.kind = 'exit')
$$;
SELECT is(pg_temp.flow_errors((SELECT r FROM rep), 0), 0::bigint, 'left report: every node''s in- and out-flows equal its value');
SELECT is(pg_temp.flow_errors((SELECT r FROM rep), 3), 0::bigint, 'left report, 3 nodes per step and (other): flows add up');
SELECT is(pg_temp.flow_errors((SELECT rr FROM rep), 0), 0::bigint, 'right report: flows add up with entry and exit edges');
SELECT is(pg_temp.flow_errors((SELECT rr FROM rep), 2), 0::bigint, 'right report, 2 nodes per step: flows add up');
SELECT is_empty($$SELECT step FROM path_nodes((SELECT r FROM rep), 3) GROUP BY step
                  HAVING sum(value) <> (SELECT count(*) FROM el WHERE el.step = path_nodes.step)
                      OR count(*) FILTER (WHERE NOT is_other) > 3$$,
                'bucketing keeps at most 3 labels per step and every path');
SELECT set_eq($$SELECT step, label FROM path_nodes((SELECT r FROM rep), 3) WHERE NOT is_other$$,
              $$SELECT step, label FROM (SELECT step, label, row_number() OVER (PARTITION BY step ORDER BY count(*) DESC, label COLLATE "C") AS k
                                         FROM el GROUP BY 1, 2) x WHERE k <= 3$$,
              'the kept labels are each step''s 3 largest, ties by label bytes');
SELECT set_eq($$SELECT step, label, value FROM path_nodes((SELECT rr FROM rep))$$,
              $$SELECT (k - cardinality(to_purchase))::int, label, count(*) FROM ep, unnest(to_purchase) WITH ORDINALITY u(label, k) GROUP BY 1, 2$$,
              'right report: the last element is step 0');
SELECT set_eq($$SELECT step + 1, target, value FROM path_edges((SELECT rr FROM rep)) WHERE kind = 'entry'$$,
              $$SELECT (1 - cardinality(to_purchase))::int, to_purchase[1], count(*) FROM ep WHERE to_purchase IS NOT NULL GROUP BY 1, 2$$,
              'right report: entry edges = first elements');

-- rollup of daily reports = the report over all days (one path per customer and day)
CREATE TEMP TABLE daily_paths AS
SELECT date_trunc('day', occurred_at) AS day, customer_id, event_path(occurred_at, event, NULL, 'from', 4, true) AS p
FROM touchpoints GROUP BY 1, 2;
CREATE TEMP TABLE daily AS SELECT day, path_report_agg(p) AS r FROM daily_paths GROUP BY day;
SELECT ok((SELECT count(*) FROM daily) > 100, 'more than 100 daily reports');
SELECT is((SELECT rollup(r ORDER BY day DESC)::text FROM daily), (SELECT path_report_agg(p)::text FROM daily_paths),
          'rollup of daily reports = path_report_agg over all days');
SELECT is((SELECT rollup(w)::text FROM (SELECT rollup(r) AS w FROM daily GROUP BY date_trunc('week', day)) x),
          (SELECT rollup(r)::text FROM daily), 'rollup of weekly rollups = rollup of the days');

-- forced parallel plans: path_report_agg and event_path give the serial result
CREATE TABLE par_p AS SELECT * FROM touchpoints;
ANALYZE par_p;
CREATE TABLE par_paths AS SELECT * FROM daily_paths;
ANALYZE par_paths;
CREATE FUNCTION pg_temp.parallel(tbl text, q text, leader boolean) RETURNS text LANGUAGE plpgsql AS $$
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
  FOR line IN EXECUTE format('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) CREATE TABLE %I AS %s', tbl, q) LOOP
    result := result || line || E'\n';
  END LOOP;
  PERFORM set_config('max_parallel_workers_per_gather', '0', true);
  PERFORM set_config('parallel_leader_participation', 'on', true);
  RETURN result;
END $$;
\set q_paths 'SELECT customer_id, event_path(occurred_at, event, ''page_view'', ''from'', 5, true) AS p, event_path_between(occurred_at, event, ''ad_click'', ''purchase'', 4, false) AS b FROM par_p GROUP BY customer_id'
\set q_report 'SELECT path_report_agg(p)::text AS r FROM par_paths'
\set q_rollup 'SELECT rollup(r)::text AS r FROM (SELECT day, path_report_agg(p) AS r FROM par_paths GROUP BY day) d'
SELECT matches(pg_temp.parallel('pp_paths', :'q_paths', true), 'Finalize [A-Za-z]*Aggregate.*Workers Launched: [1-9].*Partial [A-Za-z]*Aggregate',
               'event_path: Partial and Finalize Aggregate, workers ran');
SELECT is_empty($$SELECT customer_id FROM pp_paths FULL JOIN ep USING (customer_id)
                  WHERE pp_paths.p IS DISTINCT FROM ep.from_pv OR pp_paths.b IS DISTINCT FROM ep.between_ad_purchase$$,
                'event_path and event_path_between: parallel = serial');
SELECT matches(pg_temp.parallel('pp_report', :'q_report', false), 'Finalize [A-Za-z]*Aggregate.*Workers Launched: [1-9].*Partial [A-Za-z]*Aggregate',
               'path_report_agg, leader off: Partial and Finalize Aggregate, workers ran');
SELECT is((SELECT r FROM pp_report), (SELECT path_report_agg(p)::text FROM daily_paths), 'path_report_agg: parallel = serial');
SELECT length(pg_temp.parallel('pp_rollup', :'q_rollup', true)) AS _ \gset
SELECT is((SELECT r FROM pp_rollup), (SELECT rollup(r)::text FROM daily), 'rollup(path_report) over parallel daily reports = serial');

-- errors
SELECT throws_ok($$SELECT event_path(occurred_at, event, 'home', 'forward', 4, true) FROM touchpoints$$, '22023',
                 'event_path direction "forward" is not valid');
SELECT throws_ok($$SELECT event_path(occurred_at, event, 'home', 'from', -3, true) FROM touchpoints$$, '22023',
                 'event_path max_steps must be at least 1, not -3');
SELECT throws_ok($$SELECT path_report_agg(ARRAY['a'], 'center')$$, '22023', 'path_report_agg align "center" is not valid');
SELECT throws_ok($$SELECT 'left | ["a"]=1 ["a"]=1'::path_report$$, '22P02');

SELECT * FROM finish();
ROLLBACK;
