-- Output digests: the "before" baseline of the aggregate-state refactor.
--
-- Every aggregate of cjourney 0.1.0 and every accessor or final form, run
-- over the sample data (data/load.sh --customers 3000, seed 42: the database
-- scripts/test.sh builds for pgTAP), one md5 per query over the results of all
-- customers or groups: md5(string_agg(key || ':' || text, newline ORDER BY key)).
-- The expected md5s were printed by the code at the commit named in
-- test/fixtures/README.md; they are the one place where this project keeps
-- recorded outputs instead of an independent formulation, on purpose: a
-- refactor that claims to change nothing must reproduce them byte for byte.
-- A failing digest names the query; to look at its rows, run the file with
-- the final ROLLBACK changed to COMMIT (table dg_s_<n> holds the serial
-- result, dg_p_<n>_t and dg_p_<n>_f the parallel ones) under both builds.
--
-- Floats that are sums over many customers (attribution rollups, response
-- value moments) are not bit-stable across plans (the order of addition
-- follows the plan), so those digests (32-36, 39, 40) round every number in
-- their text to 10 significant digits (pg_temp.sigtext); counts, times,
-- per-customer results and everything else are hashed exactly as printed.
-- Attribution states hold one customer's conversions, whose touches span
-- days, so for them the rollup assertion is rollup of rollups instead of
-- rollup of per-day states.
--
-- For each aggregate the forced-parallel plan (Partial and Finalize
-- Aggregate, workers launched) gives the serial md5, with the leader
-- participating and not (then every partial state goes through the
-- serialize and deserialize functions), and rollup of per-day states equals
-- the state over all days where rollup exists.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(115);

-- text forms of times, intervals and floats do not depend on the session
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, MDY';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 1;

--------------------------------------------------------------------------
-- input tables: regular tables (parallel workers cannot read temp tables),
-- dropped by the ROLLBACK at the end
--------------------------------------------------------------------------

-- a stage list that is not the default one: the lifecycle reversed, plus a
-- label that needs quoting
CREATE TYPE dg_phase AS ENUM ('advocacy', 'retention', 'decision', 'consideration', 'awareness', 'lost "x" y');

