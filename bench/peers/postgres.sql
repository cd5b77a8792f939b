-- postgres.sql
--		The peer bench's questions in PostgreSQL: cjourney on rows, cjourney on
--		stored journeys (cjourney_peers.journeys), and the best plain SQL we found.
--
-- Read by bench/peers.sh.  Each query starts at a line "-- name: QUESTION
-- FORM" (FORM: rows, stored, agg or sql; agg: an aggregate that reads the
-- stored journeys directly) and ends with a semicolon at the end of
-- a line; it must be one plannable statement (it is timed under EXPLAIN
-- ANALYZE).  Every query computes the per-customer value and then reduces it
-- to a small answer, the same one in every engine (bench/peers/duckdb.sql,
-- bench/peers/clickhouse.sql), so that the aggregate really runs (a subquery
-- output nobody reads is dropped by the planner) and the answers can be
-- compared.  Answers are integers; rows are ORDER BY'd.
--
-- A subquery over stored journeys without GROUP BY is pulled up into the
-- outer query, which then evaluates a function once per reference to its
-- output (three times for three FILTER clauses).  The stored forms group by
-- the function's result first (GROUP BY 1), which evaluates it once per
-- journey, as DuckDB and ClickHouse do, and still runs in parallel ("OFFSET
-- 0" would also read each journey once, but forbids a parallel plan; README,
-- Troubleshooting).
--
-- The funnels: step 1 page_view, step 2 signup (funnel) or one of signup,
-- trial_start, demo_request (funnel_in), step 3 purchase, 30-day window;
-- answer: customers at level 1, 2, 3.

-- The rows forms of the funnels and sequences keep only the rows that match
-- a step: in these modes the others are not kept and change no answer
-- (README, Funnels, "Filter first"; checked in test/pgtap/07_funnel.sql and
-- 15_sequence.sql), as the plain SQL's joins read only the step rows.
-- name: funnel_in rows
SELECT count(*) FILTER (WHERE level = 1), count(*) FILTER (WHERE level = 2),
       count(*) FILTER (WHERE level = 3)
FROM (SELECT customer_id,
             window_funnel(interval '30 days', occurred_at, event = 'page_view',
                           event IN ('signup', 'trial_start', 'demo_request'),
                           event = 'purchase') AS level
      FROM touchpoints
      WHERE event IN ('page_view', 'signup', 'trial_start', 'demo_request', 'purchase')
      GROUP BY customer_id) s;

-- (journey_window_funnel, 0.3.0: a step may be alternatives)
-- name: funnel_in stored
SELECT coalesce(sum(n) FILTER (WHERE level = 1), 0)::bigint, coalesce(sum(n) FILTER (WHERE level = 2), 0)::bigint,
       coalesce(sum(n) FILTER (WHERE level = 3), 0)::bigint
FROM (SELECT journey_window_funnel(j, interval '30 days', 'default', 'event = page_view',
                                   'event = signup | event = trial_start | event = demo_request',
                                   'event = purchase') AS level, count(*) AS n
      FROM cjourney_peers.journeys GROUP BY 1) s;

-- The direct aggregate over stored journeys: one scan of the store, the
-- funnel report of every journey (steps in the journey step syntax, so the
-- IN step is an alternative); customers at exactly level k are those who
-- reached step k but not step k + 1.
-- name: funnel_in agg
SELECT max(customers) FILTER (WHERE step = 1) - max(customers) FILTER (WHERE step = 2),
       max(customers) FILTER (WHERE step = 2) - max(customers) FILTER (WHERE step = 3),
       max(customers) FILTER (WHERE step = 3)
FROM funnel_steps((SELECT funnel_report_agg(j, interval '30 days', 'default', 'event = page_view',
                                            'event = signup | event = trial_start | event = demo_request',
                                            'event = purchase')
                   FROM cjourney_peers.journeys));

-- The deepest chain a <= b <= c within 30 days of a, by self-joins: on this
-- data (12 touches a customer) faster than a formulation with max() OVER
-- windows (the latest step-1 time before each row), though it grows with
-- the square of a journey's length.
-- name: funnel_in sql
SELECT count(*) FILTER (WHERE level = 1), count(*) FILTER (WHERE level = 2),
       count(*) FILTER (WHERE level = 3)
