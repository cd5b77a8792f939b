-- segment response: rates, lift, tests and intervals; the state type
CREATE TEMP TABLE resp (segment text, treated boolean, responded boolean, revenue numeric);
INSERT INTO resp VALUES
  ('a', true, true, 120), ('a', true, true, 80), ('a', true, false, 0), ('a', true, false, 10),
  ('a', false, true, 100), ('a', false, false, 0), ('a', false, false, 5), ('a', false, false, 0),
  ('a', NULL, true, 999),                  -- no arm: skipped
  ('a', true, NULL, 7),                    -- no response: skipped by segment_response
  ('b', true, true, 50), ('b', true, false, 20),   -- no control rows
  ('c', false, false, 0), ('c', false, false, 0);  -- no treated rows, no responders
-- rates are exact fractions; comparisons NULL where an arm is missing
SELECT segment, (r).treated_n, (r).treated_responders, (r).treated_rate, (r).control_n,
       (r).control_responders, (r).control_rate, (r).abs_lift, (r).lift,
       round((r).ci_low::numeric, 12) AS ci_low, round((r).ci_high::numeric, 12) AS ci_high,
       round((r).z::numeric, 12) AS z, round((r).p_value::numeric, 12) AS p_value
FROM (SELECT segment, segment_response(treated, responded) AS r FROM resp GROUP BY segment) s
ORDER BY segment;
-- no rows: NULL
SELECT segment_response(treated, responded) IS NULL AS no_rows FROM resp WHERE false;
-- all rows skipped: zero counts, NULL rates
SELECT (segment_response(treated, responded)).* FROM resp WHERE treated IS NULL;
-- the level of the interval, through the state
SELECT round(ci_low::numeric, 12), round(ci_high::numeric, 12)
FROM segment_response((SELECT response_agg(treated, responded) FROM resp WHERE segment = 'a'), 0.5);
-- the state: text form, round trip, accessors
SELECT segment, response_agg(treated, responded, revenue) AS st FROM resp GROUP BY segment ORDER BY segment;
SELECT st::text::response_state = st AS round_trip, response_treated_n(st), response_control_responders(st),
       response_treated_rate(st), response_lift(st), response_treated_value_n(st),
       response_treated_mean(st), response_control_mean(st), response_mean_diff(st)
FROM (SELECT response_agg(treated, responded, revenue) AS st FROM resp WHERE segment = 'a') s;
-- Welch's test of the revenue
SELECT (r).treated_n, (r).treated_mean, (r).control_n, (r).control_mean, (r).mean_diff, (r).lift,
       round((r).t::numeric, 12) AS t, round((r).df::numeric, 9) AS df, round((r).p_value::numeric, 12) AS p_value
FROM (SELECT segment_mean_response(treated, revenue) AS r FROM resp WHERE segment = 'a') s;
-- Welch's df, t and p do not depend on the scale of the values: no NaN df when
-- the squared standard errors would overflow (sd > 1e77) or underflow (sd < 1e-77)
SELECT s, round((r).df::numeric, 9) AS df, round((r).t::numeric, 12) AS t,
       round((r).p_value::numeric, 12) AS p_value, round(((r).ci_low / s)::numeric, 12) AS ci_low_scaled
FROM (SELECT s, segment_mean_response(treated, v * s) AS r
      FROM (VALUES (true, 1::float8), (true, -1), (false, 2), (false, -1), (false, 0)) x(treated, v),
           (VALUES (1e-78::float8), (1), (1e78), (1e150)) sc(s)
      GROUP BY s) q
ORDER BY s;
-- rollup of partial states equals the state of all rows
SELECT rollup(st) = (SELECT response_agg(treated, responded) FROM resp) AS rollup_equal
FROM (SELECT segment, response_agg(treated, responded) AS st FROM resp GROUP BY segment) s;
-- Wilson interval
SELECT rate, round(ci_low::numeric, 12), round(ci_high::numeric, 12) FROM response_rate_ci(45, 100);
SELECT * FROM response_rate_ci(0, 0);
SELECT rate, ci_low, round(ci_high::numeric, 12) FROM response_rate_ci(0, 20, 0.9);
-- sample size per arm
SELECT response_sample_size(0.10, 0.02), response_sample_size(0.10, -0.02), response_sample_size(0.5, 0.1, 0.01, 0.9);
-- A/B/n
SELECT response_variants_agg(v, r) FROM (VALUES ('control', true), ('b', false), ('a', true), ('a', false), (NULL, true), ('b', NULL)) x(v, r);
SELECT '{"x\"y": 3/1, "a\\b": 2/2, "": 1/0}'::response_variants;
SELECT variant, n, responders, rate, abs_lift, lift, round(z::numeric, 12) AS z,
       round(p_value::numeric, 12) AS p, round(p_adjusted::numeric, 12) AS p_holm
