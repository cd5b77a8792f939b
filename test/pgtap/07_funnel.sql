-- window_funnel against an independent plain-SQL formulation on the sample data.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(25);

-- a 3-step funnel: ad or page view, then signup or demo request, then purchase
CREATE TEMP TABLE steps AS
SELECT customer_id, occurred_at AS t,
       coalesce(event IN ('ad_click', 'page_view'), false) AS s1,
       coalesce(event IN ('signup', 'demo_request'), false) AS s2,
       coalesce(event = 'purchase', false) AS s3
FROM touchpoints;
CREATE INDEX ON steps (customer_id);
ANALYZE steps;

CREATE TEMP TABLE wf AS
SELECT customer_id,
       window_funnel(interval '14 days', t, s1, s2, s3) AS level,
       window_funnel_times(interval '14 days', t, s1, s2, s3) AS times
FROM steps GROUP BY customer_id;

-- plain SQL: the deepest k for which rows a (step 1) <= b (step 2) <= c (step 3)
-- exist in time order, all within 14 days of a (a row may fill several steps)
CREATE TEMP TABLE ref AS
SELECT c.customer_id,
       CASE WHEN EXISTS (SELECT 1 FROM steps a JOIN steps b ON b.customer_id = a.customer_id
                           JOIN steps x ON x.customer_id = a.customer_id
                         WHERE a.customer_id = c.customer_id AND a.s1 AND b.s2 AND x.s3
                           AND b.t >= a.t AND x.t >= b.t AND x.t <= a.t + interval '14 days') THEN 3
            WHEN EXISTS (SELECT 1 FROM steps a JOIN steps b ON b.customer_id = a.customer_id
                         WHERE a.customer_id = c.customer_id AND a.s1 AND b.s2
                           AND b.t >= a.t AND b.t <= a.t + interval '14 days') THEN 2
            WHEN EXISTS (SELECT 1 FROM steps a WHERE a.customer_id = c.customer_id AND a.s1) THEN 1
            ELSE 0 END AS level
FROM (SELECT DISTINCT customer_id FROM steps) c;

SELECT ok((SELECT count(*) FROM wf WHERE level = 3) > 10 AND (SELECT count(*) FROM wf WHERE level = 2) > 10,
          'the sample data has customers at every level');
SELECT is_empty($$SELECT customer_id FROM wf JOIN ref USING (customer_id) WHERE wf.level <> ref.level$$,
                'default mode = existence of a chain in plain SQL, for every customer');
SELECT is_empty($$SELECT customer_id FROM wf
                  WHERE cardinality(times) <> level
                     OR (level >= 2 AND (times[2] < times[1] OR times[2] > times[1] + interval '14 days'))
                     OR (level = 3 AND (times[3] < times[2] OR times[3] > times[1] + interval '14 days'))
                     OR EXISTS (SELECT 1 FROM generate_subscripts(times, 1) k
                                WHERE NOT EXISTS (SELECT 1 FROM steps s WHERE s.customer_id = wf.customer_id AND s.t = times[k]
                                                  AND CASE k WHEN 1 THEN s.s1 WHEN 2 THEN s.s2 ELSE s.s3 END))$$,
                'window_funnel_times is a valid chain of rows matching each step');
SELECT is_empty($$SELECT customer_id FROM wf JOIN (
                    SELECT customer_id, window_funnel(interval '14 days', t, s1, s2, s3 ORDER BY md5(t::text || s1::text)) AS l
                    FROM steps GROUP BY 1) r USING (customer_id) WHERE wf.level <> r.l$$,
                'shuffled input gives the same levels');
SELECT is_empty($$SELECT customer_id FROM wf JOIN (
                    SELECT customer_id, journey_funnel(journey_agg(occurred_at, stage::stage, channel, event), interval '14 days', 'default',
                                                       'ad_click', 'signup', 'purchase') AS l1,
                           window_funnel(interval '14 days', occurred_at, event = 'ad_click', event = 'signup', event = 'purchase') AS l2
                    FROM touchpoints GROUP BY 1) r USING (customer_id) WHERE r.l1 <> r.l2$$,
                'journey_funnel over the stored journey = window_funnel over the rows');
