-- Generated from README.md by scripts/readme_examples.sh; do not edit.


CREATE SCHEMA cj_tour;
SET search_path = cj_tour, public;

CREATE TABLE touchpoints (
    customer_id bigint,
    occurred_at timestamptz,
    stage       text,
    channel     text,
    event       text,
    revenue     numeric
);
INSERT INTO touchpoints VALUES
    (1, '2025-03-01 09:00+00', 'awareness',     'paid_search', 'ad_click',    NULL),
    (1, '2025-03-03 10:00+00', 'consideration', 'email',       'email_open',  NULL),
    (1, '2025-03-03 10:00+00', 'consideration', 'email',       'email_click', NULL),
    (1, '2025-03-06 08:00+00', 'decision',      'store',       'purchase',    249.00),
    (2, '2025-03-02 12:00+00', 'awareness',     'social',      'ad_click',    NULL),
    (2, '2025-03-09 18:30+00', 'consideration', 'web',         'page_view',   NULL);

SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS journey
FROM touchpoints GROUP BY customer_id ORDER BY customer_id;

SELECT customer_id,
       journey_length(j)         AS touches,
       journey_stages(j)         AS stages_reached,
       journey_furthest_stage(j) AS furthest,
       journey_duration(j)       AS duration,
       j @> 'decision'::stage    AS decided
FROM (SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS j
      FROM touchpoints GROUP BY customer_id) s
ORDER BY customer_id;

CREATE TABLE journeys AS
SELECT customer_id, journey_agg(touchpoint(occurred_at, stage::stage, channel, event, revenue)) AS j
FROM touchpoints GROUP BY customer_id;
ALTER TABLE journeys ADD PRIMARY KEY (customer_id);
CREATE INDEX journeys_start ON journeys (journey_start(j));
CREATE INDEX journeys_j ON journeys USING hash (j);

SELECT t.* FROM journeys, journey_touchpoints(j) AS t WHERE customer_id = 1;
SELECT count(*) FROM journeys WHERE journey_start(j) >= '2025-03-01';

SELECT 'decision'::stage > 'consideration'::stage AS later,
       enum_range(NULL::stage) AS lifecycle;

CREATE TYPE sales_stage AS ENUM ('lead', 'mql', 'sql', 'opportunity', 'customer');

SELECT journey_agg(t, s, 'web', NULL) AS j
FROM (VALUES ('2025-01-05 10:00+00'::timestamptz, 'lead'::sales_stage),
             ('2025-01-09 11:00+00', 'opportunity'),
             ('2025-01-12 15:00+00', 'sql')) v(t, s);

SELECT journey_furthest_stage(j)::sales_stage >= 'sql' AS qualified
FROM (VALUES ('[lead<mql<sql<opportunity<customer] {2025-01-05T10:00:00Z lead web NULL; 2025-01-09T11:00:00Z opportunity web NULL}'::journey)) v(j);

SELECT touchpoint('2025-03-06 08:00+00', 'decision'::stage, 'store', 'purchase', 249.00) AS tp;
SELECT touchpoint_stage(tp), touchpoint_value(tp)
FROM (VALUES ('2025-03-06T08:00:00Z decision store purchase 249.00'::touchpoint)) v(tp);

SELECT journey_slice(j, NULL, '2025-03-04') AS before_march_4,
       journey_slice(j, NULL, '2025-03-04') || journey_slice(j, '2025-03-04', NULL) = j AS same
FROM journeys WHERE customer_id = 1;

SELECT journey_agg(occurred_at, stage::stage, channel, event ORDER BY occurred_at DESC)
     = journey_agg(occurred_at, stage::stage, channel, event) AS order_free
FROM touchpoints WHERE customer_id = 1;

SELECT customer_id, s.*
FROM (SELECT customer_id, stage_time_agg(occurred_at, stage::stage) AS st
      FROM touchpoints GROUP BY customer_id) c,
     stage_durations(c.st) AS s
ORDER BY customer_id, s.first_entered;

SELECT duration_in(st, 'consideration'::stage, '2025-03-02', '2025-03-05') AS in_range,
       duration_in(st, 'decision'::stage, '2025-03-10') AS decision_as_of
FROM (SELECT stage_time_agg(occurred_at, stage::stage) AS st
      FROM touchpoints WHERE customer_id = 1) s;

