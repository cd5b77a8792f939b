-- test/lib/journey_report_checks.sql
--		The numbers of a journey report against plain SQL over the same rows.
--
-- Used by test/suites/journey_report.sh. Variables:
--   src     a view of the touchpoints, normalised: customer text, occurred_at
--           timestamptz, stage text, stage_order int, event text, channel
--           text, value numeric, segment text (one per customer), treated boolean
--   doc     name of the row of table report_docs(name, doc jsonb) to check
--   label   prefix of the check descriptions
-- The report must have been made with the default funnel
-- (ad_click|page_view, signup|demo_request, purchase within 14 days),
-- conversion event purchase and the default path steps / retention weeks
-- it records in its parameters.
--
-- Prints one line per check: "ok|description" or "not ok|description|diagnostic".

\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only on
SET TimeZone = 'UTC';
SET client_min_messages = warning;

CREATE TEMP TABLE d AS SELECT doc FROM report_docs WHERE name = :'doc';
SELECT (doc->'parameters'->>'path_steps')::int AS path_steps,
       (doc->'parameters'->>'retention_weeks')::int AS ret_weeks
FROM d \gset
CREATE TEMP TABLE s AS SELECT * FROM :src;
CREATE INDEX ON s (customer, occurred_at);
ANALYZE s;
CREATE TEMP TABLE seg AS SELECT customer, max(segment) AS segment, bool_or(treated) AS treated,
                                bool_or(event = 'purchase') AS converted
                         FROM s GROUP BY customer;