-- journey_window_funnel(_times) (0.3.0, the step syntax) = window_funnel(_times)
-- over the journey's rows with the steps as conditions, in every mode, on
-- times cut to the day (many touches at one instant, of several steps)
CREATE TEMP TABLE wj AS
SELECT customer_id, date_trunc('day', occurred_at) AS t, stage::stage AS stage, channel, event FROM touchpoints;
CREATE TEMP TABLE wj_j AS SELECT customer_id, journey_agg(t, stage, channel, event) AS j FROM wj GROUP BY 1;
CREATE TEMP TABLE wj_modes (mode text);
INSERT INTO wj_modes VALUES ('default'), ('strict_deduplication'), ('strict_order'), ('strict_order, allow_reentry'),
    ('strict_increase'), ('strict_once'), ('deduplication'), ('fixed'), ('increase'), ('latest_step_start'), ('first_step_start'),
    ('unordered');
CREATE TEMP TABLE wj_rows AS
SELECT m.mode, w.customer_id,
       window_funnel(interval '3 days', m.mode, w.t, w.event IN ('page_view', 'ad_click'), w.stage >= 'consideration',
                     w.channel = 'email' OR w.event = 'signup', w.event = 'purchase') AS level,
       window_funnel_times(interval '3 days', m.mode, w.t, w.event IN ('page_view', 'ad_click'), w.stage >= 'consideration',
                           w.channel = 'email' OR w.event = 'signup', w.event = 'purchase')
           FILTER (WHERE m.mode <> 'unordered') AS times   -- an unordered funnel has no step times
