-- sequences: the stored-journey step syntax (journey_step.c), sequence_match,
-- sequence_count, sequence_match_events (ClickHouse's pattern grammar and
-- search), sequence_next_node, their journey forms, and the window_funnel
-- tie order of issue 13
SET timezone = 'UTC';

-- ---- the step syntax, through journey_sequence_count('(?1)', j, step) -----
CREATE TEMP TABLE sj AS SELECT
  '[lead<mql<sql<won] {2025-01-01T00:00:00Z lead web form; 2025-01-01T01:00:00Z mql email "page view"; 2025-01-01T02:00:00Z sql "a|b" won; 2025-01-01T03:00:00Z won web "x\"y"; 2025-01-01T04:00:00Z won NULL NULL}'::journey AS j;
SELECT s, journey_sequence_count(j, '(?1)', s) AS touches
FROM sj, unnest(ARRAY['form', 'won', 'event = won', 'stage = won', 'channel = web',
  'stage >= mql', 'stage > mql', 'stage < sql', 'stage <= sql', 'stage >= nosuch', '*',
  'form | "page view"', '"page view"', '  event  =  "page view"  ', '"a|b"', 'channel="a|b"',
  'event = "x""y"', 'mql|won', 'nosuch', '"event"', 'event', 'stage', '""']) s;
-- a NULL step matches nothing; steps are numbered in the detail of errors
SELECT journey_sequence_count(j, '(?1)', NULL, 'won') AS null_step, journey_sequence_count(j, '(?2)', NULL, 'won') AS won FROM sj;
SELECT journey_sequence_count(j, '(?1)', 'event = won', NULL) FROM sj;
-- every malformed step is 22023 with the step and the byte position
SELECT journey_sequence_count(j, '(?1)', '') FROM sj;
SELECT journey_sequence_count(j, '(?1)', 'a b') FROM sj;
SELECT journey_sequence_count(j, '(?1)', 'a||b') FROM sj;
SELECT journey_sequence_count(j, '(?1)', '|a') FROM sj;
SELECT journey_sequence_count(j, '(?1)', 'a|') FROM sj;
SELECT journey_sequence_count(j, '(?1)', '"open') FROM sj;
SELECT journey_sequence_count(j, '(?1)', 'colour = red') FROM sj;
SELECT journey_sequence_count(j, '(?1)', 'event >= form') FROM sj;
SELECT journey_sequence_count(j, '(?1)', 'channel < web') FROM sj;
SELECT journey_sequence_count(j, '(?1)', '"event" = form') FROM sj;
SELECT journey_sequence_count(j, '(?1)', 'event =') FROM sj;
SELECT journey_sequence_count(j, '(?1)', 'event = = form') FROM sj;
SELECT journey_sequence_count(j, '(?1)', 'a"b"') FROM sj;
SELECT journey_sequence_count(j, '(?1)', 'ok', 'x > y') FROM sj;
SELECT journey_sequence_count(j, '(?1)', VARIADIC '{}'::text[]) FROM sj;
SELECT journey_sequence_count(j, '(?1)', VARIADIC array_fill('a'::text, ARRAY[65])) FROM sj;

-- ---- patterns: ClickHouse's examples (the reference, section 1.10) --------
CREATE TEMP TABLE m (g text, t bigint, e int);
INSERT INTO m VALUES
  ('m2', 0, 1), ('m2', 5, 2),
  ('m4', 0, 1), ('m4', 3, 3), ('m4', 5, 2),
  ('m6', 0, 1), ('m6', 5, 2), ('m6', 12, 2),
  ('m6b', 0, 1), ('m6b', 5000, 2),
  ('m7', 0, 1), ('m7', 10, 2),
  ('c4', 0, 1), ('c4', 1, 1), ('c4', 2, 2), ('c4', 3, 2), ('c4', 10, 1), ('c4', 20, 2),
  ('e9', 0, 1), ('e9', 5, 2), ('e9', 100, 2), ('e9', 101, 3);
SELECT g, p, sequence_match(p, t, e = 1, e = 2, e = 3) AS match,
       sequence_count(p, t, e = 1, e = 2, e = 3) AS count,
       sequence_match_events(p, t, e = 1, e = 2, e = 3) AS events
FROM m, unnest(ARRAY['(?1)(?2)', '(?1).*(?2)', '(?1)(?t<5)(?2)', '(?1)(?t<=5)(?2)', '(?1)(?t>5)(?2)',
                     '(?1)(?t>=5)(?2)', '(?1)(?t==5)(?2)', '(?1)(?t<=10)(?2)', '(?1)(?t>10)(?2)',
                     '(?1).*(?t>10)(?2)', '(?1).*(?t<=3600)(?2)', '(?1)(?t<=3600)(?2)', '(?1)(?t<5)',
                     '(?1)(?t>5)', '(?1)(?t<=2)(?2)', '(?1)(?t<=10)(?2)(?3)', '', '.', '.*', '(?01)', '(?+1).(?+2)']) p