-- ok line, or not ok with the first differences
CREATE FUNCTION pg_temp.verdict(label text, what text, bad bigint, diag text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN bad = 0 THEN 'ok|' || label || ': ' || what
            ELSE 'not ok|' || label || ': ' || what || '|' || bad || ' differences: ' || coalesce(left(diag, 500), '') END;

-- overview
SELECT pg_temp.verdict(:'label', 'overview (customers, touchpoints, converted) = count(*)',
       (o.c <> (d.doc->'overview'->>'customers')::bigint)::int + (o.t <> (d.doc->'overview'->>'touchpoints')::bigint)::int
       + (o.v <> (d.doc->'overview'->>'converted')::bigint)::int,
       format('page %s, sql %s %s %s', d.doc->'overview', o.c, o.t, o.v))
FROM d, (SELECT count(DISTINCT customer) c, count(*) t, count(DISTINCT customer) FILTER (WHERE event = 'purchase') v FROM s) o;

-- customers reaching each stage
WITH p AS (SELECT x->>'stage' AS stage, (x->>'customers')::bigint AS n FROM d, jsonb_array_elements(d.doc->'journey_map'->'reached') x),
     q AS (SELECT st.stage, count(DISTINCT s.customer) AS n
           FROM (SELECT DISTINCT stage FROM s UNION SELECT jsonb_array_elements_text(doc->'stages') FROM d) st
           LEFT JOIN s USING (stage) GROUP BY st.stage),
     x AS (SELECT stage, p.n AS pn, q.n AS qn FROM p FULL JOIN q USING (stage) WHERE p.n IS DISTINCT FROM q.n)
SELECT pg_temp.verdict(:'label', 'customers reaching each stage = count(DISTINCT customer)', count(*),
                       string_agg(format('%s page %s sql %s', stage, pn, qn), '; '))
FROM x;

-- journey map edges: collapse repeats of each customer's stages in time
-- order (ties by label bytes), keep path_steps, count transitions and exits
WITH o AS (SELECT customer, stage, row_number() OVER (PARTITION BY customer ORDER BY occurred_at, stage COLLATE "C") AS rn FROM s),
     c AS (SELECT customer, stage, rn, lag(stage) OVER (PARTITION BY customer ORDER BY rn) AS prev FROM o),
     p AS (SELECT customer, stage, row_number() OVER (PARTITION BY customer ORDER BY rn) AS step
           FROM c WHERE prev IS DISTINCT FROM stage),
     p2 AS (SELECT * FROM p WHERE step <= :path_steps),
     q AS (SELECT a.step, a.stage AS source, coalesce(b.stage, '(exit)') AS target, count(*) AS n
           FROM p2 a LEFT JOIN p2 b ON b.customer = a.customer AND b.step = a.step + 1 GROUP BY 1, 2, 3),
     pg AS (SELECT (x->>'step')::int AS step, x->>'source' AS source, x->>'target' AS target, (x->>'value')::bigint AS n
            FROM d, jsonb_array_elements(d.doc->'journey_map'->'edges') x)
SELECT pg_temp.verdict(:'label', 'journey map edges = transitions of the collapsed stage sequences (window functions)',
                       count(*), string_agg(format('%s %s->%s page %s sql %s', step, source, target, x.pg_n, x.q_n), '; '))
FROM (SELECT step, source, target, pg.n AS pg_n, q.n AS q_n FROM pg FULL JOIN q USING (step, source, target)
      WHERE pg.n IS DISTINCT FROM q.n) x;

-- funnel: level 3 iff some step-2 row has a step-1 row at or before it and
-- a step-3 row at or after it within 14 days of that step-1 row (the
-- latest one is best); level 2 likewise without step 3
CREATE TEMP TABLE r AS
SELECT customer, occurred_at AS t,
       CASE WHEN event IN ('ad_click', 'page_view') THEN 1 WHEN event IN ('signup', 'demo_request') THEN 2 ELSE 3 END AS k
FROM s WHERE event IN ('ad_click', 'page_view', 'signup', 'demo_request', 'purchase');
CREATE INDEX ON r (customer, k, t);
ANALYZE r;
WITH two AS (SELECT r2.customer, r2.t AS t2,
                    (SELECT max(r1.t) FROM r r1 WHERE r1.customer = r2.customer AND r1.k = 1 AND r1.t <= r2.t) AS t1,
                    (SELECT min(r3.t) FROM r r3 WHERE r3.customer = r2.customer AND r3.k = 3 AND r3.t >= r2.t) AS t3
             FROM r r2 WHERE r2.k = 2),
     lvl AS (SELECT c.customer, c.segment,
                    CASE WHEN bool_or(t.t3 - t.t1 <= interval '14 days') THEN 3
                         WHEN bool_or(t.t2 - t.t1 <= interval '14 days') THEN 2
                         WHEN EXISTS (SELECT 1 FROM r WHERE r.customer = c.customer AND r.k = 1) THEN 1
                         ELSE 0 END AS level
             FROM seg c LEFT JOIN two t USING (customer) GROUP BY c.customer, c.segment),
     q AS (SELECT CASE WHEN grouping(segment) = 1 THEN '(all)' ELSE segment END AS segment, st.step,
                  count(*) FILTER (WHERE level >= st.step) AS n
           FROM lvl CROSS JOIN generate_series(1, 3) st(step) GROUP BY GROUPING SETS ((segment, st.step), (st.step))),
     pg AS (SELECT x->>'segment' AS segment, (x->>'step')::int AS step, (x->>'customers')::bigint AS n
            FROM d, jsonb_array_elements(d.doc->'funnel'->'rows') x),
     x AS (SELECT segment, step, pg.n AS pg_n, q.n AS q_n FROM pg FULL JOIN q USING (segment, step) WHERE pg.n IS DISTINCT FROM q.n)
SELECT pg_temp.verdict(:'label', 'funnel customers per step and segment = chain existence in plain SQL',
                       count(*), string_agg(format('%s step %s page %s sql %s', segment, step, pg_n, q_n), '; '))
FROM x;

-- time in stage: each touch's period runs to the customer's next touch (ties
-- by stage order; the last period counts 0); per customer and stage the sum
WITH pt AS (SELECT DISTINCT customer, occurred_at, stage, stage_order FROM s),
     o AS (SELECT customer, stage,
                  coalesce(extract(epoch FROM lead(occurred_at) OVER w - occurred_at)::float8, 0) AS dur
           FROM pt WINDOW w AS (PARTITION BY customer ORDER BY occurred_at, stage_order)),
     per AS (SELECT customer, stage, sum(dur) AS dur FROM o GROUP BY 1, 2),
     q AS (SELECT CASE WHEN grouping(c.segment) = 1 THEN '(all)' ELSE c.segment END AS segment, per.stage,
                  count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY per.dur) AS med,
                  percentile_cont(0.9) WITHIN GROUP (ORDER BY per.dur) AS p90
           FROM per JOIN seg c USING (customer) GROUP BY GROUPING SETS ((c.segment, per.stage), (per.stage))),
     pg AS (SELECT x->>'segment' AS segment, x->>'stage' AS stage, (x->>'customers')::bigint AS n,
                   (x->>'median_s')::float8 AS med, (x->>'p90_s')::float8 AS p90
            FROM d, jsonb_array_elements(d.doc->'time_in_stage') x),
     x AS (SELECT segment, stage, pg.n AS pn, q.n AS qn, pg.med AS pm, q.med AS qm, pg.p90 AS pp, q.p90 AS qp
           FROM pg FULL JOIN q USING (segment, stage)
           WHERE pg.n IS DISTINCT FROM q.n OR abs(pg.med - q.med) > 1e-6 OR abs(pg.p90 - q.p90) > 1e-6
                 OR pg.med IS NULL OR q.med IS NULL)
