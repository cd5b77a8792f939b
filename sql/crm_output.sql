-- Output side of issue 14: jsonb forms of every state type, funnel steps
-- with names and seconds, step-time rules, stage funnels by reach,
-- retention in long form and funnel options; each checked against plain
-- SQL or the accessors it mirrors.
SET extra_float_digits = 0;   -- jsonb numbers must not depend on it
SET TimeZone = 'America/New_York';  -- nor times on the session zone

-- funnel_report: jsonb with named fields, funnel_steps with names and seconds
SELECT '3; 100 60 20; 3600000000:2 7200000000:1; 86400000000:1'::funnel_report::jsonb;
SELECT funnel_report_to_jsonb('3; 100 60 20; 3600000000:2; 86400000000:1', '{view,cart,NULL}') -> 'steps' -> 1;
RESET extra_float_digits;
SELECT * FROM funnel_steps('3; 100 60 20; 3600000000:2 7200000000:1; 86400000000:1', '{view,cart,buy}');
SELECT * FROM funnel_steps('3; 100 60 20; 3600000000:2; 86400000000:1', NULL);
SELECT count(*) FROM funnel_steps(NULL::funnel_report, '{a,b}');
-- the seconds are the intervals' epochs, and jsonb steps are funnel_steps' rows
SELECT bool_and(median_seconds_from_previous IS NOT DISTINCT FROM extract(epoch FROM median_time_from_previous)::float8
            AND p90_seconds_from_previous IS NOT DISTINCT FROM extract(epoch FROM p90_time_from_previous)::float8) AS seconds_match
FROM funnel_steps('4; 9 7 3 1; 1:1 5:2 3600000000:4; 60000000:3; 1000:1', '{a,b,c,d}');
SELECT (SELECT array_agg(row(step, step_name, customers, conversion_from_previous, conversion_from_first, dropped_off,
                             median_seconds_from_previous, p90_seconds_from_previous)::text ORDER BY step)
        FROM funnel_steps(r, '{a,b,c,d}'))
     = (SELECT array_agg(row(step, name, customers, conversion_from_previous, conversion_from_first, dropped_off,
                             median_seconds_from_previous, p90_seconds_from_previous)::text ORDER BY step)
        FROM jsonb_to_recordset(funnel_report_to_jsonb(r, '{a,b,c,d}') -> 'steps')
             AS j(step int, name text, customers bigint, conversion_from_previous float8, conversion_from_first float8,
                  dropped_off bigint, median_seconds_from_previous float8, p90_seconds_from_previous float8)) AS jsonb_is_rows
FROM (VALUES ('4; 9 7 3 1; 1:1 5:2 3600000000:4; 60000000:3; 1000:1'::funnel_report)) v(r);
SELECT * FROM funnel_steps('2; 5 1; 7:1', '{a}');
SELECT funnel_report_to_jsonb('2; 5 1; 7:1', '{{a,b}}');

-- stage_time: durations and visits, seconds and UTC times, any TimeZone
CREATE TEMP TABLE st_rows (customer_id int, t timestamptz, s stage);
INSERT INTO st_rows VALUES
    (1, '2025-01-01 00:00+00', 'awareness'), (1, '2025-01-02 12:00+00', 'decision'),
    (1, '2025-01-03 00:00+00', 'awareness'), (1, '2025-01-03 00:00+00', 'awareness'),
    (2, '2025-02-01 08:30+00', 'consideration');
SELECT customer_id, stage_time_agg(t, s)::jsonb FROM st_rows GROUP BY 1 ORDER BY 1;
SELECT stage_time_to_jsonb(stage_time_agg(t, s), '2025-01-05 00:00+00') -> 'durations' FROM st_rows WHERE customer_id = 1;
SET TimeZone = 'Asia/Kolkata';
SELECT md5(string_agg(st::jsonb::text, '|' ORDER BY customer_id)) AS same_in_any_zone
FROM (SELECT customer_id, stage_time_agg(t, s) AS st FROM st_rows GROUP BY 1) x;
SET TimeZone = 'America/New_York';
SELECT md5(string_agg(st::jsonb::text, '|' ORDER BY customer_id)) AS same_in_any_zone
FROM (SELECT customer_id, stage_time_agg(t, s) AS st FROM st_rows GROUP BY 1) x;
-- durations are stage_durations' rows
SELECT bool_and(d.duration = make_interval(secs => j.seconds) AND d.visits = j.visits
                AND d.first_entered = j.first_entered::timestamptz) AS durations_match, count(*)