FROM wj w CROSS JOIN wj_modes m GROUP BY 1, 2;
SELECT ok((SELECT count(DISTINCT level) FROM wj_rows) = 5, 'the day-cut rows reach every level');
-- the level alone in the default mode takes its own walk (a start time per
-- step over each instant's union of masks); the step times take the chain
-- walk, whose array is as long as the level
SELECT is_empty($$SELECT mode, customer_id FROM wj_rows
                  WHERE mode IN ('default', 'latest_step_start', 'first_step_start')
                    AND level <> coalesce(cardinality(times), 0)$$,
                'default-mode level (its own walk) = the length of window_funnel_times (the chain walk), on day-cut times');
SELECT is_empty($$SELECT r.mode, r.customer_id FROM wj_rows r JOIN wj_j USING (customer_id)
                  WHERE r.level IS DISTINCT FROM journey_window_funnel(j, interval '3 days', r.mode,
                          'event = page_view | event = ad_click', 'stage >= consideration', 'channel = email | event = signup', 'event = purchase')
                     OR r.mode <> 'unordered' AND r.times IS DISTINCT FROM journey_window_funnel_times(j, interval '3 days', r.mode,
                          'event = page_view | event = ad_click', 'stage >= consideration', 'channel = email | event = signup', 'event = purchase')$$,
                'journey_window_funnel and journey_window_funnel_times = window_funnel and window_funnel_times over the rows, every mode');
-- integer time (epoch seconds, window in seconds) gives the same levels
SELECT is_empty($$SELECT customer_id FROM wf JOIN (
                    SELECT customer_id, window_funnel(14 * 86400::bigint, extract(epoch FROM t)::bigint, s1, s2, s3) AS l
                    FROM steps GROUP BY 1) r USING (customer_id) WHERE wf.level <> r.l$$,
                'bigint time and window give the same levels');
-- strict_increase never exceeds default; strict_order never exceeds default
SELECT is_empty($$SELECT customer_id FROM (
                    SELECT customer_id,
                           window_funnel(interval '14 days', t, s1, s2, s3) AS d,
                           window_funnel(interval '14 days', 'strict_increase', t, s1, s2, s3) AS i,
                           window_funnel(interval '14 days', 'strict_once', t, s1, s2, s3) AS o,
                           window_funnel(interval '14 days', 'strict_deduplication', t, s1, s2, s3) AS dd
                    FROM steps GROUP BY 1) x WHERE i > d OR o > d OR dd > d$$,
                'stricter modes never go deeper than the default');
-- strict_increase: the longest chain with strictly increasing times over all starts
SELECT is_empty($$SELECT c.customer_id FROM (
                    SELECT customer_id, window_funnel(interval '14 days', 'strict_increase', t, s1, s2, s3) AS level
                    FROM steps GROUP BY customer_id) c
                  WHERE c.level <> CASE
                    WHEN EXISTS (SELECT 1 FROM steps a JOIN steps b ON b.customer_id = a.customer_id
                                   JOIN steps x ON x.customer_id = a.customer_id
                                 WHERE a.customer_id = c.customer_id AND a.s1 AND b.s2 AND x.s3
                                   AND b.t > a.t AND x.t > b.t AND x.t <= a.t + interval '14 days') THEN 3
                    WHEN EXISTS (SELECT 1 FROM steps a JOIN steps b ON b.customer_id = a.customer_id
                                 WHERE a.customer_id = c.customer_id AND a.s1 AND b.s2
                                   AND b.t > a.t AND b.t <= a.t + interval '14 days') THEN 2
                    WHEN EXISTS (SELECT 1 FROM steps a WHERE a.customer_id = c.customer_id AND a.s1) THEN 1
                    ELSE 0 END$$,
                'strict_increase = existence of a strictly increasing chain in plain SQL, for every customer');
-- the disjoint steps here make strict_once and strict_increase equal except for same-instant steps
SELECT is_empty($$SELECT customer_id FROM (
                    SELECT customer_id,
                           window_funnel(interval '14 days', 'strict_once', t, s1, s2, s3) AS o,
                           window_funnel(interval '14 days', t, s1, s2, s3) AS d
                    FROM steps GROUP BY 1) x WHERE o <> d$$,
                'with no row matching two steps, strict_once = default');

-- retention against bool_or in plain SQL: monthly activity from March
CREATE TEMP TABLE ret AS
SELECT customer_id,
       retention(date_trunc('month', occurred_at) = '2025-03-01', date_trunc('month', occurred_at) = '2025-04-01',
                 date_trunc('month', occurred_at) = '2025-05-01') AS r,
       bool_or(date_trunc('month', occurred_at) = '2025-03-01') AS m3,
       bool_or(date_trunc('month', occurred_at) = '2025-04-01') AS m4,
       bool_or(date_trunc('month', occurred_at) = '2025-05-01') AS m5
FROM touchpoints GROUP BY customer_id;
SELECT is_empty($$SELECT customer_id FROM ret WHERE r <> ARRAY[m3, m3 AND m4, m3 AND m5]$$,
                'retention = ClickHouse semantics via bool_or');
SELECT is((SELECT retention_sum(r) FROM ret),
          (SELECT ARRAY[count(*) FILTER (WHERE m3), count(*) FILTER (WHERE m3 AND m4), count(*) FILTER (WHERE m3 AND m5)] FROM ret),
          'retention_sum = counts per element');

-- the funnel report against plain SQL over the per-customer results
CREATE TEMP TABLE rep AS
SELECT c.segment, funnel_report_agg(wf.times, 3) AS r
FROM wf JOIN customers c USING (customer_id) GROUP BY c.segment;
SELECT is_empty($$
  WITH plain AS (
    SELECT c.segment, k.step,
           count(*) FILTER (WHERE wf.level >= k.step) AS customers,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM wf.times[k.step] - wf.times[k.step - 1]))
             FILTER (WHERE wf.level >= k.step AND k.step > 1) AS median_s,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM wf.times[k.step] - wf.times[k.step - 1]))
             FILTER (WHERE wf.level >= k.step AND k.step > 1) AS p90_s
    FROM wf JOIN customers c USING (customer_id) CROSS JOIN generate_series(1, 3) k(step)
    GROUP BY c.segment, k.step)
  SELECT p.segment, p.step FROM plain p JOIN rep USING (segment), funnel_steps(rep.r) f
  WHERE f.step = p.step
    AND (f.customers <> p.customers
         OR abs(coalesce(extract(epoch FROM f.median_time_from_previous), -1) - coalesce(p.median_s, -1)) > 1e-6
         OR abs(coalesce(extract(epoch FROM f.p90_time_from_previous), -1) - coalesce(p.p90_s, -1)) > 1e-6
         OR (p.step > 1 AND f.dropped_off <> (SELECT customers FROM plain q WHERE q.segment = p.segment AND q.step = p.step - 1) - p.customers))$$,
  'funnel_steps by segment = counts and percentile_cont over the per-customer step times');