SELECT pg_temp.verdict(:'label', 'time in stage (customers, median, p90 per segment) = lead() periods in plain SQL',
                       count(*), string_agg(format('%s %s page %s/%s/%s sql %s/%s/%s', segment, stage, pn, pm, pp, qn, qm, qp), '; '))
FROM x;

-- retention: cohort = UTC week of the first touch; active in week k = a
-- touch in [cohort + k weeks, cohort + k + 1 weeks)
WITH f AS (SELECT customer, date_trunc('week', min(occurred_at)) AS cohort FROM s GROUP BY 1),
     wk AS (SELECT f.cohort, floor(extract(epoch FROM s.occurred_at - f.cohort) / 604800)::int AS week, s.customer
            FROM s JOIN f USING (customer)),
     sizes AS (SELECT cohort, count(*) AS n FROM f GROUP BY 1),
     act AS (SELECT cohort, week, count(DISTINCT customer) AS active FROM wk GROUP BY 1, 2),
     q AS (SELECT to_char(z.cohort, 'YYYY-MM-DD') AS cohort, k.week, z.n, coalesce(a.active, 0) AS active
           FROM sizes z CROSS JOIN generate_series(0, :ret_weeks) k(week)
           LEFT JOIN act a ON a.cohort = z.cohort AND a.week = k.week),
     pg AS (SELECT x->>'cohort' AS cohort, (x->>'week')::int AS week, (x->>'customers')::bigint AS n,
                   (x->>'active')::bigint AS active
            FROM d, jsonb_array_elements(d.doc->'retention'->'rows') x),
     x AS (SELECT cohort, week, pg.n AS pn, q.n AS qn, pg.active AS pa, q.active AS qa
           FROM pg FULL JOIN q USING (cohort, week) WHERE pg.n IS DISTINCT FROM q.n OR pg.active IS DISTINCT FROM q.active)
SELECT pg_temp.verdict(:'label', 'retention matrix (cohort sizes, active customers per week) = plain SQL',
                       count(*), string_agg(format('%s w%s page %s/%s sql %s/%s', cohort, week, pn, pa, qn, qa), '; '))
FROM x;

SELECT pg_temp.verdict(:'label', 'retention shares = active / customers, blank only for incomplete weeks', count(*),
                       string_agg(x::text, '; '))
FROM d, jsonb_array_elements(d.doc->'retention'->'rows') x
WHERE CASE WHEN (x->>'complete')::boolean
           THEN abs((x->>'share')::float8 - (x->>'active')::float8 / (x->>'customers')::float8) > 1e-12
                OR (x->>'share') IS NULL
           ELSE (x->>'share') IS NOT NULL END;

-- attribution: each purchase is credited to the customer's non-purchase
-- touches strictly before it and at or after the previous purchase;
-- simultaneous touches in channel label order; (none) when there is none;
-- simultaneous purchases share their touches
CREATE TEMP TABLE conv AS
SELECT p.customer, p.occurred_at AS t, coalesce(p.value, 0) AS value, ct.prev_t,
       row_number() OVER (PARTITION BY p.customer ORDER BY p.occurred_at) AS n
FROM s p
JOIN (SELECT customer, t, lag(t) OVER (PARTITION BY customer ORDER BY t) AS prev_t
      FROM (SELECT DISTINCT customer, occurred_at AS t FROM s WHERE event = 'purchase') x) ct
  ON ct.customer = p.customer AND ct.t = p.occurred_at
WHERE p.event = 'purchase';
CREATE TEMP TABLE tch AS
SELECT v.customer, v.n, v.value, t.occurred_at, t.channel,
       row_number() OVER (PARTITION BY v.customer, v.n ORDER BY t.occurred_at, t.channel COLLATE "C") AS i,
       count(*) OVER (PARTITION BY v.customer, v.n) AS k
FROM conv v JOIN s t ON t.customer = v.customer AND t.occurred_at < v.t
     AND (v.prev_t IS NULL OR t.occurred_at >= v.prev_t)
     AND t.channel IS NOT NULL AND t.event IS DISTINCT FROM 'purchase';