FROM response_ab_test('{"control": 1000/100, "a": 1000/130, "b": 1000/90, "c": 1000/125}', 'control', 'holm');
SELECT round(chi2::numeric, 12), df, round(p_value::numeric, 12)
FROM response_ab_chi2('{"control": 1000/100, "a": 1000/130, "b": 1000/90}');
SELECT * FROM response_ab_chi2('{"a": 10/0, "b": 5/0}');
SELECT response_variant_state('{"control": 1000/100, "a": 1000/130}', 'a', 'control');
-- errors
SELECT segment_response('treated=1/0 control=1/1'::response_state, 1.0);
SELECT response_ci_low('treated=1/0 control=1/1'::response_state, 0);
SELECT * FROM response_rate_ci(1, 10, 1.5);
SELECT * FROM response_rate_ci(11, 10);
SELECT response_sample_size(0, 0.1);
SELECT response_sample_size(0.1, 0.1, 1.0);
SELECT response_sample_size(0.1, 0.1, 0.05, 0);
SELECT response_sample_size(0.95, 0.1);
SELECT * FROM response_ab_test('{"a": 1/1}', 'a', 'bonferroni');
-- a control or variant that is not among the variants (a typo, or case)
SELECT * FROM response_ab_test('{"a": 10/1, "b": 10/2}', 'control');
SELECT * FROM response_ab_test('{"DE": 10/1, "FR": 10/2}', 'de');
SELECT response_variant_state('{"control": 1000/100, "a": 1000/130}', 'A', 'control');
SELECT 'treated=1/2 control=0/0'::response_state;
SELECT 'treated=1/0 control=0/0 treated_values=0/1/0 control_values=0/0/0'::response_state;
SELECT 'treated=1/0 control=0/0 extra'::response_state;
SELECT 'treated=1/0 control=0/0 treated_values=1/NaN/0 control_values=0/0/0'::response_state;
SELECT '{"a": 1/1, "a": 2/1}'::response_variants;
SELECT '{"a": 0/0}'::response_variants;
SELECT '{"a" 1/1}'::response_variants;
SELECT segment_mean_response(true, 'Infinity'::float8);
-- value moments that would overflow are an error (a state holding an infinite
-- mean or M2 could not be read back from its text form); large finite ones round-trip
SELECT response_agg(treated, true, v) FROM (VALUES (true, 1e308::float8), (true, -1e308)) x(treated, v);
SELECT segment_mean_response(treated, v) FROM (VALUES (false, 1e200::float8), (false, -1e200)) x(treated, v);
SELECT rollup(s) FROM (VALUES ('treated=0/0 control=0/0 treated_values=1/1e154/0 control_values=0/0/0'::response_state),
                              ('treated=0/0 control=0/0 treated_values=1/-1e154/0 control_values=0/0/0')) v(s);
SELECT st::text::response_state = st AS round_trip, st
FROM (SELECT response_agg(treated, true, v) AS st
      FROM (VALUES (true, 1e150::float8), (true, -1e150), (false, 1.7e308), (false, 1.7e308)) x(treated, v)) s;
-- pooled z with counts near 2^63 (the pooled sums exceed int64): equal to plain SQL
SELECT round(response_z(s)::numeric, 3) AS z, round((response_z(s) / ref)::numeric, 12) AS ratio_to_plain_sql,
       round(response_p_value(s)::numeric, 12) AS p_value
FROM (VALUES ('treated=9000000000000000000/5000000000000000000 control=9000000000000000000/4000000000000000000'::response_state,
              (5.0 / 9 - 4.0 / 9) / sqrt(0.5 * 0.5 * (2 / 9e18))),
             ('treated=9223372036854775807/1 control=9223372036854775807/0',
              (1 / 9223372036854775807.0) / sqrt((1 / 18446744073709551614.0) * (1 - 1 / 18446744073709551614.0) * (2 / 9223372036854775807.0)))) v(s, ref);
-- power must exceed alpha (below alpha/2 the formula's root is negative)
SELECT response_sample_size(0.10, 0.02, 0.05, 0.01);
SELECT response_sample_size(0.10, 0.02, 0.05, 0.05);
SELECT response_sample_size(0.10, 0.02, 0.05, 0.06) AS just_above_alpha, response_sample_size(0.10, 0.02, 0.5, 0.6) AS large_alpha;