SELECT customer_id, week,
       duration_in(st, 'consideration'::stage, week, week + interval '1 week',
                   lag(st) OVER (PARTITION BY customer_id ORDER BY week)) AS consideration
FROM (SELECT customer_id, date_trunc('week', occurred_at) AS week,
             stage_time_agg(occurred_at, stage::stage) AS st
      FROM touchpoints GROUP BY 1, 2) w
ORDER BY customer_id, week;

SELECT rollup(st) = (SELECT stage_time_agg(occurred_at, stage::stage) FROM touchpoints WHERE customer_id = 1) AS same
FROM (SELECT stage_time_agg(occurred_at, stage::stage) AS st
      FROM touchpoints WHERE customer_id = 1 GROUP BY date_trunc('day', occurred_at)) daily;

SELECT customer_id,
       window_funnel(interval '7 days', occurred_at,
                     event = 'ad_click', stage = 'consideration', event = 'purchase') AS level,
       window_funnel_times(interval '7 days', occurred_at,
                           event = 'ad_click', stage = 'consideration', event = 'purchase') AS step_times
FROM touchpoints GROUP BY customer_id ORDER BY customer_id;

SELECT customer_id,
       journey_window_funnel(j, interval '30 days', 'default',
                             'ad_click', 'event = signup | event = trial_start', 'stage >= decision') AS level,
       journey_window_funnel_times(j, interval '30 days', 'strict_order',
                                   'ad_click', 'event = signup | event = trial_start', 'stage >= decision') AS step_times
FROM journeys ORDER BY customer_id;

SELECT customer_id,
       window_funnel_excluding(interval '7 days', 'default', occurred_at, event = 'email_open', 2, 3,
                               event = 'ad_click', stage = 'consideration', event = 'purchase') AS level_no_email_between,
       window_funnel_breakdown(interval '7 days', 'default', occurred_at, channel, 'first_touch',
                               event = 'ad_click', stage = 'consideration', event = 'purchase') AS by_first_channel,
       window_funnel(interval '7 days', 'unordered', occurred_at,
                     event = 'purchase', event = 'ad_click') AS any_order
FROM touchpoints GROUP BY customer_id ORDER BY customer_id;

SELECT f.*
FROM (SELECT funnel_report_agg(times, 3) AS r
      FROM (SELECT customer_id,
                   window_funnel_times(interval '7 days', occurred_at,
                                       event = 'ad_click', stage = 'consideration', event = 'purchase') AS times
            FROM touchpoints GROUP BY customer_id) per_customer) rep,
     funnel_steps(rep.r) f;

SELECT step, customers, conversion_from_previous
FROM (SELECT funnel_report_agg(journey_stage_funnel(j, 'reached'), 5) AS r FROM journeys) x,
     funnel_steps(x.r);

SELECT customer_id,
       retention(occurred_at < '2025-03-05', occurred_at >= '2025-03-05') AS active_week1_then_later
FROM touchpoints GROUP BY customer_id ORDER BY customer_id;

SELECT cohort::date, r.*
FROM (SELECT date_trunc('week', first_at) AS cohort, retention_report_agg(p) AS a
      FROM (SELECT customer_id, min(f.first_at) AS first_at,
                   retention_periods(f.first_at, t.occurred_at, '1 day', 7, 'n_day', '2025-03-08') AS p
            FROM touchpoints t
            JOIN (SELECT customer_id, min(occurred_at) AS first_at FROM touchpoints GROUP BY 1) f USING (customer_id)
            GROUP BY customer_id) per_customer
      GROUP BY 1) c,
     unnest(c.a) r
ORDER BY cohort, r.period;

SELECT customer_id,
       sequence_match('(?1).*(?2)', occurred_at, event = 'ad_click', event = 'purchase') AS clicked_then_bought,
       sequence_match('(?1)(?t<=259200)(?2)', occurred_at, event = 'ad_click', stage = 'consideration') AS engaged_within_3_days,
       sequence_count('(?1)', occurred_at, channel = 'email') AS email_touches,
       sequence_match_events('(?1).*(?2).*(?3)', occurred_at,
                             event = 'ad_click', channel = 'email', event = 'purchase') AS step_times
FROM touchpoints GROUP BY customer_id ORDER BY customer_id;

SELECT customer_id,
       sequence_next_node('forward', 'first_match', occurred_at, event, true, event = 'ad_click') AS after_first_click,
       sequence_next_node('backward', 'tail', occurred_at, event, true) AS last_event
