-- Rule-based attribution against a plain-SQL formulation of each rule on the
-- sample data (conversion = a purchase row, credited to the channel rows
-- strictly before it and at or after the previous purchase time).
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(14);

-- every conversion, with the previous purchase time of its customer
CREATE TEMP TABLE convs AS
SELECT row_number() OVER () AS conv_id, c.customer_id, c.occurred_at AS t, coalesce(c.revenue, 0) AS rev,
       (SELECT max(p.occurred_at) FROM touchpoints p
        WHERE p.customer_id = c.customer_id AND p.event = 'purchase' AND p.occurred_at < c.occurred_at) AS prev
FROM touchpoints c WHERE c.event = 'purchase';

-- the touches each conversion is credited to, in canonical order
CREATE TEMP TABLE pt AS
SELECT v.conv_id, v.rev, v.t, x.channel, x.occurred_at, x.event IN ('signup', 'trial_start') AS is_lead,
       x.event IN ('demo_request', 'quote') AS is_opp,
       row_number() OVER w AS pos, count(*) OVER (PARTITION BY v.conv_id) AS k,
       max(x.occurred_at) OVER (PARTITION BY v.conv_id) AS t_last
FROM convs v JOIN touchpoints x
  ON x.customer_id = v.customer_id AND x.event IS DISTINCT FROM 'purchase' AND x.channel IS NOT NULL
 AND x.occurred_at < v.t AND (v.prev IS NULL OR x.occurred_at >= v.prev)
WINDOW w AS (PARTITION BY v.conv_id ORDER BY x.occurred_at, x.channel COLLATE "C",
             (x.event IN ('signup', 'trial_start'))::int * 2 + (x.event IN ('demo_request', 'quote'))::int * 4);

CREATE TEMP TABLE pt_w AS
SELECT *, min(pos) FILTER (WHERE is_lead) OVER (PARTITION BY conv_id) AS lead_pos,
       min(pos) FILTER (WHERE is_opp) OVER (PARTITION BY conv_id) AS opp_pos,
       max(pos) FILTER (WHERE channel <> 'direct') OVER (PARTITION BY conv_id) AS last_nd
FROM pt;

-- raw weights per model, scaled per conversion to sum to 1
CREATE TEMP TABLE weights AS
SELECT model, conv_id, channel, rev, raw / sum(raw) OVER (PARTITION BY model, conv_id) AS w
FROM (
  SELECT 'first_touch' AS model, conv_id, channel, rev, (pos = 1)::int::float8 AS raw FROM pt_w
  UNION ALL SELECT 'last_touch', conv_id, channel, rev, (pos = k)::int FROM pt_w
  UNION ALL SELECT 'last_non_direct', conv_id, channel, rev, (pos = coalesce(last_nd, k))::int FROM pt_w
  UNION ALL SELECT 'linear', conv_id, channel, rev, 1 FROM pt_w
  UNION ALL SELECT 'time_decay', conv_id, channel, rev,
                   power(2, -extract(epoch FROM t_last - occurred_at) / (7 * 86400)) FROM pt_w
  UNION ALL SELECT 'position_based', conv_id, channel, rev,
                   CASE WHEN k = 1 THEN 1 WHEN pos = 1 OR pos = k THEN 0.4 ELSE 0.2 / (k - 2) END FROM pt_w
  UNION ALL SELECT 'w_shaped', conv_id, channel, rev,
                   (pos = 1)::int * 0.3 + coalesce((pos = lead_pos)::int, 0) * 0.3 + coalesce((pos = opp_pos)::int, 0) * 0.3
                   + CASE WHEN pos = 1 OR pos = lead_pos OR pos = opp_pos THEN 0
                          ELSE 0.1 / (k - (SELECT count(DISTINCT q) FROM unnest(ARRAY[1, lead_pos, opp_pos]) q
                                                WHERE q IS NOT NULL)) END FROM pt_w
) raw_weights;

CREATE TEMP TABLE expected AS
SELECT model, channel, sum(w) AS conversions, sum(w * rev) AS revenue FROM weights GROUP BY 1, 2
UNION ALL
SELECT m.model, '(none)', count(*), sum(v.rev)
FROM convs v CROSS JOIN (SELECT DISTINCT model FROM weights) m
WHERE NOT EXISTS (SELECT FROM pt WHERE pt.conv_id = v.conv_id) GROUP BY 1;

-- cjourney: per customer, rolled up
CREATE TEMP TABLE per_customer AS
SELECT m.model, t.customer_id,
       attribution_agg(t.occurred_at, t.channel, t.event = 'purchase', t.revenue,
                       t.event IN ('signup', 'trial_start'), t.event IN ('demo_request', 'quote'),
                       m.model, '') AS a
FROM touchpoints t CROSS JOIN (SELECT DISTINCT model FROM weights) m
GROUP BY 1, 2;
CREATE TEMP TABLE got AS
SELECT r.model, c.* FROM (SELECT model, rollup(a) AS a FROM per_customer GROUP BY 1) r, attribution_credits(r.a) c;

SELECT ok((SELECT count(*) FROM convs) > 500 AND (SELECT count(*) FROM expected WHERE channel = '(none)') = 7
          AND (SELECT count(DISTINCT conv_id) FROM pt WHERE k > 2) > 300,
          'the sample data has conversions with long paths and with none');

SELECT is_empty(format($$SELECT coalesce(e.channel, g.channel) FROM expected e FULL JOIN got g USING (model, channel)
                       WHERE e.model = %L AND (g.model IS NULL OR e.model IS NULL
                          OR abs(e.conversions - g.conversions) > 1e-9 * greatest(1, abs(e.conversions))
                          OR abs(e.revenue - g.revenue) > 1e-9 * greatest(1, abs(e.revenue)))$$, m),
                'model ' || m || ' = its plain-SQL rule')