-- every touch with its customer's attributes and the derived columns the
-- queries use; in time order, so customers are interleaved across pages
-- (parallel workers see parts of one customer's rows)
CREATE TABLE dg_rows AS
SELECT t.customer_id, c.segment, c.region, c.campaign_group = 'treatment' AS treated, c.ab_variant,
       t.occurred_at AS t, extract(epoch FROM t.occurred_at)::bigint AS epoch,
       t.stage::stage AS stage, t.stage::dg_phase AS phase, t.channel, t.event, t.campaign, t.revenue,
       date_trunc('day', t.occurred_at) AS day,
       coalesce(t.event IN ('page_view', 'ad_click'), false) AS s1,
       t.stage = 'consideration' AS s2,
       coalesce(t.event IN ('signup', 'trial_start', 'demo_request'), false) AS s3,
       coalesce(t.event = 'purchase', false) AS s4,
       t.event = 'purchase' AS conv,
       t.event IN ('signup', 'trial_start') AS lead,
       t.event IN ('demo_request', 'quote') AS opp
FROM touchpoints t JOIN customers c USING (customer_id)
ORDER BY t.occurred_at, t.customer_id, t.stage, t.channel, t.event, t.campaign, t.revenue;
ANALYZE dg_rows;

-- stored states, the inputs of accessors and rollups
CREATE TABLE dg_j AS
SELECT customer_id, journey_agg(touchpoint(t, stage, channel, event, revenue)) AS j,
       journey_agg(touchpoint(t, phase, channel, event, revenue)) AS jp,
       stage_time_agg(t, stage) AS st
FROM dg_rows GROUP BY customer_id;
CREATE TABLE dg_st_day AS
SELECT customer_id, day, stage_time_agg(t, stage) AS st FROM dg_rows GROUP BY 1, 2;
CREATE TABLE dg_wft AS
SELECT customer_id, min(segment) AS segment, min(region) AS region,
       window_funnel(interval '7 days', t, s1, s2, s3, s4) AS level,
       window_funnel_times(interval '7 days', t, s1, s2, s3, s4) AS times
FROM dg_rows GROUP BY customer_id;
CREATE TABLE dg_fr_day AS
SELECT segment, region, date_trunc('day', times[1]) AS entry_day,
       funnel_report_agg(times, 4) AS r, funnel_report_agg(level, 4) AS rl
FROM dg_wft GROUP BY 1, 2, 3;
CREATE TABLE dg_ret AS
SELECT customer_id, min(segment) AS segment,
       retention(date_trunc('month', t) = '2025-03-01', date_trunc('month', t) = '2025-04-01',
                 date_trunc('month', t) = '2025-05-01', date_trunc('month', t) = '2025-06-01') AS r
FROM dg_rows GROUP BY customer_id;
-- per-customer attribution states of the models that rollup serves
CREATE TABLE dg_att AS
SELECT customer_id, min(segment) AS segment, min(region) AS region, m.model,
       attribution_agg(t, channel, conv, revenue, lead, opp, m.model, '') AS a
FROM dg_rows CROSS JOIN (VALUES ('first_touch'), ('linear'), ('time_decay'), ('w_shaped'), ('markov'), ('shapley')) m(model)
GROUP BY customer_id, m.model;
-- channel paths with counts (ChannelAttribution's input): the channels
-- before a customer's first purchase, or all of them when it never bought
CREATE TABLE dg_paths AS
SELECT segment, path, sum(c)::bigint AS conversions, sum(1 - c)::bigint AS nulls, sum(rev) AS revenue
FROM (SELECT r.customer_id, min(r.segment) AS segment,
             coalesce(array_agg(r.channel ORDER BY r.t, r.channel COLLATE "C")
                        FILTER (WHERE f.t1 IS NULL OR r.t < f.t1), '{}') AS path,
             (min(f.t1) IS NOT NULL)::int AS c, coalesce(min(f.rev), 0) AS rev
      FROM dg_rows r
      LEFT JOIN (SELECT DISTINCT ON (customer_id) customer_id, t AS t1, revenue AS rev FROM dg_rows WHERE conv
                 ORDER BY customer_id, t, revenue) f USING (customer_id)
      WHERE NOT coalesce(r.conv, false)
      GROUP BY r.customer_id) p
GROUP BY segment, path;
CREATE TABLE dg_models (model text, options text);
INSERT INTO dg_models VALUES ('first_touch', ''), ('last_touch', ''), ('last_non_direct', ''), ('linear', ''),
    ('position_based', ''), ('markov', ''), ('shapley', ''),
    ('position_based', 'weights=0.5/0/0.5'), ('last_non_direct', 'direct=web'), ('linear', 'lookback=14 days'),
    ('time_decay', ''), ('time_decay', 'half_life=1 day'), ('w_shaped', ''),
    ('w_shaped', 'lead_stage=consideration, opportunity_stage=decision');
-- journeys with their segment, once per model (attribution over journeys)
CREATE TABLE dg_jm AS
SELECT c.segment, m.model, m.options, j.j
FROM dg_j j JOIN customers c USING (customer_id) CROSS JOIN dg_models m;
CREATE TABLE dg_resp_day AS
SELECT segment, region, day, response_agg(treated, conv) AS rs, response_agg(treated, conv, revenue::float8) AS rsv,
       response_variants_agg(ab_variant, conv) AS rv
FROM dg_rows GROUP BY 1, 2, 3;
ANALYZE;

--------------------------------------------------------------------------
-- helpers
--------------------------------------------------------------------------

-- x to 10 significant digits (d.ddddddddde+xx)
CREATE FUNCTION pg_temp.sig(x float8) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE WHEN x = 0 OR x IN ('infinity', '-infinity', 'NaN') THEN x::text
              ELSE ltrim(to_char(x, '9.999999999EEEE')) END
$$;

-- s with every number rounded to 10 significant digits (a float may print
-- as an integer; counts below 10^10 stay exact); digits inside labels stay
CREATE FUNCTION pg_temp.sigtext(s text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  num constant text := '(?<![-0-9A-Za-z_:.])-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?';
  parts text[] := regexp_split_to_array(s, num);
  out text := parts[1];
  m text[];
  i int := 1;
BEGIN
  FOR m IN SELECT regexp_matches(s, num, 'g') LOOP
    i := i + 1;
    out := out || pg_temp.sig(m[1]::float8) || parts[i];
  END LOOP;
  RETURN out;
END $$;

-- the queries: each makes a table with a key column k (unique) and the
-- columns proj reads; proj is evaluated afterwards, serially, per row.
-- par: also run it under forced parallel plans; par_off: a plan type turned
-- off there, where the planner would otherwise gather the rows unaggregated
CREATE TEMP TABLE digest (n int PRIMARY KEY, name text NOT NULL, q text NOT NULL, proj text NOT NULL DEFAULT 'v::text',
                          want text, par boolean NOT NULL DEFAULT true, par_off text, got text);

-- md5 over the rows of table tbl: key:proj, one line each, in key order
CREATE FUNCTION pg_temp.digest_of(tbl text, proj text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE format($f$SELECT md5(coalesce(string_agg(k::text || ':' || coalesce((%s)::text, '\N'), E'\n'
                                                   ORDER BY k::text COLLATE "C"), ''))
                   FROM %I$f$, proj, tbl) INTO r;
  RETURN r;
END $$;

-- serial result of digest n: table dg_s_<n>, its md5 (kept in digest.got)
CREATE FUNCTION pg_temp.serial(d int) RETURNS text LANGUAGE plpgsql
SET max_parallel_workers_per_gather = 0 AS $$
DECLARE g digest;
BEGIN
  SELECT * INTO g FROM digest WHERE n = d;
  EXECUTE format('CREATE TABLE %I AS %s', 'dg_s_' || d, g.q);
  UPDATE digest SET got = pg_temp.digest_of('dg_s_' || d, g.proj) WHERE n = d RETURNING got INTO g.got;
  RETURN g.got;
END $$;

-- md5 of digest n under a forced parallel plan, or what is wrong with the plan
CREATE FUNCTION pg_temp.parallel(d int, leader boolean) RETURNS text LANGUAGE plpgsql
SET max_parallel_workers_per_gather = 2 SET parallel_setup_cost = 0 SET parallel_tuple_cost = 0
SET min_parallel_table_scan_size = 0 SET min_parallel_index_scan_size = 0
SET enable_indexscan = off SET enable_bitmapscan = off SET parallel_leader_participation = on
SET enable_hashagg = on AS $$
DECLARE g digest; tbl text := format('dg_p_%s_%s', d, leader); line text; plan text := '';
BEGIN
  PERFORM set_config('parallel_leader_participation', leader::text, true);
  SELECT * INTO g FROM digest WHERE n = d;
  IF g.par_off IS NOT NULL THEN
    PERFORM set_config(g.par_off, 'off', true);
  END IF;
  FOR line IN EXECUTE format('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) CREATE TABLE %I AS %s', tbl, g.q) LOOP
    plan := plan || line || E'\n';
  END LOOP;
  IF plan !~ 'Finalize [A-Za-z]*Aggregate.*Partial [A-Za-z]*Aggregate' THEN
    RETURN E'no Partial and Finalize Aggregate in the plan:\n' || plan;
  ELSIF plan !~ 'Workers Launched: [1-9]' THEN
    RETURN E'no worker launched:\n' || plan;
  END IF;
  RETURN pg_temp.digest_of(tbl, g.proj);
END $$;

--------------------------------------------------------------------------
-- the digests
--------------------------------------------------------------------------

-- touchpoint and journey values
INSERT INTO digest (n, name, par, q, proj) VALUES
(1, 'touchpoint: text, accessors, jsonb, hashes, btree order', false,
 $q$SELECT row_number() OVER (ORDER BY customer_id, tp, tpp) AS k, tp, tpp
    FROM (SELECT customer_id, touchpoint(t, stage, channel, event, revenue) AS tp,
                 touchpoint(t, phase, channel, event) AS tpp FROM dg_rows) x$q$,
 $p$ROW(tp, touchpoint_occurred_at(tp), touchpoint_stage(tp), touchpoint_channel(tp), touchpoint_event(tp),
        touchpoint_value(tp), tp::jsonb, touchpoint_hash(tp), touchpoint_hash_extended(tp, 7),
        tpp, touchpoint_stage(tpp), tpp::jsonb, touchpoint_hash(tpp))::text$p$),
(2, 'journey_agg(occurred_at, stage, channel, event)', true,
 $q$SELECT customer_id AS k, journey_agg(t, stage, channel, event) AS v FROM dg_rows GROUP BY 1$q$, 'v::text'),
(3, 'journey_agg(touchpoint) with values', true,
 $q$SELECT customer_id AS k, journey_agg(touchpoint(t, stage, channel, event, revenue)) AS v FROM dg_rows GROUP BY 1$q$, 'v::text'),
(4, 'journey_agg over a non-default stage list, both forms', true,
 $q$SELECT customer_id AS k, journey_agg(t, phase, channel, event) AS a,
           journey_agg(touchpoint(t, phase, channel, event, revenue)) AS b FROM dg_rows GROUP BY 1$q$, 'ROW(a, b)::text'),
(5, 'journey accessors: length, ends, stages, stage_at, @>, <@, jsonb', false,
 $q$SELECT customer_id AS k, j, jp FROM dg_j$q$,
 $p$ROW(journey_length(j), journey_first(j), journey_last(j), journey_start(j), journey_end(j), journey_duration(j),
        journey_stage_list(j), journey_stages(j), journey_furthest_stage(j),
        journey_stage_at(j, '2025-06-01'), journey_stage_at(j, '2025-01-01'), journey_stage_at(j, journey_end(j)),
        j @> 'decision'::stage, 'retention'::stage <@ j, journey_reached(j, 'advocacy'::stage),
        journey_stage_reached_by('awareness'::stage, j), j::jsonb,
        journey_length(jp), journey_stage_list(jp), journey_stages(jp), journey_furthest_stage(jp),
        journey_stage_at(jp, '2025-06-01'), jp @> 'decision'::dg_phase, jp::jsonb, journey_first(jp))::text$p$),
(6, 'journey_touchpoints, journey_slice, journey_merge (||)', false,
 $q$SELECT customer_id AS k, j, jp FROM dg_j$q$,
 $p$ROW((SELECT string_agg(ROW(x.occurred_at, x.stage, x.channel, x.event, x.value)::text, ';' ORDER BY x.ordinality)
         FROM journey_touchpoints(j) WITH ORDINALITY x(occurred_at, stage, channel, event, value, ordinality)),
        (SELECT string_agg(ROW(x.occurred_at, x.stage, x.channel, x.event, x.value)::text, ';' ORDER BY x.ordinality)
         FROM journey_touchpoints(jp) WITH ORDINALITY x(occurred_at, stage, channel, event, value, ordinality)),
        journey_slice(j, '2025-03-01', '2025-07-01'), journey_slice(j, NULL, '2025-05-01'),
        journey_slice(j, '2025-09-01', NULL), journey_slice(j, '2025-05-01', '2025-05-01'),
        journey_slice(jp, '2025-04-01', '2025-10-01'),
        journey_slice(j, '2025-06-01', NULL) || journey_slice(j, NULL, '2025-06-01'), j || j,
        journey_merge(jp, journey_slice(jp, '2025-06-01', NULL)))::text$p$),
(7, 'journey stage times: duration_in, stage_durations, stage_timeline, current stage, regressions, stage_time(journey)', false,
 $q$SELECT customer_id AS k, j, jp FROM dg_j$q$,
 $p$ROW((SELECT string_agg(s || '=' || journey_duration_in(j, s) || '/' || journey_duration_in(j, s, '2026-01-01'), ',' ORDER BY s)
         FROM unnest(enum_range(NULL::stage)) s),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.ordinality) FROM journey_stage_durations(j) WITH ORDINALITY x),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.ordinality) FROM journey_stage_durations(j, '2026-01-01') WITH ORDINALITY x),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.ordinality) FROM journey_stage_timeline(j) WITH ORDINALITY x),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.ordinality) FROM journey_stage_timeline(j, '2026-01-01') WITH ORDINALITY x),
        journey_current_stage(j), journey_stage_regressions(j), stage_time(j), j::stage_time,
        (SELECT string_agg(s || '=' || journey_duration_in(jp, s), ',' ORDER BY s) FROM unnest(enum_range(NULL::dg_phase)) s),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.ordinality) FROM journey_stage_timeline(jp) WITH ORDINALITY x),
        journey_current_stage(jp), journey_stage_regressions(jp), stage_time(jp))::text$p$),