FROM touchpoints GROUP BY customer_id ORDER BY customer_id;

SELECT customer_id,
       journey_sequence_match(j, '(?1).*(?2)', 'ad_click', 'stage >= decision') AS decided_after_click,
       journey_sequence_count(j, '(?1)', 'channel = email | channel = web') AS owned_touches,
       journey_next_node(j, 'forward', 'first_match', 'ad_click') AS after_click
FROM journeys ORDER BY customer_id;

SELECT customer_id,
       touches_before_conversion(occurred_at, event = 'purchase') AS touches,
       touches_before_conversion(occurred_at, event = 'purchase', interval '3 days') AS touches_3d,
       time_to_conversion(occurred_at, event = 'purchase') AS time_to_buy,
       conversion_path(occurred_at, channel, event = 'purchase') AS path,
       conversion_path(occurred_at, channel, event = 'purchase', true, 2) AS last_2_collapsed
FROM touchpoints GROUP BY customer_id ORDER BY customer_id;

SELECT customer_id,
       journey_touches_before(j, 'purchase') AS touches,
       journey_touches_before(j, 'event = signup | event = purchase', interval '3 days') AS touches_3d_before_lead,
       journey_time_to(j, 'stage >= decision') AS time_to_decision,
       journey_path_before(j, 'event = purchase', true, 3) AS last_3_channels,
       journey_touches_before_each(j, 'purchase') AS per_purchase,
       journey_retention(j, 'ad_click', 'purchase', 'channel = email') AS clicked_then
FROM journeys ORDER BY customer_id;

CREATE TABLE crm_touches (customer_id int, segment text, occurred_at timestamptz,
                          channel text, event text, revenue numeric);
INSERT INTO crm_touches VALUES
    (1, 'smb',        '2025-04-01 09:00+00', 'paid_search', 'ad_click',   NULL),
    (1, 'smb',        '2025-04-02 10:00+00', 'email',       'email_open', NULL),
    (1, 'smb',        '2025-04-04 08:00+00', 'direct',      'page_view',  NULL),
    (1, 'smb',        '2025-04-05 08:00+00', 'web',         'purchase',   120),
    (2, 'smb',        '2025-04-03 12:00+00', 'social',      'ad_click',   NULL),
    (2, 'smb',        '2025-04-06 18:30+00', 'email',       'email_open', NULL),
    (3, 'enterprise', '2025-04-01 11:00+00', 'email',       'email_open', NULL),
    (3, 'enterprise', '2025-04-08 15:00+00', 'paid_search', 'ad_click',   NULL),
    (3, 'enterprise', '2025-04-20 16:00+00', 'email',       'demo',       NULL),
    (3, 'enterprise', '2025-04-29 09:00+00', 'store',       'purchase',   900),
    (4, 'enterprise', '2025-04-10 10:00+00', 'social',      'ad_click',   NULL),
    (4, 'enterprise', '2025-04-12 10:00+00', 'social',      'ad_click',   NULL),
    (4, 'enterprise', '2025-04-15 10:00+00', 'paid_search', 'ad_click',   NULL);

SELECT segment, count(n) AS buyers, count(*) - count(n) AS not_yet,
       avg(n) AS avg_touches_before_purchase
FROM (SELECT customer_id, segment, touches_before_conversion(occurred_at, event = 'purchase') AS n
      FROM crm_touches GROUP BY customer_id, segment) per_customer
GROUP BY segment ORDER BY segment;

WITH per_customer AS (
    SELECT customer_id, m.model,
           attribution_agg(occurred_at, channel, event = 'purchase', revenue, m.model) AS a
    FROM crm_touches CROSS JOIN (VALUES ('last_touch'), ('linear'), ('markov')) m(model)
    GROUP BY customer_id, m.model)
SELECT c.channel,
       round(sum(c.conversions) FILTER (WHERE r.model = 'last_touch')::numeric, 3) AS last_touch,
       round(sum(c.conversions) FILTER (WHERE r.model = 'linear')::numeric, 3) AS linear,
       round(sum(c.conversions) FILTER (WHERE r.model = 'markov')::numeric, 3) AS markov,
       round(sum(c.revenue) FILTER (WHERE r.model = 'markov')::numeric, 2) AS markov_revenue