FROM (SELECT stage_time_agg(t, s) AS st FROM st_rows WHERE customer_id = 1) x,
     stage_durations(x.st) d
     JOIN jsonb_to_recordset((SELECT stage_time_agg(t, s)::jsonb -> 'durations' FROM st_rows WHERE customer_id = 1))
          AS j(stage text, seconds float8, visits int, first_entered text) USING (stage);
SELECT stage_time_to_jsonb(stage_time_agg(t, s), '2024-01-01') FROM st_rows WHERE customer_id = 1;

-- response_state and response_variants
CREATE TEMP TABLE resp (treated boolean, responded boolean, v float8);
INSERT INTO resp SELECT g % 3 <> 0, g % 5 = 0 OR (g % 3 <> 0 AND g % 7 = 0), (g % 11) * 1.5 FROM generate_series(1, 500) g;
SELECT response_agg(treated, responded, v)::jsonb FROM resp;
SELECT response_agg(treated, responded)::jsonb FROM resp WHERE NOT treated;
-- the jsonb fields are segment_response's and segment_mean_response's
SELECT (j ->> 'abs_lift')::float8 = (r).abs_lift AND (j ->> 'p_value')::float8 = (r).p_value
   AND (j ->> 'ci_low')::float8 = (r).ci_low AND (j -> 'treated' ->> 'rate')::float8 = (r).treated_rate
   AND (j ->> 't')::float8 = (m).t AND (j ->> 'df')::float8 = (m).df AND (j ->> 'mean_p_value')::float8 = (m).p_value
   AND (j -> 'control' ->> 'sd')::float8 = (m).control_sd AS fields_match
FROM (SELECT response_state_to_jsonb(st, 0.9) AS j, segment_response(st, 0.9) AS r, segment_mean_response(st, 0.9) AS m
      FROM (SELECT response_agg(treated, responded, v) AS st FROM resp) s) x;
SELECT response_state_to_jsonb(response_agg(treated, responded), 1.5) FROM resp;
SELECT '{"control": 1000/100, "a": 1000/130, "b": 5/0}'::response_variants::jsonb;

-- attribution: credits as attribution_credits gives them
CREATE TEMP TABLE att (customer_id int, t timestamptz, channel text, buy boolean, revenue numeric);
INSERT INTO att VALUES
    (1, '2025-04-01 09:00+00', 'paid_search', false, NULL), (1, '2025-04-02 10:00+00', 'email', false, NULL),
    (1, '2025-04-05 08:00+00', 'web', true, 120), (2, '2025-04-03 12:00+00', 'social', false, NULL),
    (2, '2025-04-06 18:30+00', 'email', false, NULL), (3, '2025-04-01 11:00+00', 'email', false, NULL),
    (3, '2025-04-29 09:00+00', 'store', true, 900), (4, '2025-04-01 09:00+00', 'store', true, 50);
SELECT rollup(a)::jsonb
FROM (SELECT attribution_agg(t, channel, buy, revenue, 'linear') AS a FROM att GROUP BY customer_id) x;
SELECT jsonb_pretty(rollup(a)::jsonb)
FROM (SELECT attribution_agg(t, channel, buy, revenue, 'markov') AS a FROM att GROUP BY customer_id) x;
SELECT m.model,
       (SELECT array_agg(row(channel, conversions, revenue)::text ORDER BY channel) FROM attribution_credits(r.a))
     = (SELECT array_agg(row(channel, conversions, revenue)::text ORDER BY channel)
        FROM jsonb_to_recordset(r.a::jsonb -> 'credits') AS j(channel text, conversions float8, revenue float8)) AS credits_match
FROM (VALUES ('first_touch'), ('time_decay'), ('position_based'), ('shapley'), ('markov')) m(model),
     LATERAL (SELECT rollup(a) AS a
              FROM (SELECT attribution_agg(t, channel, buy, revenue, m.model) AS a FROM att GROUP BY customer_id) x) r
ORDER BY 1;

-- step-time rules of window_funnel_times: the issue's rows
SET TimeZone = 'UTC';
CREATE TEMP TABLE lm (t timestamptz, e text);
INSERT INTO lm VALUES ('2025-01-01', 'lead'), ('2025-01-03', 'lead'), ('2025-01-04', 'mql'), ('2025-01-09', 'sql');
SELECT window_funnel_times(interval '7 days', t, e = 'lead', e = 'mql') AS latest_default,
       window_funnel_times(interval '7 days', 'latest_step_start', t, e = 'lead', e = 'mql') AS latest,
       window_funnel_times(interval '7 days', 'first_step_start', t, e = 'lead', e = 'mql') AS first,
       window_funnel_times(interval '7 days', 'FIRST_STEP_START', t, e = 'lead', e = 'mql', e = 'sql') AS first_3_steps,
       window_funnel(interval '7 days', 'first_step_start', t, e = 'lead', e = 'mql', e = 'sql') AS level