FROM unnest(ARRAY['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay',
                  'position_based', 'w_shaped']) m;

SELECT is_empty($$SELECT model FROM (SELECT model, rollup(a) AS a FROM per_customer GROUP BY 1) r
                  WHERE abs((SELECT sum(conversions) FROM attribution_credits(r.a)) - (SELECT count(*) FROM convs)) > 1e-6
                     OR abs((SELECT sum(revenue) FROM attribution_credits(r.a)) - (SELECT sum(rev) FROM convs)) > 1e-6$$,
                'credits sum to the conversions and the revenue under every model');

SELECT is_empty($$SELECT p.customer_id FROM per_customer p JOIN (
                    SELECT customer_id, attribution_agg(occurred_at, channel, event = 'purchase', revenue,
                             event IN ('signup', 'trial_start'), event IN ('demo_request', 'quote'), 'w_shaped', ''
                             ORDER BY md5(occurred_at::text || coalesce(channel, '') || coalesce(event, ''))) AS a
                    FROM touchpoints GROUP BY 1) s USING (customer_id)
                  WHERE p.model = 'w_shaped' AND p.a::text <> s.a::text$$,
                'shuffled input gives identical per-customer states');

SELECT is_empty($$SELECT customer_id FROM (
                    SELECT customer_id, journey_agg(touchpoint(occurred_at, stage::stage, channel, event, revenue)) AS j
                    FROM touchpoints GROUP BY 1) jj
                  JOIN per_customer p USING (customer_id)
                  WHERE p.model = 'linear' AND EXISTS (
                    (SELECT channel, round(conversions::numeric, 9), round(revenue::numeric, 6) FROM attribution_credits(p.a)
                     EXCEPT SELECT channel, round(conversions::numeric, 9), round(revenue::numeric, 6)
                            FROM journey_attribution(jj.j, 'purchase', 'linear'))
                    UNION ALL
                    (SELECT channel, round(conversions::numeric, 9), round(revenue::numeric, 6)
                     FROM journey_attribution(jj.j, 'purchase', 'linear')
                     EXCEPT SELECT channel, round(conversions::numeric, 9), round(revenue::numeric, 6) FROM attribution_credits(p.a)))$$,
                'journey_attribution = attribution_agg over the same rows, per customer');

-- Stored journeys against the rows form, times cut to the day so that many
-- touches share an instant: journey_attribution_agg (0.3.0: the conversion
-- as a step) and attribution_agg over journeys give, rolled up, what the
-- rows form gives per customer, in every model; position-sensitive models
-- (first, last touch) see one instant's touches in the same order.
CREATE TEMP TABLE dcut AS
SELECT customer_id, date_trunc('day', occurred_at) AS t, stage::stage AS stage, channel, event, revenue
FROM touchpoints;
CREATE TEMP TABLE dcut_j AS
SELECT customer_id, journey_agg(touchpoint(t, stage, channel, event, revenue)) AS j FROM dcut GROUP BY 1;
CREATE FUNCTION pg_temp.credits(a attribution) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(channel || '=' || round(conversions::numeric, 9) || '/' || round(revenue::numeric, 6), ' ' ORDER BY channel)
    FROM attribution_credits(a) $$;
SELECT is_empty($$SELECT m FROM unnest(ARRAY['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay',
                                             'position_based', 'markov', 'shapley']) m
                  WHERE pg_temp.credits((SELECT rollup(a) FROM (SELECT attribution_agg(t, channel, event IN ('purchase', 'signup'), revenue, m) AS a
                                                                FROM dcut GROUP BY customer_id) x))
                        IS DISTINCT FROM pg_temp.credits((SELECT journey_attribution_agg(j, 'purchase | signup', m) FROM dcut_j))$$,
                'journey_attribution_agg(j, step, model) = the rows form with the step as the conversion, every model');
SELECT is_empty($$SELECT m FROM unnest(ARRAY['first_touch', 'last_touch', 'position_based', 'markov']) m
                  WHERE pg_temp.credits((SELECT rollup(a) FROM (SELECT attribution_agg(t, channel, event = 'purchase', revenue, m) AS a
                                                                FROM dcut GROUP BY customer_id) x))
                        IS DISTINCT FROM pg_temp.credits((SELECT attribution_agg(j, 'purchase', m) FROM dcut_j))
                     OR pg_temp.credits((SELECT attribution_agg(j, 'purchase', m) FROM dcut_j))
                        IS DISTINCT FROM pg_temp.credits((SELECT journey_attribution_agg(j, 'event = purchase', m) FROM dcut_j))$$,
                'attribution_agg(j, event, model) = the rows form = journey_attribution_agg(j, ''event = <event>'', model), one instant''s touches included');
SELECT is_empty($$SELECT customer_id FROM dcut_j jj JOIN (
                    SELECT customer_id, attribution_agg(t, channel, event = 'purchase', revenue, 'first_touch') AS a
                    FROM dcut GROUP BY 1) p USING (customer_id)
                  WHERE (SELECT string_agg(channel || '=' || conversions, ',' ORDER BY channel) FROM attribution_credits(p.a))
                        IS DISTINCT FROM (SELECT string_agg(channel || '=' || conversions, ',' ORDER BY channel)
                                          FROM journey_attribution(jj.j, 'purchase', 'first_touch'))$$,
                'journey_attribution first_touch = the rows form per customer, one instant''s touches included');

SELECT * FROM finish();
ROLLBACK;