(8, 'journey_funnel in every mode, journey_stage_funnel', false,
 $q$SELECT customer_id AS k, j, jp FROM dg_j$q$,
 $p$ROW((SELECT string_agg(journey_funnel(j, interval '7 days', m, 'page_view', 'consideration', 'signup', 'purchase')::text, ',' ORDER BY o)
         FROM unnest(ARRAY['default', 'strict_deduplication', 'strict_order', 'strict_order, allow_reentry', 'strict_increase',
                           'strict_once', 'deduplication', 'fixed', 'increase']) WITH ORDINALITY u(m, o)),
        journey_funnel(j, interval '1 day', 'strict_once', 'ad_click', 'awareness', 'consideration'),
        journey_funnel(jp, interval '30 days', 'default', 'awareness', 'consideration', 'decision'),
        journey_stage_funnel(j), journey_stage_funnel(jp))::text$p$),
(9, 'journey conversion paths and journey_attribution in every model', false,
 $q$SELECT customer_id AS k, j FROM dg_j$q$,
 $p$ROW(journey_conversion_path(j, 'purchase'), journey_conversion_path(j, 'purchase', true, 3),
        journey_conversion_path(j, 'purchase', false, 0), journey_conversion_path(j, 'signup', true, 0),
        journey_touches_before_conversion(j, 'purchase'), journey_touches_before_conversion(j, 'signup'),
        (SELECT string_agg(m.model || ' ' || m.options || ':' ||
                           (SELECT coalesce(string_agg(x.channel || '=' || x.conversions || '/' || x.revenue, ',' ORDER BY x.ordinality), '')
                            FROM journey_attribution(j, 'purchase', m.model, m.options) WITH ORDINALITY x),
                           ';' ORDER BY m.model, m.options)
         FROM dg_models m WHERE m.model NOT IN ('markov', 'shapley')))::text$p$),