FROM lm;
SELECT window_funnel_times(interval '7 days', 'first_step_start, strict_order', t, e = 'lead') FROM lm;
SELECT window_funnel_times(interval '7 days', 'first_step_start, latest_step_start', t, e = 'lead') FROM lm;
SELECT window_funnel_times(interval '7 days', 'first_step_start, increase', t, e = 'lead') FROM lm;

-- against plain SQL on generated rows: the earliest start reaching the
-- deepest level, then the earliest next step (>= the previous; > under
-- strict_increase), all within the window of the start
CREATE TEMP TABLE gen AS
SELECT c AS customer_id,
       timestamptz '2025-01-01 00:00+00' + (h % 240) * interval '1 hour' AS t,
       (ARRAY['a', 'b', 'c', 'x', 'a'])[1 + (h / 240) % 5] AS e
FROM generate_series(1, 400) c, generate_series(1, 1 + c % 13) k,
     LATERAL (SELECT abs(('x' || substr(md5(c || ':' || k), 1, 8))::bit(32)::int) AS h) r;
CREATE TEMP TABLE gen_ref AS
WITH starts AS (
    SELECT g.customer_id, s.t AS s,
           (SELECT min(t) FROM gen b WHERE b.customer_id = g.customer_id AND b.e = 'b' AND b.t >= s.t AND b.t <= s.t + interval '3 days') AS t2
    FROM (SELECT DISTINCT customer_id FROM gen) g JOIN gen s ON s.customer_id = g.customer_id AND s.e = 'a'),
 chains AS (
    SELECT customer_id, s, t2,
           (SELECT min(t) FROM gen c WHERE c.customer_id = st.customer_id AND c.e = 'c' AND c.t >= st.t2 AND c.t <= st.s + interval '3 days') AS t3
    FROM starts st),
 levels AS (
    SELECT customer_id, s, t2, t3, CASE WHEN t3 IS NOT NULL THEN 3 WHEN t2 IS NOT NULL THEN 2 ELSE 1 END AS level FROM chains),
 best AS (
    SELECT DISTINCT ON (customer_id) customer_id, level, (ARRAY[s, t2, t3])[1:level] AS times
    FROM levels ORDER BY customer_id, level DESC, s)
SELECT g.customer_id, coalesce(b.level, 0) AS level, coalesce(b.times, '{}') AS times
FROM (SELECT DISTINCT customer_id FROM gen) g LEFT JOIN best b USING (customer_id);
CREATE TEMP TABLE gen_ref_inc AS
WITH starts AS (
    SELECT g.customer_id, s.t AS s,
           (SELECT min(t) FROM gen b WHERE b.customer_id = g.customer_id AND b.e = 'b' AND b.t > s.t AND b.t <= s.t + interval '3 days') AS t2
    FROM (SELECT DISTINCT customer_id FROM gen) g JOIN gen s ON s.customer_id = g.customer_id AND s.e = 'a'),
 chains AS (
    SELECT customer_id, s, t2,
           (SELECT min(t) FROM gen c WHERE c.customer_id = st.customer_id AND c.e = 'c' AND c.t > st.t2 AND c.t <= st.s + interval '3 days') AS t3
    FROM starts st),
 levels AS (
    SELECT customer_id, s, t2, t3, CASE WHEN t3 IS NOT NULL THEN 3 WHEN t2 IS NOT NULL THEN 2 ELSE 1 END AS level FROM chains),
 best AS (
    SELECT DISTINCT ON (customer_id) customer_id, level, (ARRAY[s, t2, t3])[1:level] AS times
    FROM levels ORDER BY customer_id, level DESC, s)
SELECT g.customer_id, coalesce(b.level, 0) AS level, coalesce(b.times, '{}') AS times
FROM (SELECT DISTINCT customer_id FROM gen) g LEFT JOIN best b USING (customer_id);
SELECT count(*) AS customers,
       count(*) FILTER (WHERE r.times = w.first_times) AS first_rule_matches,
       count(*) FILTER (WHERE r.level = w.level AND w.level = cardinality(w.latest_times)) AS same_level,
       count(*) FILTER (WHERE w.first_times <> w.latest_times) AS rules_differ
