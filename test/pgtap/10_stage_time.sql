-- stage_time against plain SQL (window functions, clipping) on the sample data.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(14);

CREATE TEMP TABLE st AS
SELECT customer_id, stage_time_agg(occurred_at, stage::stage) AS st
FROM touchpoints GROUP BY customer_id;

-- every row with its period end: the next row of the customer in canonical order
CREATE TEMP TABLE periods AS
SELECT customer_id, occurred_at AS ts, stage::stage AS s,
       lead(occurred_at) OVER w AS next_ts,
       lag(stage::stage) OVER w AS prev_s
FROM touchpoints
WINDOW w AS (PARTITION BY customer_id ORDER BY occurred_at, stage::stage);
CREATE INDEX ON periods (customer_id);
ANALYZE periods;

SELECT is_empty($$
  SELECT c.customer_id, g.s FROM st c CROSS JOIN unnest(enum_range(NULL::stage)) g(s)
  LEFT JOIN (SELECT customer_id, s, sum(next_ts - ts) AS d FROM periods GROUP BY 1, 2) p
         ON p.customer_id = c.customer_id AND p.s = g.s
  WHERE duration_in(c.st, g.s) <> coalesce(p.d, interval '0')$$,
  'duration_in = sum of (next touch - touch) by stage, for every customer and stage');

SELECT is_empty($$
  SELECT c.customer_id, g.s FROM st c CROSS JOIN unnest(enum_range(NULL::stage)) g(s)
  LEFT JOIN (SELECT customer_id, s, sum(coalesce(next_ts, '2026-01-01') - ts) AS d FROM periods GROUP BY 1, 2) p
         ON p.customer_id = c.customer_id AND p.s = g.s
  WHERE duration_in(c.st, g.s, '2026-01-01') <> coalesce(p.d, interval '0')$$,
  'duration_in with as_of = the last period closed at as_of');

-- ranges: the part of every period inside the range
SELECT is_empty($$
  WITH ranges(lo, hi) AS (VALUES ('2025-03-01'::timestamptz, '2025-04-01'::timestamptz),
                                 ('2025-06-15', '2025-06-22'), ('2024-01-01', '2025-02-01'), ('2025-12-30', '2026-02-01')),
  clipped AS (SELECT customer_id, s, lo, hi,
                     sum(greatest(least(next_ts, hi) - greatest(ts, lo), interval '0')) AS d
              FROM periods, ranges WHERE next_ts IS NOT NULL GROUP BY 1, 2, 3, 4)
  SELECT c.customer_id FROM st c CROSS JOIN unnest(enum_range(NULL::stage)) g(s) CROSS JOIN ranges r
  LEFT JOIN clipped k ON k.customer_id = c.customer_id AND k.s = g.s AND k.lo = r.lo
  WHERE duration_in(c.st, g.s, r.lo, r.hi) <> coalesce(k.d, interval '0')$$,
  'range form = plain-SQL clipping, including periods that began before the range');

-- weekly buckets with lag(): each week's state and the previous one
CREATE TEMP TABLE weekly AS
SELECT customer_id, week, st, lag(st) OVER (PARTITION BY customer_id ORDER BY week) AS prev
FROM (SELECT customer_id, date_trunc('week', occurred_at) AS week, stage_time_agg(occurred_at, stage::stage) AS st
      FROM touchpoints GROUP BY 1, 2) s;
-- plain SQL: periods end at the next touch, the last one at the end of its week; clipped to each week with rows
SELECT is_empty($$
  WITH p AS (SELECT customer_id, s, ts, coalesce(next_ts, date_trunc('week', ts) + interval '1 week') AS e FROM periods),
  clipped AS (SELECT w.customer_id, w.week, p.s,
                     sum(greatest(least(p.e, w.week + interval '1 week') - greatest(p.ts, w.week), interval '0')) AS d
              FROM weekly w JOIN p ON p.customer_id = w.customer_id
              WHERE p.ts < w.week + interval '1 week' AND p.e > w.week GROUP BY 1, 2, 3)
  SELECT w.customer_id, w.week, g.s FROM weekly w CROSS JOIN unnest(enum_range(NULL::stage)) g(s)
  LEFT JOIN clipped k ON k.customer_id = w.customer_id AND k.week = w.week AND k.s = g.s
  WHERE duration_in(w.st, g.s, w.week, w.week + interval '1 week', w.prev) <> coalesce(k.d, interval '0')$$,
  'bucketed form with lag() = plain-SQL clipping per week');
