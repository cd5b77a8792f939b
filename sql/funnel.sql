-- window_funnel: ClickHouse windowFunnel semantics, Doris modes, errors
CREATE TEMP TABLE ev (u int, t bigint, e text);
-- u1: a clean chain 1..5 at t = 1..5
INSERT INTO ev SELECT 1, g, 'e' || g FROM generate_series(1, 5) g;
-- the window is inclusive and measured from the chain's first step
SELECT w, window_funnel(w, t, e = 'e1', e = 'e2', e = 'e3', e = 'e4', e = 'e5') AS level
FROM ev, (VALUES (1::bigint), (2), (3), (4)) v(w) WHERE u = 1 GROUP BY w ORDER BY w;
-- one row can fill several steps (default), not under strict_increase or strict_once
INSERT INTO ev VALUES (2, 10, 'x');
SELECT window_funnel(100::bigint, t, e = 'x', e = 'x', e = 'x') AS default_mode,
       window_funnel(100::bigint, 'strict_increase', t, e = 'x', e = 'x', e = 'x') AS strict_increase,
       window_funnel(100::bigint, 'strict_once', t, e = 'x', e = 'x', e = 'x') AS strict_once
FROM ev WHERE u = 2;
-- equal timestamps: ordered by step number, whatever the input order
INSERT INTO ev VALUES (3, 5, 'c'), (3, 5, 'b'), (3, 5, 'a');
SELECT window_funnel(1::bigint, t, e = 'a', e = 'b', e = 'c') AS same_instant,
       window_funnel(1::bigint, 'strict_increase', t, e = 'a', e = 'b', e = 'c') AS strict_increase
FROM ev WHERE u = 3;
-- a later start can complete when an earlier one cannot
INSERT INTO ev VALUES (4, 1, 'a'), (4, 20, 'a'), (4, 21, 'b'), (4, 22, 'c');
SELECT window_funnel(5::bigint, t, e = 'a', e = 'b', e = 'c'),
       window_funnel_times(5::bigint, t, e = 'a', e = 'b', e = 'c') FROM ev WHERE u = 4;
-- ClickHouse issue 52844: strict_increase keeps the chain a@1 -> b@2 -> c@6
INSERT INTO ev VALUES (5, 1, 'a'), (5, 2, 'b'), (5, 5, 'a'), (5, 6, 'b'), (5, 6, 'c');
SELECT window_funnel(5::bigint, 'strict_increase', t, e = 'a', e = 'b', e = 'c'),
       window_funnel_times(5::bigint, 'strict_increase', t, e = 'a', e = 'b', e = 'c') FROM ev WHERE u = 5;
-- strict_deduplication: a repeated step stops the walk at the level reached
-- A-B-C-B-D with steps A,B,C,D gives 3; A-B-D-B gives 2 (not 4, ClickHouse 37177/40263)
INSERT INTO ev VALUES (6, 1, 'A'), (6, 2, 'B'), (6, 3, 'C'), (6, 4, 'B'), (6, 5, 'D'),
                      (7, 1, 'A'), (7, 2, 'B'), (7, 3, 'D'), (7, 4, 'B');
SELECT u, window_funnel(100::bigint, t, e = 'A', e = 'B', e = 'C', e = 'D') AS default_mode,
       window_funnel(100::bigint, 'strict_deduplication', t, e = 'A', e = 'B', e = 'C', e = 'D') AS dedup
FROM ev WHERE u IN (6, 7) GROUP BY u ORDER BY u;
-- strict_order: an unmatched row or a skipped step stops the walk; repeats are fine
INSERT INTO ev VALUES (8, 1, 'A'), (8, 2, 'A'), (8, 3, 'B'), (8, 4, 'B'), (8, 5, 'C'),
                      (9, 1, 'A'), (9, 2, 'B'), (9, 3, 'D'), (9, 4, 'C'),
                      (10, 1, 'A'), (10, 2, 'C'), (10, 3, 'B'), (10, 4, 'C');
SELECT u, window_funnel(100::bigint, t, e = 'A', e = 'B', e = 'C') AS default_mode,
       window_funnel(100::bigint, 'strict_order', t, e = 'A', e = 'B', e = 'C') AS strict_order,
       window_funnel(100::bigint, 'strict_order, allow_reentry', t, e = 'A', e = 'B', e = 'C') AS reentry
