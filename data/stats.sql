-- stats.sql
--		Summary statistics of the sample data loaded by data/load.sh, to check
--		the generator's realism targets (see data/README.md).
--
-- Usage: psql -X -f data/stats.sql   (takes a few seconds for 100k customers)

\pset footer off
SELECT count(*) AS touches, count(DISTINCT customer_id) AS customers, round(count(*)::numeric / (SELECT count(*) FROM customers), 2) AS avg_per_cust FROM touchpoints;
WITH c AS (SELECT customer_id, count(*) n FROM touchpoints GROUP BY 1)
SELECT percentile_disc(ARRAY[0.1,0.5,0.9,0.99]) WITHIN GROUP (ORDER BY n) pct, max(n), count(*) FILTER (WHERE n >= 30) ge30, count(*) FILTER (WHERE n >= 100) ge100 FROM c;
-- stage reach
SELECT stage, round(100.0 * count(DISTINCT customer_id) / (SELECT count(*) FROM customers), 1) AS reach_pct, count(*) AS touches
FROM touchpoints GROUP BY stage ORDER BY array_position(ARRAY['awareness','consideration','decision','retention','advocacy'], stage);
SELECT c.segment, round(100.0*avg((EXISTS(SELECT 1 FROM touchpoints t WHERE t.customer_id=c.customer_id AND stage='consideration'))::int),1) cons,
 round(100.0*avg((EXISTS(SELECT 1 FROM touchpoints t WHERE t.customer_id=c.customer_id AND stage='decision'))::int),1) dec,
 round(100.0*avg((EXISTS(SELECT 1 FROM touchpoints t WHERE t.customer_id=c.customer_id AND stage='retention'))::int),1) ret,
 round(100.0*avg((EXISTS(SELECT 1 FROM touchpoints t WHERE t.customer_id=c.customer_id AND stage='advocacy'))::int),1) adv
FROM customers c GROUP BY 1 ORDER BY 1;
-- repeated timestamps and revisits
WITH o AS (
  SELECT customer_id, occurred_at, stage,
         lag(occurred_at) OVER w AS prev_at, lag(stage) OVER w AS prev_stage,
         array_position(ARRAY['awareness','consideration','decision','retention','advocacy'], stage) AS si,
         max(array_position(ARRAY['awareness','consideration','decision','retention','advocacy'], stage)) OVER (PARTITION BY customer_id ORDER BY occurred_at, ctid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS maxprev
  FROM touchpoints WINDOW w AS (PARTITION BY customer_id ORDER BY occurred_at, ctid))
SELECT round(100.0 * count(*) FILTER (WHERE occurred_at = prev_at) / count(*), 2) AS same_ts_pct,
       count(*) FILTER (WHERE occurred_at = prev_at AND stage <> prev_stage) AS same_ts_diff_stage,
       round(100.0 * count(DISTINCT customer_id) FILTER (WHERE si < maxprev) / (SELECT count(*) FROM customers), 1) AS revisit_journey_pct
FROM o;
SELECT round(100.0*avg((event IS NULL)::int),2) null_event_pct, round(100.0*avg((campaign IS NULL)::int),1) null_campaign_pct,
  round(100.0*avg((revenue IS NOT NULL)::int),2) revenue_rows_pct, min(revenue), max(revenue), round(avg(revenue),2) avg_rev,
  min(occurred_at), max(occurred_at) FROM touchpoints;
SELECT channel, count(*) FROM touchpoints GROUP BY 1 ORDER BY 2 DESC;
SELECT coalesce(event,'<null>') ev, count(*) FROM touchpoints GROUP BY 1 ORDER BY 2 DESC;
SELECT coalesce(campaign,'<null>') cp, count(*), min(occurred_at)::date, max(occurred_at)::date FROM touchpoints GROUP BY 1 ORDER BY 2 DESC;
-- conversion
WITH p AS (SELECT customer_id, count(*) FILTER (WHERE event = 'purchase') np, count(*) FILTER (WHERE event IN ('purchase','renewal')) nrev FROM touchpoints GROUP BY 1)
SELECT round(100.0*avg((np>0)::int),1) purchased_pct, round(100.0*avg((np>1)::int),1) multi_purchase_pct, round(100.0*avg((nrev>0)::int),1) any_rev_pct FROM customers c LEFT JOIN p USING (customer_id);
WITH p AS (SELECT DISTINCT customer_id FROM touchpoints WHERE event = 'purchase')
SELECT campaign_group, ab_variant, count(*), round(100.0*avg((p.customer_id IS NOT NULL)::int),1) conv_pct FROM customers c LEFT JOIN p USING (customer_id) GROUP BY ROLLUP(1,2) ORDER BY 1,2;
WITH p AS (SELECT DISTINCT customer_id FROM touchpoints WHERE event = 'purchase')
SELECT campaign_group, extract(month from signed_up_at) m, round(100.0*avg((p.customer_id IS NOT NULL)::int),1) conv_pct FROM customers c LEFT JOIN p USING (customer_id) GROUP BY 1,2 ORDER BY 2,1;
-- conversion among those reaching decision
WITH d AS (SELECT customer_id, min(occurred_at) FILTER (WHERE stage='decision') dec_at, bool_or(event='purchase') bought FROM touchpoints GROUP BY 1)
SELECT campaign_group, (extract(month from dec_at) between 3 and 5) spring, count(*), round(100.0*avg(bought::int),1) conv_given_decision FROM d JOIN customers USING (customer_id) WHERE dec_at IS NOT NULL GROUP BY 1,2 ORDER BY 1,2;
SELECT segment, count(*), min(revenue), round(avg(revenue),2), max(revenue) FROM touchpoints JOIN customers USING (customer_id) WHERE revenue IS NOT NULL GROUP BY 1;
WITH j AS (SELECT customer_id, max(occurred_at)-min(occurred_at) span FROM touchpoints GROUP BY 1)
SELECT percentile_disc(ARRAY[0.1,0.5,0.9,0.99]) WITHIN GROUP (ORDER BY span) FROM j;
SELECT segment, count(*) FROM customers GROUP BY 1 ORDER BY 2 DESC;
SELECT region, count(*) FROM customers GROUP BY 1 ORDER BY 2 DESC;
