-- examples/demo.sql: cjourney's headline analyses over the sample data.
--
-- Run by ./scripts/demo.sh after `CREATE EXTENSION cjourney` and
-- `bash data/load.sh`; by hand: psql -X -f examples/demo.sql
--
-- Layout: a setup block builds one journey per customer in the temp table
-- "journeys"; each lettered section below is independent and reads only
-- journeys / customers / touchpoints. Add new analyses as new sections at the
-- end, with the same banner and \echo title.

\set ON_ERROR_STOP 1
\set QUIET 1
\pset pager off
\pset footer off
\pset null '-'
\timing off

-- ===========================================================================
-- Setup: one journey per customer
-- ===========================================================================
\echo 'Building one journey per customer with journey_agg() ...'
\echo
CREATE TEMP TABLE journeys AS
SELECT customer_id, journey_agg(occurred_at, stage::stage, channel, event) AS j
FROM touchpoints
GROUP BY customer_id;
ANALYZE journeys;

-- ===========================================================================
-- (a) Overview: customers, journeys, touches per journey
-- ===========================================================================
\echo '(a) Overview'
WITH c AS (SELECT count(*) AS customers FROM customers),
     t AS (SELECT count(*) AS touchpoints FROM touchpoints)
SELECT c.customers,
       count(*) AS journeys,
       round(100.0 * count(*) / NULLIF(c.customers, 0), 1) AS "% with a journey",
       t.touchpoints,
       round(avg(journey_length(j)), 1) AS avg_touches,
       max(journey_length(j)) AS max_touches
FROM journeys, c, t
GROUP BY c.customers, t.touchpoints;

\echo '    A few journeys'
SELECT customer_id,
       journey_length(j) AS touches,
       journey_stages(j) AS stages_reached,
       journey_furthest_stage(j) AS furthest,
       date_trunc('minute', journey_duration(j)) AS duration
FROM journeys
ORDER BY customer_id
LIMIT 5;

-- ===========================================================================
-- (b) Stages reached (funnel) and furthest stage
-- ===========================================================================
\echo '(b) Customers whose journey reached each stage'
WITH c AS (SELECT count(*) AS customers FROM customers),
reached AS (
    SELECT st.s AS stage, count(jr.customer_id) AS customers
    FROM unnest(enum_range(NULL::stage)) AS st(s)
    LEFT JOIN journeys jr ON jr.j @> st.s
    GROUP BY st.s
)
SELECT r.stage,
       r.customers,
       round(100.0 * r.customers / NULLIF(c.customers, 0), 1) AS "% of customers",
       round(100.0 * r.customers / NULLIF(lag(r.customers) OVER (ORDER BY r.stage), 0), 1)
           AS "% of previous stage"
FROM reached r, c
ORDER BY r.stage;

\echo '    Furthest stage reached'
SELECT furthest AS furthest_stage,
       count(*) AS journeys,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS "% of journeys"
FROM (SELECT journey_furthest_stage(j)::stage AS furthest FROM journeys) f
GROUP BY furthest
ORDER BY furthest;

-- ===========================================================================
-- (c) Touchpoints per journey: histogram
-- ===========================================================================
\echo '(c) Touchpoints per journey'
WITH buckets(bucket, label, lo, hi) AS (
    VALUES (1, '1', 1, 1), (2, '2-5', 2, 5), (3, '6-10', 6, 10),
           (4, '11-20', 11, 20), (5, '21-50', 21, 50), (6, '51+', 51, NULL)
),
counted AS (
    SELECT b.bucket, b.label, count(x.n) AS journeys
    FROM buckets b
    LEFT JOIN (SELECT journey_length(j) AS n FROM journeys) x
           ON x.n >= b.lo AND (b.hi IS NULL OR x.n <= b.hi)
    GROUP BY b.bucket, b.label
)
SELECT label AS touchpoints,
       journeys,
       round(100.0 * journeys / NULLIF(sum(journeys) OVER (), 0), 1) AS "% of journeys",
       -- one # per 2 %
       repeat('#', round(50.0 * journeys / NULLIF(sum(journeys) OVER (), 0))::int) AS histogram
