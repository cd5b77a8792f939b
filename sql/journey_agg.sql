-- journey_agg: building journeys from rows
CREATE TEMP TABLE tp (customer_id int, occurred_at timestamptz, stage text, channel text, event text, revenue numeric);
INSERT INTO tp VALUES
  (1, '2025-03-01 09:00+00', 'awareness', 'ads', 'ad_click', NULL),
  (1, '2025-03-03 10:00+00', 'consideration', 'email', 'email_click', NULL),
  (1, '2025-03-03 10:00+00', 'consideration', 'email', 'email_open', NULL),
  (1, '2025-03-06 08:00+00', 'decision', 'store', 'purchase', 249.00),
  (1, NULL, 'decision', 'store', 'purchase', 1),             -- no time: skipped
  (1, '2025-03-07 08:00+00', NULL, 'web', NULL, NULL),         -- no stage: skipped
  (2, '2025-04-01 00:00+00', 'awareness', NULL, NULL, NULL),   -- NULL channel is kept
  (3, NULL, 'awareness', 'web', NULL, NULL);                   -- only skipped rows
SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event)
FROM tp GROUP BY customer_id ORDER BY customer_id;
-- no rows: NULL
SELECT journey_agg(occurred_at, stage::stage, channel, event) IS NULL AS no_rows FROM tp WHERE false;
-- input order never matters (ties at one instant are ordered by content)
SELECT (SELECT journey_agg(occurred_at, stage::stage, channel, event ORDER BY occurred_at, event) FROM tp WHERE customer_id = 1)
     = (SELECT journey_agg(occurred_at, stage::stage, channel, event ORDER BY occurred_at DESC, event DESC) FROM tp WHERE customer_id = 1)
       AS order_independent;
-- journey_agg(touchpoint) keeps values
SELECT customer_id, journey_agg(touchpoint(occurred_at, stage::stage, channel, event, revenue))
FROM tp GROUP BY customer_id ORDER BY customer_id;
SELECT journey_agg(t) IS NULL AS all_null FROM (VALUES (NULL::touchpoint)) v(t);
-- the two forms agree when there are no values
SELECT journey_agg(occurred_at, stage::stage, channel, event)
     = journey_agg(touchpoint(occurred_at, stage::stage, channel, event)) AS forms_agree
FROM tp WHERE customer_id = 1;
-- touchpoints of one journey must share a stage list
CREATE TYPE lc AS ENUM ('new', 'active');
SELECT journey_agg(t) FROM (VALUES (touchpoint('2025-01-01', 'new'::lc, 'web')),
                                   (touchpoint('2025-01-02', 'awareness'::stage, 'web'))) v(t);
-- as a window function: the journey so far
SELECT occurred_at, journey_length(journey_agg(occurred_at, stage::stage, channel, event)
                                   OVER (ORDER BY occurred_at, event ROWS UNBOUNDED PRECEDING))
FROM tp WHERE customer_id = 1 AND occurred_at IS NOT NULL AND stage IS NOT NULL ORDER BY occurred_at, event;
-- several aggregates over one state in one query
SELECT journey_length(journey_agg(occurred_at, stage::stage, channel, event)) AS n,
       journey_stages(journey_agg(occurred_at, stage::stage, channel, event)) AS stages
FROM tp WHERE customer_id = 1;
-- a journey built from a journey's rows is the same journey
SELECT j = (SELECT journey_agg(touchpoint(occurred_at, stage::stage, channel, event, value))
            FROM journey_touchpoints(j)) AS rebuilt
FROM (SELECT journey_agg(touchpoint(occurred_at, stage::stage, channel, event, revenue)) j FROM tp) s;
DROP TYPE lc;
DROP TABLE tp;
