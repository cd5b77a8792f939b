-- test/fuzz/seeds.sql: valid values the fuzzers start from (run after
-- cjourney_fuzz.sql, in a database with cjourney).
--
--   cjfuzz.rows         sample touch rows (odd labels, repeated times, values)
--   cjfuzz.seed_values  (typ, v): valid values of every cjourney type, as text
--   cjfuzz.agg_seeds    (agg, query, rows_per_state): for every aggregate with
--                       an internal state, rows for cjfuzz.agg_states; the query's
--                       columns are the aggregate's arguments, in order
SET client_min_messages = warning;
CREATE TYPE cjfuzz.deal_stage AS ENUM ('lead', 'mql', 'sql', 'won');

CREATE TABLE cjfuzz.rows AS
SELECT 1 + g % 5 AS customer_id,
       '2025-03-01 00:00+00'::timestamptz + (g / 3) * interval '7 hours 13 minutes' AS ts,
       (enum_range(NULL::stage))[1 + (g * 7) % 5] AS stage,
       (ARRAY['web', 'email', 'a b', 'x"y', 'back\slash', 'semi;colon', '{brace}', 'NULL', '', 'café', 'direct'])[1 + g % 11] AS channel,
       (ARRAY['page_view', NULL, 'purchase', 'signup', 'é✓'])[1 + g % 5] AS event,
       CASE WHEN g % 4 = 0 THEN round(g * 1.25 - 20, 2) END AS revenue,
       g % 5 = 2 AS converted,
       g % 7 = 0 AS lead,
       g % 11 = 0 AS opp
FROM generate_series(1, 80) g;

CREATE TABLE cjfuzz.seed_values (typ regtype, v text);

INSERT INTO cjfuzz.seed_values
SELECT 'touchpoint'::regtype, x FROM unnest(ARRAY[
    '2025-03-01T09:00:00Z awareness web NULL',
    '2025-03-01T09:00:00.123456Z decision store purchase 129.90',
    '[lead<mql<sql] 0001-01-01T00:00:00Z sql "a b" "x\"y" -1e-20',
    '9999-12-31T23:59:59.999999Z advocacy NULL NULL 123456789012345678901234567890.5']) x
UNION ALL
SELECT 'touchpoint', touchpoint(ts, stage, channel, event, revenue)::text FROM cjfuzz.rows WHERE customer_id = 1
UNION ALL
SELECT 'journey', x FROM unnest(ARRAY[
    '{}',
    '[only] {2025-03-01T09:00:00Z only x y}',
    '[lead<mql<sql<won] {2025-01-05T10:00:00Z lead web form; 2025-01-09T11:00:00Z sql email NULL 120.50; 2025-01-09T11:00:00Z sql email NULL 120.50}',
    '{0001-01-01T00:00:00Z awareness web NULL; 9999-12-31T23:59:59.999999Z advocacy web NULL}',
    '{2025-03-06T08:00:00Z decision s p 2}']) x
UNION ALL
SELECT 'journey', journey_agg(touchpoint(ts, stage, channel, event, revenue))::text FROM cjfuzz.rows GROUP BY customer_id
UNION ALL
SELECT 'journey', journey_agg(ts, (enum_range(NULL::cjfuzz.deal_stage))[1 + extract(hour FROM ts)::int % 4], channel, event)::text
FROM cjfuzz.rows GROUP BY customer_id % 2
UNION ALL
SELECT 'stage_time', stage_time_agg(ts, stage)::text FROM cjfuzz.rows GROUP BY customer_id
UNION ALL
SELECT 'stage_time', x FROM unnest(ARRAY['{}', '[a<b] {2025-01-01T00:00:00Z b; 2025-01-02T00:00:00Z a}']) x
UNION ALL
SELECT 'funnel_report', funnel_report_agg(times, 3)::text
FROM (SELECT customer_id, window_funnel_times('30 days', 'default', ts, stage = 'awareness', stage = 'consideration', stage = 'decision') AS times
      FROM cjfuzz.rows GROUP BY customer_id) r GROUP BY customer_id % 2