FROM (SELECT model, rollup(a) AS a FROM per_customer GROUP BY model) r,
     attribution_credits(r.a) c
GROUP BY c.channel ORDER BY c.channel;

SELECT t.segment, c.channel, round(c.conversions::numeric, 3) AS conversions, c.revenue
FROM (SELECT segment, rollup(a) AS a
      FROM (SELECT customer_id, segment,
                   attribution_agg(occurred_at, channel, event = 'purchase', revenue,
                                   'time_decay', 'half_life=7 days') AS a
            FROM crm_touches GROUP BY customer_id, segment) per_customer
      GROUP BY segment) t,
     attribution_credits(t.a) c
ORDER BY t.segment, c.channel;

SELECT customer_id, c.*
FROM (SELECT customer_id,
             journey_agg(touchpoint(occurred_at, 'awareness'::stage, channel, event, revenue)) AS j
      FROM crm_touches GROUP BY customer_id) s,
     journey_attribution(s.j, 'purchase', 'position_based') c
ORDER BY customer_id, c.channel;
-- across journeys, a demo or a purchase converting
SELECT c.*
FROM attribution_credits((
       SELECT journey_attribution_agg(j, 'event = demo | event = purchase', 'linear')
       FROM (SELECT journey_agg(touchpoint(occurred_at, 'awareness'::stage, channel, event, revenue)) AS j
             FROM crm_touches GROUP BY customer_id) s)) c
ORDER BY c.channel;

SELECT customer_id, occurred_at, event,
       sessionize(occurred_at, interval '2 days') OVER w AS session,
       session_start(occurred_at, interval '2 days') OVER w AS started
FROM crm_touches WHERE customer_id IN (1, 3)
WINDOW w AS (PARTITION BY customer_id ORDER BY occurred_at)
ORDER BY customer_id, occurred_at;

SELECT customer_id, session_count(occurred_at, interval '2 days') AS sessions
FROM crm_touches GROUP BY customer_id ORDER BY customer_id;

SELECT customer_id, s.*
FROM (SELECT customer_id, journey_agg(occurred_at, 'awareness'::stage, channel, event) AS j
      FROM crm_touches GROUP BY customer_id) per_customer,
     journey_sessions(j, interval '2 days') s
ORDER BY customer_id, s.session;

CREATE TEMP TABLE crm_paths AS
SELECT segment, path_report_agg(path) AS r
FROM (SELECT customer_id, segment, event_path(occurred_at, event, 'ad_click', 'from', 3, true) AS path
      FROM crm_touches GROUP BY customer_id, segment) per_customer
GROUP BY segment;
CREATE TEMP TABLE crm_path_report AS SELECT rollup(r) AS r FROM crm_paths;
SELECT r FROM crm_path_report;
SELECT step, source, target, kind, value FROM path_edges((SELECT r FROM crm_path_report));
SELECT * FROM path_top((SELECT r FROM crm_path_report), 3);

CREATE TABLE campaign (day date, segment text, treated boolean, responded boolean, revenue numeric);
INSERT INTO campaign
SELECT date '2025-03-01' + g % 30, CASE WHEN g % 3 = 0 THEN 'smb' ELSE 'consumer' END, g % 4 <> 0,
       g % 7 = 0 OR (g % 4 <> 0 AND g % 11 = 0), (g % 13) * 10
FROM generate_series(1, 2000) g;

SELECT segment, (r).treated_n, (r).treated_responders, (r).control_n, (r).control_responders,
       round((r).treated_rate::numeric, 4) AS treated_rate, round((r).control_rate::numeric, 4) AS control_rate,
       round((r).abs_lift::numeric, 4) AS abs_lift, round((r).p_value::numeric, 4) AS p_value
FROM (SELECT segment, segment_response(treated, responded) AS r FROM campaign GROUP BY segment) s
ORDER BY segment;

SELECT round((r).ci_low::numeric, 4) AS ci_low, round((r).ci_high::numeric, 4) AS ci_high
FROM (SELECT segment_response(response_agg(treated, responded), 0.90) AS r FROM campaign) s;

-- rate 0.45 with its Wilson score interval, at 95% and 99%
SELECT round(ci_low::numeric, 4) AS ci_low, round(ci_high::numeric, 4) AS ci_high FROM response_rate_ci(45, 100);
SELECT round(ci_low::numeric, 4) AS ci_low, round(ci_high::numeric, 4) AS ci_high FROM response_rate_ci(45, 100, 0.99);