FROM gen_ref r JOIN (
    SELECT customer_id,
           window_funnel(interval '3 days', t, e = 'a', e = 'b', e = 'c') AS level,
           window_funnel_times(interval '3 days', 'first_step_start', t, e = 'a', e = 'b', e = 'c') AS first_times,
           window_funnel_times(interval '3 days', t, e = 'a', e = 'b', e = 'c') AS latest_times
    FROM gen GROUP BY customer_id) w USING (customer_id);
SELECT count(*) AS customers, count(*) FILTER (WHERE r.times = w.times) AS strict_increase_matches
FROM gen_ref_inc r JOIN (
    SELECT customer_id,
           window_funnel_times(interval '3 days', 'strict_increase, first_step_start', t, e = 'a', e = 'b', e = 'c') AS times
    FROM gen GROUP BY customer_id) w USING (customer_id);

-- the report states its rule: text form, accessor, funnel_steps, jsonb, rollup
SELECT funnel_report_agg(times, 3, 'first_step_start') AS report
FROM (SELECT window_funnel_times(interval '3 days', 'first_step_start', t, e = 'a', e = 'b', e = 'c') AS times
      FROM gen GROUP BY customer_id) w \gset
SELECT split_part(:'report', ';', 1) AS head, split_part(:'report', ';', 2) AS customers, :'report'::funnel_report::text = :'report' AS canonical;
SELECT funnel_step_time_rule(:'report'), funnel_step_time_rule('2; 5 1; 7:1'),
       (:'report'::funnel_report)::jsonb ->> 'step_time_rule' AS in_jsonb;
SELECT step, step_name, customers, median_seconds_from_previous, step_time_rule FROM funnel_steps(:'report', '{a,b,c}');
-- the steps' customers and median times are plain SQL's over gen_ref
SELECT k AS step, count(*) FILTER (WHERE level >= k) AS customers,
       extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY times[k] - times[k - 1])
                           FILTER (WHERE level >= k AND k > 1))::float8 AS median_seconds
FROM gen_ref, generate_series(1, 3) k GROUP BY k ORDER BY k;
SELECT rollup(r) FROM (VALUES (:'report'::funnel_report), ('3; 1 0 0;;')) v(r);
SELECT rollup(r) FROM (VALUES (:'report'::funnel_report), ('3 latest_step_start; 1 0 0;;')) v(r);
SELECT funnel_report_agg(ARRAY[t], 1, 'earliest') FROM lm;
SELECT funnel_report_agg(ARRAY[t], 1, NULL) FROM lm;
SELECT '3 first; 1 0 0;;'::funnel_report;

-- stage funnels: from the first stage (0.1.0) or by reach, whatever the entry
SELECT journey_stage_funnel(j) AS first_stage, journey_stage_funnel(j, 'first_stage') AS same,
       journey_stage_funnel(j, 'Reached') AS reached
FROM (VALUES ('{2025-01-05T10:00:00Z decision web NULL; 2025-01-02T10:00:00Z consideration web NULL; 2025-01-09T11:00:00Z advocacy web NULL; 2025-01-10T00:00:00Z awareness web NULL}'::journey),
             ('{}'::journey),
             ('[lead<mql<sql] {2025-01-05T10:00:00Z mql web NULL}'::journey)) v(j);
SELECT journey_stage_funnel('{}'::journey, 'entered');
-- against plain SQL on generated journeys: step k = first touch at stage k or later
CREATE TEMP TABLE sj AS
SELECT customer_id, t, (enum_range(NULL::stage))[1 + abs(('x' || substr(md5(customer_id || '/' || t), 1, 8))::bit(32)::int) % 5] AS s
FROM (SELECT DISTINCT customer_id, t FROM gen) g;
CREATE TEMP TABLE sj_j AS
SELECT customer_id, journey_agg(t, s, 'web', NULL) AS j FROM sj GROUP BY customer_id;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE journey_stage_funnel(j.j, 'reached') = r.times) AS reached_matches,
       count(*) FILTER (WHERE cardinality(journey_stage_funnel(j.j, 'reached'))
                              = array_position(enum_range(NULL::stage), journey_furthest_stage(j.j)::stage)) AS up_to_furthest
FROM sj_j j JOIN (
    SELECT customer_id, array_agg(m ORDER BY k) FILTER (WHERE m IS NOT NULL) AS times
    FROM (SELECT c.customer_id, k, (SELECT min(t) FROM sj x WHERE x.customer_id = c.customer_id
                                                        AND array_position(enum_range(NULL::stage), x.s) >= k) AS m
          FROM (SELECT DISTINCT customer_id FROM sj) c, generate_series(1, 5) k) y
    GROUP BY customer_id) r USING (customer_id);