SELECT is_empty($$
  SELECT segment FROM rep JOIN (
    SELECT segment, rollup(r) AS rr FROM (
      SELECT c.segment, date_trunc('day', wf.times[1]) AS entry_day, funnel_report_agg(wf.times, 3) AS r
      FROM wf JOIN customers c USING (customer_id) GROUP BY 1, 2) d GROUP BY segment) x USING (segment)
  WHERE rep.r::text <> x.rr::text$$,
  'rollup of per-entry-day reports = the report over all customers');
SELECT is_empty($$SELECT segment FROM rep WHERE r::text::funnel_report::text <> r::text$$, 'funnel_report text round trip');
-- stage funnel: journey_stage_funnel = window_funnel_times over the stages with no window
SELECT is_empty($$
  SELECT customer_id FROM (
    SELECT customer_id, journey_stage_funnel(journey_agg(occurred_at, stage::stage, channel, event)) AS sf,
           window_funnel_times(interval '1000 years', occurred_at, stage = 'awareness', stage = 'consideration',
                               stage = 'decision', stage = 'retention', stage = 'advocacy') AS wt
    FROM touchpoints GROUP BY customer_id) x WHERE sf <> wt$$,
  'journey_stage_funnel = window_funnel_times over the lifecycle stages');

-- Rows that match no step change no answer in the default mode (they are
-- not kept), so a WHERE that keeps only step rows gives every customer with
-- a step row the same level and step times (README, Funnels: "Filter first")
SELECT is_empty($$
  SELECT customer_id FROM (
    SELECT customer_id, window_funnel(interval '14 days', occurred_at, event IN ('ad_click', 'page_view'),
                                      event IN ('signup', 'demo_request'), event = 'purchase') AS level,
           window_funnel_times(interval '14 days', occurred_at, event IN ('ad_click', 'page_view'),
                               event IN ('signup', 'demo_request'), event = 'purchase') AS times
    FROM touchpoints
    WHERE event IN ('ad_click', 'page_view', 'signup', 'demo_request', 'purchase')
    GROUP BY customer_id) f
  FULL JOIN wf USING (customer_id)
  WHERE f.level IS DISTINCT FROM wf.level AND NOT (f.customer_id IS NULL AND wf.level = 0)
     OR f.times IS DISTINCT FROM wf.times AND NOT (f.customer_id IS NULL AND wf.times = '{}')$$,
  'default mode: filtering out the rows that match no step changes no level or step time');
-- ... which is not so in strict_order, where any other row breaks a chain
SELECT isnt_empty($$
  SELECT customer_id FROM (
    SELECT customer_id, window_funnel(interval '14 days', 'strict_order', occurred_at, event IN ('ad_click', 'page_view'),
                                      event IN ('signup', 'demo_request'), event = 'purchase') AS level
    FROM touchpoints
    WHERE event IN ('ad_click', 'page_view', 'signup', 'demo_request', 'purchase')
    GROUP BY customer_id) f
  JOIN (SELECT customer_id, window_funnel(interval '14 days', 'strict_order', t, s1, s2, s3) AS level
        FROM steps GROUP BY customer_id) a USING (customer_id)
  WHERE f.level <> a.level$$,
  'strict_order: other rows do count, so the filter changes levels (the documented exception)');

-- A report sorts its durations by radix (src/key_sort.c): groups around the
-- insertion-sort size and past it, shuffled, with zero, equal and close
-- durations and durations of up to 41 bits (percentile_cont, to the
-- microsecond), and durations spread over 58 bits, 9,000 years (six
-- passes of 11 bits; n - 1 a multiple of 10, so that the median and p90
-- are elements: percentile_disc, exact).  hashint8 is 32 bits wide:
-- hashint8extended's 64, masked, make the wide keys.
CREATE TEMP TABLE ks AS
SELECT n, i, CASE WHEN n IN (11, 51, 20001) THEN hashint8extended(n * 100000 + i, 0) & ((1::bigint << 58) - 1)
                  ELSE CASE i % 4 WHEN 0 THEN 0 WHEN 1 THEN hashint8extended(i, 0) & 1023
                                  WHEN 2 THEN hashint8extended(i, 1) & ((1::bigint << 41) - 1) ELSE 7 END END AS d