FROM counted
ORDER BY bucket;

-- ===========================================================================
-- (d) Journey duration by furthest stage
-- ===========================================================================
\echo '(d) Journey duration (first to last touch) by furthest stage'
SELECT furthest AS furthest_stage,
       count(*) AS journeys,
       justify_hours(date_trunc('hour', avg(d))) AS avg_duration,
       round(extract(epoch FROM avg(d)) / 86400, 1) AS avg_days,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d)) / 86400)::numeric, 1)
           AS median_days
FROM (SELECT journey_furthest_stage(j)::stage AS furthest,
             journey_duration(j) AS d
      FROM journeys) x
GROUP BY furthest
ORDER BY furthest;

-- ===========================================================================
-- (e) Time in stage: median days in each stage, by segment
-- ===========================================================================
\echo '(e) Median days in each stage, by segment (stage_time_agg + stage_durations)'
\echo '    A customer''s last period is open (no later touch ends it); as_of closes it at the'
\echo '    end of the data, so the last stage counts the time since the last touch, not 0.'
CREATE TEMP TABLE stage_times AS
SELECT customer_id, stage_time_agg(occurred_at, stage::stage) AS st
FROM touchpoints GROUP BY customer_id;
SELECT max(occurred_at) AS data_end FROM touchpoints \gset
SELECT c.segment,
       d.stage,
       count(*) AS customers,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.duration)) / 86400)::numeric, 1)
           AS median_days,
       round(avg(d.visits), 2) AS avg_visits
FROM stage_times s
JOIN customers c USING (customer_id),
     stage_durations(s.st, :'data_end') d
GROUP BY c.segment, d.stage
ORDER BY c.segment, min(d.stage::stage);

-- ===========================================================================
-- (f) Weekly time-in-stage trend (bucketed duration_in with lag())
-- ===========================================================================
\echo '(f) Customer-days in consideration and decision per week, first 10 weeks of Q2'
WITH weekly AS (
    SELECT customer_id, date_trunc('week', occurred_at) AS week,
           stage_time_agg(occurred_at, stage::stage) AS st
    FROM touchpoints GROUP BY 1, 2
),
bucketed AS (
    SELECT week,
           duration_in(st, 'consideration'::stage, week, week + interval '1 week',
                       lag(st) OVER w) AS consideration,
           duration_in(st, 'decision'::stage, week, week + interval '1 week',
                       lag(st) OVER w) AS decision
    FROM weekly
    WINDOW w AS (PARTITION BY customer_id ORDER BY week)
)
SELECT week::date AS week_of,
       round((extract(epoch FROM sum(consideration)) / 86400)::numeric, 0) AS consideration_days,
       round((extract(epoch FROM sum(decision)) / 86400)::numeric, 0) AS decision_days
FROM bucketed
WHERE week >= '2025-03-31' AND week < '2025-06-09'
GROUP BY week
ORDER BY week;

-- ===========================================================================
-- (g) A 3-step funnel: ad or page view -> signup or demo -> purchase, 14 days
-- ===========================================================================
\echo '(g) Funnel: ad_click/page_view -> signup/demo_request -> purchase within 14 days (window_funnel)'
WITH levels AS (
    SELECT customer_id,
           window_funnel(interval '14 days', occurred_at,
                         event IN ('ad_click', 'page_view'),
                         event IN ('signup', 'demo_request'),
                         event = 'purchase') AS level
    FROM touchpoints GROUP BY customer_id
),
steps(step, name) AS (VALUES (1, 'ad or page view'), (2, 'signup or demo'), (3, 'purchase'))
SELECT s.step, s.name,
       count(l.customer_id) AS customers,
       round(100.0 * count(l.customer_id) / NULLIF(lag(count(l.customer_id)) OVER (ORDER BY s.step), 0), 1)
           AS "% of previous",
       round(100.0 * count(l.customer_id) / NULLIF(first_value(count(l.customer_id)) OVER (ORDER BY s.step), 0), 1)
           AS "% of step 1"