(10, 'btree order and hashes of journeys and stage_time', false,
 $q$SELECT customer_id AS k, j, jp, st, rank() OVER (ORDER BY j) AS rj, rank() OVER (ORDER BY jp) AS rjp,
           rank() OVER (ORDER BY st) AS rst, journey_cmp(j, lag(j) OVER (ORDER BY customer_id)) AS cmp,
           stage_time_cmp(st, lag(st) OVER (ORDER BY customer_id)) AS stcmp FROM dg_j$q$,
 $p$ROW(rj, rjp, rst, cmp, stcmp, journey_hash(j), journey_hash_extended(j, 0), journey_hash_extended(j, 42),
        journey_hash(jp), stage_time_hash(st), stage_time_hash_extended(st, 42))::text$p$);

-- stage_time
INSERT INTO digest (n, name, par, q, proj) VALUES
(11, 'stage_time_agg, both stage lists', true,
 $q$SELECT customer_id AS k, stage_time_agg(t, stage) AS a, stage_time_agg(t, phase) AS b FROM dg_rows GROUP BY 1$q$,
 'ROW(a, b)::text'),
(12, 'rollup(stage_time) of daily states', true,
 $q$SELECT customer_id AS k, rollup(st) AS v FROM dg_st_day GROUP BY 1$q$, 'v::text'),
(13, 'stage_time accessors: duration_in, stage_durations, stage_timeline, stage_at, current_stage, regressions', false,
 $q$SELECT customer_id AS k, st FROM dg_j$q$,
 $p$ROW((SELECT string_agg(s || '=' || duration_in(st, s) || '/' || duration_in(st, s, '2026-01-01') || '/'
                           || duration_in(st, s, '2025-03-01', '2025-07-01') || '/' || duration_in(st, s, '2024-01-01', '2025-02-01'),
                           ',' ORDER BY s) FROM unnest(enum_range(NULL::stage)) s),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.ordinality) FROM stage_durations(st) WITH ORDINALITY x),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.ordinality) FROM stage_durations(st, '2026-01-01') WITH ORDINALITY x),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.ordinality) FROM stage_timeline(st) WITH ORDINALITY x),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.ordinality) FROM stage_timeline(st, '2026-01-01') WITH ORDINALITY x),
        stage_at(st, '2025-06-01'), stage_at(st, '2025-01-01'), current_stage(st), stage_regressions(st))::text$p$),
(14, 'stage_time weekly buckets with lag: duration_in and stage_timeline bucket forms', false,
 $q$SELECT customer_id || ' ' || to_char(week, 'YYYY-MM-DD') AS k, week, st, lag(st) OVER (PARTITION BY customer_id ORDER BY week) AS prev
    FROM (SELECT customer_id, date_trunc('week', t) AS week, stage_time_agg(t, stage) AS st FROM dg_rows GROUP BY 1, 2) w$q$,
 $p$ROW((SELECT string_agg(s || '=' || duration_in(st, s, week, week + interval '1 week', prev), ',' ORDER BY s)
         FROM unnest(enum_range(NULL::stage)) s),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.ordinality)
         FROM stage_timeline(st, week, week + interval '1 week', prev) WITH ORDINALITY x))::text$p$);

-- funnels and retention
INSERT INTO digest (n, name, par, q, proj) VALUES
(15, 'window_funnel levels, ClickHouse modes and combinations', true,
 $q$SELECT customer_id AS k, ROW(
      window_funnel(interval '7 days', t, s1, s2, s3, s4),
      window_funnel(interval '7 days', 'default', t, s1, s2, s3, s4),
      window_funnel(interval '7 days', 'strict_deduplication', t, s1, s2, s3, s4),
      window_funnel(interval '7 days', 'strict_order', t, s1, s2, s3, s4),
      window_funnel(interval '7 days', 'strict_order, allow_reentry', t, s1, s2, s3, s4),
      window_funnel(interval '7 days', 'strict_increase', t, s1, s2, s3, s4),
      window_funnel(interval '7 days', 'strict_once', t, s1, s2, s3, s4),
      window_funnel(interval '7 days', 'strict_deduplication, strict_increase', t, s1, s2, s3, s4),
      window_funnel(interval '7 days', 'strict_order, strict_once', t, s1, s2, s3, s4),
      window_funnel(interval '7 days', 'strict_increase, strict_once', t, s1, s2, s3, s4),
      window_funnel(interval '1 day', 'strict_order,allow_reentry', t, s1, s2, s3),
      window_funnel(interval '30 days', t, stage = 'awareness', stage = 'consideration', stage = 'decision',
                    stage = 'retention', stage = 'advocacy'))::text AS v
    FROM dg_rows GROUP BY 1$q$, 'v'),
