-- journey_store: a maintained (customer key, journey) table, and the
-- aggregates that read stored journeys directly (journey_stage_stats,
-- funnel_report_agg over journeys).  Outputs here are the README's.
SET TimeZone = 'UTC';

CREATE TABLE crm_touches (
    customer text,
    occurred_at timestamptz,
    stage text,
    channel text,
    event text
);
CREATE INDEX ON crm_touches (customer);
INSERT INTO crm_touches VALUES
    ('ann', '2025-01-01 09:00+00', 'awareness',     'ads',   'page_view'),
    ('ann', '2025-01-03 09:00+00', 'consideration', 'email', 'signup'),
    ('ann', '2025-01-10 09:00+00', 'decision',      'web',   'purchase'),
    ('bob', '2025-01-02 10:00+00', 'awareness',     'web',   'page_view'),
    ('bob', '2025-01-02 12:00+00', 'awareness',     'web',   'page_view'),
    ('cy',  '2025-01-05 08:00+00', 'awareness',     'ads',   'page_view'),
    ('cy',  '2025-01-06 08:00+00', 'consideration', 'web',   'trial_start');

-- build the store: one row per customer, kept current by triggers
SELECT journey_store_create('crm_journeys', 'crm_touches', 'customer', 'occurred_at',
                            'stage', 'channel', 'event', stage_type => 'stage');
SELECT customer, journey FROM crm_journeys ORDER BY customer;

-- new rows (one later, one late), then a refresh: both merged
INSERT INTO crm_touches VALUES
    ('bob', '2025-01-20 10:00+00', 'consideration', 'email', 'signup'),
    ('ann', '2024-12-30 09:00+00', 'awareness',     'ads',   'page_view'),
    ('dee', '2025-01-07 07:00+00', 'awareness',     'web',   'page_view');
SELECT * FROM journey_store_refresh('crm_journeys');
-- a re-run finds nothing to do
SELECT * FROM journey_store_refresh('crm_journeys');

-- corrections and deletes: those customers are rebuilt from the source
UPDATE crm_touches SET stage = 'decision', event = 'purchase'
    WHERE customer = 'cy' AND event = 'trial_start';
DELETE FROM crm_touches WHERE customer = 'dee';
SELECT * FROM journey_store_refresh('crm_journeys');
SELECT customer, journey_length(journey), journey_current_stage(journey)
FROM crm_journeys ORDER BY customer;

-- the store equals journey_agg over the raw rows, customer by customer
SELECT count(*) AS differences
FROM crm_journeys s
FULL JOIN (SELECT customer, journey_agg(occurred_at, stage::stage, channel, event) AS j
           FROM crm_touches GROUP BY customer) r USING (customer)
WHERE s.journey IS DISTINCT FROM r.j;

-- a full rebuild, for after bulk loads with the triggers disabled
SELECT * FROM journey_store_refresh('crm_journeys', rebuild => true);

-- the change queue empties with each refresh; TRUNCATE of the source
-- empties the store
SELECT count(*) AS queued FROM crm_journeys_queue;

-- per-stage statistics straight from the journeys, one scan
SELECT (s).* FROM (SELECT unnest(journey_stage_stats(journey)) AS s FROM crm_journeys) x;
-- closing each customer's last period at an as_of time
SELECT (s).stage, (s).customers, (s).total
FROM (SELECT unnest(journey_stage_stats(journey, '2025-02-01 00:00+00')) AS s FROM crm_journeys) x;
-- the same statistics by expansion (journey_stage_durations), for comparison
SELECT d.stage, count(*) AS customers, sum(d.visits) AS visits,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY d.duration) AS median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY d.duration) AS p90
FROM crm_journeys s, journey_stage_durations(s.journey) d
GROUP BY d.stage ORDER BY d.stage::stage;

-- the funnel report of the stored journeys; the step syntax allows
-- alternatives ("signup or trial_start")
SELECT * FROM funnel_steps((
    SELECT funnel_report_agg(journey, interval '30 days', 'default',
                             'event = page_view', 'event = signup | event = trial_start',
                             'event = purchase')
    FROM crm_journeys));
-- equal to the report built from the rows
SELECT (SELECT funnel_report_agg(journey, interval '30 days', 'default',
                                 'event = page_view', 'event = signup', 'event = purchase')::text
        FROM crm_journeys)
     = (SELECT funnel_report_agg(t, 3)::text
        FROM (SELECT window_funnel_times(interval '30 days', occurred_at, event = 'page_view',
                                         event = 'signup', event = 'purchase') AS t
              FROM crm_touches GROUP BY customer) x) AS same_report;

-- no journeys: NULL
SELECT journey_stage_stats(journey) FROM crm_journeys WHERE false;

-- errors
SELECT journey_stage_stats(journey, '2025-01-01 00:00+00') FROM crm_journeys;
SELECT funnel_report_agg(journey, interval '1 day', 'default', 'event = = x') FROM crm_journeys;
SELECT journey_store_create('crm_journeys2', 'crm_touches', 'customer', 'occurred_at', 'stage');
SELECT journey_store_create('crm_journeys2', 'crm_touches', 'customer', 'channel', 'stage',
                            stage_type => 'stage');
SELECT journey_store_create('crm_journeys2', 'crm_touches', 'nobody', 'occurred_at', 'stage',
                            stage_type => 'stage');
SELECT journey_store_refresh('crm_touches');

TRUNCATE crm_touches;
SELECT count(*) AS stored FROM crm_journeys;

SELECT journey_store_drop('crm_journeys');
SELECT count(*) AS store_tables FROM pg_class WHERE relname LIKE 'crm\_journeys%';
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'crm_touches'::regclass;
DROP TABLE crm_touches;