FROM steps s LEFT JOIN levels l ON l.level >= s.step
GROUP BY s.step, s.name
ORDER BY s.step;

-- ===========================================================================
-- (h) Cohort retention matrix: first-touch month, active in the months after
-- ===========================================================================
\echo '(h) Cohort retention: customers by first-touch month, % active 1, 2, 3 months later (retention, retention_sum)'
WITH firsts AS (
    SELECT customer_id, date_trunc('month', min(occurred_at)) AS cohort
    FROM touchpoints GROUP BY 1
),
per_customer AS (
    SELECT f.cohort,
           retention(true,
                     date_trunc('month', t.occurred_at) = f.cohort + interval '1 month',
                     date_trunc('month', t.occurred_at) = f.cohort + interval '2 months',
                     date_trunc('month', t.occurred_at) = f.cohort + interval '3 months') AS r
    FROM touchpoints t JOIN firsts f USING (customer_id)
    GROUP BY f.cohort, t.customer_id
)
SELECT to_char(cohort, 'YYYY-MM') AS cohort,
       s[1] AS customers,
       round(100.0 * s[2] / s[1], 1) AS "month 1 %",
       round(100.0 * s[3] / s[1], 1) AS "month 2 %",
       round(100.0 * s[4] / s[1], 1) AS "month 3 %"
FROM (SELECT cohort, retention_sum(r) AS s FROM per_customer GROUP BY cohort) m
WHERE cohort < '2025-10-01'
ORDER BY cohort;

-- ===========================================================================
-- (i) Spring campaign response by segment: treatment vs control
-- ===========================================================================
\echo '(i) Spring campaign (March-May purchase) by segment: treatment vs control'
CREATE TEMP TABLE spring AS
SELECT c.customer_id, c.segment, c.ab_variant, c.campaign_group = 'treatment' AS treated,
       coalesce(bool_or(t.event = 'purchase' AND t.occurred_at >= '2025-03-01' AND t.occurred_at < '2025-06-01'), false) AS responded,
       coalesce(sum(t.revenue), 0) AS revenue
FROM customers c LEFT JOIN touchpoints t USING (customer_id)
GROUP BY c.customer_id;

SELECT segment, (r).treated_n, round((r).treated_rate::numeric, 4) AS treated_rate,
       (r).control_n, round((r).control_rate::numeric, 4) AS control_rate,
       round((r).abs_lift::numeric, 4) AS abs_lift, round((r).lift::numeric, 3) AS lift,
       format('[%s, %s]', round((r).ci_low::numeric, 4), round((r).ci_high::numeric, 4)) AS ci_95,
       round((r).z::numeric, 2) AS z, to_char((r).p_value, '9.99EEEE') AS p_value
FROM (SELECT segment, segment_response(treated, responded) AS r FROM spring GROUP BY segment) s
ORDER BY segment;

\echo 'Revenue per customer, treatment vs control (Welch t-test)'
SELECT segment, round((r).treated_mean::numeric, 2) AS treated_mean, round((r).control_mean::numeric, 2) AS control_mean,
       round((r).mean_diff::numeric, 2) AS diff,
       format('[%s, %s]', round((r).ci_low::numeric, 2), round((r).ci_high::numeric, 2)) AS ci_95,
       round((r).t::numeric, 2) AS t, round((r).df::numeric, 1) AS df, to_char((r).p_value, '9.99EEEE') AS p_value
FROM (SELECT segment, segment_mean_response(treated, revenue::float8) AS r FROM spring GROUP BY segment) s
ORDER BY segment;

-- ===========================================================================
-- (j) A/B/n test of the treatment group's variants
-- ===========================================================================
\echo '(j) A/B/n: variants vs control in the treatment group (Holm-adjusted p-values)'
SELECT variant, n, round(rate::numeric, 4) AS rate, round(abs_lift::numeric, 4) AS abs_lift,
       round(p_value::numeric, 4) AS p_value, round(p_adjusted::numeric, 4) AS p_holm