(16, 'window_funnel levels, Doris modes and combinations', true,
 $q$SELECT customer_id AS k, ROW(
      window_funnel(interval '7 days', 'deduplication', t, s1, s2, s3, s4),
      window_funnel(interval '7 days', 'fixed', t, s1, s2, s3, s4),
      window_funnel(interval '7 days', 'increase', t, s1, s2, s3, s4),
      window_funnel(interval '7 days', 'deduplication, fixed', t, s1, s2, s3, s4),
      window_funnel(interval '7 days', 'fixed, increase', t, s1, s2, s3, s4),
      window_funnel(interval '7 days', 'deduplication, increase', t, s1, s2, s3, s4))::text AS v
    FROM dg_rows GROUP BY 1$q$, 'v'),
(17, 'window_funnel_times in every mode', true,
 $q$SELECT customer_id AS k, ROW(
      window_funnel_times(interval '7 days', t, s1, s2, s3, s4),
      window_funnel_times(interval '7 days', 'strict_deduplication', t, s1, s2, s3, s4),
      window_funnel_times(interval '7 days', 'strict_order', t, s1, s2, s3, s4),
      window_funnel_times(interval '7 days', 'strict_order, allow_reentry', t, s1, s2, s3, s4),
      window_funnel_times(interval '7 days', 'strict_increase', t, s1, s2, s3, s4),
      window_funnel_times(interval '7 days', 'strict_once', t, s1, s2, s3, s4),
      window_funnel_times(interval '7 days', 'deduplication', t, s1, s2, s3, s4),
      window_funnel_times(interval '7 days', 'fixed', t, s1, s2, s3, s4),
      window_funnel_times(interval '7 days', 'increase', t, s1, s2, s3, s4))::text AS v
    FROM dg_rows GROUP BY 1$q$, 'v'),
(18, 'window_funnel and window_funnel_times over bigint time', true,
 $q$SELECT customer_id AS k, ROW(
      window_funnel(7 * 86400::bigint, epoch, s1, s2, s3, s4),
      window_funnel(7 * 86400::bigint, 'strict_increase', epoch, s1, s2, s3, s4),
      window_funnel(86400::bigint, 'fixed', epoch, s1, s2, s3, s4),
      window_funnel_times(7 * 86400::bigint, epoch, s1, s2, s3, s4),
      window_funnel_times(7 * 86400::bigint, 'strict_once', epoch, s1, s2, s3, s4),
      window_funnel_times(86400::bigint, 'deduplication', epoch, s1, s2, s3, s4))::text AS v
    FROM dg_rows GROUP BY 1$q$, 'v'),
(19, 'retention per customer', true,
 $q$SELECT customer_id AS k, ROW(
      retention(date_trunc('month', t) = '2025-03-01', date_trunc('month', t) = '2025-04-01',
                date_trunc('month', t) = '2025-05-01', date_trunc('month', t) = '2025-06-01'),
      retention(s1, s2, s3, s4), retention(conv))::text AS v
    FROM dg_rows GROUP BY 1$q$, 'v'),
(20, 'retention_sum by segment', true,
 $q$SELECT segment AS k, retention_sum(r) AS v FROM dg_ret GROUP BY 1$q$, 'v::text'),
(21, 'funnel_report_agg(step_times) by segment and region, funnel_steps', true,
 $q$SELECT segment || ' ' || region AS k, funnel_report_agg(times, 4) AS v FROM dg_wft GROUP BY segment, region$q$,
 $p$ROW(v, (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.step) FROM funnel_steps(v) x))::text$p$),
(22, 'funnel_report_agg(level) by segment and region, funnel_steps', true,
 $q$SELECT segment || ' ' || region AS k, funnel_report_agg(level, 4) AS v FROM dg_wft GROUP BY segment, region$q$,
 $p$ROW(v, (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.step) FROM funnel_steps(v) x))::text$p$),
(23, 'rollup(funnel_report) of daily reports', true,
 $q$SELECT segment || ' ' || region AS k, rollup(r) AS v, rollup(rl) AS w FROM dg_fr_day GROUP BY segment, region$q$,
 $p$ROW(v, w, (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.step) FROM funnel_steps(v) x))::text$p$);

-- conversions
INSERT INTO digest (n, name, par, q, proj) VALUES
(24, 'touches_before_conversion, without and with a lookback', true,
 $q$SELECT customer_id AS k, ROW(touches_before_conversion(t, conv), touches_before_conversion(t, conv, interval '14 days'),
                                 touches_before_conversion(t, s3), touches_before_conversion(t, s3, interval '1 day'))::text AS v
    FROM dg_rows GROUP BY 1$q$, 'v'),
(25, 'touches_before_each_conversion', true,
 $q$SELECT customer_id AS k, ROW(touches_before_each_conversion(t, conv), touches_before_each_conversion(t, s3))::text AS v
    FROM dg_rows GROUP BY 1$q$, 'v'),
(26, 'time_to_conversion', true,
 $q$SELECT customer_id AS k, ROW(time_to_conversion(t, conv), time_to_conversion(t, s3))::text AS v FROM dg_rows GROUP BY 1$q$, 'v'),
