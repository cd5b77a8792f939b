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
