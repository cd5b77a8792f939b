-- Segment response on the sample data: plain SQL agreement, rollup of daily
-- states, forced parallel plans, errors.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(30);

-- one row per touch with the customer's arms; a regular table so that
-- parallel workers can read it
CREATE TABLE resp_rows AS
SELECT c.segment, c.ab_variant, c.campaign_group = 'treatment' AS treated,
       t.event = 'purchase' AS responded, t.revenue::float8 AS revenue,
       t.occurred_at::date AS day
FROM touchpoints t JOIN customers c USING (customer_id);
-- NULL arms and NULL responses are skipped
INSERT INTO resp_rows VALUES ('smb', 'control', NULL, true, 5, '2025-01-01'), ('smb', 'control', true, NULL, NULL, '2025-01-01'),
                             ('smb', NULL, false, NULL, 7, '2025-01-02');
ANALYZE resp_rows;

-- rates, counts: equal to plain SQL, exactly
CREATE TEMP TABLE plain AS
SELECT segment,
       count(*) FILTER (WHERE treated AND responded IS NOT NULL) AS tn,
       count(*) FILTER (WHERE treated AND responded) AS tx,
       count(*) FILTER (WHERE NOT treated AND responded IS NOT NULL) AS cn,
       count(*) FILTER (WHERE NOT treated AND responded) AS cx
FROM resp_rows GROUP BY segment;
CREATE TEMP TABLE ours AS
SELECT segment, (segment_response(treated, responded)).* FROM resp_rows GROUP BY segment;
SELECT is((SELECT count(*)::int FROM ours), 4, 'one row per segment');
SELECT is_empty($$SELECT segment FROM ours o JOIN plain p USING (segment)
                  WHERE (o.treated_n, o.treated_responders, o.control_n, o.control_responders) <> (p.tn, p.tx, p.cn, p.cx)$$,
                'counts equal count(*) FILTER');
SELECT is_empty($$SELECT segment FROM ours o JOIN plain p USING (segment)
                  WHERE o.treated_rate <> p.tx::float8 / p.tn OR o.control_rate <> p.cx::float8 / p.cn$$,
                'rates equal plain SQL exactly');
SELECT is_empty($$SELECT segment FROM ours o JOIN plain p USING (segment)
                  WHERE o.abs_lift <> ((p.tx * p.cn - p.cx * p.tn)::numeric / (p.tn * p.cn))::float8$$,
                'difference of rates equals the exact fraction, rounded once');
SELECT is_empty($$SELECT segment FROM ours WHERE abs(z * z - (SELECT chi2 FROM response_ab_chi2(
                      format('{"t": %s/%s, "c": %s/%s}', treated_n, treated_responders, control_n, control_responders)::response_variants)))
                    > 1e-9 * z * z$$,
                'z squared equals the 2x2 chi-square');

-- the value part against plain SQL (floating point: 1e-12 relative)
SELECT is_empty($$SELECT segment FROM (SELECT segment, (segment_mean_response(treated, revenue)).* FROM resp_rows GROUP BY segment) o
                  JOIN (SELECT segment, avg(revenue) FILTER (WHERE treated) AS tm, stddev_samp(revenue) FILTER (WHERE treated) AS tsd,
                               avg(revenue) FILTER (WHERE NOT treated) AS cm, stddev_samp(revenue) FILTER (WHERE NOT treated) AS csd,
                               count(revenue) FILTER (WHERE treated) AS tn, count(revenue) FILTER (WHERE NOT treated) AS cn
                        FROM resp_rows GROUP BY segment) p USING (segment)
                  WHERE o.treated_n <> p.tn OR o.control_n <> p.cn
                     OR abs(o.treated_mean - p.tm) > 1e-12 * abs(p.tm) OR abs(o.control_mean - p.cm) > 1e-12 * abs(p.cm)
                     OR abs(o.treated_sd - p.tsd) > 1e-12 * p.tsd OR abs(o.control_sd - p.csd) > 1e-12 * p.csd$$,
                'means and standard deviations equal avg and stddev_samp');

-- rollup of per-day states equals the aggregate over all rows
CREATE TEMP TABLE daily AS
SELECT segment, day, response_agg(treated, responded, revenue) AS st,
       response_variants_agg(ab_variant, responded) AS rv
FROM resp_rows GROUP BY segment, day;
CREATE TEMP TABLE whole AS
SELECT segment, response_agg(treated, responded, revenue) AS st, response_variants_agg(ab_variant, responded) AS rv
FROM resp_rows GROUP BY segment;
SELECT cmp_ok((SELECT count(*)::int FROM daily), '>', 300, 'hundreds of daily states');
SELECT is_empty($$SELECT segment FROM (SELECT segment, rollup(st) AS st, rollup(rv) AS rv FROM daily GROUP BY segment) r
                  JOIN whole w USING (segment)
                  WHERE (response_treated_n(r.st), response_treated_responders(r.st), response_control_n(r.st),
                         response_control_responders(r.st), response_treated_value_n(r.st), response_control_value_n(r.st))
                     <> (response_treated_n(w.st), response_treated_responders(w.st), response_control_n(w.st),
                         response_control_responders(w.st), response_treated_value_n(w.st), response_control_value_n(w.st))
                     OR r.rv::text <> w.rv::text$$,
                'rollup of daily states: counts equal the whole-period aggregate exactly');