GROUP BY g, p ORDER BY g, p;
-- timestamptz: gates in seconds, compared in microseconds
SELECT sequence_match('(?1)(?t<=1)(?2)', t, e = 1, e = 2) AS within_1s,
       sequence_match('(?1)(?t<1)(?2)', t, e = 1, e = 2) AS under_1s,
       sequence_match_events('(?1)(?t<=1)(?2)', t, e = 1, e = 2) AS events
FROM (VALUES ('2025-01-01 00:00:00'::timestamptz, 1), ('2025-01-01 00:00:01', 2)) v(t, e);
SELECT sequence_match('(?1)(?t<1)(?2)', t, e = 1, e = 2)
FROM (VALUES ('2025-01-01 00:00:00'::timestamptz, 1), ('2025-01-01 00:00:00.999999', 2)) v(t, e);
-- rows at one instant are ordered by their conditions (true first), never by arrival
SELECT sequence_match('(?1)(?2)', t, e = 2, e = 1) AS m21, sequence_match('(?1)(?2)', t, e = 1, e = 2) AS m12
FROM (VALUES (1::bigint, 2), (1, 1)) v(t, e);
SELECT sequence_match('(?1)(?2)', t, e = 2, e = 1 ORDER BY e) = sequence_match('(?1)(?2)', t, e = 2, e = 1 ORDER BY e DESC) AS same
FROM (VALUES (1::bigint, 2), (1, 1)) v(t, e);
-- NULL conditions are false, NULL times skipped, rows matching nothing invisible
SELECT sequence_match('(?1)(?2)', t, c1, c2) AS m, sequence_count('.', t, c1, c2) AS n
FROM (VALUES (1::bigint, true, false), (2, NULL, false), (NULL, false, true), (3, false, true)) v(t, c1, c2);
-- an empty group: false, 0, {} (no row at all: the pattern is never seen)
SELECT sequence_match('', t, true), sequence_count('(?1)', t, true), sequence_match_events('(?1)', t, true)
FROM (VALUES (1::bigint)) v(t) WHERE false;
-- rows without a true condition still carry the pattern: '' and '.*' match
SELECT sequence_match('', t, false), sequence_match('.*', t, false), sequence_match('.', t, false)
FROM (VALUES (1::bigint)) v(t);
-- ClickHouse stops at 1,000,000 iterations here (TOO_SLOW); the search answers
SELECT sequence_match('(?1)(?t>5000)(?2)', t, t < 2000, t = 2000) AS m,
       sequence_count('(?1)(?t<=5000)(?2)', t, t < 2000, t = 2000) AS c
FROM generate_series(0, 2000) t;
-- 64 conditions
SELECT sequence_match('(?1)(?64)', t, VARIADIC array_fill(true, ARRAY[64])) FROM (VALUES (1::bigint), (2)) v(t);