(27, 'conversion_path, plain and with collapse and max_length', true,
 $q$SELECT customer_id AS k, ROW(conversion_path(t, channel, conv), conversion_path(t, channel, conv, true, 0),
                                 conversion_path(t, channel, conv, false, 3), conversion_path(t, channel, conv, true, 5),
                                 conversion_path(t, campaign, s3, true, 2))::text AS v
    FROM dg_rows GROUP BY 1$q$, 'v');

-- attribution
INSERT INTO digest (n, name, par, q, proj) VALUES
(28, 'attribution_agg over rows, every rule-based model without milestones', true,
 $q$SELECT customer_id AS k, ROW(
      attribution_agg(t, channel, conv, revenue, 'first_touch'), attribution_agg(t, channel, conv, revenue, 'last_touch'),
      attribution_agg(t, channel, conv, revenue, 'last_non_direct'), attribution_agg(t, channel, conv, revenue, 'linear'),
      attribution_agg(t, channel, conv, revenue, 'time_decay'), attribution_agg(t, channel, conv, revenue, 'position_based'))::text AS v
    FROM dg_rows GROUP BY 1$q$, 'v'),
(29, 'attribution_agg over rows with options', true,
 $q$SELECT customer_id AS k, ROW(
      attribution_agg(t, channel, conv, revenue, 'linear', 'lookback=30 days'),
      attribution_agg(t, channel, conv, revenue, 'time_decay', 'half_life=2 days'),
      attribution_agg(t, channel, conv, revenue, 'time_decay', 'half_life=1 day, lookback=14 days'),
      attribution_agg(t, channel, conv, revenue, 'position_based', 'weights=0.5/0/0.5'),
      attribution_agg(t, channel, conv, revenue, 'last_non_direct', 'direct=web'),
      attribution_agg(t, channel, conv, revenue, 'first_touch', 'lookback=7 days'),
      attribution_agg(t, channel, conv, revenue, 'markov', ''))::text AS v
    FROM dg_rows GROUP BY 1$q$, 'v'),
(30, 'attribution_agg over rows with lead and opportunity milestones', true,
 $q$SELECT customer_id AS k, ROW(
      attribution_agg(t, channel, conv, revenue, lead, opp, 'w_shaped', ''),
      attribution_agg(t, channel, conv, revenue, lead, opp, 'w_shaped', 'weights=0.4/0.2/0.2/0.2'),
      attribution_agg(t, channel, conv, revenue, lead, opp, 'w_shaped', 'lookback=30 days'),
      attribution_agg(t, channel, conv, revenue, lead, opp, 'linear', ''))::text AS v
    FROM dg_rows GROUP BY 1$q$, 'v'),
(31, 'attribution_agg over rows, markov and shapley (path states)', true,
 $q$SELECT customer_id AS k, ROW(attribution_agg(t, channel, conv, revenue, 'markov'),
                                 attribution_agg(t, channel, conv, revenue, 'shapley'))::text AS v
    FROM dg_rows GROUP BY 1$q$, 'v'),
(32, 'rollup(attribution) by segment and model: totals, credits, removal effects, paths', true,
 $q$SELECT segment || ' ' || model AS k, model, rollup(a) AS v FROM dg_att GROUP BY segment, model$q$,
 $p$pg_temp.sigtext(ROW(attribution_model(v), attribution_conversions(v), attribution_revenue(v),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.channel COLLATE "C") FROM attribution_credits(v) x),
        CASE WHEN model = 'markov' THEN (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.channel COLLATE "C")
                                         FROM attribution_removal_effects(v) x) END,
        CASE WHEN model IN ('markov', 'shapley') THEN (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.path::text COLLATE "C")
                                                       FROM attribution_paths(v) x) END)::text)$p$),
(33, 'attribution_agg over paths with counts, every model that takes paths', true,
 $q$SELECT segment || ' ' || m.model AS k, attribution_agg(path, conversions, nulls, revenue, m.model) AS v
    FROM dg_paths CROSS JOIN (VALUES ('first_touch'), ('last_touch'), ('last_non_direct'), ('linear'), ('position_based'),
                                     ('markov'), ('shapley')) m(model)
    GROUP BY segment, m.model$q$,
 $p$pg_temp.sigtext(ROW(attribution_model(v), attribution_conversions(v), attribution_revenue(v),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.channel COLLATE "C") FROM attribution_credits(v) x))::text)$p$),
(34, 'attribution_agg over paths with counts and options', true,
 $q$SELECT segment || ' ' || m.model || ' ' || m.options AS k, attribution_agg(path, conversions, nulls, revenue, m.model, m.options) AS v
    FROM dg_paths CROSS JOIN (VALUES ('position_based', 'weights=0.5/0/0.5'), ('last_non_direct', 'direct=web'),
                                     ('markov', ''), ('linear', '')) m(model, options)
    GROUP BY segment, m.model, m.options$q$,
 $p$pg_temp.sigtext(ROW(attribution_model(v), attribution_conversions(v), attribution_revenue(v),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.channel COLLATE "C") FROM attribution_credits(v) x))::text)$p$),
(35, 'attribution_agg over journeys, every model', true,
 $q$SELECT segment || ' ' || model AS k, attribution_agg(j, 'purchase', model) AS v
    FROM dg_jm WHERE options = '' GROUP BY segment, model$q$,
 $p$pg_temp.sigtext(ROW(attribution_model(v), attribution_conversions(v), attribution_revenue(v),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.channel COLLATE "C") FROM attribution_credits(v) x))::text)$p$),
(36, 'attribution_agg over journeys with options', true,
 $q$SELECT segment || ' ' || model || ' ' || options AS k, attribution_agg(j, 'purchase', model, options) AS v
    FROM dg_jm WHERE options <> '' OR model = 'shapley' GROUP BY segment, model, options$q$,
 $p$pg_temp.sigtext(ROW(attribution_model(v), attribution_conversions(v), attribution_revenue(v),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.channel COLLATE "C") FROM attribution_credits(v) x))::text)$p$);

