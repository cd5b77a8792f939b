-- Sequences on the sample data: sequence_match, sequence_count,
-- sequence_match_events and sequence_next_node against plain SQL, shuffled
-- input, forced parallel plans against serial ones, the journey forms
-- against the row forms for every customer, every error's SQLSTATE, the
-- search's limit and interrupts, and the window_funnel property of issue 13
-- ("a level reached with N steps is still reached with N + 1") on random
-- groups with ties.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(33);

-- a plain table (temporary ones are never scanned in parallel)
CREATE TABLE tp AS SELECT * FROM touchpoints;
ANALYZE tp;

-- ---- against plain SQL (disjoint conditions: at one instant the row of the
-- lower condition comes first, so "after" is t2 >= t1 for another row)
CREATE TEMP TABLE seq AS
SELECT customer_id,
       sequence_match('(?1).*(?2)', occurred_at, event = 'ad_click', event = 'purchase') AS m_any,
       sequence_match('(?1)(?t<=86400)(?2)', occurred_at, event = 'ad_click', event = 'purchase') AS m_day,
       sequence_count('(?1)', occurred_at, event = 'ad_click', event = 'purchase') AS c_clicks,
       sequence_count('(?1)(?2)', occurred_at, event = 'ad_click', event = 'purchase') AS c_adjacent,
       sequence_match_events('(?1).*(?2)', occurred_at, event = 'ad_click', event = 'purchase') AS ev,
       sequence_next_node('forward', 'first_match', occurred_at, event, true, event = 'ad_click') AS after_click,
       sequence_next_node('backward', 'last_match', occurred_at, event, true, event = 'purchase') AS before_buy
FROM tp GROUP BY customer_id;
CREATE TEMP TABLE cr AS  -- rows with a true condition, numbered in sequence order
SELECT customer_id, occurred_at AS t, event, row_number() OVER (PARTITION BY customer_id ORDER BY occurred_at, event) AS rn
FROM tp WHERE event IN ('ad_click', 'purchase');
-- rows with no true condition are not kept, so filtering them out first
-- changes no answer for a customer with a row left (README, "Filter first")
SELECT is_empty($$
  SELECT customer_id FROM seq s JOIN (
    SELECT customer_id,
           sequence_match('(?1).*(?2)', occurred_at, event = 'ad_click', event = 'purchase') AS m_any,
           sequence_match('(?1)(?t<=86400)(?2)', occurred_at, event = 'ad_click', event = 'purchase') AS m_day,
           sequence_count('(?1)(?2)', occurred_at, event = 'ad_click', event = 'purchase') AS c_adjacent,
           sequence_match_events('(?1).*(?2)', occurred_at, event = 'ad_click', event = 'purchase') AS ev
    FROM tp WHERE event IN ('ad_click', 'purchase') GROUP BY customer_id) f USING (customer_id)
  WHERE (s.m_any, s.m_day, s.c_adjacent, s.ev) IS DISTINCT FROM (f.m_any, f.m_day, f.c_adjacent, f.ev)$$,
  'sequence_match, sequence_count, sequence_match_events: the same over only the rows with a true condition');
SELECT ok((SELECT count(*) FILTER (WHERE m_any) FROM seq) > 50 AND (SELECT count(*) FILTER (WHERE NOT m_any) FROM seq) > 50,
          'the sample has customers with and without click-then-purchase');
SELECT is_empty($$
  SELECT customer_id FROM seq s WHERE m_any IS DISTINCT FROM EXISTS (
    SELECT FROM cr a JOIN cr b USING (customer_id) WHERE a.customer_id = s.customer_id
      AND a.event = 'ad_click' AND b.event = 'purchase' AND b.rn > a.rn)$$,
  'sequence_match (?1).*(?2) = EXISTS a later row');
SELECT is_empty($$
  SELECT customer_id FROM seq s WHERE m_day IS DISTINCT FROM EXISTS (
    SELECT FROM cr a JOIN cr b USING (customer_id) WHERE a.customer_id = s.customer_id
      AND a.event = 'ad_click' AND b.event = 'purchase' AND b.rn > a.rn AND b.t - a.t <= interval '1 day')$$,
  'sequence_match (?1)(?t<=86400)(?2) = EXISTS a later row within a day (seconds, inclusive)');
SELECT is_empty($$
  SELECT customer_id FROM seq s WHERE c_clicks <> (SELECT count(*) FROM tp WHERE tp.customer_id = s.customer_id AND event = 'ad_click')$$,
  'sequence_count (?1) = the rows matching condition 1');