FROM (SELECT a.customer_id,
             max(CASE WHEN c.occurred_at IS NOT NULL THEN 3
                      WHEN b.occurred_at IS NOT NULL THEN 2 ELSE 1 END) AS level
      FROM touchpoints a
      LEFT JOIN touchpoints b
             ON b.customer_id = a.customer_id
            AND b.event IN ('signup', 'trial_start', 'demo_request')
            AND b.occurred_at >= a.occurred_at
            AND b.occurred_at <= a.occurred_at + interval '30 days'
      LEFT JOIN touchpoints c
             ON c.customer_id = a.customer_id AND c.event = 'purchase'
            AND c.occurred_at >= b.occurred_at
            AND c.occurred_at <= a.occurred_at + interval '30 days'
      WHERE a.event = 'page_view'
      GROUP BY a.customer_id) s;

-- name: funnel rows
SELECT count(*) FILTER (WHERE level = 1), count(*) FILTER (WHERE level = 2),
       count(*) FILTER (WHERE level = 3)
FROM (SELECT customer_id,
             window_funnel(interval '30 days', occurred_at, event = 'page_view',
                           event = 'signup', event = 'purchase') AS level
      FROM touchpoints WHERE event IN ('page_view', 'signup', 'purchase')
      GROUP BY customer_id) s;

-- name: funnel stored
SELECT coalesce(sum(n) FILTER (WHERE level = 1), 0)::bigint, coalesce(sum(n) FILTER (WHERE level = 2), 0)::bigint,
       coalesce(sum(n) FILTER (WHERE level = 3), 0)::bigint
FROM (SELECT journey_funnel(j, interval '30 days', 'default',
                            'page_view', 'signup', 'purchase') AS level, count(*) AS n
      FROM cjourney_peers.journeys GROUP BY 1) s;

-- name: funnel agg
SELECT max(customers) FILTER (WHERE step = 1) - max(customers) FILTER (WHERE step = 2),
       max(customers) FILTER (WHERE step = 2) - max(customers) FILTER (WHERE step = 3),
       max(customers) FILTER (WHERE step = 3)
FROM funnel_steps((SELECT funnel_report_agg(j, interval '30 days', 'default', 'event = page_view',
                                            'event = signup', 'event = purchase')
                   FROM cjourney_peers.journeys));

-- name: funnel sql
SELECT count(*) FILTER (WHERE level = 1), count(*) FILTER (WHERE level = 2),
       count(*) FILTER (WHERE level = 3)
FROM (SELECT a.customer_id,
             max(CASE WHEN c.occurred_at IS NOT NULL THEN 3
                      WHEN b.occurred_at IS NOT NULL THEN 2 ELSE 1 END) AS level
      FROM touchpoints a
      LEFT JOIN touchpoints b
             ON b.customer_id = a.customer_id AND b.event = 'signup'
            AND b.occurred_at >= a.occurred_at
            AND b.occurred_at <= a.occurred_at + interval '30 days'
      LEFT JOIN touchpoints c
             ON c.customer_id = a.customer_id AND c.event = 'purchase'
            AND c.occurred_at >= b.occurred_at
            AND c.occurred_at <= a.occurred_at + interval '30 days'
      WHERE a.event = 'page_view'
      GROUP BY a.customer_id) s;

-- Median time in each stage: a customer's time in a stage is the sum, over
-- its touches in that stage, of the time to the customer's next touch (the
-- last touch counts zero); touches at one instant in stage order.  Median
-- over the customers who visited the stage, interpolated (percentile_cont).
-- Answer: stage, median in milliseconds (exact: the sample data has whole
-- seconds, so a median is a multiple of 500 ms).
-- name: stage_median rows
SELECT d.stage::stage,
       round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY d.duration)) * 1000)::bigint
FROM (SELECT customer_id, stage_time_agg(occurred_at, stage::stage) AS st
      FROM touchpoints GROUP BY customer_id) s,
     stage_durations(s.st) d
GROUP BY 1 ORDER BY 1;

-- name: stage_median stored
SELECT d.stage::stage,
       round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY d.duration)) * 1000)::bigint
FROM cjourney_peers.journeys s, journey_stage_durations(s.j) d
GROUP BY 1 ORDER BY 1;

-- The direct aggregate: per-stage statistics straight from the journeys
-- (exact percentile_cont medians), no expansion to one row per stage.
-- name: stage_median agg
SELECT (s).stage::stage, round(extract(epoch FROM (s).median) * 1000)::bigint
FROM (SELECT unnest(journey_stage_stats(j)) AS s FROM cjourney_peers.journeys) x
ORDER BY 1;

-- name: stage_median sql
SELECT stage,
       round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY duration)) * 1000)::bigint
