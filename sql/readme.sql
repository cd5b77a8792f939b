-- Generated from README.md by scripts/readme_examples.sh; do not edit.


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

SELECT t.* FROM journeys, journey_touchpoints(j) AS t WHERE customer_id = 1;

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

SELECT f.*
FROM (SELECT funnel_report_agg(times, 3) AS r
      FROM (SELECT customer_id,
                   window_funnel_times(interval '7 days', occurred_at,
                                       event = 'ad_click', stage = 'consideration', event = 'purchase') AS times
            FROM touchpoints GROUP BY customer_id) per_customer) rep,
     funnel_steps(rep.r) f;

SELECT customer_id,
       retention(occurred_at < '2025-03-05', occurred_at >= '2025-03-05') AS active_week1_then_later
FROM touchpoints GROUP BY customer_id ORDER BY customer_id;
