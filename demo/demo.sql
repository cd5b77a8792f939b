-- demo/demo.sql: cjourney's headline analyses over the sample data.
--
-- Run by ./scripts/demo.sh after `CREATE EXTENSION cjourney` and
-- `bash data/load.sh`; by hand: psql -X -f demo/demo.sql
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
-- (e) Spring campaign response by segment: treatment vs control
-- ===========================================================================
\echo '(e) Spring campaign (March-May purchase) by segment: treatment vs control'
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
-- (f) A/B/n test of the treatment group's variants
-- ===========================================================================
\echo '(f) A/B/n: variants vs control in the treatment group (Holm-adjusted p-values)'
SELECT variant, n, round(rate::numeric, 4) AS rate, round(abs_lift::numeric, 4) AS abs_lift,
       round(p_value::numeric, 4) AS p_value, round(p_adjusted::numeric, 4) AS p_holm
FROM response_ab_test((SELECT response_variants_agg(ab_variant, responded) FROM spring WHERE treated),
                      'control', 'holm');
SELECT round(chi2::numeric, 3) AS chi2, df, round(p_value::numeric, 4) AS p_value
FROM response_ab_chi2((SELECT response_variants_agg(ab_variant, responded) FROM spring WHERE treated));
\echo 'Customers per arm to detect +2 points on a 25% rate (alpha 0.05, power 0.8):'
SELECT response_sample_size(0.25, 0.02) AS per_arm;