FROM ev WHERE u IN (8, 9, 10) GROUP BY u ORDER BY u;
-- allow_reentry (ClickHouse's test): steps a,b,a,c over a,a,b,a,c
INSERT INTO ev VALUES (11, 1, 'a'), (11, 2, 'a'), (11, 3, 'b'), (11, 4, 'a'), (11, 5, 'c');
SELECT window_funnel(100::bigint, 'strict_order', t, e = 'a', e = 'b', e = 'a', e = 'c') AS strict_order,
       window_funnel(100::bigint, 'strict_order,allow_reentry', t, e = 'a', e = 'b', e = 'a', e = 'c') AS reentry
FROM ev WHERE u = 11;
-- Doris (2.1/3.0 row-based) modes: a row fills one step; the first later match is taken
INSERT INTO ev VALUES (12, 1, 'x1'), (12, 2, 'x2'), (12, 3, 'x3');
SELECT window_funnel(100::bigint, t, e = 'x1', e <> 'x2', e = 'x3') AS clickhouse,
       window_funnel(100::bigint, 'increase', t, e = 'x1', e <> 'x2', e = 'x3') AS doris
FROM ev WHERE u = 12;
SELECT u, window_funnel(100::bigint, 'deduplication', t, e = 'A', e = 'B', e = 'C', e = 'D') AS doris_dedup,
       window_funnel(100::bigint, 'fixed', t, e = 'A', e = 'B', e = 'C', e = 'D') AS doris_fixed
FROM ev WHERE u IN (6, 7, 8, 9) GROUP BY u ORDER BY u;
-- NULL conditions are false; NULL times are skipped; no match gives 0
INSERT INTO ev VALUES (13, NULL, 'a'), (13, 2, NULL), (13, 3, 'b');
SELECT window_funnel(100::bigint, t, e = 'a', e = 'b') AS no_start,
       window_funnel(100::bigint, t, e = 'zzz') AS none,
       window_funnel_times(100::bigint, t, e = 'zzz') AS no_times
FROM ev WHERE u = 13;
SELECT window_funnel(100::bigint, t, e = 'a') AS empty_group FROM ev WHERE false;
-- timestamptz time with an interval window; 64 steps
SELECT window_funnel(interval '1 hour', '2025-01-01 00:00+00'::timestamptz + g * interval '1 minute',
                     VARIADIC (SELECT array_agg(s = g) FROM generate_series(1, 64) s))
FROM generate_series(1, 64) g;
SELECT window_funnel_times(interval '1 day', t, e = 'a', e = 'b')
FROM (VALUES ('2025-01-01 00:00+00'::timestamptz, 'a'), ('2025-01-01 12:00+00', 'b')) v(t, e);
-- journey_funnel: steps match event names or stage labels
SELECT journey_funnel('{2025-03-01T09:00:00Z awareness ads ad_click; 2025-03-02T09:00:00Z consideration web signup;
                        2025-03-20T09:00:00Z decision store purchase}'::journey,
                      interval '30 days', 'default', 'ad_click', 'consideration', 'purchase') AS level_30d,
       journey_funnel('{2025-03-01T09:00:00Z awareness ads ad_click; 2025-03-02T09:00:00Z consideration web signup;
                        2025-03-20T09:00:00Z decision store purchase}'::journey,
                      interval '7 days', 'default', 'ad_click', 'consideration', 'purchase') AS level_7d;
-- journey_window_funnel(_times) (0.3.0): steps in the step syntax; one instant's
-- touches by steps (here the signup and the email at 09:00 fill steps 2, 3)
SELECT journey_window_funnel(j, interval '30 days', 'default', 'ad_click', 'signup | channel = web', 'channel = email') AS level,
       journey_window_funnel_times(j, interval '30 days', 'strict_once', 'ad_click', 'signup | channel = web', 'channel = email') AS times,
       journey_window_funnel(j, interval '1 day', 'default', 'stage >= consideration', 'purchase') AS within_a_day
