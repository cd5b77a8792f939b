-- Forced parallel plans give the results of serial plans.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(25);

-- plan text of a query, for EXPLAIN checks
CREATE FUNCTION pg_temp.plan_of(q text, with_analyze boolean DEFAULT false) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; result text := '';
BEGIN
  FOR line IN EXECUTE format('EXPLAIN (COSTS OFF%s) %s',
                             CASE WHEN with_analyze THEN ', ANALYZE, TIMING OFF, SUMMARY OFF' ELSE '' END, q) LOOP
    result := result || line || E'\n';
  END LOOP;
  RETURN result;
END $$;

CREATE FUNCTION pg_temp.force_parallel(on_ boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF on_ THEN
    PERFORM set_config('max_parallel_workers_per_gather', '2', true);
    PERFORM set_config('parallel_setup_cost', '0', true);
    PERFORM set_config('parallel_tuple_cost', '0', true);
    PERFORM set_config('min_parallel_table_scan_size', '0', true);
    PERFORM set_config('enable_indexscan', 'off', true);
    PERFORM set_config('enable_bitmapscan', 'off', true);
    IF current_setting('server_version_num')::int >= 160000 THEN
      PERFORM set_config('debug_parallel_query', 'on', true);
    ELSE
      PERFORM set_config('force_parallel_mode', 'on', true);
    END IF;
  ELSE
    PERFORM set_config('max_parallel_workers_per_gather', '0', true);
  END IF;
END $$;

-- a regular table (workers cannot read temp tables), skewed: one customer
-- with 20000 touches besides the sample data
CREATE TABLE par_tp AS SELECT * FROM touchpoints;
INSERT INTO par_tp
SELECT 0, '2025-01-01'::timestamptz + g * interval '7 minutes',
       (enum_range(NULL::stage))[1 + g % 5]::text, 'ch' || (g % 13), CASE WHEN g % 4 = 0 THEN NULL ELSE 'ev' || (g % 7) END, NULL, g % 50
FROM generate_series(1, 20000) g;
ANALYZE par_tp;

\set grouped 'SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS j FROM par_tp GROUP BY customer_id'
\set grouped_tp 'SELECT customer_id, journey_agg(touchpoint(occurred_at, stage::stage, channel, event, revenue)) AS j FROM par_tp GROUP BY customer_id'
-- one customer's rows sit in a few pages: the other workers see no row
\set one 'SELECT journey_agg(occurred_at, stage::stage, channel, event) FROM par_tp WHERE customer_id = 7'
\set none 'SELECT journey_agg(occurred_at, stage::stage, channel, event) FROM par_tp WHERE customer_id = -42'
\set grouped_st 'SELECT customer_id, stage_time_agg(occurred_at, stage::stage) AS st FROM par_tp GROUP BY customer_id'
\set funnel 'SELECT customer_id, window_funnel(interval ''14 days'', ''strict_increase'', occurred_at, event = ''page_view'', event = ''signup'', event = ''purchase'') AS l, window_funnel_times(interval ''14 days'', occurred_at, event = ''page_view'', event = ''signup'', event = ''purchase'') AS t FROM par_tp GROUP BY customer_id'
\set rolled 'SELECT customer_id, rollup(st) AS st FROM par_monthly GROUP BY customer_id'
\set skewed 'SELECT journey_agg(occurred_at, stage::stage, channel, event) AS j FROM par_tp WHERE customer_id = 0'

SELECT pg_temp.force_parallel(false);
CREATE TEMP TABLE serial_grouped AS :grouped;
CREATE TEMP TABLE serial_grouped_tp AS :grouped_tp;
CREATE TEMP TABLE serial_grouped_st AS :grouped_st;
CREATE TEMP TABLE serial_funnel AS :funnel;
CREATE TABLE par_monthly AS
SELECT customer_id, date_trunc('month', occurred_at) AS month, stage_time_agg(occurred_at, stage::stage) AS st
FROM par_tp GROUP BY 1, 2;
ANALYZE par_monthly;
CREATE TEMP TABLE serial_rolled AS :rolled;
CREATE TEMP TABLE serial_rolled_all AS SELECT rollup(st) AS st FROM par_monthly;
CREATE TEMP TABLE serial_skewed AS :skewed;
CREATE TEMP TABLE serial_one AS :one;

SELECT pg_temp.force_parallel(true);
SELECT matches(pg_temp.plan_of(:'grouped'), 'Partial .*Aggregate', 'grouped plan has a Partial Aggregate');
SELECT matches(pg_temp.plan_of(:'grouped'), 'Finalize .*Aggregate', 'grouped plan has a Finalize Aggregate');
SELECT matches(pg_temp.plan_of(:'grouped', true), 'Workers Launched: [1-9]', 'workers actually ran');
SELECT matches(pg_temp.plan_of(:'skewed'), 'Partial Aggregate', 'whole-table plan has a Partial Aggregate');

-- results of parallel plans, kept in regular tables (CREATE TABLE AS runs its query in parallel)
SELECT matches(pg_temp.plan_of('CREATE TABLE par_check AS ' || :'grouped'), 'Partial .*Aggregate',
               'CREATE TABLE AS keeps the parallel plan');
CREATE TABLE par_grouped AS :grouped;
CREATE TABLE par_grouped_tp AS :grouped_tp;
SELECT matches(pg_temp.plan_of(:'grouped_st'), 'Partial .*Aggregate', 'stage_time_agg: parallel plan');
CREATE TABLE par_grouped_st AS :grouped_st;
SELECT matches(pg_temp.plan_of(:'funnel'), 'Partial .*Aggregate', 'window_funnel: parallel plan');
CREATE TABLE par_funnel AS :funnel;
ANALYZE par_funnel;
SELECT matches(pg_temp.plan_of('SELECT rollup(st) FROM par_monthly'), 'Partial Aggregate',
               'rollup(stage_time) over the whole table: parallel plan');
SELECT is((SELECT rollup(st) FROM par_monthly), (SELECT st FROM serial_rolled_all), 'parallel rollup of every state = serial');
CREATE TABLE par_rolled AS :rolled;
SELECT is((SELECT count(*) FROM par_grouped), (SELECT count(*) FROM serial_grouped), 'same number of journeys');
SELECT is_empty($$SELECT customer_id FROM par_grouped p FULL JOIN serial_grouped s USING (customer_id)
                  WHERE p.j IS DISTINCT FROM s.j$$, 'parallel grouped = serial grouped');
SELECT is_empty($$SELECT customer_id FROM par_grouped_tp p FULL JOIN serial_grouped_tp s USING (customer_id)
                  WHERE p.j IS DISTINCT FROM s.j$$, 'parallel journey_agg(touchpoint) = serial');
SELECT is_empty($$SELECT customer_id FROM par_grouped_st p FULL JOIN serial_grouped_st s USING (customer_id)
                  WHERE p.st IS DISTINCT FROM s.st$$, 'parallel stage_time_agg = serial');
SELECT is_empty($$SELECT customer_id FROM par_funnel p FULL JOIN serial_funnel s USING (customer_id)
                  WHERE p.l IS DISTINCT FROM s.l OR p.t IS DISTINCT FROM s.t$$, 'parallel window_funnel = serial');
SELECT matches(pg_temp.plan_of('SELECT funnel_report_agg(t, 3) FROM par_funnel'), 'Partial Aggregate', 'funnel_report_agg: parallel plan');
SELECT is((SELECT funnel_report_agg(t, 3)::text FROM par_funnel), (SELECT funnel_report_agg(t, 3)::text FROM serial_funnel),
          'funnel_report_agg in a parallel plan = serial');
SELECT is_empty($$SELECT customer_id FROM par_rolled p FULL JOIN serial_grouped_st s USING (customer_id)
                  WHERE p.st IS DISTINCT FROM s.st$$, 'parallel rollup of monthly states = serial stage_time_agg');
SELECT is((:skewed), (SELECT j FROM serial_skewed), 'skewed customer (20000 touches): parallel = serial');
SELECT is((SELECT journey_length(j) FROM serial_skewed), 20000 + (SELECT count(*)::int FROM touchpoints WHERE customer_id = 0),
          'the skewed journey holds all its touches');

-- workers do all the work: every state goes through serialize/deserialize
SELECT set_config('parallel_leader_participation', 'off', true);
CREATE TABLE par_grouped_noleader AS :grouped;
SELECT is_empty($$SELECT customer_id FROM par_grouped_noleader p FULL JOIN serial_grouped s USING (customer_id)
                  WHERE p.j IS DISTINCT FROM s.j$$, 'leader not participating: parallel = serial');
SELECT is((:skewed), (SELECT j FROM serial_skewed), 'leader not participating, skewed: parallel = serial');

-- workers that see no rows
SELECT matches(pg_temp.plan_of(:'one'), 'Partial Aggregate', 'one customer: parallel plan');
SELECT is((:one), (SELECT journey_agg FROM serial_one), 'one customer, other workers empty: equal to serial');
SELECT matches(pg_temp.plan_of(:'none'), 'Partial Aggregate', 'no matching row: parallel plan');
SELECT is((:none), NULL, 'no rows in any worker: NULL');

SELECT * FROM finish();
ROLLBACK;