UNION ALL
SELECT 'funnel_report', x FROM unnest(ARRAY['1; 0', '3; 100 60 20; 3600000000:2 7200000000:58; 86400000000:1', '3 first_step_start; 100 60 20; 3600000000:2; 1:1', '2 latest_step_start; 4 1; 0:1']) x
UNION ALL
SELECT 'response_state', response_agg(customer_id % 2 = 0, converted, revenue::float8)::text FROM cjfuzz.rows
UNION ALL
SELECT 'response_state', response_agg(customer_id % 2 = 0, converted)::text FROM cjfuzz.rows
UNION ALL
SELECT 'response_variants', response_variants_agg((ARRAY['control', 'variant a', 'b"quoted'])[1 + customer_id % 3], converted)::text FROM cjfuzz.rows
UNION ALL
SELECT 'attribution', attribution_agg(ts, channel, converted, revenue, m.model, m.options)::text
FROM cjfuzz.rows, (VALUES ('first_touch', ''), ('last_non_direct', 'direct=direct'), ('linear', 'lookback=30 days'),
                          ('time_decay', 'half_life=1 day'), ('position_based', 'weights=0.5/0.25/0.25'),
                          ('markov', ''), ('shapley', '')) m(model, options)
GROUP BY m.model, m.options
UNION ALL
SELECT 'attribution', attribution_agg(ts, channel, converted, revenue, lead, opp, 'w_shaped', '')::text FROM cjfuzz.rows
UNION ALL
SELECT 'path_report', x FROM unnest(ARRAY['left |', 'right | ["x"]=1 ["a","b"]=2 ["a",NULL,"c\"d\\e"]=1',
                                          'left | ["é","✓"]=1000000']) x
UNION ALL
SELECT 'path_report', path_report_agg(p, a)::text
FROM (SELECT customer_id, event_path(ts, channel, NULL, 'from', 4, true) AS p FROM cjfuzz.rows GROUP BY customer_id) x,
     (VALUES ('left'), ('right')) v(a)
GROUP BY a;