FROM (VALUES ('{2025-03-01T09:00:00Z awareness ads ad_click; 2025-03-02T09:00:00Z consideration email open;
              2025-03-02T09:00:00Z consideration web signup; 2025-03-20T09:00:00Z decision store purchase}'::journey)) v(j);
SELECT journey_window_funnel_times('{2025-03-01T09:00:00Z awareness ads ad_click}'::journey, interval '1 day', 'unordered', 'ad_click');
SELECT journey_window_funnel('{}'::journey, interval '1 day', 'default', 'stage >=');
SELECT journey_window_funnel('{}'::journey, interval '1 day', 'nonsense', 'x');
SELECT journey_window_funnel('{}'::journey, interval '0', 'default', 'x');
SELECT journey_window_funnel('{}'::journey, interval '1 day', 'default', VARIADIC '{}'::text[]);
-- errors
SELECT window_funnel(interval '1 day', 'nonsense', now(), true);
SELECT window_funnel(interval '1 day', 'strict', now(), true);
SELECT window_funnel(interval '1 day', 'allow_reentry', now(), true);
SELECT window_funnel(interval '1 day', 'strict_order, fixed', now(), true);
SELECT window_funnel(interval '0', now(), true);
SELECT window_funnel(-5::bigint, 1::bigint, true);
SELECT window_funnel(NULL::interval, now(), true);
SELECT window_funnel(interval '1 day', now(), VARIADIC (SELECT array_agg(true) FROM generate_series(1, 65)));
SELECT window_funnel(w, t, e = 'a') FROM (VALUES (1::bigint, 1::bigint, 'a'), (2, 2, 'a')) v(w, t, e);
-- retention: element 1 = condition 1 held; element k = conditions 1 and k held
CREATE TEMP TABLE visits (u int, d int);
INSERT INTO visits VALUES (1, 1), (1, 3), (2, 2), (2, 3), (3, 1), (3, 1), (4, NULL);
SELECT u, retention(d = 1, d = 2, d = 3) FROM visits GROUP BY u ORDER BY u;
SELECT retention_sum(r) FROM (SELECT retention(d = 1, d = 2, d = 3) r FROM visits GROUP BY u) s;
SELECT retention(d = 1) AS one_condition, retention(d = 1, d = 2) IS NULL AS no_rows FROM visits WHERE u = 1 AND false;
SELECT retention(d = 1) AS one_condition FROM visits WHERE u = 3;
SELECT retention_sum(a) FROM (VALUES (ARRAY[true, false]), (ARRAY[true, true, false])) v(a);
SELECT retention(VARIADIC ARRAY[]::boolean[]) FROM visits;
-- funnel_report: customers per step, conversions, drop-off, time from the previous step
CREATE TEMP TABLE fr (u int, day date, times timestamptz[]);
INSERT INTO fr VALUES
  (1, '2025-01-01', ARRAY['2025-01-01 00:00+00', '2025-01-01 01:00+00', '2025-01-02 01:00+00']::timestamptz[]),
  (2, '2025-01-01', ARRAY['2025-01-01 00:00+00', '2025-01-01 03:00+00']::timestamptz[]),
  (3, '2025-01-02', ARRAY['2025-01-02 00:00+00', '2025-01-02 02:00+00']::timestamptz[]),
  (4, '2025-01-02', ARRAY['2025-01-02 00:00+00']::timestamptz[]),
  (5, '2025-01-02', '{}');
SELECT funnel_report_agg(times, 3) FROM fr;
SELECT * FROM funnel_steps((SELECT funnel_report_agg(times, 3) FROM fr));
-- daily reports roll up to the report over all rows
SELECT rollup(r)::text = (SELECT funnel_report_agg(times, 3) FROM fr)::text AS same
FROM (SELECT day, funnel_report_agg(times, 3) AS r FROM fr GROUP BY day) d;
-- levels only: counts without times
SELECT * FROM funnel_steps((SELECT funnel_report_agg(l, 3) FROM (VALUES (3), (2), (2), (1), (0)) v(l)));
-- text form is canonical and strict
SELECT '3; 5 3 1; 3600000000:1 7200000000:2; 86400000000:1'::funnel_report;
SELECT '3; 5 3 1; 7200000000:2 3600000000:1; 86400000000:1'::funnel_report;
SELECT '2; 1 2;'::funnel_report;
SELECT '2; 2 1; 5:3'::funnel_report;
SELECT '0;'::funnel_report;
SELECT funnel_report_agg(times, 2) FROM fr;
SELECT rollup(r) FROM (VALUES ('2; 1 1; 5:1'::funnel_report), ('3; 1 0 0;;'::funnel_report)) v(r);
-- the stage funnel of a journey: first touch of each stage in lifecycle order
SELECT journey_stage_funnel('{2025-01-01T00:00:00Z consideration w NULL; 2025-01-02T00:00:00Z awareness w NULL;
  2025-01-03T00:00:00Z consideration w NULL; 2025-01-04T00:00:00Z retention w NULL; 2025-01-05T00:00:00Z decision w NULL}'::journey);
-- strict_once keeps one chain per step for chains that ended earlier (no blow-up on long journeys)
SELECT window_funnel(interval '100 days', 'strict_once', t, true, true, true) AS strict_once_long
FROM (SELECT '2025-01-01'::timestamptz + g * interval '1 minute' AS t FROM generate_series(1, 20000) g) s;
-- funnel_steps percentiles of durations near 2^63 microseconds (the double rounds up to 2^63)
SELECT step, median_time_from_previous, p90_time_from_previous
FROM funnel_steps('2; 3 3; 9223372036854775806:1 9223372036854775807:2'::funnel_report);
SELECT median_time_from_previous = interval '106751991 days 04:00:54.775807' AS exact_max
FROM funnel_steps('2; 1 1; 9223372036854775807:1'::funnel_report) WHERE step = 2;
-- step times must be finite; a gap beyond 2^63 - 1 microseconds is out of range
SELECT funnel_report_agg(ARRAY['-infinity', '2025-01-01 00:00+00']::timestamptz[], 2);
SELECT funnel_report_agg(ARRAY['2025-01-01 00:00+00', 'infinity']::timestamptz[], 2);
SELECT funnel_report_agg(ARRAY['4713-01-01 00:00+00 BC', '294276-12-31 00:00+00']::timestamptz[], 2);
SELECT step, median_time_from_previous
FROM funnel_steps((SELECT funnel_report_agg(ARRAY['2000-01-01 00:00+00', '294276-12-31 00:00+00']::timestamptz[], 2)));
-- a step with many pairs in no order (an aggregate state merges equal durations
-- as it grows): the report equals the multiset built in plain SQL
CREATE TEMP TABLE many AS
SELECT '2025-01-01 00:00+00'::timestamptz AS t0, (g * 7919) % 5003 AS secs FROM generate_series(1, 200000) g;
SELECT r::text = plain.txt AS same_as_plain_sql
FROM (SELECT funnel_report_agg(ARRAY[t0, t0 + secs * interval '1 second'], 2) AS r FROM many) a,
     (SELECT '2; 200000 200000; ' || string_agg((secs * 1000000::bigint)::text || ':' || n, ' ' ORDER BY secs) AS txt
      FROM (SELECT secs, count(*) AS n FROM many GROUP BY secs) d) plain;
SELECT f.median_time_from_previous = p.m AS median_ok, f.p90_time_from_previous = p.p90 AS p90_ok
FROM funnel_steps((SELECT funnel_report_agg(ARRAY[t0, t0 + secs * interval '1 second'], 2) FROM many)) f,
     (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY secs * interval '1 second') AS m,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY secs * interval '1 second') AS p90 FROM many) p