-- ---- pattern errors: 2201B malformed (with ClickHouse's position), 22023 invalid
SELECT sequence_match('(?1) (?2)', 1::bigint, true, true);
SELECT sequence_match('(?1)(?t!=1)(?2)', 1::bigint, true, true);
SELECT sequence_match('(?-1)', 1::bigint, true, true);
SELECT sequence_match('(?1.5)', 1::bigint, true, true);
SELECT sequence_match('(?1', 1::bigint, true, true);
SELECT sequence_match('(?t<)', 1::bigint, true, true);
SELECT sequence_match('(?99999999999999999999)', 1::bigint, true, true);
SELECT sequence_match('x', 1::bigint, true, true);
SELECT sequence_match('(?0)', 1::bigint, true, true);
SELECT sequence_match('(?3)', 1::bigint, true, true);
SELECT sequence_match('(?1)(?t<1)(?t<2)', 1::bigint, true, true);
SELECT sequence_match('(?1)(?t>+)(?2)', 1::bigint, true, true);
SELECT sequence_match('(?+)', 1::bigint, true, true);
SELECT sequence_match(repeat('.', 5000), 1::bigint, true, true);
SELECT sequence_match(NULL, 1::bigint, true, true);
SELECT sequence_match(p, 1::bigint, true, true) FROM (VALUES ('(?1)'), ('(?2)')) v(p);
SELECT sequence_match('(?1)', 1::bigint, VARIADIC '{}'::boolean[]);
SELECT sequence_match('(?1)', 1::bigint, VARIADIC array_fill(true, ARRAY[65]));
SELECT sequence_count('(?1)', t, VARIADIC c) FROM (VALUES (1::bigint, ARRAY[true]), (2, ARRAY[true, false])) v(t, c);
SELECT journey_sequence_match(j, '(?2)', 'won') FROM sj;
SELECT journey_sequence_match(j, NULL, 'won') FROM sj;

-- ---- journey forms equal the row forms over the journey's touches ----------
SELECT journey_sequence_match(j, '(?1).*(?t<=3600)(?2)', 'stage = lead', 'won') AS m,
       journey_sequence_count(j, '(?1)', 'stage >= sql') AS c,
       journey_sequence_match_events(j, '(?1)(?t<=3600)(?2)', 'form', '*') AS e
FROM sj;

-- ---- sequence_next_node (the reference, section 2.5) ------------------------
CREATE TEMP TABLE flow (id int, t bigint, page text, ref text);
INSERT INTO flow VALUES
  (1, 1, 'Home', NULL), (1, 2, 'Gift', NULL), (1, 3, 'Exit', NULL),
  (2, 1, 'Home', NULL), (2, 2, 'Home', NULL), (2, 3, 'Gift', NULL), (2, 4, 'Basket', NULL),
  (3, 1, 'Gift', NULL), (3, 2, 'Home', NULL), (3, 3, 'Gift', NULL), (3, 4, 'Basket', NULL);
SELECT id,
       sequence_next_node('forward', 'head', t, page, page = 'Home', page = 'Home', page = 'Gift') AS fwd_head,
       sequence_next_node('backward', 'tail', t, page, page = 'Basket', page = 'Basket', page = 'Gift') AS bwd_tail,
       sequence_next_node('forward', 'first_match', t, page, page = 'Gift', page = 'Gift') AS fwd_first,
       sequence_next_node('forward', 'first_match', t, page, page = 'Gift', page = 'Gift', page = 'Home') AS fwd_first_2,
       sequence_next_node('backward', 'last_match', t, page, page = 'Gift', page = 'Gift') AS bwd_last,
       sequence_next_node('backward', 'last_match', t, page, page = 'Gift', page = 'Gift', page = 'Home') AS bwd_last_2,
       sequence_next_node('forward', 'last_match', t, page, page = 'Gift', page = 'Gift') AS fwd_last,
       sequence_next_node('BACKWARD', 'First_Match', t, page, page = 'Gift', page = 'Gift') AS bwd_first,
       sequence_next_node('forward', 'head', t, page, true) AS head,
       sequence_next_node('backward', 'tail', t, page, true) AS tail
FROM flow GROUP BY id ORDER BY id;
-- ties by value bytes; a NULL value is not a node
SELECT sequence_next_node('forward', 'head', t, page, page = 'A', page = 'A') AS a_next,
       sequence_next_node('forward', 'head', t, page, page = 'B', page = 'B') AS b_head
FROM (VALUES (1::bigint, 'B'), (1, 'A'), (2, 'C'), (3, NULL)) v(t, page);
SELECT journey_next_node(j, 'forward', 'first_match', 'form') AS after_form,
       journey_next_node(j, 'backward', 'last_match', 'won') AS before_won,
       journey_next_node(j, 'forward', 'head') AS head, journey_next_node(j, 'backward', 'tail') AS tail
FROM sj;
-- errors name the value and list the valid ones
SELECT sequence_next_node('sideways', 'head', 1::bigint, 'a', true);
SELECT sequence_next_node('forward', 'middle', 1::bigint, 'a', true);
SELECT sequence_next_node('backward', 'head', 1::bigint, 'a', true);
SELECT sequence_next_node('forward', 'tail', 1::bigint, 'a', true);
SELECT sequence_next_node('forward', 'first_match', 1::bigint, 'a', true);
SELECT sequence_next_node(NULL, 'head', 1::bigint, 'a', true);
SELECT journey_next_node(j, 'forward', 'last_match') FROM sj;
SELECT journey_next_node(NULL::journey, 'forward', 'head') IS NULL AS null_journey, journey_sequence_count(NULL::journey, '(?1)', 'x') IS NULL AS null_too;
SELECT sequence_next_node('forward', 'head', t, 'a', true, VARIADIC c) FROM (VALUES (1::bigint, ARRAY[true]), (2, ARRAY[true, true])) v(t, c);

-- ---- window_funnel: ties by the lowest step where the rows differ (issue 13)
SELECT window_funnel(1::bigint, 'strict_deduplication, strict_once', ts, e = 'c', e IN ('c', 'd'), e = 'b') AS three_steps,
       window_funnel(1::bigint, 'strict_deduplication, strict_once', ts, e = 'c', e IN ('c', 'd'), e = 'b', e = 'd') AS four_steps
FROM (VALUES (0, 'b'), (0, 'd'), (0, 'c')) v(ts, e);