CREATE TABLE cjfuzz.agg_seeds (agg regprocedure, query text, rows_per_state int);
INSERT INTO cjfuzz.agg_seeds VALUES
 ('journey_agg(timestamptz, anyenum, text, text)', 'SELECT ts, stage, channel, event FROM cjfuzz.rows', 30),
 ('journey_agg(timestamptz, anyenum, text, text)', 'SELECT ts, stage, channel, event FROM cjfuzz.rows WHERE customer_id = 2', 5),
 ('journey_agg(touchpoint)', 'SELECT touchpoint(ts, stage, channel, event, revenue) FROM cjfuzz.rows', 40),
 ('stage_time_agg(timestamptz, anyenum)', 'SELECT ts, stage FROM cjfuzz.rows', 40),
 ('rollup(stage_time)', 'SELECT stage_time_agg(ts, stage) FROM cjfuzz.rows GROUP BY customer_id', 3),
 ('window_funnel(interval, text, timestamptz, boolean[])', $q$SELECT interval '30 days', 'strict_order', ts, ARRAY[stage = 'awareness', stage = 'consideration', event = 'purchase'] FROM cjfuzz.rows$q$, 40),
 ('window_funnel(interval, timestamptz, boolean[])', $q$SELECT interval '2 days', ts, ARRAY[stage = 'awareness', stage = 'decision'] FROM cjfuzz.rows$q$, 80),
 ('window_funnel(bigint, text, bigint, boolean[])', $q$SELECT 100000::bigint, 'strict_once', extract(epoch FROM ts)::bigint, ARRAY[stage = 'awareness', stage = 'decision'] FROM cjfuzz.rows$q$, 40),
 ('window_funnel(bigint, bigint, boolean[])', $q$SELECT 100000::bigint, extract(epoch FROM ts)::bigint, ARRAY[converted, lead] FROM cjfuzz.rows$q$, 80),
 ('window_funnel_times(interval, text, timestamptz, boolean[])', $q$SELECT interval '30 days', 'strict_increase', ts, ARRAY[stage = 'awareness', stage = 'consideration'] FROM cjfuzz.rows$q$, 40),
 ('window_funnel_times(interval, timestamptz, boolean[])', $q$SELECT interval '30 days', ts, ARRAY[stage = 'awareness', converted] FROM cjfuzz.rows$q$, 80),
 ('window_funnel_times(bigint, text, bigint, boolean[])', $q$SELECT 1000000::bigint, 'strict_deduplication', extract(epoch FROM ts)::bigint, ARRAY[stage = 'awareness', converted] FROM cjfuzz.rows$q$, 80),
 ('window_funnel_times(bigint, bigint, boolean[])', $q$SELECT 1000000::bigint, extract(epoch FROM ts)::bigint, ARRAY[lead, converted] FROM cjfuzz.rows$q$, 80),
 ('retention(boolean[])', 'SELECT ARRAY[converted, lead, opp] FROM cjfuzz.rows', 40),
 ('retention_sum(boolean[])', 'SELECT ARRAY[converted, lead, opp, true] FROM cjfuzz.rows', 40),
 ('funnel_report_agg(timestamptz[], integer)', $q$SELECT (ARRAY[ts, ts + (customer_id * interval '1 hour')])[1:1 + customer_id % 2], 3 FROM cjfuzz.rows$q$, 30),
 ('funnel_report_agg(timestamptz[], integer, text)', $q$SELECT (ARRAY[ts, ts + (customer_id * interval '1 hour')])[1:1 + customer_id % 2], 3, 'first_step_start' FROM cjfuzz.rows$q$, 30),
 ('funnel_report_agg(integer, integer)', 'SELECT customer_id % 4, 3 FROM cjfuzz.rows', 40),
 ('window_funnel_excluding(interval, text, timestamptz, boolean, integer, integer, boolean[])', $q$SELECT interval '30 days', 'default', ts, lead, 1, 2, ARRAY[stage = 'awareness', stage = 'consideration', converted] FROM cjfuzz.rows$q$, 40),
 ('window_funnel_excluding_times(interval, text, timestamptz, boolean, integer, integer, boolean[])', $q$SELECT interval '30 days', 'strict_increase', ts, opp, 2, 3, ARRAY[stage = 'awareness', stage = 'consideration', converted] FROM cjfuzz.rows$q$, 40),
 ('window_funnel_breakdown(interval, text, timestamptz, text, text, boolean[])', $q$SELECT interval '30 days', 'default', ts, channel, 'first_touch', ARRAY[stage = 'awareness', converted] FROM cjfuzz.rows$q$, 40),
 ('window_funnel_breakdown(interval, text, timestamptz, text, text, boolean[])', $q$SELECT interval '30 days', 'strict_order', ts, channel, 'step:2', ARRAY[stage = 'awareness', converted] FROM cjfuzz.rows$q$, 40),
 ('retention_periods(timestamptz, timestamptz, interval, integer, text, timestamptz)', $q$SELECT timestamptz '2025-01-01 00:00+00', ts, interval '2 days', 10, 'n_day', timestamptz '2025-02-01 00:00+00' FROM cjfuzz.rows$q$, 40),
 ('retention_periods(timestamptz, timestamptz, interval, integer, text, timestamptz)', $q$SELECT timestamptz '2025-01-01 00:00+00', ts, interval '1 day', 500, 'unbounded', NULL::timestamptz FROM cjfuzz.rows$q$, 40),
 ('retention_report_agg(boolean[])', $q$SELECT ARRAY[true, converted, lead, NULL] FROM cjfuzz.rows$q$, 40),
 ('rollup(funnel_report)', $q$SELECT v::funnel_report FROM cjfuzz.seed_values WHERE typ = 'funnel_report'::regtype AND v LIKE '3;%'$q$, 2),
 ('touches_before_conversion(timestamptz, boolean)', 'SELECT ts, converted FROM cjfuzz.rows', 30),
 ('touches_before_conversion(timestamptz, boolean, interval)', $q$SELECT ts, converted, interval '3 days' FROM cjfuzz.rows$q$, 30),
 ('touches_before_each_conversion(timestamptz, boolean)', 'SELECT ts, converted FROM cjfuzz.rows', 30),
 ('time_to_conversion(timestamptz, boolean)', 'SELECT ts, converted FROM cjfuzz.rows', 30),
 ('conversion_path(timestamptz, text, boolean)', 'SELECT ts, channel, converted FROM cjfuzz.rows', 30),
 ('conversion_path(timestamptz, text, boolean, boolean, integer)', 'SELECT ts, channel, converted, true, 3 FROM cjfuzz.rows', 30),
 ('attribution_agg(timestamptz, text, boolean, numeric, text)', $q$SELECT ts, channel, converted, revenue, 'linear' FROM cjfuzz.rows$q$, 30),
 ('attribution_agg(timestamptz, text, boolean, numeric, text, text)', $q$SELECT ts, channel, converted, revenue, 'time_decay', 'half_life=2 days, lookback=10 days' FROM cjfuzz.rows$q$, 30),
 ('attribution_agg(timestamptz, text, boolean, numeric, boolean, boolean, text, text)', $q$SELECT ts, channel, converted, revenue, lead, opp, 'w_shaped', '' FROM cjfuzz.rows$q$, 30),
 ('attribution_agg(text[], bigint, bigint, numeric, text)', $q$SELECT ARRAY[channel, 'web'], customer_id::bigint, (customer_id % 2)::bigint, revenue, 'markov' FROM cjfuzz.rows$q$, 30),
 ('attribution_agg(text[], bigint, bigint, numeric, text, text)', $q$SELECT ARRAY[channel, 'email', channel], customer_id::bigint, 1::bigint, revenue, 'shapley', '' FROM cjfuzz.rows$q$, 30),
 ('attribution_agg(text[], bigint, bigint, numeric, text, text)', $q$SELECT ARRAY[channel], 1::bigint, 0::bigint, revenue, 'position_based', 'weights=0.4/0.2/0.4' FROM cjfuzz.rows$q$, 30),
 ('attribution_agg(journey, text, text)', $q$SELECT v::journey, 'purchase', 'markov' FROM cjfuzz.seed_values WHERE typ = 'journey'::regtype$q$, 4),
 ('attribution_agg(journey, text, text, text)', $q$SELECT v::journey, 'purchase', 'first_touch', 'lookback=30 days' FROM cjfuzz.seed_values WHERE typ = 'journey'::regtype$q$, 4),
 ('rollup(attribution)', $q$SELECT v::attribution FROM cjfuzz.seed_values WHERE typ = 'attribution'::regtype AND v LIKE 'markov%'$q$, 1),
 ('rollup(attribution)', $q$SELECT v::attribution FROM cjfuzz.seed_values WHERE typ = 'attribution'::regtype AND v LIKE 'linear%'$q$, 1),
 ('session_count(timestamptz, interval)', $q$SELECT ts, interval '1 day' FROM cjfuzz.rows$q$, 30),
 ('session_count(timestamptz, interval, interval, text, boolean)', $q$SELECT ts, interval '1 day', interval '3 days', 'UTC', event = 'signup' FROM cjfuzz.rows$q$, 30),
 ('session_count(timestamp, interval)', $q$SELECT ts AT TIME ZONE 'UTC', interval '8 hours' FROM cjfuzz.rows$q$, 30),
 ('session_count(timestamp, interval, interval, boolean, boolean)', $q$SELECT ts AT TIME ZONE 'UTC', interval '8 hours', NULL::interval, true, converted FROM cjfuzz.rows$q$, 30),
 ('session_count(bigint, bigint)', $q$SELECT extract(epoch FROM ts)::bigint, 40000::bigint FROM cjfuzz.rows$q$, 30),
 ('session_count(bigint, bigint, bigint, boolean)', $q$SELECT extract(epoch FROM ts)::bigint, 40000::bigint, 100000::bigint, lead FROM cjfuzz.rows$q$, 30),
 ('event_path(timestamptz, text)', 'SELECT ts, channel FROM cjfuzz.rows', 30),
 ('event_path(timestamptz, text, text, text, integer, boolean)', $q$SELECT ts, channel, 'web', 'from', 5, true FROM cjfuzz.rows$q$, 30),
 ('event_path_between(timestamptz, text, text, text, integer, boolean)', $q$SELECT ts, channel, 'web', 'email', 4, false FROM cjfuzz.rows$q$, 30),
 ('journey_agg(timestamp, anyenum, text, text)', $q$SELECT ts AT TIME ZONE 'UTC', stage, channel, event FROM cjfuzz.rows$q$, 30),
 ('stage_time_agg(timestamp, anyenum)', $q$SELECT ts AT TIME ZONE 'UTC', stage FROM cjfuzz.rows$q$, 30),
 ('window_funnel(interval, text, timestamp, boolean[])', $q$SELECT interval '30 days', 'strict_order', ts AT TIME ZONE 'UTC', ARRAY[stage = 'awareness', event = 'purchase'] FROM cjfuzz.rows$q$, 30),
 ('window_funnel(interval, timestamp, boolean[])', $q$SELECT interval '2 days', ts AT TIME ZONE 'UTC', ARRAY[stage = 'awareness', stage = 'decision'] FROM cjfuzz.rows$q$, 30),
 ('window_funnel_times(interval, text, timestamp, boolean[])', $q$SELECT interval '30 days', 'strict_increase', ts AT TIME ZONE 'UTC', ARRAY[stage = 'awareness', converted] FROM cjfuzz.rows$q$, 30),
 ('window_funnel_times(interval, timestamp, boolean[])', $q$SELECT interval '30 days', ts AT TIME ZONE 'UTC', ARRAY[stage = 'awareness', converted] FROM cjfuzz.rows$q$, 30),
 ('funnel_report_agg(timestamp[], integer)', $q$SELECT (ARRAY[ts AT TIME ZONE 'UTC', (ts AT TIME ZONE 'UTC') + (customer_id * interval '1 hour')])[1:1 + customer_id % 2], 3 FROM cjfuzz.rows$q$, 30),
 ('touches_before_conversion(timestamp, boolean)', $q$SELECT ts AT TIME ZONE 'UTC', converted FROM cjfuzz.rows$q$, 30),
 ('touches_before_conversion(timestamp, boolean, interval)', $q$SELECT ts AT TIME ZONE 'UTC', converted, interval '3 days' FROM cjfuzz.rows$q$, 30),
 ('touches_before_each_conversion(timestamp, boolean)', $q$SELECT ts AT TIME ZONE 'UTC', converted FROM cjfuzz.rows$q$, 30),
 ('time_to_conversion(timestamp, boolean)', $q$SELECT ts AT TIME ZONE 'UTC', converted FROM cjfuzz.rows$q$, 30),
 ('conversion_path(timestamp, text, boolean)', $q$SELECT ts AT TIME ZONE 'UTC', channel, converted FROM cjfuzz.rows$q$, 30),
 ('conversion_path(timestamp, text, boolean, boolean, integer)', $q$SELECT ts AT TIME ZONE 'UTC', channel, converted, true, 3 FROM cjfuzz.rows$q$, 30),
 ('attribution_agg(timestamp, text, boolean, numeric, text)', $q$SELECT ts AT TIME ZONE 'UTC', channel, converted, revenue, 'linear' FROM cjfuzz.rows$q$, 30),
 ('attribution_agg(timestamp, text, boolean, numeric, text, text)', $q$SELECT ts AT TIME ZONE 'UTC', channel, converted, revenue, 'time_decay', 'half_life=2 days' FROM cjfuzz.rows$q$, 30),
 ('attribution_agg(timestamp, text, boolean, numeric, boolean, boolean, text, text)', $q$SELECT ts AT TIME ZONE 'UTC', channel, converted, revenue, lead, opp, 'w_shaped', '' FROM cjfuzz.rows$q$, 30),
 ('event_path(timestamp, text)', $q$SELECT ts AT TIME ZONE 'UTC', channel FROM cjfuzz.rows$q$, 30),
 ('event_path(timestamp, text, text, text, integer, boolean)', $q$SELECT ts AT TIME ZONE 'UTC', channel, 'web', 'from', 5, true FROM cjfuzz.rows$q$, 30),
 ('event_path_between(timestamp, text, text, text, integer, boolean)', $q$SELECT ts AT TIME ZONE 'UTC', channel, 'web', 'email', 4, false FROM cjfuzz.rows$q$, 30),
 ('journey_agg(timestamptz, text, text, text, text)', $q$SELECT ts, stage::text, channel, event, 'awareness<consideration<decision<retention<advocacy' FROM cjfuzz.rows$q$, 30),
 ('journey_agg(timestamp, text, text, text, text)', $q$SELECT ts AT TIME ZONE 'UTC', stage::text, channel, event, 'awareness<consideration<decision; unknown=skip' FROM cjfuzz.rows$q$, 30),
 ('stage_time_agg(timestamptz, text, text)', $q$SELECT ts, stage::text, 'stage' FROM cjfuzz.rows$q$, 30),
 ('stage_time_agg(timestamp, text, text)', $q$SELECT ts AT TIME ZONE 'UTC', stage::text, 'awareness<consideration<decision<retention<advocacy<other; unknown=null' FROM cjfuzz.rows$q$, 30),
 ('path_report_agg(text[])', $q$SELECT ARRAY[channel, event] FROM cjfuzz.rows$q$, 30),
 ('path_report_agg(text[], text)', $q$SELECT ARRAY[event, channel], 'right' FROM cjfuzz.rows$q$, 30),
 ('rollup(path_report)', $q$SELECT v::path_report FROM cjfuzz.seed_values WHERE typ = 'path_report'::regtype AND v LIKE 'left%'$q$, 2),
 ('sequence_match(text, timestamptz, boolean[])', $q$SELECT '(?1).*(?t<=86400)(?2)', ts, ARRAY[stage = 'awareness', converted, lead] FROM cjfuzz.rows$q$, 30),
 ('sequence_match(text, bigint, boolean[])', $q$SELECT '(?1)(?2)', extract(epoch FROM ts)::bigint, ARRAY[converted, lead] FROM cjfuzz.rows$q$, 40),
 ('sequence_count(text, timestamptz, boolean[])', $q$SELECT '(?1)(?t>3600).(?2)', ts, ARRAY[stage = 'awareness', converted] FROM cjfuzz.rows$q$, 30),
 ('sequence_count(text, bigint, boolean[])', $q$SELECT '.*(?1)', extract(epoch FROM ts)::bigint, ARRAY[lead] FROM cjfuzz.rows$q$, 40),
 ('sequence_match_events(text, timestamptz, boolean[])', $q$SELECT '(?1)(?t<=86400)(?2)(?3)', ts, ARRAY[stage = 'awareness', converted, opp] FROM cjfuzz.rows$q$, 30),
 ('sequence_match_events(text, bigint, boolean[])', $q$SELECT '(?2).*(?1)', extract(epoch FROM ts)::bigint, ARRAY[converted, lead] FROM cjfuzz.rows$q$, 40),
 ('sequence_next_node(text, text, timestamptz, text, boolean, boolean[])', $q$SELECT 'forward', 'first_match', ts, channel, lead, ARRAY[converted, true] FROM cjfuzz.rows$q$, 30),
 ('sequence_next_node(text, text, timestamptz, text, boolean)', $q$SELECT 'forward', 'head', ts, channel, true FROM cjfuzz.rows$q$, 30),
 ('sequence_next_node(text, text, bigint, text, boolean, boolean[])', $q$SELECT 'backward', 'last_match', extract(epoch FROM ts)::bigint, event, converted, ARRAY[true] FROM cjfuzz.rows WHERE event IS NOT NULL$q$, 30),
 ('sequence_next_node(text, text, bigint, text, boolean)', $q$SELECT 'backward', 'tail', extract(epoch FROM ts)::bigint, channel, opp FROM cjfuzz.rows$q$, 30),
 ('journey_stage_stats(journey)', $q$SELECT v::journey FROM cjfuzz.seed_values WHERE typ = 'journey'::regtype AND v NOT LIKE '[%'$q$, 3),
 ('journey_stage_stats(journey, timestamptz)', $q$SELECT v::journey, '9999-12-31 23:59:59.999999+00'::timestamptz FROM cjfuzz.seed_values WHERE typ = 'journey'::regtype AND v NOT LIKE '[%'$q$, 3),
 ('funnel_report_agg(journey, interval, text, text[])', $q$SELECT v::journey, interval '30 days', 'default', ARRAY['stage = awareness', 'event = purchase | signup', '*'] FROM cjfuzz.seed_values WHERE typ = 'journey'::regtype$q$, 4),
 ('journey_attribution_agg(journey, text, text)', $q$SELECT v::journey, 'event = purchase | stage >= decision', 'markov' FROM cjfuzz.seed_values WHERE typ = 'journey'::regtype$q$, 4),
 ('journey_attribution_agg(journey, text, text, text)', $q$SELECT v::journey, 'purchase | channel = web', 'position_based', 'lookback=30 days' FROM cjfuzz.seed_values WHERE typ = 'journey'::regtype$q$, 4);
RESET client_min_messages;