SELECT is_empty($$
  WITH pairs AS (  -- non-overlapping adjacent click, purchase: a greedy walk over the numbered rows
    SELECT a.customer_id, a.rn FROM cr a JOIN cr b ON b.customer_id = a.customer_id AND b.rn = a.rn + 1
    WHERE a.event = 'ad_click' AND b.event = 'purchase')
  SELECT customer_id FROM seq s WHERE c_adjacent <> (SELECT count(*) FROM pairs p WHERE p.customer_id = s.customer_id)$$,
  'sequence_count (?1)(?2) = adjacent click, purchase pairs (they cannot overlap)');
SELECT is_empty($$
  SELECT customer_id FROM seq s WHERE m_any AND ev IS DISTINCT FROM (
    SELECT ARRAY[a.t, (SELECT min(b.t) FROM cr b WHERE b.customer_id = a.customer_id AND b.event = 'purchase' AND b.rn > a.rn)]
    FROM cr a WHERE a.customer_id = s.customer_id AND a.event = 'ad_click'
      AND EXISTS (SELECT FROM cr b WHERE b.customer_id = a.customer_id AND b.event = 'purchase' AND b.rn > a.rn)
    ORDER BY a.rn LIMIT 1)$$,
  'sequence_match_events (?1).*(?2): the first click with a later purchase, and the first purchase after it');
CREATE TEMP TABLE nr AS  -- rows with an event label, in next-node order
SELECT customer_id, occurred_at AS t, event, row_number() OVER (PARTITION BY customer_id ORDER BY occurred_at, event COLLATE "C") AS rn
FROM tp WHERE event IS NOT NULL;
SELECT is_empty($$
  SELECT customer_id FROM seq s WHERE after_click IS DISTINCT FROM (
    SELECT n2.event FROM nr n1 JOIN nr n2 ON n2.customer_id = n1.customer_id AND n2.rn = n1.rn + 1
    WHERE n1.customer_id = s.customer_id AND n1.event = 'ad_click' ORDER BY n1.rn LIMIT 1)$$,
  'sequence_next_node forward first_match = the event after the first ad_click');
SELECT is_empty($$
  SELECT customer_id FROM seq s WHERE before_buy IS DISTINCT FROM (
    SELECT n2.event FROM nr n1 JOIN nr n2 ON n2.customer_id = n1.customer_id AND n2.rn = n1.rn - 1
    WHERE n1.customer_id = s.customer_id AND n1.event = 'purchase' ORDER BY n1.rn DESC LIMIT 1)
    AND NOT (before_buy IS NULL AND (SELECT min(rn) FROM nr WHERE nr.customer_id = s.customer_id AND event = 'purchase'
                                     AND rn = (SELECT max(rn) FROM nr x WHERE x.customer_id = s.customer_id AND x.event = 'purchase')) = 1)$$,
  'sequence_next_node backward last_match = the event before the last purchase');

-- ---- shuffled input and integer time give the same results ----------------
SELECT is_empty($$
  SELECT customer_id FROM seq s JOIN (
    SELECT customer_id,
           sequence_match('(?1).*(?2)', occurred_at, event = 'ad_click', event = 'purchase' ORDER BY random()) AS m_any,
           sequence_count('(?1)(?2)', occurred_at, event = 'ad_click', event = 'purchase' ORDER BY random()) AS c_adjacent,
           sequence_match_events('(?1).*(?2)', occurred_at, event = 'ad_click', event = 'purchase' ORDER BY occurred_at DESC) AS ev,
           sequence_next_node('forward', 'first_match', occurred_at, event, true, event = 'ad_click' ORDER BY random()) AS after_click
    FROM tp GROUP BY customer_id) x USING (customer_id)
  WHERE (s.m_any, s.c_adjacent, s.ev, s.after_click) IS DISTINCT FROM (x.m_any, x.c_adjacent, x.ev, x.after_click)$$,
  'shuffled and reversed input: identical results');
SELECT is_empty($$
  SELECT customer_id FROM seq s JOIN (
    SELECT customer_id,
           sequence_match('(?1)(?t<=86400000000)(?2)', (extract(epoch FROM occurred_at) * 1000000)::bigint, event = 'ad_click', event = 'purchase') AS m_day,
           sequence_match_events('(?1).*(?2)', (extract(epoch FROM occurred_at) * 1000000)::bigint, event = 'ad_click', event = 'purchase') AS ev
    FROM tp GROUP BY customer_id) x USING (customer_id)
  WHERE s.m_day IS DISTINCT FROM x.m_day
     OR s.ev IS DISTINCT FROM ARRAY(SELECT to_timestamp(v / 1000000.0) FROM unnest(x.ev) v)$$,
  'bigint time in microseconds: gates in its unit, times as bigint[]');