-- the report: customers at each stage = journeys that reached it or a later one
SELECT f.step, f.customers AS reached, s.plain, f0.customers AS first_stage_only
FROM (SELECT funnel_report_agg(journey_stage_funnel(j, 'reached'), 5) AS r,
             funnel_report_agg(journey_stage_funnel(j), 5) AS r0 FROM sj_j) x,
     funnel_steps(x.r) f JOIN funnel_steps(x.r0) f0 USING (step)
     JOIN (SELECT k AS step, count(*) FILTER (WHERE journey_furthest_stage(j)::stage >= (enum_range(NULL::stage))[k]) AS plain
           FROM sj_j, generate_series(1, 5) k GROUP BY k) s USING (step)
ORDER BY step;

-- retention in long form: per customer, then one row per cohort and period
SET TimeZone = 'UTC';
CREATE TEMP TABLE act (customer_id int, t timestamptz);
INSERT INTO act VALUES (1, '2025-01-01'), (1, '2025-01-09'), (1, '2025-01-20'), (1, '2025-02-20'),
    (2, '2025-01-03'), (2, '2025-01-04'), (3, '2025-01-25'), (3, 'infinity');
SELECT customer_id, retention_periods(f, t, '7 days', 4, 'n_day', '2025-01-31') AS n_day,
       retention_periods(f, t, '7 days', 4, 'unbounded', '2025-01-31') AS unbounded,
       retention_periods(f, t, '7 days', 4, 'N_DAY', NULL) AS no_as_of
FROM act JOIN (SELECT customer_id, min(t) AS f FROM act GROUP BY 1) m USING (customer_id)
WHERE t <> 'infinity' GROUP BY customer_id ORDER BY customer_id;
SELECT r.* FROM (SELECT retention_report_agg(p) AS a
                 FROM (SELECT customer_id, retention_periods(f, t, '7 days', 4, 'n_day', '2025-01-31') AS p
                       FROM act JOIN (SELECT customer_id, min(t) AS f FROM act GROUP BY 1) m USING (customer_id)
                       WHERE t <> 'infinity' GROUP BY customer_id) pc) s, unnest(s.a) r;
SELECT retention_periods(f, t, '7 days', 4, 'n_day', NULL) FROM act, (VALUES ('2025-01-01'::timestamptz)) m(f);
SELECT retention_periods('2025-01-01', t, '0 days', 4, 'n_day', NULL) FROM act;
SELECT retention_periods('2025-01-01', t, '1 day', 501, 'n_day', NULL) FROM act;
SELECT retention_periods('2025-01-01', t, '1 day', 3, 'weekly', NULL) FROM act;
SELECT retention_periods(t, t, '1 day', 3, 'n_day', NULL) FROM act WHERE customer_id = 1;
SELECT retention_report_agg(x) FROM (VALUES ('{t,f}'::boolean[]), ('{t}')) v(x);
-- against plain SQL on generated activity (weekly cohorts, 6 weeks, as of
-- a date inside the data), computed under another TimeZone
SET TimeZone = 'America/New_York';
CREATE TEMP TABLE ret_cjourney AS
SELECT date_bin('7 days', f, '2025-01-06 00:00+00') AS cohort, r.*
FROM (SELECT f, retention_report_agg(p) AS a
      FROM (SELECT customer_id, min(f) AS f, retention_periods(f, t, '7 days', 6, 'n_day', '2025-01-28 00:00+00') AS p
            FROM gen JOIN (SELECT customer_id, min(t) AS f FROM gen GROUP BY 1) m USING (customer_id)
            GROUP BY customer_id) pc
      GROUP BY f) s, unnest(s.a) r;
CREATE TEMP TABLE ret_unb AS
SELECT r.*
FROM (SELECT retention_report_agg(p) AS a
      FROM (SELECT customer_id, retention_periods(f, t, '2 days', 8, 'unbounded', '2025-01-09 00:00+00') AS p
            FROM gen JOIN (SELECT customer_id, min(t) AS f FROM gen GROUP BY 1) m USING (customer_id)
            GROUP BY customer_id) pc) s, unnest(s.a) r;
