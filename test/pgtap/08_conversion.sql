-- Conversion aggregates against plain SQL on the sample data (conversion = a purchase).
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(7);

CREATE TEMP TABLE conv AS
SELECT customer_id,
       touches_before_conversion(occurred_at, event = 'purchase') AS n,
       touches_before_conversion(occurred_at, event = 'purchase', interval '14 days') AS n14,
       touches_before_each_conversion(occurred_at, event = 'purchase') AS cycles,
       time_to_conversion(occurred_at, event = 'purchase') AS ttc,
       conversion_path(occurred_at, channel, event = 'purchase') AS path,
       conversion_path(occurred_at, channel, event = 'purchase', true, 5) AS short_path
FROM touchpoints GROUP BY customer_id;
CREATE TEMP TABLE firsts AS
SELECT customer_id, min(occurred_at) FILTER (WHERE event = 'purchase') AS t1, min(occurred_at) AS t0
FROM touchpoints GROUP BY customer_id;

SELECT ok((SELECT count(*) FROM conv WHERE n IS NOT NULL) > 100 AND (SELECT count(*) FROM conv WHERE n IS NULL) > 100,
          'customers who converted and who did not');
SELECT is_empty($$SELECT customer_id FROM conv JOIN firsts f USING (customer_id)
                  WHERE n IS DISTINCT FROM (SELECT CASE WHEN f.t1 IS NOT NULL THEN count(*)::int END
                                            FROM touchpoints t WHERE t.customer_id = f.customer_id AND t.occurred_at < f.t1)
                     OR n14 IS DISTINCT FROM (SELECT CASE WHEN f.t1 IS NOT NULL THEN count(*)::int END
                                              FROM touchpoints t WHERE t.customer_id = f.customer_id
                                               AND t.occurred_at < f.t1 AND t.occurred_at >= f.t1 - interval '14 days')$$,
                'touches_before_conversion (and with a lookback) = counts of earlier rows; NULL without conversion');
SELECT is_empty($$SELECT customer_id FROM conv JOIN firsts f USING (customer_id)
                  WHERE ttc IS DISTINCT FROM f.t1 - f.t0
                    AND extract(epoch FROM ttc) IS DISTINCT FROM extract(epoch FROM f.t1 - f.t0)$$,
                'time_to_conversion = first purchase - first touch');
SELECT is_empty($$SELECT customer_id FROM conv JOIN firsts f USING (customer_id)
                  WHERE path IS DISTINCT FROM (
                    SELECT coalesce(array_agg(channel ORDER BY occurred_at, channel COLLATE "C"), '{}')
                    FROM touchpoints t WHERE t.customer_id = f.customer_id AND t.occurred_at < f.t1 AND channel IS NOT NULL)
                    AND f.t1 IS NOT NULL$$,
                'conversion_path = channels of earlier rows in time order');
SELECT is_empty($$SELECT customer_id FROM conv WHERE path IS NOT NULL AND short_path <> (
                    SELECT coalesce(array_agg(c ORDER BY i), '{}') FROM (
                      SELECT c, i FROM (SELECT c, i, lag(c) OVER (ORDER BY i) AS p FROM unnest(path) WITH ORDINALITY u(c, i)) x
                      WHERE p IS DISTINCT FROM c ORDER BY i DESC LIMIT 5) y)$$,
                'collapsed and capped path = the last 5 of the path with repeats merged');
SELECT is_empty($$SELECT customer_id FROM conv WHERE n IS DISTINCT FROM cycles[1]
                     OR cardinality(cycles) IS DISTINCT FROM (SELECT count(DISTINCT occurred_at)::int FROM touchpoints t
                                                             WHERE t.customer_id = conv.customer_id AND t.event = 'purchase' HAVING count(*) > 0)$$,
                'touches_before_each_conversion: one element per distinct purchase time, the first = touches_before_conversion');
SELECT is_empty($$SELECT customer_id FROM conv JOIN (
                    SELECT customer_id, conversion_path(occurred_at, channel, event = 'purchase' ORDER BY md5(occurred_at::text || channel)) AS p
                    FROM touchpoints GROUP BY 1) r USING (customer_id) WHERE conv.path IS DISTINCT FROM r.p$$,
                'shuffled input gives the same paths');

SELECT * FROM finish();
ROLLBACK;