FROM unnest(ARRAY[1, 2, 11, 47, 48, 49, 50, 51, 64, 65, 1000, 20001, 70000]) n, generate_series(1, n) i;
CREATE TEMP TABLE ks_steps AS
SELECT n, (extract(epoch FROM f.median_time_from_previous) * 1000000)::numeric AS median_us,
       (extract(epoch FROM f.p90_time_from_previous) * 1000000)::numeric AS p90_us, f.customers
FROM (SELECT n, funnel_report_agg(ARRAY[t, t + (d::text || ' microseconds')::interval], 2) AS r
      FROM (SELECT n, d, '0001-01-01 00:00:00+00'::timestamptz AS t FROM ks ORDER BY hashint8(i)) s
      GROUP BY n) k, funnel_steps(k.r) f
WHERE f.step = 2;
SELECT is_empty($$
  SELECT n FROM ks_steps s JOIN (
    SELECT n, count(*) AS customers,
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY d)::numeric) AS median_us,
           round(percentile_cont(0.9) WITHIN GROUP (ORDER BY d)::numeric) AS p90_us
    FROM ks WHERE n NOT IN (11, 51, 20001) GROUP BY n) p USING (n)
  WHERE s.customers <> p.customers OR abs(s.median_us - p.median_us) > 1 OR abs(s.p90_us - p.p90_us) > 1$$,
  'funnel report percentiles of 1 to 70,000 shuffled durations = percentile_cont');
SELECT results_eq(
  $$SELECT n, median_us, p90_us FROM ks_steps WHERE n IN (11, 51, 20001) ORDER BY n$$,
  $$SELECT n, percentile_disc(0.5) WITHIN GROUP (ORDER BY d)::numeric, percentile_disc(0.9) WITHIN GROUP (ORDER BY d)::numeric
    FROM ks WHERE n IN (11, 51, 20001) GROUP BY n ORDER BY n$$,
  'funnel report percentiles of durations spread over 58 bits = percentile_disc, exactly');
SELECT ok((SELECT max(d) FROM ks WHERE n = 20001) > (1::bigint << 57), 'the wide durations do span 58 bits');

-- A step 1 that most journeys lack (purchase): a journey whose labels
-- cannot match it is answered without reading its touches (0 in the modes
-- of a chain; the unordered funnel still counts its other steps), the
-- others walked; both = the rows form, every mode, and retention likewise
CREATE TEMP TABLE wj_rare AS
SELECT m.mode, w.customer_id,
       window_funnel(interval '3 days', m.mode, w.t, w.event = 'purchase', w.event = 'page_view',
                     w.event IN ('signup', 'purchase')) AS level,
       retention(w.event = 'purchase', w.event = 'page_view', w.channel = 'email') AS r,
       bool_or(w.event = 'purchase') AS buyer
FROM wj w CROSS JOIN wj_modes m GROUP BY 1, 2;
SELECT ok((SELECT count(*) FILTER (WHERE buyer) > 20 AND count(*) FILTER (WHERE NOT buyer) > 20
                  AND count(*) FILTER (WHERE NOT buyer AND level > 0) > 0
           FROM wj_rare WHERE mode = 'unordered'),
          'buyers and others both (the others at levels above 0 when unordered)');
SELECT is_empty($$SELECT r.mode, r.customer_id FROM wj_rare r JOIN wj_j USING (customer_id)
                  WHERE r.level IS DISTINCT FROM journey_window_funnel(j, interval '3 days', r.mode,
                          'event = purchase', 'event = page_view', 'event = signup | event = purchase')
                     OR r.mode = 'default' AND r.r IS DISTINCT FROM journey_retention(j, 'event = purchase', 'event = page_view', 'channel = email')$$,
                'a step 1 most journeys lack: journey_window_funnel = window_funnel every mode, journey_retention = retention');

SELECT * FROM finish();
ROLLBACK;