-- segment response
INSERT INTO digest (n, name, par, q, proj) VALUES
(37, 'segment_response by segment and region', true,
 $q$SELECT segment || ' ' || region AS k, segment_response(treated, conv) AS v FROM dg_rows GROUP BY segment, region$q$, 'v::text'),
(38, 'response_agg(treated, responded) and every count accessor', true,
 $q$SELECT segment || ' ' || region AS k, response_agg(treated, conv) AS v FROM dg_rows GROUP BY segment, region$q$,
 $p$ROW(v, response_treated_n(v), response_treated_responders(v), response_treated_rate(v), response_control_n(v),
        response_control_responders(v), response_control_rate(v), response_abs_lift(v), response_lift(v),
        response_ci_low(v), response_ci_high(v), response_ci_low(v, 0.9), response_ci_high(v, 0.99),
        response_z(v), response_p_value(v), segment_response(v), segment_response(v, 0.8))::text$p$),
(39, 'response_agg(treated, responded, value), segment_mean_response and the value accessors', true,
 $q$SELECT segment || ' ' || region AS k, response_agg(treated, conv, revenue::float8) AS v,
           segment_mean_response(treated, revenue::float8) AS m FROM dg_rows GROUP BY segment, region$q$,
 $p$pg_temp.sigtext(ROW(v, m, response_treated_value_n(v), response_treated_mean(v), response_treated_sd(v),
        response_control_value_n(v), response_control_mean(v), response_control_sd(v), response_mean_diff(v),
        response_mean_lift(v), response_mean_ci_low(v), response_mean_ci_high(v), response_mean_ci_low(v, 0.9),
        response_mean_ci_high(v, 0.99), response_t(v), response_df(v), response_mean_p_value(v),
        segment_mean_response(v), segment_mean_response(v, 0.8), response_treated_n(v), response_control_n(v))::text)$p$),
(40, 'rollup(response_state) of daily states', true,
 $q$SELECT segment || ' ' || region AS k, rollup(rs) AS v, rollup(rsv) AS w FROM dg_resp_day GROUP BY segment, region$q$,
 $p$pg_temp.sigtext(ROW(v, segment_response(v), w, segment_mean_response(w))::text)$p$),
(41, 'response_variants_agg, response_ab_test, response_ab_chi2, response_variant_state', true,
 $q$SELECT segment AS k, response_variants_agg(ab_variant, conv) AS v FROM dg_rows GROUP BY segment$q$,
 $p$ROW(v, (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.ordinality) FROM response_ab_test(v, 'control') WITH ORDINALITY x),
        (SELECT string_agg(ROW(x.*)::text, ';' ORDER BY x.ordinality) FROM response_ab_test(v, 'variant_a', 'holm', 0.9) WITH ORDINALITY x),
        response_ab_chi2(v), response_variant_state(v, 'variant_b', 'control'),
        segment_response(response_variant_state(v, 'variant_a', 'control')))::text$p$),
(42, 'rollup(response_variants) of daily states', true,
 $q$SELECT segment AS k, rollup(rv) AS v FROM dg_resp_day GROUP BY segment$q$, 'v::text'),
(43, 'response_rate_ci and response_sample_size', false,
 $q$SELECT n * 1000 + x AS k, n, x FROM generate_series(0, 40, 5) n, generate_series(0, 40, 7) x WHERE x <= n$q$,
 $p$ROW(response_rate_ci(x, n), response_rate_ci(x, n, 0.8),
        CASE WHEN x > 0 THEN response_sample_size(x / 100.0, n / 1000.0 + 0.001) END,
        CASE WHEN x > 0 THEN response_sample_size(x / 100.0, n / 1000.0 + 0.001, 0.01, 0.9) END)::text$p$);

-- 23,000 daily states of 3,000 customers: left alone, the planner gathers
-- them and aggregates once; without hash aggregation it sorts and aggregates
-- partially in each worker
UPDATE digest SET par_off = 'enable_hashagg' WHERE n = 12;