FROM response_ab_test((SELECT response_variants_agg(ab_variant, responded) FROM spring WHERE treated),
                      'control', 'holm');
SELECT round(chi2::numeric, 3) AS chi2, df, round(p_value::numeric, 4) AS p_value
FROM response_ab_chi2((SELECT response_variants_agg(ab_variant, responded) FROM spring WHERE treated));
\echo 'Customers per arm to detect +2 points on a 25% rate (alpha 0.05, power 0.8):'
SELECT response_sample_size(0.25, 0.02) AS per_arm;

-- ===========================================================================
-- (k) Touches before the first purchase, by segment
-- ===========================================================================
\echo '(k) Touches before the first purchase and days to buy, by segment (touches_before_conversion, time_to_conversion)'
SELECT c.segment,
       count(*) FILTER (WHERE x.n IS NOT NULL) AS buyers,
       round(avg(x.n), 1) AS avg_touches,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY x.n) AS median_touches,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM x.ttc)) / 86400)::numeric, 1) AS median_days_to_buy,
       mode() WITHIN GROUP (ORDER BY x.path[cardinality(x.path)]) AS usual_last_channel
FROM (SELECT customer_id,
             touches_before_conversion(occurred_at, event = 'purchase') AS n,
             time_to_conversion(occurred_at, event = 'purchase') AS ttc,
             conversion_path(occurred_at, channel, event = 'purchase') AS path
      FROM touchpoints GROUP BY customer_id) x
JOIN customers c USING (customer_id)
GROUP BY c.segment
ORDER BY c.segment;

-- ===========================================================================
-- (l) Which channels deserve the credit: three attribution models side by side
-- ===========================================================================
\echo '(l) Purchases credited per channel: last touch, position based 40/20/40, Markov removal effect (attribution_agg, rollup, attribution_credits)'
CREATE TEMP TABLE attribution_per_customer AS
SELECT customer_id, m.model,
       attribution_agg(occurred_at, channel, event = 'purchase', revenue, m.model) AS a
FROM touchpoints CROSS JOIN (VALUES ('last_touch'), ('position_based'), ('markov')) m(model)
GROUP BY customer_id, m.model;
SELECT c.channel,
       round(sum(c.conversions) FILTER (WHERE r.model = 'last_touch')::numeric, 1) AS last_touch,
       round(sum(c.conversions) FILTER (WHERE r.model = 'position_based')::numeric, 1) AS position_based,
       round(sum(c.conversions) FILTER (WHERE r.model = 'markov')::numeric, 1) AS markov,
       round(sum(c.revenue) FILTER (WHERE r.model = 'markov')::numeric, 0) AS markov_revenue
FROM (SELECT model, rollup(a) AS a FROM attribution_per_customer GROUP BY model) r,
     attribution_credits(r.a) c
GROUP BY c.channel ORDER BY markov DESC NULLS LAST;
\echo 'Markov removal effects: the share of purchases lost if a channel were removed'
SELECT channel, round(removal_effect::numeric, 3) AS removal_effect
FROM attribution_removal_effects((SELECT rollup(a) FROM attribution_per_customer WHERE model = 'markov'))
ORDER BY removal_effect DESC;
\echo 'Linear credit by segment (top channel per segment)'
SELECT DISTINCT ON (s.segment) s.segment, c.channel AS top_channel, round(c.conversions::numeric, 1) AS purchases,
       round(c.revenue::numeric, 0) AS revenue
FROM (SELECT cu.segment, rollup(a.a) AS a
      FROM (SELECT customer_id, attribution_agg(occurred_at, channel, event = 'purchase', revenue, 'linear') AS a
            FROM touchpoints GROUP BY customer_id) a
      JOIN customers cu USING (customer_id) GROUP BY cu.segment) s,
     attribution_credits(s.a) c
ORDER BY s.segment, c.conversions DESC;
