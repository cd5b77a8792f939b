-- stage_time: time in stage
SET timezone = 'UTC';
CREATE TEMP TABLE st_rows (customer_id int, occurred_at timestamptz, stage text);
INSERT INTO st_rows VALUES
  -- customer 1: awareness 2 days, consideration 2 days (two touches, one visit),
  -- back to awareness 1.5 days, then decision (the last touch, open)
  (1, '2025-03-01 09:00', 'awareness'),
  (1, '2025-03-03 09:00', 'consideration'),
  (1, '2025-03-04 09:00', 'consideration'),
  (1, '2025-03-05 09:00', 'awareness'),
  (1, '2025-03-06 21:00', 'decision'),
  (1, '2025-03-06 21:00', 'decision'),           -- duplicate: changes nothing
  (1, NULL, 'advocacy'),                          -- skipped
  (1, '2025-03-07 00:00', NULL),                  -- skipped
  -- customer 2: one touch
  (2, '2025-04-01 00:00', 'retention');
CREATE TEMP TABLE st AS
SELECT customer_id, stage_time_agg(occurred_at, stage::stage) AS st FROM st_rows GROUP BY customer_id;
SELECT * FROM st ORDER BY customer_id;
-- totals per stage; a stage never visited is zero; the last touch's period is open
SELECT customer_id, s AS stage, duration_in(st, s) FROM st, unnest(enum_range(NULL::stage)) s ORDER BY 1, 2;
-- as_of closes the open period
SELECT duration_in(st, 'decision'::stage, '2025-03-08 21:00') FROM st WHERE customer_id = 1;
-- over a range: only the part inside, including the period that began before it
SELECT duration_in(st, 'consideration'::stage, '2025-03-04 00:00', '2025-03-10 00:00') AS consideration,
       duration_in(st, 'awareness'::stage, '2025-03-02 00:00', '2025-03-05 12:00') AS awareness,
       duration_in(st, 'decision'::stage, '2025-03-06 00:00', '2025-03-10 00:00') AS decision_open
FROM st WHERE customer_id = 1;
-- per-stage rows and visits
SELECT * FROM stage_durations((SELECT st FROM st WHERE customer_id = 1));
SELECT * FROM stage_durations((SELECT st FROM st WHERE customer_id = 1), '2025-03-07 21:00');
SELECT * FROM stage_timeline((SELECT st FROM st WHERE customer_id = 1));
SELECT * FROM stage_timeline((SELECT st FROM st WHERE customer_id = 1), '2025-03-07 21:00');
-- stage in force, current stage, backward moves
SELECT t, stage_at(st, t) FROM st, (VALUES ('2025-02-01 00:00'::timestamptz), ('2025-03-03 09:00'), ('2025-03-05 08:59'), ('2025-12-01 00:00')) v(t)
WHERE customer_id = 1 ORDER BY t;
SELECT customer_id, current_stage(st), stage_regressions(st) FROM st ORDER BY 1;
-- weekly buckets: the previous bucket's state carries the stage in force
CREATE TEMP TABLE weekly AS
SELECT customer_id, date_trunc('week', occurred_at) AS week, stage_time_agg(occurred_at, stage::stage) AS st
FROM st_rows WHERE customer_id = 1 AND occurred_at IS NOT NULL GROUP BY 1, 2;
SELECT week, st, duration_in(st, 'awareness'::stage, week, week + interval '1 week', lag(st) OVER w) AS awareness,
       duration_in(st, 'consideration'::stage, week, week + interval '1 week', lag(st) OVER w) AS consideration,
       duration_in(st, 'decision'::stage, week, week + interval '1 week', lag(st) OVER w) AS decision
FROM weekly WINDOW w AS (PARTITION BY customer_id ORDER BY week) ORDER BY week;
SELECT w.week, t.* FROM (SELECT week, st, lag(st) OVER (ORDER BY week) AS prev FROM weekly) w,
  stage_timeline(w.st, w.week, w.week + interval '1 week', w.prev) t ORDER BY t.entered_at;
-- a bucket with no rows of its own: the carried stage fills it
SELECT duration_in(NULL::stage_time, 'decision'::stage, '2025-03-10', '2025-03-17', st) FROM weekly WHERE week = '2025-03-03';
-- rollup of states over overlapping row sets equals the aggregate over their union
SELECT rollup(part) = (SELECT st FROM st WHERE customer_id = 1) AS rollup_equal
FROM (SELECT stage_time_agg(occurred_at, stage::stage) AS part FROM st_rows WHERE customer_id = 1 AND occurred_at < '2025-03-05'
      UNION ALL
      SELECT stage_time_agg(occurred_at, stage::stage) FROM st_rows WHERE customer_id = 1 AND occurred_at >= '2025-03-03') parts;
-- the same answers from a stored journey
SELECT journey_duration_in(j, 'consideration'::stage), journey_current_stage(j), journey_stage_regressions(j),
       stage_time(j) = (SELECT st FROM st WHERE customer_id = 1) AS same_state
FROM (SELECT journey_agg(occurred_at, stage::stage, 'web', NULL) j FROM st_rows WHERE customer_id = 1) s;
SELECT * FROM journey_stage_durations((SELECT journey_agg(occurred_at, stage::stage, 'web', NULL) FROM st_rows WHERE customer_id = 1));
-- custom stage lists and text form
CREATE TYPE lc AS ENUM ('new', 'active', 'lapsed');
SELECT stage_time_agg(t, s) FROM (VALUES ('2025-01-01 00:00+00'::timestamptz, 'new'::lc), ('2025-01-02 00:00+00', 'lapsed')) v(t, s);
SELECT '[new<active<lapsed] {2025-01-02T00:00:00Z lapsed; 2025-01-01T00:00:00Z new; 2025-01-01T00:00:00Z new}'::stage_time;
SELECT '{}'::stage_time, duration_in('{}'::stage_time, 'awareness'::stage), current_stage('{}');
-- errors
SELECT duration_in(st, 'decision'::stage, '2025-03-01') FROM st WHERE customer_id = 1;
SELECT duration_in(st, 'decision'::stage, '2025-03-05', '2025-03-01') FROM st WHERE customer_id = 1;
SELECT duration_in(st, 'new'::lc) FROM st WHERE customer_id = 1;
SELECT rollup(x) FROM (VALUES ('{}'::stage_time), ('[new<active] {}'::stage_time)) v(x);
SELECT '{2025-01-01T00:00:00Z awareness web}'::stage_time;
DROP TYPE lc;
RESET timezone;