FROM (SELECT customer_id, stage, sum(coalesce(next_at - occurred_at, interval '0')) AS duration
      FROM (SELECT customer_id, stage::stage AS stage, occurred_at,
                   lead(occurred_at) OVER (PARTITION BY customer_id
                                           ORDER BY occurred_at, stage::stage) AS next_at
            FROM touchpoints) t
      GROUP BY customer_id, stage) s
GROUP BY 1 ORDER BY 1;

-- Touches strictly before the first purchase (touches at its instant do not
-- count), over the customers who purchased.  Answer: buyers, the sum of
-- their touches (the average is the second over the first).
-- name: touches_before rows
SELECT count(n), sum(n)
FROM (SELECT customer_id, touches_before_conversion(occurred_at, event = 'purchase') AS n
      FROM touchpoints GROUP BY customer_id) s;

-- name: touches_before stored
SELECT coalesce(sum(k) FILTER (WHERE n IS NOT NULL), 0)::bigint, sum(n * k)::bigint
FROM (SELECT journey_touches_before_conversion(j, 'purchase') AS n, count(*) AS k
      FROM cjourney_peers.journeys GROUP BY 1) s;

-- each buyer's first purchase, joined back to count the earlier touches
-- name: touches_before sql
SELECT count(n), sum(n)
FROM (SELECT t.customer_id, count(*) FILTER (WHERE t.occurred_at < f.first_at) AS n
      FROM touchpoints t
      JOIN (SELECT customer_id, min(occurred_at) AS first_at
            FROM touchpoints WHERE event = 'purchase' GROUP BY customer_id) f
        USING (customer_id)
      GROUP BY t.customer_id) s;

-- Touches in the 7 days strictly before the first purchase or signup (the
-- conversion an either-event step, with a lookback), over the customers who
-- did either.  Answer: converters, the sum of those touches.
-- name: touches_7d rows
SELECT count(n), sum(n)
FROM (SELECT customer_id,
             touches_before_conversion(occurred_at, event IN ('purchase', 'signup'), interval '7 days') AS n
      FROM touchpoints GROUP BY customer_id) s;

-- name: touches_7d stored
SELECT coalesce(sum(k) FILTER (WHERE n IS NOT NULL), 0)::bigint, sum(n * k)::bigint
FROM (SELECT journey_touches_before(j, 'event = purchase | event = signup', interval '7 days') AS n, count(*) AS k
      FROM cjourney_peers.journeys GROUP BY 1) s;

-- name: touches_7d sql
SELECT count(n), sum(n)
FROM (SELECT t.customer_id,
             count(*) FILTER (WHERE t.occurred_at < f.first_at AND t.occurred_at >= f.first_at - interval '7 days') AS n
      FROM touchpoints t
      JOIN (SELECT customer_id, min(occurred_at) AS first_at
            FROM touchpoints WHERE event IN ('purchase', 'signup') GROUP BY customer_id) f
        USING (customer_id)
      GROUP BY t.customer_id) s;

-- One journey per customer: all its touches (time, stage, channel, event)
-- in order (time, stage order, channel, event).  Answer: touches, the sum of
-- (last touch time - first) in microseconds, the sum of the last touch's
-- stage ordinal (1 = awareness .. 5 = advocacy).
-- name: journey rows
SELECT sum(journey_length(j)),
       sum((extract(epoch FROM journey_end(j) - journey_start(j)) * 1000000)::bigint),
       sum(array_position('{awareness,consideration,decision,retention,advocacy}'::text[],
                          journey_current_stage(j)))
FROM (SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS j
      FROM touchpoints GROUP BY customer_id) s;

-- name: journey stored
SELECT sum(journey_length(j)),
       sum((extract(epoch FROM journey_end(j) - journey_start(j)) * 1000000)::bigint),
       sum(array_position('{awareness,consideration,decision,retention,advocacy}'::text[],
                          journey_current_stage(j)))
FROM cjourney_peers.journeys;

-- an ordered array of a composite type (cjourney_peers.touch): the plain-SQL journey
-- name: journey sql
SELECT sum(cardinality(a)),
       sum((extract(epoch FROM (a[cardinality(a)]).occurred_at - (a[1]).occurred_at) * 1000000)::bigint),
       sum(array_position(enum_range(NULL::stage), (a[cardinality(a)]).stage))
FROM (SELECT customer_id,
             array_agg(ROW(occurred_at, stage::stage, channel, event)::cjourney_peers.touch
                       ORDER BY occurred_at, stage::stage, channel, event) AS a
      FROM touchpoints GROUP BY customer_id) s;

