-- duckdb.sql
--		The peer bench's questions in DuckDB (@duckdb/node-api), run by
--		bench/peers/run.mjs; see bench/peers/postgres.sql for the questions and
--		their answers, which every engine must reproduce.
--
-- "-- setup" blocks run in order before the timings; "-- name: QUESTION"
-- blocks are timed.  @CSV@ is the touchpoints exported by bench/peers.sh
-- (customer_id, time in microseconds since 1970 UTC, stage, channel, event;
-- \N for NULL), @THREADS@ the thread count.  DuckDB has no funnel or journey
-- functions: each query is the fastest plain SQL we found (alternatives
-- measured slower are named in the comments).

-- setup
SET threads = @THREADS@;
-- setup
CREATE TYPE stage AS ENUM ('awareness', 'consideration', 'decision', 'retention', 'advocacy');
-- setup
CREATE TABLE touchpoints AS
SELECT customer_id, make_timestamp(us) AS occurred_at, stage::stage AS stage, channel, event
FROM read_csv('@CSV@', header = false, nullstr = '\N',
              columns = {'customer_id': 'BIGINT', 'us': 'BIGINT', 'stage': 'VARCHAR',
                         'channel': 'VARCHAR', 'event': 'VARCHAR'});

-- The deepest chain a <= b <= c with c within 30 days of a: for each step-2
-- row the latest step-1 row at or before it (ASOF JOIN), for each step-3 row
-- the latest such step-2 row; the latest start is always the best one.
-- (Self-joins as in PostgreSQL, and max() OVER windows, were slower.)
-- name: funnel_in
WITH a AS (SELECT customer_id, occurred_at AS t FROM touchpoints WHERE event = 'page_view'),
     b AS (SELECT customer_id, occurred_at AS t FROM touchpoints
           WHERE event IN ('signup', 'trial_start', 'demo_request')),
     c AS (SELECT customer_id, occurred_at AS t FROM touchpoints WHERE event = 'purchase'),
     ba AS (SELECT b.customer_id, b.t, a.t AS start_at
            FROM b ASOF JOIN a ON a.customer_id = b.customer_id AND a.t <= b.t),
     cb AS (SELECT c.customer_id, c.t, ba.start_at
            FROM c ASOF JOIN ba ON ba.customer_id = c.customer_id AND ba.t <= c.t),
     levels AS (SELECT customer_id, max(level) AS level
                FROM (SELECT customer_id, 1 AS level FROM a
                      UNION ALL SELECT customer_id, 2 FROM ba WHERE t - start_at <= INTERVAL 30 DAY
                      UNION ALL SELECT customer_id, 3 FROM cb WHERE t - start_at <= INTERVAL 30 DAY) l
                GROUP BY customer_id)
SELECT count(*) FILTER (WHERE level = 1), count(*) FILTER (WHERE level = 2),
       count(*) FILTER (WHERE level = 3)
FROM levels;

-- name: funnel
WITH a AS (SELECT customer_id, occurred_at AS t FROM touchpoints WHERE event = 'page_view'),
     b AS (SELECT customer_id, occurred_at AS t FROM touchpoints WHERE event = 'signup'),
     c AS (SELECT customer_id, occurred_at AS t FROM touchpoints WHERE event = 'purchase'),
     ba AS (SELECT b.customer_id, b.t, a.t AS start_at
            FROM b ASOF JOIN a ON a.customer_id = b.customer_id AND a.t <= b.t),
     cb AS (SELECT c.customer_id, c.t, ba.start_at
            FROM c ASOF JOIN ba ON ba.customer_id = c.customer_id AND ba.t <= c.t),
     levels AS (SELECT customer_id, max(level) AS level
                FROM (SELECT customer_id, 1 AS level FROM a
                      UNION ALL SELECT customer_id, 2 FROM ba WHERE t - start_at <= INTERVAL 30 DAY
                      UNION ALL SELECT customer_id, 3 FROM cb WHERE t - start_at <= INTERVAL 30 DAY) l
                GROUP BY customer_id)
SELECT count(*) FILTER (WHERE level = 1), count(*) FILTER (WHERE level = 2),
       count(*) FILTER (WHERE level = 3)
FROM levels;

-- Each customer's (time, stage) points sorted (list_sort), the time to the
-- next point per element, summed per stage.  (lead() OVER a window was about
-- three times slower.)
-- name: stage_median
SELECT stage, round(median(duration) / 1000)::BIGINT
FROM (SELECT customer_id, u.stage, sum(u.d) AS duration
      FROM (SELECT customer_id,
                   unnest(list_transform(range(1, len(a) + 1),
                          i -> {'stage': a[i].s,
                                'd': CASE WHEN i < len(a) THEN a[i + 1].t - a[i].t ELSE 0 END})) AS u
            FROM (SELECT customer_id, list_sort(list({'t': epoch_us(occurred_at), 's': stage})) AS a
                  FROM touchpoints GROUP BY customer_id) g) x
      GROUP BY customer_id, u.stage) s
GROUP BY 1 ORDER BY 1;

-- (a list per customer filtered by list_filter, and min() OVER a window,
-- were slower than the join)
-- name: touches_before
SELECT count(n), sum(n)
FROM (SELECT t.customer_id, count(*) FILTER (WHERE t.occurred_at < f.first_at) AS n
      FROM touchpoints t
      JOIN (SELECT customer_id, min(occurred_at) AS first_at
            FROM touchpoints WHERE event = 'purchase' GROUP BY customer_id) f
        USING (customer_id)
      GROUP BY t.customer_id) s;

-- name: touches_7d
SELECT count(n), sum(n)
FROM (SELECT t.customer_id,
             count(*) FILTER (WHERE t.occurred_at < f.first_at AND t.occurred_at >= f.first_at - INTERVAL 7 DAY) AS n
      FROM touchpoints t
      JOIN (SELECT customer_id, min(occurred_at) AS first_at
            FROM touchpoints WHERE event IN ('purchase', 'signup') GROUP BY customer_id) f
        USING (customer_id)
      GROUP BY t.customer_id) s;

-- list_sort of the structs sorts by time, stage, channel, event, as
-- journey_agg does.  (list(... ORDER BY occurred_at, stage, channel, event)
-- took 14-36 s on 200,000 customers in DuckDB 1.5; row_number() first was
-- also slower.)
-- name: journey
SELECT sum(len(a)), sum(epoch_us(a[-1].t) - epoch_us(a[1].t)), sum(enum_code(a[-1].s) + 1)
FROM (SELECT customer_id,
             list_sort(list({'t': occurred_at, 's': stage, 'c': channel, 'e': event})) AS a
      FROM touchpoints GROUP BY customer_id) s;

-- name: floor
SELECT count(*), sum(n)
FROM (SELECT customer_id, count(*) AS n FROM touchpoints GROUP BY customer_id) s;