-- ---- forced parallel plans give the serial result ---------------------------
CREATE FUNCTION pg_temp.parallel_seq(leader boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; result text := '';
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', '2', true);
  PERFORM set_config('parallel_setup_cost', '0', true);
  PERFORM set_config('parallel_tuple_cost', '0', true);
  PERFORM set_config('min_parallel_table_scan_size', '0', true);
  PERFORM set_config('parallel_leader_participation', leader::text, true);
  IF current_setting('server_version_num')::int >= 160000 THEN
    PERFORM set_config('debug_parallel_query', 'on', true);
  ELSE
    PERFORM set_config('force_parallel_mode', 'on', true);
  END IF;
  DROP TABLE IF EXISTS par_seq;
  FOR line IN EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) CREATE TABLE par_seq AS
    SELECT customer_id % 7 AS grp,
           sequence_match('(?1).*(?2)', occurred_at, event = 'ad_click', event = 'purchase') AS m,
           sequence_count('(?1)(?t<=3600)(?2)', occurred_at, event = 'page_view', event = 'add_to_cart') AS c,
           sequence_match_events('(?1)(?t>600)(?2)', occurred_at, event = 'login', event = 'purchase') AS ev,
           sequence_next_node('forward', 'first_match', occurred_at, event, true, event = 'signup') AS nn
    FROM tp GROUP BY 1 LOOP
    result := result || line || E'\n';
  END LOOP;
  PERFORM set_config('max_parallel_workers_per_gather', '0', true);
  PERFORM set_config('parallel_leader_participation', 'on', true);
  RETURN result;
END $$;
CREATE TEMP TABLE ser_seq AS
SELECT customer_id % 7 AS grp,
       sequence_match('(?1).*(?2)', occurred_at, event = 'ad_click', event = 'purchase') AS m,
       sequence_count('(?1)(?t<=3600)(?2)', occurred_at, event = 'page_view', event = 'add_to_cart') AS c,
       sequence_match_events('(?1)(?t>600)(?2)', occurred_at, event = 'login', event = 'purchase') AS ev,
       sequence_next_node('forward', 'first_match', occurred_at, event, true, event = 'signup') AS nn
FROM tp GROUP BY 1;
SELECT matches(pg_temp.parallel_seq(true), 'Finalize [A-Za-z]*Aggregate.*Workers Launched: [1-9].*Partial [A-Za-z]*Aggregate',
               'sequence aggregates: Partial and Finalize Aggregate, workers ran');
SELECT is_empty($$SELECT * FROM par_seq p FULL JOIN ser_seq s USING (grp) WHERE (p.m, p.c, p.ev, p.nn) IS DISTINCT FROM (s.m, s.c, s.ev, s.nn)$$,
                'sequence aggregates: parallel = serial');
SELECT matches(pg_temp.parallel_seq(false), 'Workers Launched: [1-9]', 'sequence aggregates, leader off: workers ran');
SELECT is_empty($$SELECT * FROM par_seq p FULL JOIN ser_seq s USING (grp) WHERE (p.m, p.c, p.ev, p.nn) IS DISTINCT FROM (s.m, s.c, s.ev, s.nn)$$,
                'sequence aggregates, leader off (every state serialized): parallel = serial');
SELECT ok((SELECT count(*) FROM ser_seq WHERE m) > 0 AND (SELECT sum(c) FROM ser_seq) > 0
          AND (SELECT count(*) FROM ser_seq WHERE cardinality(ev) = 2) > 0 AND (SELECT count(*) FROM ser_seq WHERE nn IS NOT NULL) > 0,
          'the parallel comparison is not vacuous');

-- ---- journey forms = row forms, every customer -----------------------------
CREATE TEMP TABLE jr AS
SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS j FROM tp GROUP BY customer_id;
CREATE TEMP TABLE pats (p text);
INSERT INTO pats VALUES ('(?1).*(?2)'), ('(?1)(?t<=86400)(?2)'), ('(?1).*(?t>3600)(?2)'), ('(?2)(?1)'), ('(?1).(?2)'),
  ('(?1)(?t<600)'), ('(?1)(?1)(?2)'), (''), ('(?3)(?t>=0)(?1)');