-- The floor: grouping alone.  Answer: customers, touches.
-- name: floor sql
SELECT count(*), sum(n)
FROM (SELECT customer_id, count(*) AS n FROM touchpoints GROUP BY customer_id) s;

-- The sequences: seq_match, customers with a page_view followed by a
-- purchase within a day (ClickHouse sequenceMatch '(?1)(?t<=86400)(?2)');
-- seq_count, non-overlapping add_to_cart ... purchase sequences over all
-- customers (sequenceCount '(?1).*(?2)'); next_node, what customers do right
-- after their first page_view (sequenceNextNode forward first_match):
-- customers going to signup, to purchase, and with no next event.
-- name: seq_match rows
SELECT count(*) FILTER (WHERE m)
FROM (SELECT customer_id,
             sequence_match('(?1)(?t<=86400)(?2)', occurred_at, event = 'page_view', event = 'purchase') AS m
      FROM touchpoints WHERE event IN ('page_view', 'purchase') GROUP BY customer_id) s;

-- name: seq_match stored
SELECT count(*) FILTER (WHERE journey_sequence_match(j, '(?1)(?t<=86400)(?2)', 'event = page_view', 'event = purchase'))
FROM cjourney_peers.journeys;

-- a purchase at or after a page_view, within a day (at one instant the
-- page_view row comes first, so ">=" is right)
-- name: seq_match sql
SELECT count(DISTINCT a.customer_id)
FROM touchpoints a JOIN touchpoints b
  ON b.customer_id = a.customer_id AND b.event = 'purchase'
 AND b.occurred_at >= a.occurred_at AND b.occurred_at <= a.occurred_at + interval '1 day'
WHERE a.event = 'page_view';

-- name: seq_count rows
SELECT sum(c)
FROM (SELECT customer_id,
             sequence_count('(?1).*(?2)', occurred_at, event = 'add_to_cart', event = 'purchase') AS c
      FROM touchpoints WHERE event IN ('add_to_cart', 'purchase') GROUP BY customer_id) s;

-- name: seq_count stored
SELECT sum(journey_sequence_count(j, '(?1).*(?2)', 'event = add_to_cart', 'event = purchase'))
FROM cjourney_peers.journeys;

-- Greedy non-overlapping matches of "add_to_cart, then a purchase" are the
-- purchase rows whose previous add_to_cart-or-purchase row is an
-- add_to_cart (at one instant the add_to_cart row comes first).
-- name: seq_count sql
SELECT count(*) FILTER (WHERE event = 'purchase' AND prev = 'add_to_cart')
FROM (SELECT event, lag(event) OVER (PARTITION BY customer_id ORDER BY occurred_at, event = 'purchase') AS prev
      FROM touchpoints WHERE event IN ('add_to_cart', 'purchase')) s;

-- name: next_node rows
SELECT count(*) FILTER (WHERE n = 'signup'), count(*) FILTER (WHERE n = 'purchase'),
       count(*) FILTER (WHERE n IS NULL)
FROM (SELECT customer_id,
             sequence_next_node('forward', 'first_match', occurred_at, event, true, event = 'page_view') AS n
      FROM touchpoints GROUP BY customer_id) s;

-- name: next_node stored
SELECT coalesce(sum(k) FILTER (WHERE n = 'signup'), 0)::bigint, coalesce(sum(k) FILTER (WHERE n = 'purchase'), 0)::bigint,
       coalesce(sum(k) FILTER (WHERE n IS NULL), 0)::bigint
FROM (SELECT journey_next_node(j, 'forward', 'first_match', 'event = page_view') AS n, count(*) AS k
      FROM cjourney_peers.journeys GROUP BY 1) s;

-- rows with an event, in time order, ties by event bytes; the row after the
-- first page_view of each customer
-- name: next_node sql
SELECT count(*) FILTER (WHERE n = 'signup'), count(*) FILTER (WHERE n = 'purchase'),
       count(*) FILTER (WHERE n IS NULL)
FROM (SELECT c.customer_id, f.n
      FROM (SELECT DISTINCT customer_id FROM touchpoints) c
      LEFT JOIN (SELECT DISTINCT ON (customer_id) customer_id, n
                 FROM (SELECT customer_id, event, occurred_at,
                              lead(event) OVER (PARTITION BY customer_id ORDER BY occurred_at, event COLLATE "C") AS n
                       FROM touchpoints WHERE event IS NOT NULL) x
                 WHERE event = 'page_view'
                 ORDER BY customer_id, occurred_at, event COLLATE "C") f USING (customer_id)) s;