SET TimeZone = 'UTC';
WITH firsts AS (SELECT customer_id, min(t) AS f FROM gen GROUP BY 1),
 grid AS (SELECT f.customer_id, f.f, k FROM firsts f, generate_series(0, 6) k),
 per AS (SELECT g.f, g.k,
                g.f + (g.k + 1) * interval '7 days' <= '2025-01-28 00:00+00' AS obs,
                EXISTS (SELECT 1 FROM gen a WHERE a.customer_id = g.customer_id AND a.t <= '2025-01-28 00:00+00'
                        AND a.t >= g.f + g.k * interval '7 days' AND a.t < g.f + (g.k + 1) * interval '7 days') AS act
         FROM grid g),
 plain AS (SELECT f, k AS period, count(*) AS customers, count(*) FILTER (WHERE obs) AS observed,
                  CASE WHEN count(*) FILTER (WHERE obs) > 0 THEN count(*) FILTER (WHERE obs AND act) END AS retained
           FROM per GROUP BY f, k)
SELECT count(*) AS rows, count(*) FILTER (WHERE p.customers = c.customers AND p.observed = c.observed
                                          AND p.retained IS NOT DISTINCT FROM c.retained
                                          AND c.rate IS NOT DISTINCT FROM c.retained::float8 / nullif(c.observed, 0)) AS n_day_matches,
       count(*) FILTER (WHERE c.retained IS NULL) AS not_yet_observable
FROM plain p JOIN (SELECT date_bin('7 days', f, '2025-01-06 00:00+00') AS cohort, f, r.*
                   FROM (SELECT f, retention_report_agg(p) AS a
                         FROM (SELECT customer_id, min(f) AS f, retention_periods(f, t, '7 days', 6, 'n_day', '2025-01-28 00:00+00') AS p
                               FROM gen JOIN (SELECT customer_id, min(t) AS f FROM gen GROUP BY 1) m USING (customer_id)
                               GROUP BY customer_id) pc GROUP BY f) s, unnest(s.a) r) c USING (f, period);
-- the cohorts computed under America/New_York are the same rows
SELECT count(*) AS rows, count(*) FILTER (WHERE (a.*)::text = (b.*)::text) AS same_in_any_zone
FROM (SELECT cohort, period, customers, observed, retained, rate, row_number() OVER (ORDER BY cohort, period, customers, observed, retained) AS n FROM ret_cjourney) a
JOIN (SELECT date_bin('7 days', f, '2025-01-06 00:00+00') AS cohort, r.period, r.customers, r.observed, r.retained, r.rate,
             row_number() OVER (ORDER BY date_bin('7 days', f, '2025-01-06 00:00+00'), r.period, r.customers, r.observed, r.retained) AS n
      FROM (SELECT f, retention_report_agg(p) AS a
            FROM (SELECT customer_id, min(f) AS f, retention_periods(f, t, '7 days', 6, 'n_day', '2025-01-28 00:00+00') AS p
                  FROM gen JOIN (SELECT customer_id, min(t) AS f FROM gen GROUP BY 1) m USING (customer_id)
                  GROUP BY customer_id) pc GROUP BY f) s, unnest(s.a) r) b USING (n);
-- unbounded: active in period k or any later one (up to as_of)
WITH firsts AS (SELECT customer_id, min(t) AS f FROM gen GROUP BY 1),
 per AS (SELECT k, f.f + (k + 1) * interval '2 days' <= '2025-01-09 00:00+00' AS obs,
                EXISTS (SELECT 1 FROM gen a WHERE a.customer_id = f.customer_id AND a.t <= '2025-01-09 00:00+00'
                        AND a.t >= f.f + k * interval '2 days') AS act
         FROM firsts f, generate_series(0, 8) k)
SELECT k AS period, count(*) AS customers, count(*) FILTER (WHERE obs) AS observed,
       CASE WHEN count(*) FILTER (WHERE obs) > 0 THEN count(*) FILTER (WHERE obs AND act) END AS retained,
       (SELECT row(u.customers, u.observed, u.retained) FROM ret_unb u WHERE u.period = k)
       = row(count(*), count(*) FILTER (WHERE obs), CASE WHEN count(*) FILTER (WHERE obs) > 0 THEN count(*) FILTER (WHERE obs AND act) END) AS matches
FROM per GROUP BY k ORDER BY k;