WITH q AS (SELECT 'first_touch' AS model, channel, count(*)::float8 AS conv, sum(value)::float8 AS rev FROM tch WHERE i = 1 GROUP BY 2
           UNION ALL SELECT 'last_touch', channel, count(*), sum(value) FROM tch WHERE i = k GROUP BY 2
           UNION ALL SELECT 'linear', channel, sum(1.0 / k), sum(value / k) FROM tch GROUP BY 2
           UNION ALL SELECT m, '(none)', count(*), sum(value)
                     FROM conv v CROSS JOIN (VALUES ('first_touch'), ('last_touch'), ('linear')) mm(m)
                     WHERE NOT EXISTS (SELECT 1 FROM tch WHERE tch.customer = v.customer AND tch.n = v.n) GROUP BY 1),
     pg AS (SELECT x->>'model' AS model, x->>'channel' AS channel, (x->>'conversions')::float8 AS conv,
                   (x->>'revenue')::float8 AS rev
            FROM d, jsonb_array_elements(d.doc->'attribution'->'rows') x
            WHERE x->>'model' IN ('first_touch', 'last_touch', 'linear') AND (x->>'conversions')::float8 <> 0),
     x AS (SELECT model, channel, pg.conv AS pc, q.conv AS qc, pg.rev AS pr, q.rev AS qr
           FROM pg FULL JOIN q USING (model, channel)
           WHERE pg.conv IS NULL OR q.conv IS NULL OR abs(pg.conv - q.conv) > 1e-6 * greatest(1, abs(q.conv))
                 OR abs(pg.rev - q.rev) > 1e-6 * greatest(1, abs(q.rev)))
SELECT pg_temp.verdict(:'label', 'first_touch, last_touch and linear credit per channel = plain SQL',
                       count(*), string_agg(format('%s %s page %s/%s sql %s/%s', model, channel, pc, pr, qc, qr), '; '))
FROM x;

WITH pg AS (SELECT x->>'model' AS model, sum((x->>'conversions')::float8) AS conv
            FROM d, jsonb_array_elements(d.doc->'attribution'->'rows') x GROUP BY 1),
     x AS (SELECT * FROM pg, (SELECT count(*) AS n FROM conv) c WHERE abs(pg.conv - c.n) > 1e-6 * c.n)
SELECT pg_temp.verdict(:'label', 'every model credits each purchase once (credits sum to the purchases)',
                       count(*), string_agg(format('%s %s of %s', model, conv, n), '; '))
FROM x;

-- campaign lift: customers, responded = has a purchase
WITH q AS (SELECT CASE WHEN grouping(segment) = 1 THEN '(all)' ELSE segment END AS segment,
                  count(*) FILTER (WHERE treated) AS nt, count(*) FILTER (WHERE treated AND converted) AS rt,
                  count(*) FILTER (WHERE NOT treated) AS nc, count(*) FILTER (WHERE NOT treated AND converted) AS rc
           FROM seg WHERE treated IS NOT NULL GROUP BY GROUPING SETS ((segment), ())),
     q2 AS (SELECT *, rt::float8 / nt AS pt, rc::float8 / nc AS pc FROM q),
     q3 AS (SELECT *, pt - pc AS lift, 1.959963984540054 * sqrt(pt * (1 - pt) / nt + pc * (1 - pc) / nc) AS half FROM q2),
     pg AS (SELECT x->>'segment' AS segment, (x->>'treated_n')::bigint AS nt, (x->>'treated_responders')::bigint AS rt,
                   (x->>'control_n')::bigint AS nc, (x->>'control_responders')::bigint AS rc,
                   (x->>'abs_lift')::float8 AS lift, (x->>'ci_low')::float8 AS lo, (x->>'ci_high')::float8 AS hi
            FROM d, jsonb_array_elements(d.doc->'lift'->'rows') x),
     x AS (SELECT segment FROM pg FULL JOIN q3 USING (segment)
           WHERE pg.nt IS DISTINCT FROM q3.nt OR pg.rt IS DISTINCT FROM q3.rt OR pg.nc IS DISTINCT FROM q3.nc
                 OR pg.rc IS DISTINCT FROM q3.rc OR abs(pg.lift - q3.lift) > 1e-12
                 OR abs(pg.lo - (q3.lift - q3.half)) > 1e-9 OR abs(pg.hi - (q3.lift + q3.half)) > 1e-9
                 OR pg.lo IS NULL)
SELECT pg_temp.verdict(:'label', 'campaign lift (counts, abs_lift, 95% Wald interval) = plain SQL', count(*), string_agg(segment, ', '))
FROM x;