SELECT is_empty($$
  SELECT w.customer_id, w.week FROM weekly w
  WHERE (SELECT coalesce(sum(duration), interval '0') FROM stage_timeline(w.st, w.week, w.week + interval '1 week', w.prev))
     <> (SELECT sum(duration_in(w.st, g, w.week, w.week + interval '1 week', w.prev)) FROM unnest(enum_range(NULL::stage)) g)
     OR EXISTS (SELECT 1 FROM stage_timeline(w.st, w.week, w.week + interval '1 week', w.prev) t
                WHERE t.entered_at < w.week OR t.left_at > w.week + interval '1 week')$$,
  'bucketed timelines stay inside their bucket and add up to the bucketed durations (no period twice)');

-- visits, first entries, regressions and the current stage
SELECT is_empty($$
  WITH runs AS (SELECT customer_id, s, ts FROM periods WHERE prev_s IS DISTINCT FROM s)
  SELECT c.customer_id FROM st c, stage_durations(c.st) d
  WHERE d.visits <> (SELECT count(*) FROM runs r WHERE r.customer_id = c.customer_id AND r.s::text = d.stage)
     OR d.first_entered <> (SELECT min(ts) FROM runs r WHERE r.customer_id = c.customer_id AND r.s::text = d.stage)
     OR d.duration <> duration_in(c.st, d.stage::stage)$$,
  'stage_durations: visits = runs of one stage, first entry, duration = duration_in');
SELECT is_empty($$
  SELECT c.customer_id FROM st c
  WHERE stage_regressions(c.st) <> (SELECT count(*) FROM periods p WHERE p.customer_id = c.customer_id AND p.s < p.prev_s)
     OR current_stage(c.st) <> (SELECT s::text FROM periods p WHERE p.customer_id = c.customer_id ORDER BY p.ts DESC, p.s DESC LIMIT 1)$$,
  'stage_regressions = backward moves; current_stage = stage of the last touch');
SELECT is_empty($$
  SELECT c.customer_id FROM st c
  WHERE (SELECT count(*) FROM stage_timeline(c.st)) <> (SELECT sum(visits) FROM stage_durations(c.st))
     OR (SELECT sum(duration) FROM stage_timeline(c.st)) <> (SELECT sum(duration) FROM stage_durations(c.st))$$,
  'stage_timeline has one row per visit and the same total');

-- rollup: per-month states, and overlapping states, give the aggregate over all rows
SELECT is_empty($$
  SELECT c.customer_id FROM st c JOIN (
    SELECT customer_id, rollup(m) AS r FROM (
      SELECT customer_id, stage_time_agg(occurred_at, stage::stage) AS m FROM touchpoints
      GROUP BY customer_id, date_trunc('month', occurred_at)) s GROUP BY customer_id) r USING (customer_id)
  WHERE c.st <> r.r$$, 'rollup of per-month states = aggregate over all rows');
SELECT is_empty($$
  SELECT c.customer_id FROM st c JOIN (
    SELECT customer_id, rollup(m) AS r FROM (
      SELECT customer_id, stage_time_agg(occurred_at, stage::stage) AS m FROM touchpoints WHERE occurred_at < '2025-08-01' GROUP BY 1
      UNION ALL
      SELECT customer_id, stage_time_agg(occurred_at, stage::stage) FROM touchpoints WHERE occurred_at >= '2025-05-01' GROUP BY 1) s
    GROUP BY customer_id) r USING (customer_id)
  WHERE c.st <> r.r$$, 'rollup of overlapping states = aggregate over the union of rows');

-- order independence, text round trip, the journey forms
SELECT is_empty($$
  SELECT c.customer_id FROM st c JOIN (
    SELECT customer_id, stage_time_agg(occurred_at, stage::stage ORDER BY md5(occurred_at::text || channel)) AS s
    FROM touchpoints GROUP BY 1) r USING (customer_id) WHERE c.st <> r.s$$, 'shuffled input gives equal states');
SELECT is_empty($$SELECT customer_id FROM st WHERE st::text::stage_time <> st$$, 'text round trip');
SELECT is_empty($$
  SELECT c.customer_id FROM st c JOIN (
    SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS j FROM touchpoints GROUP BY 1) r USING (customer_id)
  WHERE stage_time(r.j) <> c.st
     OR journey_duration_in(r.j, 'consideration'::stage) <> duration_in(c.st, 'consideration'::stage)
     OR journey_current_stage(r.j) <> current_stage(c.st)
     OR journey_stage_regressions(r.j) <> stage_regressions(c.st)
     OR (SELECT array_agg(d ORDER BY stage) FROM journey_stage_durations(r.j) d) <> (SELECT array_agg(d ORDER BY stage) FROM stage_durations(c.st) d)$$,
  'the journey forms give the same answers');
SELECT cmp_ok((SELECT avg(pg_column_size(st)::float8 / (SELECT count(*) FROM periods p WHERE p.customer_id = c.customer_id)) FROM st c),
              '<', 12::float8, 'a stage_time takes under 12 bytes a row on the sample data');

SELECT * FROM finish();
ROLLBACK;