-- funnel options: exclusion steps, against every chain enumerated in plain SQL
CREATE TEMP TABLE ch AS
SELECT a.customer_id, 1 AS level, a.t AS t1, NULL::timestamptz AS t2, NULL::timestamptz AS t3
FROM gen a WHERE a.e = 'a'
UNION ALL
SELECT a.customer_id, 2, a.t, b.t, NULL FROM gen a JOIN gen b USING (customer_id)
WHERE a.e = 'a' AND b.e = 'b' AND b.t >= a.t AND b.t <= a.t + interval '3 days'
UNION ALL
SELECT a.customer_id, 3, a.t, b.t, c.t FROM gen a JOIN gen b USING (customer_id) JOIN gen c USING (customer_id)
WHERE a.e = 'a' AND b.e = 'b' AND c.e = 'c' AND b.t >= a.t AND c.t >= b.t AND c.t <= a.t + interval '3 days';
CREATE TEMP TABLE excl_ref AS
WITH ranges(f, tt) AS (VALUES (1, 2), (2, 3), (1, 3)),
 marked AS (
    SELECT r.f, r.tt, c.customer_id, c.level,
           c.level >= r.f AND EXISTS (
               SELECT 1 FROM gen x WHERE x.customer_id = c.customer_id AND x.e = 'x'
                 AND x.t > (ARRAY[c.t1, c.t2, c.t3])[r.f]
                 AND CASE WHEN c.level >= r.tt THEN x.t < (ARRAY[c.t1, c.t2, c.t3])[r.tt]
                          ELSE x.t <= c.t1 + interval '3 days' END) AS void
    FROM ranges r, ch c)
SELECT r.f, r.tt, g.customer_id,
       CASE WHEN bool_or(m.level >= r.f) AND NOT coalesce(bool_or(m.level >= r.f AND NOT m.void), false) THEN NULL
            ELSE coalesce(max(m.level) FILTER (WHERE NOT m.void), 0) END AS level
FROM (VALUES (1, 2), (2, 3), (1, 3)) r(f, tt)
CROSS JOIN (SELECT DISTINCT customer_id FROM gen) g
LEFT JOIN marked m ON m.f = r.f AND m.tt = r.tt AND m.customer_id = g.customer_id
GROUP BY r.f, r.tt, g.customer_id;
SELECT r.f AS from_step, r.tt AS to_step, count(*) AS customers,
       count(*) FILTER (WHERE r.level IS NOT DISTINCT FROM w.level) AS matches,
       count(*) FILTER (WHERE r.level IS NULL) AS excluded,
       count(*) FILTER (WHERE w.level IS DISTINCT FROM w.plain) AS differ_from_window_funnel,
       count(*) FILTER (WHERE cardinality(w.times) IS DISTINCT FROM w.level) AS times_length_wrong
FROM excl_ref r JOIN (
    SELECT customer_id, v.f, v.tt,
           window_funnel_excluding(interval '3 days', 'default', t, e = 'x', v.f, v.tt, e = 'a', e = 'b', e = 'c') AS level,
           window_funnel_excluding_times(interval '3 days', 'default', t, e = 'x', v.f, v.tt, e = 'a', e = 'b', e = 'c') AS times,
           window_funnel(interval '3 days', t, e = 'a', e = 'b', e = 'c') AS plain
    FROM gen, (VALUES (1, 2), (2, 3), (1, 3)) v(f, tt) GROUP BY customer_id, v.f, v.tt) w
  ON w.customer_id = r.customer_id AND w.f = r.f AND w.tt = r.tt
GROUP BY r.f, r.tt ORDER BY 1, 2;
-- the times are a chain: steps in order, within the window, no excluded row between the range
SELECT count(*) AS bad_chains
FROM (SELECT customer_id,
             window_funnel_excluding_times(interval '3 days', 'default', t, e = 'x', 2, 3, e = 'a', e = 'b', e = 'c') AS times
      FROM gen GROUP BY customer_id) w
WHERE cardinality(w.times) = 3 AND (w.times[2] < w.times[1] OR w.times[3] < w.times[2] OR w.times[3] > w.times[1] + interval '3 days'
      OR EXISTS (SELECT 1 FROM gen x WHERE x.customer_id = w.customer_id AND x.e = 'x' AND x.t > w.times[2] AND x.t < w.times[3])
      OR NOT EXISTS (SELECT 1 FROM gen s WHERE s.customer_id = w.customer_id AND s.e = 'c' AND s.t = w.times[3]));
SELECT window_funnel_excluding(interval '1 day', 'strict_order', now(), false, 1, 2, true, true);
SELECT window_funnel_excluding(interval '1 day', 'default', now(), false, 2, 2, true, true);
SELECT window_funnel_excluding(interval '1 day', 'default', now(), false, 1, 3, true, true);

-- breakdown attribution: the property of the reported chain's rows (times
-- made distinct per customer so each step time names one row)
CREATE TEMP TABLE bd AS
SELECT DISTINCT ON (customer_id, t) customer_id, t, e,
       CASE WHEN abs(hashtext(customer_id || e || t)) % 4 = 0 THEN NULL
            ELSE (ARRAY['ads', 'email', 'web'])[1 + abs(hashtext(t::text || customer_id)) % 3] END AS channel