-- the expected md5s, printed by the build at the commit in test/fixtures/README.md
UPDATE digest d SET want = w.md5 FROM (VALUES
  (1, 'c87269282ed36db8476e279fde3b78a2'),
  (2, '7d3cf5eb5bee86c99802ad3acd20f33a'),
  (3, '5fa840b5f5c7e63c89c2fc08e9907991'),
  (4, '6a20795c6431bcc0a91ffc369d9fb3c4'),
  (5, '2f31b0b034db4702e34308bd2c3256c9'),
  (6, '1ac3744f35969a48acf1ae3ff28ed1ee'),
  (7, '1b5bdddb536d8e26a8c74749de9ce921'),
  (8, '849232e066ec91950f4fb1bdee082470'),
  -- 9, 35 and 36 changed on purpose in 0.3.0: journey_conversion_path and
  -- attribution over journeys take one instant's touches in the order the
  -- rows forms do (channel order; 0.1.0 and 0.2.0 put them in stage order),
  -- so journey and rows forms agree (08_conversion and 09_attribution check
  -- it on data with many simultaneous touches); printed by that change
  (9, '8185d87032ab0da70a0bf35b1623fd43'),
  (10, '6cebc978f0a3cc3fea919cd7b81c1928'),
  (11, 'f02ce21accaa405b3c52e0053704f82e'),
  (12, 'dc547e03f3ed5e2732b86d523d7fec12'),
  (13, 'f25170ec89852d3d4140ae79d0e38078'),
  (14, '3f5162c96d29edf8b28a89fb750800dd'),
  (15, '06ddd7a8c12511824e9735f13ebec2de'),
  (16, 'e21f3fae321bd54f23daf64eb8ddc2c5'),
  (17, '5497c0c3c0b80052a0e7b3f996b0484a'),
  (18, '68d6e0042c97931659247a9b9de553ca'),
  (19, '7f8da36de7846edb37604abd8ef33516'),
  (20, '7cd6b4fa2fe989d043d5ba6208cee838'),
  (21, 'd44d192c90a66c1f304c02349b4a88f6'),
  (22, '78a4510892958a61d17f1fc9747675a6'),
  (23, '2a9a3b0e6fc010321d5709f14e75f4f2'),
  (24, '1e648f346a0ebaab46ece831b445b1fd'),
  (25, 'ec2f12c6f64080dce03f68bdd9ff422a'),
  (26, 'ae1c1a303fbd9c693a4cc3d894496e18'),
  (27, 'b62ed240d6b9fb045765c26a66396d3f'),
  (28, 'f850afb904e5d2f5bfdcdaa1a2fcf13d'),
  (29, '82a9d1f3433d4a967d7230fbbc7b7a13'),
  (30, 'a6af077c3a34409d85aaacb48b970075'),
  (31, '35530dc39d553d1342f46dac761509fc'),
  (32, '76dbd393d4e1b610dc729b5558c79f9d'),
  (33, '48bd08fd86b90bf83c60d83e9c82b49e'),
  (34, '9902d9c3068232a4ce280412dca7ec68'),
  (35, 'b653c13b3554c4bf28a418c72adefbad'),  -- 0.3.0: see 9
  (36, '5ffea415498aa1f2a052e8252a18ab10'),  -- 0.3.0: see 9
  (37, 'ca86332a034c5a07edf584920e96714c'),
  (38, '39aecfc5ec9a3ca4381dd070f6a5bfa2'),
  (39, '909c5353779b1dacaec8c74f01d278f7'),
  (40, '2ec6a674d7f820c050441cbb3e107b19'),
  (41, 'd4075977584aff61c864cc7d6278cf4c'),
  (42, '2f3da8b7df49ea6d66755a69f03a9e06'),
  (43, '4813fdbbc307b2e1c8db414bf6ecd421')
) w(n, md5) WHERE w.n = d.n;

--------------------------------------------------------------------------
-- assertions
--------------------------------------------------------------------------

SELECT is(pg_temp.serial(n), want, format('digest %s: %s', n, name)) FROM digest ORDER BY n;
SELECT is(pg_temp.parallel(n, true), got, format('digest %s, forced parallel plan = serial: %s', n, name))
FROM digest WHERE par ORDER BY n;
SELECT is(pg_temp.parallel(n, false), got, format('digest %s, parallel, leader not participating = serial: %s', n, name))
FROM digest WHERE par ORDER BY n;

-- rollup of per-day states = the state over all days (the serial results
-- of the digests above)
SELECT is_empty($$SELECT coalesce(r.k, s.customer_id) FROM dg_s_12 r FULL JOIN dg_j s ON s.customer_id = r.k
                  WHERE NOT coalesce(r.v = s.st AND r.v::text = s.st::text, false)$$,
                'rollup(stage_time) of daily states = stage_time_agg over all rows, for every customer');
SELECT is_empty($$SELECT coalesce(r.k, a.k, b.k) FROM dg_s_23 r FULL JOIN dg_s_21 a USING (k) FULL JOIN dg_s_22 b USING (k)
                  WHERE r.v::text IS DISTINCT FROM a.v::text OR r.w::text IS DISTINCT FROM b.v::text$$,
                'rollup(funnel_report) of daily reports = funnel_report_agg over all customers, both forms');
SELECT is_empty($$SELECT coalesce(r.k, a.k) FROM dg_s_40 r FULL JOIN dg_s_38 a USING (k)
                  WHERE NOT coalesce(r.v = a.v AND r.v::text = a.v::text, false)$$,
                'rollup(response_state) of daily counts = response_agg over all rows');
SELECT is_empty($$SELECT coalesce(r.k, a.k) FROM dg_s_40 r FULL JOIN dg_s_39 a USING (k)
                  WHERE pg_temp.sigtext(r.w::text) IS DISTINCT FROM pg_temp.sigtext(a.v::text)
                     OR (response_treated_value_n(r.w), response_control_value_n(r.w), response_treated_n(r.w), response_control_n(r.w))
                        IS DISTINCT FROM
                        (response_treated_value_n(a.v), response_control_value_n(a.v), response_treated_n(a.v), response_control_n(a.v))$$,
                'rollup(response_state) of daily value moments = response_agg over all rows (counts exact, moments to 10 digits)');
SELECT is_empty($$SELECT coalesce(r.k, a.k) FROM dg_s_42 r FULL JOIN dg_s_41 a USING (k) WHERE r.v::text IS DISTINCT FROM a.v::text$$,
                'rollup(response_variants) of daily states = response_variants_agg over all rows');
-- attribution states are per customer (a conversion's touches span days):
-- rollup of the segments' region rollups = rollup of the segment's customers
SELECT is_empty($$SELECT coalesce(r.k, a.k) FROM (
                    SELECT segment || ' ' || model AS k, rollup(a) AS v
                    FROM (SELECT segment, region, model, rollup(a) AS a FROM dg_att GROUP BY 1, 2, 3) x GROUP BY 1) r
                  FULL JOIN dg_s_32 a USING (k)
                  WHERE pg_temp.sigtext(r.v::text) IS DISTINCT FROM pg_temp.sigtext(a.v::text)$$,
                'rollup(attribution) of region rollups = rollup of the customers, every model (to 10 digits)');

SELECT * FROM finish();
ROLLBACK;
