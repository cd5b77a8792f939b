-- journey_agg and the accessors against plain SQL on the generated sample data.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(16);

CREATE TEMP TABLE j AS
SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS j
FROM touchpoints GROUP BY customer_id;

-- the reference: the same rows in canonical order, by plain SQL
CREATE TEMP TABLE ref AS
SELECT customer_id, occurred_at, stage::stage AS stage, channel, event,
       row_number() OVER (PARTITION BY customer_id
                          ORDER BY occurred_at, stage::stage, channel COLLATE "C" NULLS FIRST,
                                   event COLLATE "C" NULLS FIRST) AS n
FROM touchpoints;
CREATE INDEX ON ref (customer_id, n);
ANALYZE ref;

SELECT ok((SELECT count(*) FROM j) = (SELECT count(DISTINCT customer_id) FROM touchpoints)
          AND (SELECT count(*) FROM j) > 1000, 'one journey per customer');
SELECT is_empty($$SELECT customer_id FROM j JOIN (SELECT customer_id, count(*) c FROM touchpoints GROUP BY 1) r USING (customer_id)
                  WHERE journey_length(j) <> c$$, 'journey_length = count(*)');
SELECT is_empty($$SELECT customer_id FROM j JOIN (SELECT customer_id, min(occurred_at) lo, max(occurred_at) hi FROM touchpoints GROUP BY 1) r USING (customer_id)
                  WHERE journey_start(j) <> lo OR journey_end(j) <> hi
                     OR extract(epoch FROM journey_duration(j)) <> extract(epoch FROM hi - lo)$$,
                'start, end and duration = min, max and their difference');
SELECT is_empty($$SELECT customer_id FROM j JOIN (SELECT customer_id, array_agg(DISTINCT stage ORDER BY stage)::text[] s, max(stage)::text f FROM ref GROUP BY 1) r USING (customer_id)
                  WHERE journey_stages(j) <> s OR journey_furthest_stage(j) <> f$$,
                'stages reached and furthest stage = DISTINCT and max over the enum');
SELECT is_empty($$SELECT customer_id FROM j JOIN ref r USING (customer_id)
                  WHERE r.n = 1 AND journey_first(j) <> touchpoint(r.occurred_at, r.stage, r.channel, r.event)$$,
                'first touchpoint = first row in canonical order');
SELECT is_empty($$SELECT customer_id FROM j JOIN (SELECT DISTINCT ON (customer_id) * FROM ref ORDER BY customer_id, n DESC) r USING (customer_id)
                  WHERE journey_last(j) <> touchpoint(r.occurred_at, r.stage, r.channel, r.event)$$,
                'last touchpoint = last row in canonical order');
SELECT is_empty($$SELECT customer_id, t.ordinality, t.occurred_at, t.stage, t.channel, t.event
                  FROM j, journey_touchpoints(j) WITH ORDINALITY t
                  EXCEPT
                  SELECT customer_id, n, occurred_at, stage::text, channel, event FROM ref$$,
                'journey_touchpoints = the rows in canonical order (no extra rows)');
SELECT is((SELECT count(*) FROM j, journey_touchpoints(j)), (SELECT count(*) FROM touchpoints),
          'journey_touchpoints returns every row');
-- stage at a time: the stage of the last row at or before it
SELECT is_empty($$
  WITH probes AS (SELECT customer_id, occurred_at + interval '1 hour' AS t FROM ref WHERE n % 3 = 1)
  SELECT p.customer_id FROM probes p JOIN j USING (customer_id)
  WHERE journey_stage_at(j, p.t) IS DISTINCT FROM
        (SELECT r.stage::text FROM ref r WHERE r.customer_id = p.customer_id AND r.occurred_at <= p.t ORDER BY r.n DESC LIMIT 1)$$,
  'journey_stage_at = stage of the last row at or before the time');
-- reached operator
SELECT is_empty($$SELECT customer_id FROM j
                  WHERE (j @> 'decision'::stage) <> EXISTS (SELECT 1 FROM touchpoints t WHERE t.customer_id = j.customer_id AND t.stage = 'decision')$$,
                'j @> stage = EXISTS row in that stage');
-- input order never matters
SELECT is_empty($$SELECT customer_id FROM j JOIN (
                    SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event ORDER BY md5(occurred_at::text || channel || coalesce(event, ''))) s
                    FROM touchpoints GROUP BY customer_id) r USING (customer_id) WHERE j <> s$$,
                'shuffled input gives equal journeys');
SELECT is_empty($$SELECT customer_id FROM j JOIN (
                    SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event ORDER BY occurred_at DESC, event DESC NULLS LAST) s
                    FROM touchpoints GROUP BY customer_id) r USING (customer_id) WHERE j <> s$$,
                'reversed input gives equal journeys');
-- slices and merges agree with filtering rows
SELECT is_empty($$SELECT customer_id FROM j JOIN (
                    SELECT customer_id,
                           journey_agg(occurred_at, stage::stage, channel, event) FILTER (WHERE occurred_at < '2025-07-01') AS early,
                           journey_agg(occurred_at, stage::stage, channel, event) FILTER (WHERE occurred_at >= '2025-07-01') AS late
                    FROM touchpoints GROUP BY customer_id) r USING (customer_id)
                  WHERE journey_slice(j, NULL, '2025-07-01') IS DISTINCT FROM coalesce(early, '{}')
                     OR journey_slice(j, '2025-07-01', NULL) IS DISTINCT FROM coalesce(late, '{}')
                     OR coalesce(early, '{}') || coalesce(late, '{}') <> j$$,
                'slices = aggregates over filtered rows, and their merge = the whole journey');
-- canonical text and jsonb
SELECT is_empty($$SELECT customer_id FROM j WHERE j::text::journey <> j OR j::text::journey::text <> j::text$$,
                'text round trip for every journey');
SELECT is_empty($$SELECT customer_id FROM j WHERE jsonb_array_length(j::jsonb -> 'touches') <> journey_length(j)$$,
                'jsonb holds every touch');
-- journeys via touchpoints keep the revenue values
SELECT is_empty($$SELECT customer_id FROM (
                    SELECT customer_id, journey_agg(touchpoint(occurred_at, stage::stage, channel, event, revenue)) jj
                    FROM touchpoints GROUP BY customer_id) s
                  WHERE (SELECT sum(value) FROM journey_touchpoints(jj)) IS DISTINCT FROM
                        (SELECT sum(revenue) FROM touchpoints t WHERE t.customer_id = s.customer_id)$$,
                'values survive: sum of journey values = sum of revenue');

SELECT * FROM finish();
ROLLBACK;