FROM gen ORDER BY customer_id, t, e;
CREATE TEMP TABLE bd_w AS
SELECT customer_id,
       window_funnel_times(interval '3 days', t, e = 'a', e = 'b', e = 'c') AS times,
       window_funnel_breakdown(interval '3 days', 'default', t, channel, 'first_touch', e = 'a', e = 'b', e = 'c') AS ft,
       window_funnel_breakdown(interval '3 days', 'default', t, channel, 'last_touch', e = 'a', e = 'b', e = 'c') AS lt,
       window_funnel_breakdown(interval '3 days', 'default', t, channel, 'step:2', e = 'a', e = 'b', e = 'c') AS s2
FROM bd GROUP BY customer_id;
WITH steprows AS (
    SELECT w.customer_id, k, b.channel
    FROM bd_w w, generate_series(1, 3) k
    JOIN bd b ON true
    WHERE k <= cardinality(w.times) AND b.customer_id = w.customer_id AND b.t = w.times[k])
SELECT count(*) AS customers,
       count(*) FILTER (WHERE (w.ft).level = cardinality(w.times) AND (w.lt).level = cardinality(w.times)) AS levels_match,
       count(*) FILTER (WHERE (w.ft).breakdown IS NOT DISTINCT FROM
                        (SELECT channel FROM steprows s WHERE s.customer_id = w.customer_id AND channel IS NOT NULL ORDER BY k LIMIT 1)) AS first_touch_matches,
       count(*) FILTER (WHERE (w.lt).breakdown IS NOT DISTINCT FROM
                        (SELECT channel FROM steprows s WHERE s.customer_id = w.customer_id AND channel IS NOT NULL ORDER BY k DESC LIMIT 1)) AS last_touch_matches,
       count(*) FILTER (WHERE (w.s2).breakdown IS NOT DISTINCT FROM
                        (SELECT channel FROM steprows s WHERE s.customer_id = w.customer_id AND k = 2)) AS step_2_matches,
       count(*) FILTER (WHERE (w.ft).breakdown IS DISTINCT FROM (w.lt).breakdown) AS first_and_last_differ
FROM bd_w w;
-- by breakdown: a funnel per first-touch channel
SELECT (ft).breakdown, count(*) AS customers, count(*) FILTER (WHERE (ft).level = 3) AS completed
FROM bd_w GROUP BY 1 ORDER BY 1 NULLS FIRST;
SELECT window_funnel_breakdown(interval '1 day', 'default', now(), 'x', 'step:3', true, true);
SELECT window_funnel_breakdown(interval '1 day', 'default', now(), 'x', 'middle', true, true);
SELECT window_funnel_breakdown(interval '1 day', 'increase', now(), 'x', 'first_touch', true, true);

-- unordered funnels: the most distinct steps matched within the window of a
-- row, against plain SQL
SELECT count(*) AS customers, count(*) FILTER (WHERE w.level = r.level) AS unordered_matches,
       count(*) FILTER (WHERE w.level > w.ordered) AS more_than_ordered
FROM (SELECT customer_id, window_funnel(interval '3 days', 'unordered', t, e = 'a', e = 'b', e = 'c') AS level,
             window_funnel(interval '3 days', t, e = 'a', e = 'b', e = 'c') AS ordered
      FROM gen GROUP BY customer_id) w
JOIN (SELECT g.customer_id, coalesce(max(n), 0) AS level
      FROM (SELECT DISTINCT customer_id FROM gen) g
      LEFT JOIN LATERAL (
          SELECT (SELECT count(DISTINCT y.e) FROM gen y WHERE y.customer_id = x.customer_id AND y.e IN ('a', 'b', 'c')
                    AND y.t >= x.t AND y.t <= x.t + interval '3 days') AS n
          FROM gen x WHERE x.customer_id = g.customer_id AND x.e IN ('a', 'b', 'c')) m ON true
      GROUP BY g.customer_id) r USING (customer_id);
SELECT journey_funnel('{2025-01-02T00:00:00Z awareness web b; 2025-01-01T00:00:00Z awareness web a}'::journey, interval '1 day', 'unordered', 'a', 'b'),
       journey_funnel('{2025-01-02T00:00:00Z awareness web b; 2025-01-01T00:00:00Z awareness web a}'::journey, interval '1 day', 'default', 'b', 'a');
SELECT window_funnel_times(interval '1 day', 'unordered', now(), true);
SELECT window_funnel(interval '1 day', 'unordered, strict_order', now(), true);