SELECT is_empty($$SELECT segment FROM (SELECT segment, rollup(st) AS st FROM daily GROUP BY segment) r JOIN whole w USING (segment)
                  WHERE segment_response(r.st) IS DISTINCT FROM segment_response(w.st)$$,
                'rollup of daily states: every segment_response field equal');
SELECT is_empty($$SELECT segment FROM (SELECT segment, rollup(st) AS st FROM daily GROUP BY segment) r JOIN whole w USING (segment)
                  WHERE abs(response_treated_mean(r.st) - response_treated_mean(w.st)) > 1e-12 * response_treated_mean(w.st)
                     OR abs(response_control_sd(r.st) - response_control_sd(w.st)) > 1e-12 * response_control_sd(w.st)
                     OR abs(response_mean_p_value(r.st) - response_mean_p_value(w.st)) > 1e-9 * response_mean_p_value(w.st)$$,
                'rollup of daily states: value moments equal to 1e-12 (floating-point merge order)');
SELECT is((SELECT rollup(st) FROM daily WHERE false), NULL, 'rollup of no rows is NULL');
SELECT is((SELECT rollup(st)::text FROM (SELECT st FROM daily UNION ALL SELECT NULL) s WHERE st IS NULL), NULL,
          'rollup of only NULL states is NULL');
-- the state survives text and binary round trips
SELECT is_empty($$SELECT segment FROM whole WHERE st::text::response_state <> st OR rv::text::response_variants::text <> rv::text$$,
                'text round trip of response_state and response_variants');

-- forced parallel plans equal serial ones
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
  END IF;
END $$;
\set q 'SELECT segment, response_agg(treated, responded, revenue) AS st, segment_response(treated, responded) AS sr, response_variants_agg(ab_variant, responded) AS rv FROM resp_rows GROUP BY segment'
\set qall 'SELECT response_agg(treated, responded) AS st FROM resp_rows'
\set qnone 'SELECT segment_response(treated, responded) AS sr FROM resp_rows WHERE segment = $$nosuch$$'
SELECT pg_temp.force_parallel(false);
CREATE TEMP TABLE serial_q AS :q;
CREATE TEMP TABLE serial_all AS :qall;
SELECT pg_temp.force_parallel(true);
SELECT matches(pg_temp.plan_of(:'q'), 'Partial .*Aggregate', 'grouped plan has a Partial Aggregate');
SELECT matches(pg_temp.plan_of(:'qall'), 'Partial Aggregate', 'whole-table plan has a Partial Aggregate');
CREATE TABLE par_q AS :q;
CREATE TABLE par_all AS :qall;
SELECT is_empty($$SELECT segment FROM par_q p FULL JOIN serial_q s USING (segment)
                  WHERE p.sr IS DISTINCT FROM s.sr OR p.rv::text IS DISTINCT FROM s.rv::text
                     OR segment_response(p.st) IS DISTINCT FROM segment_response(s.st)$$,
                'parallel = serial: segment_response, response_variants_agg, counts of response_agg');
SELECT is_empty($$SELECT segment FROM par_q p JOIN serial_q s USING (segment)
                  WHERE abs(response_treated_mean(p.st) - response_treated_mean(s.st)) > 1e-12 * response_treated_mean(s.st)
                     OR abs(response_control_sd(p.st) - response_control_sd(s.st)) > 1e-12 * response_control_sd(s.st)$$,
                'parallel = serial: value moments to 1e-12');
SELECT is((SELECT st FROM par_all), (SELECT st FROM serial_all), 'parallel = serial over the whole table');
SELECT is((:qnone), NULL, 'no rows in any worker: NULL');

-- errors
SELECT throws_ok($$SELECT segment_response('treated=1/0 control=1/1'::response_state, 1)$$, '22023', 'level must be between 0 and 1');
SELECT throws_ok($$SELECT * FROM response_rate_ci(1, 2, 0)$$, '22023', 'level must be between 0 and 1');
SELECT throws_ok($$SELECT response_sample_size(1.5, 0.1)$$, '22023', 'baseline must be between 0 and 1');
SELECT throws_ok($$SELECT response_sample_size(0.1, 0.1, -1)$$, '22023', 'alpha must be between 0 and 1');
SELECT throws_ok($$SELECT response_sample_size(0.1, 0.1, 0.05, 1)$$, '22023', 'power must be between 0 and 1');
SELECT throws_ok($$SELECT response_sample_size(0.1, 0.02, 0.05, 0.01)$$, '22023', 'power must be greater than alpha');
SELECT throws_ok($$SELECT response_sample_size(0.1, 0.02, 0.2, 0.2)$$, '22023', 'power must be greater than alpha');
SELECT throws_ok($$SELECT 'treated=1/2 control=0/0'::response_state$$, '22P02');
SELECT throws_ok($$SELECT '{"a": 1/1, "a": 1/0}'::response_variants$$, '22P02');
-- value moments beyond double precision: 22003, naming the aggregate
SELECT throws_ok($$SELECT response_agg(true, true, v) FROM (VALUES (1e308::float8), (-1e308)) x(v)$$,
                 '22003', 'values out of range for response_agg');
SELECT throws_ok($$SELECT rollup(s) FROM (VALUES ('treated=0/0 control=0/0 treated_values=0/0/0 control_values=1/1e300/0'::response_state),
                                                 ('treated=0/0 control=0/0 treated_values=0/0/0 control_values=1/-1e300/0')) v(s)$$,
                 '22003', 'values out of range for rollup');

SELECT * FROM finish();
ROLLBACK;