SELECT segment, round((r).treated_mean::numeric, 2) AS treated_mean,
       round((r).control_mean::numeric, 2) AS control_mean, round((r).t::numeric, 4) AS t,
       round((r).df::numeric, 2) AS df, round((r).p_value::numeric, 4) AS p_value
FROM (SELECT segment, segment_mean_response(treated, revenue::float8) AS r FROM campaign GROUP BY segment) s
ORDER BY segment;

CREATE TABLE daily_response AS
SELECT day, segment, response_agg(treated, responded, revenue::float8) AS st
FROM campaign GROUP BY day, segment;

-- any date range: one state per segment, then any statistic of it
SELECT segment, response_treated_n(st) AS treated_n, response_control_n(st) AS control_n,
       round(response_abs_lift(st)::numeric, 4) AS abs_lift, round(response_p_value(st)::numeric, 4) AS p_value,
       round(response_mean_diff(st)::numeric, 2) AS revenue_diff
FROM (SELECT segment, rollup(st) AS st FROM daily_response
      WHERE day BETWEEN '2025-03-01' AND '2025-03-15' GROUP BY segment) r
ORDER BY segment;

-- the rollup of the days equals the aggregate over the rows
SELECT segment_response(r.st) = segment_response(w.st) AS same
FROM (SELECT rollup(st) AS st FROM daily_response) r,
     (SELECT response_agg(treated, responded) AS st FROM campaign) w;

SELECT variant, n, responders, rate, abs_lift, round(z::numeric, 4) AS z,
       round(p_value::numeric, 4) AS p_value, round(p_adjusted::numeric, 4) AS p_holm
FROM response_ab_test('{"control": 1000/100, "a": 1000/130, "b": 1000/90}', 'control', correction => 'holm');

SELECT round(chi2::numeric, 4) AS chi2, df, round(p_value::numeric, 4) AS p_value
FROM response_ab_chi2('{"control": 1000/100, "a": 1000/130, "b": 1000/90}');

SELECT response_sample_size(0.10, 0.02) AS per_arm,                     -- alpha 0.05, power 0.8
       response_sample_size(0.10, 0.02, alpha => 0.01, power => 0.9) AS strict;

SELECT journey_store_create('customer_journeys', 'touchpoints', 'customer_id', 'occurred_at',
                            'stage', 'channel', 'event', stage_type => 'stage');
SELECT customer_id, journey_length(journey), journey_current_stage(journey)
FROM customer_journeys ORDER BY customer_id;

INSERT INTO touchpoints VALUES
    (2, '2025-03-12 09:00+00', 'decision', 'web', 'purchase', 99.00),
    (3, '2025-03-04 11:00+00', 'awareness', 'social', 'ad_click', NULL);
SELECT * FROM journey_store_refresh('customer_journeys');
-- the two rows were test data: delete them again
DELETE FROM touchpoints
WHERE (customer_id, occurred_at) IN ((2, '2025-03-12 09:00+00'), (3, '2025-03-04 11:00+00'));
SELECT * FROM journey_store_refresh('customer_journeys');
SELECT * FROM journey_store_refresh('customer_journeys');
SELECT customer_id, journey_length(journey), journey_current_stage(journey)
FROM customer_journeys ORDER BY customer_id;

SELECT (s).stage, (s).customers, (s).visits, (s).mean, (s).median, (s).p90
FROM (SELECT unnest(journey_stage_stats(journey)) AS s FROM customer_journeys) x;

SELECT step, customers, conversion_from_previous, median_time_from_previous
FROM funnel_steps((SELECT funnel_report_agg(journey, interval '30 days', 'default',
                                            'event = ad_click',
                                            'event = email_click | event = page_view',
                                            'event = purchase')
                   FROM customer_journeys));
SELECT journey_store_drop('customer_journeys');

SELECT customer_id,
       stage_time_agg(occurred_at, stage, 'awareness<consideration<decision<retention<advocacy') AS st
FROM touchpoints GROUP BY customer_id ORDER BY customer_id LIMIT 2;

SELECT customer_id, stage_time_agg(occurred_at, stage::stage)::jsonb -> 'durations' AS durations
FROM touchpoints GROUP BY customer_id ORDER BY customer_id;
