-- Forced parallel plans give the results of serial plans, for every aggregate:
-- journey_agg(occurred_at, stage, channel, event), journey_agg(touchpoint),
-- stage_time_agg and rollup(stage_time). For each: the plan has a Partial and
-- a Finalize Aggregate and workers ran; the result equals the serial plan's
-- for every customer, with the leader participating and not (every state
-- then goes through serialize/deserialize), for one customer with 100,000
-- touches spread over all workers, for one customer whose rows only one
-- worker sees (the others combine zero rows) and for no rows at all.
--
-- Parallel results are produced by EXPLAIN ANALYZE CREATE TABLE AS, so the
-- same statement proves the plan ran in parallel and keeps its result (a
-- query called from a pgTAP function would run serially: pgTAP's functions
-- are parallel unsafe).
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(64);

-- serial result of q into temp table tbl (columns k, v)
CREATE FUNCTION pg_temp.serial(tbl text, q text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', '0', true);
  EXECUTE format('CREATE TEMP TABLE %I AS %s', tbl, q);
END $$;

-- parallel result of q into table tbl; returns the EXPLAIN ANALYZE text
CREATE FUNCTION pg_temp.parallel(tbl text, q text, leader boolean DEFAULT true) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; result text := '';
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', '2', true);
  PERFORM set_config('parallel_setup_cost', '0', true);
  PERFORM set_config('parallel_tuple_cost', '0', true);
  PERFORM set_config('min_parallel_table_scan_size', '0', true);
  PERFORM set_config('enable_indexscan', 'off', true);
  PERFORM set_config('enable_bitmapscan', 'off', true);
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

-- rows of tables a and b (k, v) that differ
CREATE FUNCTION pg_temp.diff(a text, b text) RETURNS text LANGUAGE sql AS $$
  SELECT format('SELECT k FROM %I x FULL JOIN %I y USING (k) WHERE x.v IS DISTINCT FROM y.v', a, b)
$$;

\set partial_finalize 'Finalize [A-Za-z]*Aggregate.*Partial [A-Za-z]*Aggregate'
\set workers 'Workers Launched: [1-9]'

-- a regular table (workers cannot read temp tables): the sample data plus
-- customer 0 with 100,000 touches, appended, so its rows span many pages
CREATE TABLE par_tp AS SELECT * FROM touchpoints;
INSERT INTO par_tp
SELECT 0, '2025-01-01'::timestamptz + g * interval '7 minutes',
       (enum_range(NULL::stage))[1 + g % 5]::text, 'ch' || (g % 13), CASE WHEN g % 4 = 0 THEN NULL ELSE 'ev' || (g % 7) END, NULL, g % 50
FROM generate_series(1, 100000) g;
ANALYZE par_tp;
-- hourly stage_time states, the input of rollup (enough states per customer
-- that the planner chooses partial aggregation)
SELECT pg_temp.serial('par_hourly_tmp', $$SELECT customer_id, date_trunc('hour', occurred_at) AS hour, stage_time_agg(occurred_at, stage::stage) AS st FROM par_tp GROUP BY 1, 2$$) \gset
CREATE TABLE par_hourly AS SELECT * FROM par_hourly_tmp;
ANALYZE par_hourly;

\set j_args 'occurred_at, stage::stage, channel, event'
\set jt_args 'touchpoint(occurred_at, stage::stage, channel, event, revenue)'
\set st_args 'occurred_at, stage::stage'

-- one customer (7) sits in a few pages: the other workers see no row of it
\set j_grouped  'SELECT customer_id AS k, journey_agg(' :j_args ') AS v FROM par_tp GROUP BY customer_id'
\set j_skewed   'SELECT 0 AS k, journey_agg(' :j_args ') AS v FROM par_tp WHERE customer_id = 0'
\set j_one      'SELECT 0 AS k, journey_agg(' :j_args ') AS v FROM par_tp WHERE customer_id = 7'
\set j_none     'SELECT 0 AS k, journey_agg(' :j_args ') AS v FROM par_tp WHERE customer_id = -42'
\set jt_grouped 'SELECT customer_id AS k, journey_agg(' :jt_args ') AS v FROM par_tp GROUP BY customer_id'
\set jt_skewed  'SELECT 0 AS k, journey_agg(' :jt_args ') AS v FROM par_tp WHERE customer_id = 0'
\set jt_one     'SELECT 0 AS k, journey_agg(' :jt_args ') AS v FROM par_tp WHERE customer_id = 7'
\set jt_none    'SELECT 0 AS k, journey_agg(' :jt_args ') AS v FROM par_tp WHERE customer_id = -42'
\set st_grouped 'SELECT customer_id AS k, stage_time_agg(' :st_args ') AS v FROM par_tp GROUP BY customer_id'
\set st_skewed  'SELECT 0 AS k, stage_time_agg(' :st_args ') AS v FROM par_tp WHERE customer_id = 0'
\set st_one     'SELECT 0 AS k, stage_time_agg(' :st_args ') AS v FROM par_tp WHERE customer_id = 7'
\set st_none    'SELECT 0 AS k, stage_time_agg(' :st_args ') AS v FROM par_tp WHERE customer_id = -42'
\set ru_grouped 'SELECT customer_id AS k, rollup(st) AS v FROM par_hourly GROUP BY customer_id'
\set ru_skewed  'SELECT 0 AS k, rollup(st) AS v FROM par_hourly WHERE customer_id = 0'
\set ru_one     'SELECT 0 AS k, rollup(st) AS v FROM par_hourly WHERE customer_id = 7'
\set ru_none    'SELECT 0 AS k, rollup(st) AS v FROM par_hourly WHERE customer_id = -42'

SELECT pg_temp.serial('s_j_grouped', :'j_grouped'), pg_temp.serial('s_j_skewed', :'j_skewed'),
       pg_temp.serial('s_j_one', :'j_one'),
       pg_temp.serial('s_jt_grouped', :'jt_grouped'), pg_temp.serial('s_jt_skewed', :'jt_skewed'),
       pg_temp.serial('s_jt_one', :'jt_one'),
       pg_temp.serial('s_st_grouped', :'st_grouped'), pg_temp.serial('s_st_skewed', :'st_skewed'),
       pg_temp.serial('s_st_one', :'st_one'),
       pg_temp.serial('s_ru_grouped', :'ru_grouped'), pg_temp.serial('s_ru_skewed', :'ru_skewed'),
       pg_temp.serial('s_ru_one', :'ru_one') \gset

-- the inputs are what the cases claim
SELECT is((SELECT journey_length(v) FROM s_j_skewed), 100000 + (SELECT count(*)::int FROM touchpoints WHERE customer_id = 0),
          'the skewed journey holds all its touches');
SELECT cmp_ok((SELECT count(*) FROM par_hourly WHERE customer_id = 0), '>', 3000::bigint, 'the skewed customer has thousands of hourly states');
SELECT is_empty(pg_temp.diff('s_ru_grouped', 's_st_grouped'), 'serial: rollup of hourly states = stage_time_agg of the rows');

-- journey_agg(occurred_at, stage, channel, event)
SELECT matches(pg_temp.parallel('p_j_grouped', :'j_grouped'), :'partial_finalize', 'journey_agg grouped: Partial and Finalize Aggregate');
SELECT matches(pg_temp.parallel('p_j_grouped2', :'j_grouped'), :'workers', 'journey_agg grouped: workers ran');
SELECT is_empty(pg_temp.diff('p_j_grouped', 's_j_grouped'), 'journey_agg grouped: parallel = serial');
SELECT matches(pg_temp.parallel('p_j_grouped_nl', :'j_grouped', false), :'workers', 'journey_agg grouped, leader off: workers ran');
SELECT is_empty(pg_temp.diff('p_j_grouped_nl', 's_j_grouped'), 'journey_agg grouped, leader off: parallel = serial');
SELECT matches(pg_temp.parallel('p_j_skewed', :'j_skewed'), :'partial_finalize', 'journey_agg skewed (100k touches): parallel plan');
SELECT is_empty(pg_temp.diff('p_j_skewed', 's_j_skewed'), 'journey_agg skewed: parallel = serial');
SELECT length(pg_temp.parallel('p_j_skewed_nl', :'j_skewed', false)) AS _ \gset
SELECT is_empty(pg_temp.diff('p_j_skewed_nl', 's_j_skewed'), 'journey_agg skewed, leader off: parallel = serial');
SELECT length(pg_temp.parallel('p_j_one', :'j_one', false)) AS _ \gset
SELECT is_empty(pg_temp.diff('p_j_one', 's_j_one'), 'journey_agg one customer, other workers see zero rows: parallel = serial');
SELECT length(pg_temp.parallel('p_j_none', :'j_none')) AS _ \gset
SELECT is((SELECT v FROM p_j_none), NULL, 'journey_agg, no rows in any worker: NULL');

-- journey_agg(touchpoint)
SELECT matches(pg_temp.parallel('p_jt_grouped', :'jt_grouped'), :'partial_finalize', 'journey_agg(touchpoint) grouped: Partial and Finalize Aggregate');
SELECT is_empty(pg_temp.diff('p_jt_grouped', 's_jt_grouped'), 'journey_agg(touchpoint) grouped: parallel = serial');
SELECT matches(pg_temp.parallel('p_jt_grouped_nl', :'jt_grouped', false), :'workers', 'journey_agg(touchpoint) grouped, leader off: workers ran');
SELECT is_empty(pg_temp.diff('p_jt_grouped_nl', 's_jt_grouped'), 'journey_agg(touchpoint) grouped, leader off: parallel = serial');
SELECT matches(pg_temp.parallel('p_jt_skewed', :'jt_skewed'), :'partial_finalize', 'journey_agg(touchpoint) skewed: parallel plan');
SELECT is_empty(pg_temp.diff('p_jt_skewed', 's_jt_skewed'), 'journey_agg(touchpoint) skewed: parallel = serial');
SELECT length(pg_temp.parallel('p_jt_skewed_nl', :'jt_skewed', false)) AS _ \gset
SELECT is_empty(pg_temp.diff('p_jt_skewed_nl', 's_jt_skewed'), 'journey_agg(touchpoint) skewed, leader off: parallel = serial');
SELECT length(pg_temp.parallel('p_jt_one', :'jt_one', false)) AS _ \gset
SELECT is_empty(pg_temp.diff('p_jt_one', 's_jt_one'), 'journey_agg(touchpoint) one customer, zero-row workers: parallel = serial');
SELECT length(pg_temp.parallel('p_jt_none', :'jt_none')) AS _ \gset
SELECT is((SELECT v FROM p_jt_none), NULL, 'journey_agg(touchpoint), no rows: NULL');

-- stage_time_agg
SELECT matches(pg_temp.parallel('p_st_grouped', :'st_grouped'), :'partial_finalize', 'stage_time_agg grouped: Partial and Finalize Aggregate');
SELECT is_empty(pg_temp.diff('p_st_grouped', 's_st_grouped'), 'stage_time_agg grouped: parallel = serial');
SELECT matches(pg_temp.parallel('p_st_grouped_nl', :'st_grouped', false), :'workers', 'stage_time_agg grouped, leader off: workers ran');
SELECT is_empty(pg_temp.diff('p_st_grouped_nl', 's_st_grouped'), 'stage_time_agg grouped, leader off: parallel = serial');
SELECT matches(pg_temp.parallel('p_st_skewed', :'st_skewed'), :'partial_finalize', 'stage_time_agg skewed: parallel plan');
SELECT is_empty(pg_temp.diff('p_st_skewed', 's_st_skewed'), 'stage_time_agg skewed: parallel = serial');
SELECT length(pg_temp.parallel('p_st_skewed_nl', :'st_skewed', false)) AS _ \gset
SELECT is_empty(pg_temp.diff('p_st_skewed_nl', 's_st_skewed'), 'stage_time_agg skewed, leader off: parallel = serial');
SELECT length(pg_temp.parallel('p_st_one', :'st_one', false)) AS _ \gset
SELECT is_empty(pg_temp.diff('p_st_one', 's_st_one'), 'stage_time_agg one customer, zero-row workers: parallel = serial');
SELECT length(pg_temp.parallel('p_st_none', :'st_none')) AS _ \gset
SELECT is((SELECT v FROM p_st_none), NULL, 'stage_time_agg, no rows: NULL');

-- rollup(stage_time)
SELECT matches(pg_temp.parallel('p_ru_grouped', :'ru_grouped'), :'partial_finalize', 'rollup grouped: Partial and Finalize Aggregate');
SELECT is_empty(pg_temp.diff('p_ru_grouped', 's_ru_grouped'), 'rollup grouped: parallel = serial');
SELECT matches(pg_temp.parallel('p_ru_grouped_nl', :'ru_grouped', false), :'workers', 'rollup grouped, leader off: workers ran');
SELECT is_empty(pg_temp.diff('p_ru_grouped_nl', 's_ru_grouped'), 'rollup grouped, leader off: parallel = serial');
SELECT matches(pg_temp.parallel('p_ru_skewed', :'ru_skewed'), :'partial_finalize', 'rollup skewed (thousands of hourly states): parallel plan');
SELECT is_empty(pg_temp.diff('p_ru_skewed', 's_ru_skewed'), 'rollup skewed: parallel = serial');
SELECT length(pg_temp.parallel('p_ru_skewed_nl', :'ru_skewed', false)) AS _ \gset
SELECT is_empty(pg_temp.diff('p_ru_skewed_nl', 's_ru_skewed'), 'rollup skewed, leader off: parallel = serial');
SELECT length(pg_temp.parallel('p_ru_one', :'ru_one', false)) AS _ \gset
SELECT is_empty(pg_temp.diff('p_ru_one', 's_ru_one'), 'rollup one customer, zero-row workers: parallel = serial');
SELECT length(pg_temp.parallel('p_ru_none', :'ru_none')) AS _ \gset
SELECT is((SELECT v FROM p_ru_none), NULL, 'rollup, no rows: NULL');
SELECT length(pg_temp.parallel('p_ru_all', 'SELECT 0 AS k, rollup(st) AS v FROM par_hourly')) AS _ \gset
SELECT pg_temp.serial('s_ru_all', 'SELECT 0 AS k, rollup(st) AS v FROM par_hourly') \gset
SELECT is_empty(pg_temp.diff('p_ru_all', 's_ru_all'), 'rollup of every state in the table: parallel = serial');

-- window_funnel and window_funnel_times (level and step times as one value),
-- and funnel_report_agg over those step times (compared as text)
\set wf_args 'interval ''14 days'', ''strict_increase'', occurred_at, event = ''ev1'', event = ''ev2'', event = ''ev3'''
\set wf_grouped 'SELECT customer_id AS k, window_funnel(' :wf_args ')::text || '' '' || window_funnel_times(' :wf_args ')::text AS v FROM par_tp GROUP BY customer_id'
\set wf_skewed  'SELECT 0 AS k, window_funnel(' :wf_args ')::text || '' '' || window_funnel_times(' :wf_args ')::text AS v FROM par_tp WHERE customer_id = 0'
SELECT pg_temp.serial('s_wf_grouped', :'wf_grouped'), pg_temp.serial('s_wf_skewed', :'wf_skewed') \gset
SELECT pg_temp.serial('s_wf_times', 'SELECT customer_id, window_funnel_times(' || :'wf_args' || ') AS t FROM par_tp GROUP BY customer_id') \gset
CREATE TABLE par_wf_times AS SELECT * FROM s_wf_times;
ANALYZE par_wf_times;
\set fr_grouped 'SELECT 0 AS k, funnel_report_agg(t, 3)::text AS v FROM par_wf_times'
SELECT pg_temp.serial('s_fr', :'fr_grouped') \gset
SELECT cmp_ok((SELECT count(*) FROM s_wf_grouped WHERE v LIKE '3 %'), '>', 0::bigint, 'some customers complete the 3-step funnel');
SELECT matches(pg_temp.parallel('p_wf_grouped', :'wf_grouped'), :'partial_finalize', 'window_funnel grouped: Partial and Finalize Aggregate');
SELECT is_empty(pg_temp.diff('p_wf_grouped', 's_wf_grouped'), 'window_funnel and window_funnel_times grouped: parallel = serial');
SELECT length(pg_temp.parallel('p_wf_grouped_nl', :'wf_grouped', false)) AS _ \gset
SELECT is_empty(pg_temp.diff('p_wf_grouped_nl', 's_wf_grouped'), 'window_funnel grouped, leader off: parallel = serial');
SELECT matches(pg_temp.parallel('p_wf_skewed', :'wf_skewed'), :'partial_finalize', 'window_funnel skewed (100k rows): parallel plan');
SELECT is_empty(pg_temp.diff('p_wf_skewed', 's_wf_skewed'), 'window_funnel skewed: parallel = serial');
SELECT matches(pg_temp.parallel('p_fr', :'fr_grouped'), :'partial_finalize', 'funnel_report_agg: Partial and Finalize Aggregate');
SELECT is_empty(pg_temp.diff('p_fr', 's_fr'), 'funnel_report_agg: parallel = serial');

-- conversion aggregates: touches before the first purchase (also within a
-- day), per purchase, time to it and the path, as one value
\set cv_grouped 'SELECT customer_id AS k, concat_ws('' '', coalesce(touches_before_conversion(occurred_at, event = ''ev3'')::text, ''-''), coalesce(touches_before_conversion(occurred_at, event = ''ev3'', interval ''1 day'')::text, ''-''), coalesce(touches_before_each_conversion(occurred_at, event = ''ev3'')::text, ''-''), coalesce(time_to_conversion(occurred_at, event = ''ev3'')::text, ''-''), coalesce(conversion_path(occurred_at, channel, event = ''ev3'', true, 0)::text, ''-'')) AS v FROM par_tp GROUP BY customer_id'
SELECT pg_temp.serial('s_cv_grouped', :'cv_grouped') \gset
SELECT matches(pg_temp.parallel('p_cv_grouped', :'cv_grouped'), :'partial_finalize', 'conversion aggregates grouped: Partial and Finalize Aggregate');
SELECT is_empty(pg_temp.diff('p_cv_grouped', 's_cv_grouped'), 'conversion aggregates grouped: parallel = serial');
SELECT length(pg_temp.parallel('p_cv_grouped_nl', :'cv_grouped', false)) AS _ \gset
SELECT is_empty(pg_temp.diff('p_cv_grouped_nl', 's_cv_grouped'), 'conversion aggregates grouped, leader off: parallel = serial');

-- attribution: per-customer states (w_shaped with milestones, markov) and
-- their rollup across customers; float sums may differ in the last bits
-- with the order of addition, so rolled-up credits are compared rounded
\set at_grouped 'SELECT customer_id AS k, attribution_agg(occurred_at, channel, event IN (''purchase'', ''ev3''), revenue, event = ''signup'', event IN (''quote'', ''ev1''), ''w_shaped'', '''')::text || '' '' || attribution_agg(occurred_at, channel, event IN (''purchase'', ''ev3''), revenue, ''markov'')::text AS v FROM par_tp GROUP BY customer_id'
SELECT pg_temp.serial('s_at_grouped', :'at_grouped') \gset
SELECT matches(pg_temp.parallel('p_at_grouped', :'at_grouped'), :'partial_finalize', 'attribution_agg grouped: Partial and Finalize Aggregate');
SELECT is_empty(pg_temp.diff('p_at_grouped', 's_at_grouped'), 'attribution_agg grouped: parallel = serial');
SELECT length(pg_temp.parallel('p_at_grouped_nl', :'at_grouped', false)) AS _ \gset
SELECT is_empty(pg_temp.diff('p_at_grouped_nl', 's_at_grouped'), 'attribution_agg grouped, leader off: parallel = serial');
SELECT pg_temp.serial('par_att_tmp', $$SELECT customer_id, date_trunc('day', occurred_at) AS day, attribution_agg(occurred_at, channel, event IN ('purchase', 'ev3'), revenue, 'markov') AS a FROM par_tp GROUP BY 1, 2$$) \gset
CREATE TABLE par_att AS SELECT * FROM par_att_tmp;
ANALYZE par_att;
\set at_rollup 'SELECT 1 AS k, (SELECT string_agg(channel || '' '' || round(conversions::numeric, 9) || '' '' || round(revenue::numeric, 6), '', '' ORDER BY channel) FROM attribution_credits(r.a)) AS v FROM (SELECT rollup(a) AS a FROM par_att) r'
SELECT pg_temp.serial('s_at_rollup', :'at_rollup') \gset
SELECT matches(pg_temp.parallel('p_at_rollup', :'at_rollup'), :'partial_finalize', 'rollup(attribution): Partial and Finalize Aggregate');
SELECT is_empty(pg_temp.diff('p_at_rollup', 's_at_rollup'), 'rollup(attribution) markov credits: parallel = serial');

-- bigint times are any int64 (epoch nanoseconds are past timestamptz's
-- range): a state crossing to the leader keeps them, as the serial plan does
CREATE TABLE par_ns AS SELECT g % 97 AS customer_id, 1700000000000000000::bigint + (g::bigint * 7919 % 50000) * 1000000 AS t,
       g % 4 AS e FROM generate_series(1, 40000) g;
ANALYZE par_ns;
\set ns_q 'SELECT customer_id AS k, window_funnel(86400000000::bigint, t, e = 0, e = 1, e = 2)::text || '' '' || sequence_match(''(?1)(?t<=3600000000)(?2)'', t, e = 1, e = 3)::text || '' '' || coalesce(sequence_next_node(''forward'', ''first_match'', t, e::text, true, e = 2), ''-'') || '' '' || sequence_count(''(?1)(?2)'', t, e = 0, e = 3) AS v FROM par_ns GROUP BY customer_id'
SELECT pg_temp.serial('s_ns', :'ns_q') \gset
SELECT matches(pg_temp.parallel('p_ns', :'ns_q'), :'partial_finalize', 'bigint times past timestamptz range: Partial and Finalize Aggregate');
SELECT is_empty(pg_temp.diff('p_ns', 's_ns'), 'window_funnel, sequence_match/count/next_node over epoch nanoseconds: parallel = serial');
SELECT length(pg_temp.parallel('p_ns_nl', :'ns_q', false)) AS _ \gset
SELECT is_empty(pg_temp.diff('p_ns_nl', 's_ns'), 'epoch nanoseconds, leader off: parallel = serial');
SELECT cmp_ok((SELECT count(DISTINCT v) FROM s_ns), '>', 3::bigint, 'the epoch-nanosecond answers vary across customers');

-- a Finalize HashAggregate that spills (300 customers of 200 rows, 64 kB of
-- work_mem): the executor deserializes every worker's state before it looks
-- for the state's group, and one whose group went to disk is never
-- combined; such a state must not stay in the aggregate's memory for the
-- batch (0.3.0 before the fix: 2.7 MB here, 70 MB with 40,000 customers at
-- 1 MB of work_mem; now about 0.2 MB), and spilled states give the serial
-- answer, parameters (a sequence pattern) included
CREATE TABLE par_spill AS
SELECT g % 300 AS customer_id, '2025-01-01'::timestamptz + (g * 7919 % 100000) * interval '1 minute' AS occurred_at,
       (enum_range(NULL::stage))[1 + g % 5]::text AS stage, 'ch' || (g % 7) AS channel, 'ev' || (g % 11) AS event
FROM generate_series(1, 60000) g;
ANALYZE par_spill;
\set sp_q 'SELECT customer_id AS k, journey_agg(occurred_at, stage::stage, channel, event)::text || '' '' || sequence_match(''(?1)(?t<=3600)(?2)'', occurred_at, event = ''ev1'', event = ''ev2'')::text AS v FROM par_spill GROUP BY customer_id'
SELECT pg_temp.serial('s_sp', :'sp_q') \gset
SET LOCAL work_mem = '64kB';
SET LOCAL enable_sort = off;
SELECT pg_temp.parallel('p_sp', :'sp_q') AS sp_plan \gset
RESET work_mem;
RESET enable_sort;
\set sp_node 'Finalize HashAggregate[^\n]*\n[^\n]*\n *Batches: '
SELECT matches(:'sp_plan'::text, :'sp_node' || '([2-9]|[1-9][0-9]+) ', 'spilling Finalize HashAggregate: the plan spilled in batches');
SELECT cmp_ok(substring(:'sp_plan'::text from :'sp_node' || '[0-9]+  Memory Usage: ([0-9]+)kB')::int, '<', 1024,
              'spilling Finalize HashAggregate: states of spilled groups are not kept (memory under 1 MB)');
SELECT is_empty(pg_temp.diff('p_sp', 's_sp'), 'spilling Finalize HashAggregate: parallel = serial');

SELECT * FROM finish();
ROLLBACK;