CREATE TEMP TABLE jrow AS
SELECT customer_id, p,
       sequence_match(p, occurred_at, event = 'page_view' OR stage = 'page_view', stage = 'decision', channel = 'email' OR event = 'login') AS m,
       sequence_count(p, occurred_at, event = 'page_view' OR stage = 'page_view', stage = 'decision', channel = 'email' OR event = 'login') AS c,
       sequence_match_events(p, occurred_at, event = 'page_view' OR stage = 'page_view', stage = 'decision', channel = 'email' OR event = 'login') AS ev
FROM tp, pats GROUP BY customer_id, p;
CREATE TEMP TABLE jj AS
SELECT customer_id, p, journey_sequence_match(j, p, 'page_view', 'stage = decision', 'channel = email | event = login') AS m,
       journey_sequence_count(j, p, 'page_view', 'stage = decision', 'channel = email | event = login') AS c,
       journey_sequence_match_events(j, p, 'page_view', 'stage = decision', 'channel = email | event = login') AS ev
FROM jr, pats;
SELECT is_empty($$SELECT * FROM jrow r FULL JOIN jj USING (customer_id, p) WHERE (r.m, r.c, r.ev) IS DISTINCT FROM (jj.m, jj.c, jj.ev)$$,
                'journey_sequence_match/count/match_events = the row forms, every customer and pattern');
SELECT ok((SELECT count(DISTINCT (m, c)) FROM jj) > 5, 'the journey comparison is not vacuous');
SELECT is_empty($$
  SELECT customer_id FROM jr JOIN (
    SELECT customer_id,
           sequence_next_node('forward', 'first_match', occurred_at, event, true, event = 'page_view' OR stage = 'page_view', stage = 'consideration') AS f,
           sequence_next_node('backward', 'last_match', occurred_at, event, true, event = 'purchase', channel = 'web') AS b,
           sequence_next_node('forward', 'head', occurred_at, event, true) AS h,
           sequence_next_node('backward', 'tail', occurred_at, event, true, stage IN ('retention', 'advocacy')) AS t
    FROM tp GROUP BY customer_id) r USING (customer_id)
  WHERE (journey_next_node(j, 'forward', 'first_match', 'page_view', 'stage = consideration'),
         journey_next_node(j, 'backward', 'last_match', 'event = purchase', 'channel = web'),
         journey_next_node(j, 'forward', 'head'),
         journey_next_node(j, 'backward', 'tail', 'stage >= retention')) IS DISTINCT FROM (f, b, h, t)$$,
  'journey_next_node = sequence_next_node over the rows, every customer');
-- Conditions most journeys lack (purchase): those journeys are answered
-- from their labels, without reading their touches; = the rows forms
SELECT is_empty($$
  SELECT customer_id FROM jr JOIN (
    SELECT customer_id,
           sequence_match('(?1).*(?2)', occurred_at, event = 'page_view', event = 'purchase') AS m,
           sequence_count('(?1)(?t<=86400)(?2)', occurred_at, event = 'page_view', event = 'purchase') AS c,
           sequence_next_node('forward', 'first_match', occurred_at, event, true, event = 'purchase') AS f,
           sequence_next_node('backward', 'tail', occurred_at, event, true, event = 'purchase', event = 'page_view') AS t,
           bool_or(event = 'purchase') AS buyer
    FROM tp GROUP BY customer_id) r USING (customer_id)
  WHERE (journey_sequence_match(j, '(?1).*(?2)', 'event = page_view', 'event = purchase'),
         journey_sequence_count(j, '(?1)(?t<=86400)(?2)', 'event = page_view', 'event = purchase'),
         journey_next_node(j, 'forward', 'first_match', 'event = purchase'),
         journey_next_node(j, 'backward', 'tail', 'event = purchase', 'event = page_view')) IS DISTINCT FROM (m, c, f, t)
     OR NOT EXISTS (SELECT 1 FROM tp WHERE event = 'purchase')$$,
  'a condition most journeys lack: journey_sequence_match/count and journey_next_node = the row forms');

-- ---- errors ------------------------------------------------------------------
SELECT throws_ok($$SELECT sequence_match('(?1) (?2)', occurred_at, true, true) FROM tp$$, '2201B',
                 'sequence pattern is malformed: "(?1) (?2)"');
SELECT throws_ok($$SELECT sequence_count('(?1)(?t!=1)(?2)', occurred_at, true, true) FROM tp$$, '2201B',
                 'sequence pattern is malformed: "(?1)(?t!=1)(?2)"');
