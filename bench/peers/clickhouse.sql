-- clickhouse.sql
--		The peer bench's questions in ClickHouse (chdb, embedded), run by
--		bench/peers/run.mjs; see bench/peers/postgres.sql for the questions and
--		their answers, which every engine must reproduce.
--
-- "-- setup" blocks run in order before the timings; "-- name: QUESTION"
-- blocks are timed.  @CSV@ is the touchpoints exported by bench/peers.sh
-- (customer_id, time in microseconds since 1970 UTC, stage, channel, event;
-- \N for NULL), @THREADS@ the thread count.
--
-- The table is laid out as ClickHouse users lay out event tables for
-- per-user analysis: MergeTree ORDER BY (customer_id, occurred_at), merged
-- into one part, with LowCardinality strings; a NULL event becomes '' (no
-- question matches an empty event, so the answers are unchanged).  The
-- event is the last sort key: ClickHouse's sequence functions leave the
-- order of rows at one instant unspecified (in practice, for a customer's
-- dozen rows, the stored order), and cjourney puts the row of the lower
-- condition first; the sequence questions number their conditions in event
-- order, so both engines see the same order.

-- setup
SET max_threads = @THREADS@;
-- setup
CREATE TABLE touchpoints (
    customer_id UInt64,
    occurred_at DateTime64(6, 'UTC'),
    stage Enum8('awareness' = 1, 'consideration' = 2, 'decision' = 3, 'retention' = 4, 'advocacy' = 5),
    channel LowCardinality(String),
    event LowCardinality(String)
) ENGINE = MergeTree ORDER BY (customer_id, occurred_at, event);
-- setup
INSERT INTO touchpoints
SELECT customer_id, fromUnixTimestamp64Micro(us, 'UTC'), stage, channel, ifNull(event, '')
FROM file('@CSV@', 'CSV',
          'customer_id UInt64, us Int64, stage String, channel String, event Nullable(String)');
-- setup
OPTIMIZE TABLE touchpoints FINAL;

-- windowFunnel takes an unsigned integer time (or DateTime), not
-- DateTime64: microseconds since 1970, window 30 days in microseconds.
-- name: funnel_in
SELECT countIf(level = 1), countIf(level = 2), countIf(level = 3)
FROM (SELECT customer_id,
             windowFunnel(2592000000000)(toUInt64(toUnixTimestamp64Micro(occurred_at)),
                 event = 'page_view', event IN ('signup', 'trial_start', 'demo_request'),
                 event = 'purchase') AS level
      FROM touchpoints GROUP BY customer_id);

-- name: funnel
SELECT countIf(level = 1), countIf(level = 2), countIf(level = 3)
FROM (SELECT customer_id,
             windowFunnel(2592000000000)(toUInt64(toUnixTimestamp64Micro(occurred_at)),
                 event = 'page_view', event = 'signup', event = 'purchase') AS level
      FROM touchpoints GROUP BY customer_id);

-- quantileExactInclusive interpolates like percentile_cont (quantile() is
-- approximate).  (arraySort(groupArray(...)) with ARRAY JOIN was slower than
-- the window.)
-- name: stage_median
SELECT stage, round(quantileExactInclusive(0.5)(duration) / 1000)
FROM (SELECT customer_id, stage, sum(coalesce(next_us - us, 0)) AS duration
      FROM (SELECT customer_id, stage, toUnixTimestamp64Micro(occurred_at) AS us,
                   leadInFrame(toNullable(us)) OVER (PARTITION BY customer_id ORDER BY occurred_at, stage
                                                     ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) AS next_us
            FROM touchpoints)
      GROUP BY customer_id, stage)
GROUP BY stage ORDER BY stage;

-- (groupArray + arrayCount before minIf's time was slower than the join)
-- name: touches_before
SELECT count(), sum(n)
FROM (SELECT t.customer_id, countIf(t.occurred_at < f.first_at) AS n
      FROM touchpoints t
      INNER JOIN (SELECT customer_id, min(occurred_at) AS first_at
                  FROM touchpoints WHERE event = 'purchase' GROUP BY customer_id) f
        ON t.customer_id = f.customer_id
      GROUP BY t.customer_id);

-- name: touches_7d
SELECT count(), sum(n)
FROM (SELECT t.customer_id, countIf(t.occurred_at < f.first_at AND t.occurred_at >= f.first_at - INTERVAL 7 DAY) AS n
      FROM touchpoints t
      INNER JOIN (SELECT customer_id, min(occurred_at) AS first_at
                  FROM touchpoints WHERE event IN ('purchase', 'signup') GROUP BY customer_id) f
        ON t.customer_id = f.customer_id
      GROUP BY t.customer_id);

-- arraySort of the tuples sorts by time, stage, channel, event.
-- name: journey
SELECT sum(length(a)),
       sum(toUnixTimestamp64Micro(a[-1].1) - toUnixTimestamp64Micro(a[1].1)),
       sum(toUInt8(a[-1].2))
FROM (SELECT customer_id, arraySort(groupArray((occurred_at, stage, channel, event))) AS a
      FROM touchpoints GROUP BY customer_id);

-- name: floor
SELECT count(), sum(n)
FROM (SELECT customer_id, count() AS n FROM touchpoints GROUP BY customer_id);

-- The sequences (see postgres.sql).  sequenceMatch and sequenceNextNode
-- take DateTime (seconds; the sample data has whole seconds), not
-- DateTime64; sequenceNextNode needs the experimental switch, and a NULL
-- event (stored as '') must not be a node.
-- name: seq_match
SELECT countIf(m)
FROM (SELECT customer_id,
             sequenceMatch('(?1)(?t<=86400)(?2)')(toDateTime(occurred_at), event = 'page_view', event = 'purchase') AS m
      FROM touchpoints GROUP BY customer_id);

-- name: seq_count
SELECT sum(c)
FROM (SELECT customer_id,
             sequenceCount('(?1).*(?2)')(toDateTime(occurred_at), event = 'add_to_cart', event = 'purchase') AS c
      FROM touchpoints GROUP BY customer_id);

-- name: next_node
SELECT countIf(n = 'signup'), countIf(n = 'purchase'), countIf(n IS NULL)
FROM (SELECT customer_id,
             sequenceNextNode('forward', 'first_match')(toDateTime(occurred_at), nullIf(toString(event), ''), 1, event = 'page_view') AS n
      FROM touchpoints GROUP BY customer_id)
SETTINGS allow_experimental_funnel_functions = 1;