WHERE f.step = 2;
-- strict_once keeps, of the chains ending before a row, only the latest start:
-- 20,000 step-1 rows with no step 2 (over 10,000 chains were an error), then a
-- customer whose steps 2 and 3 come after 15,000 step-1 rows
SELECT window_funnel(interval '100 days', 'strict_once', t, true, false) AS step1_only
FROM (SELECT '2025-01-01'::timestamptz + g * interval '1 minute' AS t FROM generate_series(1, 20000) g) s;
SELECT window_funnel(100000::bigint, 'strict_once', g, g <= 15000, g = 15001, g = 15002) AS level,
       window_funnel_times(100000::bigint, 'strict_once', g, g <= 15000, g = 15001, g = 15002) AS times
FROM generate_series(1::bigint, 15002) g;
-- strict_increase keeps at most two chains per step: 200,000 rows of one customer
-- (quadratic before), the chain ending at the last row
SELECT window_funnel(1000000::bigint, 'strict_increase', g, true, g % 2 = 0, g = 200000) AS level,
       window_funnel_times(1000000::bigint, 'strict_increase', g, true, g % 2 = 0, g = 200000) AS times
FROM generate_series(1::bigint, 200000) g;
-- a report with steps that no customer timed, and one with no step times at all
SELECT funnel_report_agg(ARRAY['2025-01-01'::timestamptz], 2)::text AS untimed,
       funnel_report_agg(NULL::timestamptz[], 3)::text AS no_times;
-- a funnel_report state is bounded in bytes (cjourney.max_state_memory): 100,000
-- distinct durations need 1.6 MB
SHOW cjourney.max_state_memory;
SET cjourney.max_state_memory = '1MB';
SELECT funnel_report_agg(ARRAY['2025-01-01'::timestamptz, '2025-01-01'::timestamptz + g * interval '1 ms'], 2)
FROM generate_series(1, 100000) g;
RESET cjourney.max_state_memory;
SELECT (SELECT sum(customers) FROM funnel_steps(r)) AS customers
FROM (SELECT funnel_report_agg(ARRAY['2025-01-01'::timestamptz, '2025-01-01'::timestamptz + g * interval '1 ms'], 2) AS r
      FROM generate_series(1, 100000) g) s;