SELECT throws_ok($$SELECT sequence_match_events('(?3)', occurred_at, true, true) FROM tp$$, '22023',
                 'sequence pattern is invalid: "(?3)"');
SELECT throws_ok($$SELECT sequence_match('(?1)(?t<1)(?t<2)', occurred_at, true) FROM tp$$, '22023',
                 'sequence pattern is invalid: "(?1)(?t<1)(?t<2)"');
SELECT throws_ok($$SELECT sequence_match('(?0)', occurred_at, true) FROM tp$$, '22023',
                 'sequence pattern is invalid: "(?0)"');
SELECT throws_ok($$SELECT sequence_match('(?1)', occurred_at, VARIADIC array_fill(true, ARRAY[65])) FROM tp$$, '54000',
                 'sequence has too many conditions');
SELECT throws_ok($$SELECT sequence_next_node('sideways', 'head', occurred_at, event, true) FROM tp$$, '22023',
                 'sequence_next_node direction "sideways" is not valid');
SELECT throws_ok($$SELECT journey_next_node(j, 'backward', 'head') FROM jr$$, '22023',
                 'journey_next_node base "head" cannot be combined with direction "backward"');
SELECT throws_ok($$SELECT journey_sequence_count(j, '(?1)', 'event >= x') FROM jr$$, '22023',
                 'journey_sequence_count step 1 is invalid: "event >= x"');
-- the search's limit: 54000, not a hang, and it can be cancelled
SELECT throws_ok($$SELECT sequence_count(repeat('(?1)', 1000), g, g % 997 <> 0, g % 997 = 0) FROM generate_series(1, 200000) g$$, '54000',
                 'sequence pattern search is too large for one group');
CREATE FUNCTION pg_temp.search_cancelled() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sequence_count(repeat('(?1)', 1000), g, g % 997 <> 0, g % 997 = 0) FROM generate_series(1, 200000) g;
  RETURN 'finished';
EXCEPTION WHEN query_canceled THEN
  RETURN 'cancelled';
END $$;
SET LOCAL statement_timeout = '100ms';
SELECT is(pg_temp.search_cancelled(), 'cancelled', 'a long search is interrupted by statement_timeout (57014)');
RESET statement_timeout;

-- ---- window_funnel (issue 13): more steps never lose a level ---------------
-- (every mode without strict_order: under strict_order a row that matches
-- no step stops the walk, so a new step changes which rows stop it, by design)
CREATE TEMP TABLE fr AS
SELECT g, (random() * 6)::int AS t, 1 + (random() * 4)::int AS e
FROM generate_series(1, 3000) g0, LATERAL (SELECT g0 / 6 AS g) x;
CREATE TEMP TABLE fm (mode text);
INSERT INTO fm VALUES ('default'), ('strict_deduplication'), ('strict_increase'), ('strict_once'),
  ('strict_deduplication, strict_once'), ('strict_increase, strict_once'), ('strict_deduplication, strict_increase'),
  ('strict_deduplication, strict_increase, strict_once');
SELECT is_empty($$
  SELECT g, mode FROM (
    SELECT g, mode,
           window_funnel(2::bigint, mode, t, e = 3, e IN (3, 4), e = 2) AS l3,
           window_funnel(2::bigint, mode, t, e = 3, e IN (3, 4), e = 2, e = 4) AS l4,
           window_funnel(2::bigint, mode, t, e IN (1, 2), e = 2) AS l2,
           window_funnel(2::bigint, mode, t, e IN (1, 2), e = 2, e IN (2, 5), e = 1) AS l4b
    FROM fr, fm GROUP BY g, mode) x
  WHERE l4 < l3 OR l4b < l2$$,
  'window_funnel: a level reached with N steps is still reached with N + 1 (random groups with ties, every mode without strict_order)');
SELECT is(
  (SELECT ROW(window_funnel(1::bigint, 'strict_deduplication, strict_once', ts, e = 'c', e IN ('c', 'd'), e = 'b'),
              window_funnel(1::bigint, 'strict_deduplication, strict_once', ts, e = 'c', e IN ('c', 'd'), e = 'b', e = 'd'))::text
   FROM (VALUES (0, 'b'), (0, 'd'), (0, 'c')) v(ts, e)),
  '(3,3)', 'window_funnel: the case of issue 13 reaches 3 with either step count');

SELECT * FROM finish();
ROLLBACK;
