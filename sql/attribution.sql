-- Multi-touch attribution: each model by hand, on small journeys.
SET extra_float_digits = 0;

-- Customer 1: email, web, direct, then a purchase of 100 on day 4; social on
-- day 4 itself counts toward the next purchase (50, day 6).  Customer 2 buys
-- with no touch before: the (none) bucket.  Customer 3 never buys.
CREATE TABLE att_rows (customer int, at timestamptz, channel text, converted boolean,
                       revenue numeric, lead boolean, opp boolean);
INSERT INTO att_rows VALUES
  (1, '2025-01-01 00:00Z', 'email',  false, NULL, false, false),
  (1, '2025-01-02 00:00Z', 'web',    false, NULL, true,  false),
  (1, '2025-01-03 00:00Z', 'direct', false, NULL, false, true),
  (1, '2025-01-04 00:00Z', 'web',    true,  100,  false, false),
  (1, '2025-01-04 00:00Z', 'social', false, NULL, false, false),
  (1, '2025-01-06 00:00Z', NULL,     true,  50,   false, false),
  (2, '2025-01-05 00:00Z', 'store',  true,  30,   false, false),
  (3, '2025-01-01 00:00Z', 'email',  false, NULL, false, false),
  (3, '2025-01-02 00:00Z', 'email',  false, NULL, false, false);

CREATE FUNCTION att_credits(model text, options text DEFAULT '')
RETURNS TABLE (channel text, conversions numeric, revenue numeric) LANGUAGE sql AS $$
  SELECT c.channel, round(c.conversions::numeric, 6), round(c.revenue::numeric, 4)
  FROM (SELECT rollup(a) AS a
        FROM (SELECT attribution_agg(at, channel, converted, revenue, lead, opp, model, options) AS a
              FROM att_rows GROUP BY customer) per_customer) r,
       attribution_credits(r.a) c
$$;

-- first touch: email gets purchase 1, social purchase 2; store's purchase has no touch
SELECT * FROM att_credits('first_touch');
-- last touch: direct, then social
SELECT * FROM att_credits('last_touch');
-- last non-direct: web instead of direct; with direct=web, direct stays
SELECT * FROM att_credits('last_non_direct');
SELECT * FROM att_credits('last_non_direct', 'direct=web');
-- linear: a third each for purchase 1
SELECT * FROM att_credits('linear');
-- time decay, half-life 1 day: weights 1/4, 1/2, 1 scaled to 1/7, 2/7, 4/7
SELECT * FROM att_credits('time_decay', 'half_life=1 day');
-- position based 40/20/40 on three touches
SELECT * FROM att_credits('position_based');
SELECT * FROM att_credits('position_based', 'weights=0.6/0.3/0.1');
-- W-shaped: first (email) 0.3, lead (web) 0.3, opportunity (direct) 0.3, no others: 1/3 each
SELECT * FROM att_credits('w_shaped');
SELECT * FROM att_credits('w_shaped', 'weights=0.5/0.2/0.2/0.1');
-- lookback of 1.5 days: only direct (day 3) is within 1.5 days of the day-4 purchase
SELECT * FROM att_credits('linear', 'lookback=36 hours');

-- the state: text form, accessors, round trip
SELECT attribution_agg(at, channel, converted, revenue, 'linear') FROM att_rows WHERE customer = 1;
SELECT attribution_conversions(a), attribution_revenue(a), attribution_model(a)
FROM (SELECT rollup(a) AS a FROM (SELECT attribution_agg(at, channel, converted, revenue, 'time_decay', 'half_life=7 days, lookback=30 days') AS a
      FROM att_rows GROUP BY customer) s) r;
SELECT a::text::attribution::text = a::text AS text_round_trip
FROM (SELECT attribution_agg(at, channel, converted, revenue, 'markov') AS a FROM att_rows WHERE customer = 1) s;
SELECT attribution_agg(at, channel, converted, revenue, 'markov') FROM att_rows WHERE customer = 1;
SELECT * FROM attribution_paths((SELECT attribution_agg(at, channel, converted, revenue, 'markov')
                                 FROM att_rows WHERE customer = 1));

-- Anderl et al. (2016), the three-journey example: C1 > C2 > C3 > conversion,
-- C1 > null, C2 > C3 > null.  Start goes to C1 with 2/3 and C2 with 1/3;
-- C1 to C2 or null with 1/2 each; C2 to C3 always; C3 converts with 1/2.
-- P(conversion) = 2/3*1/2*1/2 + 1/3*1/2 = 1/3.  Without C1 only start > C2
-- remains: 1/3*1/2 = 1/6, removal effect 1 - (1/6)/(1/3) = 0.5.  Without C2
-- or C3 nothing converts: removal effect 1.  Credits 0.5 : 1 : 1 of one
-- conversion: 0.2, 0.4, 0.4.
CREATE TABLE anderl (path text[], conversions bigint, nulls bigint, revenue numeric);
INSERT INTO anderl VALUES ('{C1,C2,C3}', 1, 0, 10), ('{C1}', 0, 1, 0), ('{C2,C3}', 0, 1, 0);
SELECT * FROM attribution_removal_effects((SELECT attribution_agg(path, conversions, nulls, revenue, 'markov') FROM anderl));
SELECT * FROM attribution_credits((SELECT attribution_agg(path, conversions, nulls, revenue, 'markov') FROM anderl));
-- Shapley on the same paths: only {C1,C2,C3} converts (rate 1); every smaller
-- set has rate 0, so the three channels are symmetric: 1/3 each.
SELECT channel, round(conversions::numeric, 6), round(revenue::numeric, 6)
FROM attribution_credits((SELECT attribution_agg(path, conversions, nulls, revenue, 'shapley') FROM anderl));
-- Shapley with an asymmetric game: {a} converts 1 in 2, {a,b} 3 in 4, {b} never.
-- v(a)=1/2, v(b)=0, v(ab)=3/4: phi_a = (1/2 + 3/4)/2 = 5/8, phi_b = (0 + 1/4)/2 = 1/8;
-- the 3 conversions of {a,b} split 5/6 : 1/6, the one of {a} goes to a.
SELECT channel, round(conversions::numeric, 6)
FROM attribution_credits((SELECT attribution_agg(path, conversions, nulls, NULL, 'shapley')
  FROM (VALUES ('{a}'::text[], 1::bigint, 1::bigint), ('{a,b}', 2, 1), ('{b,a}', 1, 0), ('{b}', 0, 3)) v(path, conversions, nulls)));

-- journeys: per customer rows, and across customers
CREATE TABLE att_journeys AS
SELECT customer, journey_agg(touchpoint(at, CASE WHEN converted THEN 'decision' ELSE 'awareness' END::stage,
                                        channel, CASE WHEN converted THEN 'purchase' END, revenue)) AS j
FROM att_rows GROUP BY customer;
SELECT customer, c.* FROM att_journeys, journey_attribution(j, 'purchase', 'linear') c ORDER BY 1, 2;
SELECT c.* FROM attribution_credits((SELECT attribution_agg(j, 'purchase', 'first_touch') FROM att_journeys)) c;
-- the conversion as a step (0.3.0): here the first touch in decision or later, or any email touch
SELECT c.* FROM attribution_credits((SELECT journey_attribution_agg(j, 'stage >= decision', 'first_touch') FROM att_journeys)) c;
SELECT c.* FROM attribution_credits((SELECT journey_attribution_agg(j, 'purchase | channel = email', 'linear', '') FROM att_journeys)) c;
SELECT journey_attribution_agg(j, NULL, 'linear') FROM att_journeys;
SELECT journey_attribution_agg(j, 'event =', 'linear') FROM att_journeys;

-- errors
SELECT attribution_agg(at, channel, converted, revenue, 'nope') FROM att_rows;
SELECT attribution_agg(at, channel, converted, revenue, NULL) FROM att_rows;
SELECT attribution_agg(at, channel, converted, revenue, 'time_decay', 'half_life=0') FROM att_rows;
-- a bare number has no unit (interval input would read it as seconds)
SELECT attribution_agg(at, channel, converted, revenue, 'time_decay', 'half_life=7') FROM att_rows;
SELECT attribution_agg(at, channel, converted, revenue, 'linear', 'lookback=30') FROM att_rows;
SELECT attribution_agg(at, channel, converted, revenue, 'time_decay', 'half_life=0 days') FROM att_rows;
-- a clock time or an ISO 8601 duration names its unit
SELECT attribution_agg(at, channel, converted, revenue, 'time_decay', 'half_life=01:00:00')::text
     = attribution_agg(at, channel, converted, revenue, 'time_decay', 'half_life=1 hour')::text AS clock_ok,
       attribution_agg(at, channel, converted, revenue, 'linear', 'lookback=P30D')::text
     = attribution_agg(at, channel, converted, revenue, 'linear', 'lookback=30 days')::text AS iso_ok
FROM att_rows;
SELECT attribution_agg(at, channel, converted, revenue, 'time_decay', 'half_life=-2 days') FROM att_rows;
SELECT attribution_agg(at, channel, converted, revenue, 'position_based', 'weights=0.5/0.5/0.5') FROM att_rows;
SELECT attribution_agg(at, channel, converted, revenue, 'position_based', 'weights=0.5/0.5') FROM att_rows;
SELECT attribution_agg(at, channel, converted, revenue, 'linear', 'half_life=1 day') FROM att_rows;
SELECT attribution_agg(at, channel, converted, revenue, 'linear', 'colour=red') FROM att_rows;
SELECT attribution_agg(at, channel, converted, revenue, 'linear', 'lookback') FROM att_rows;
SELECT attribution_agg(at, channel, converted, revenue, 'markov', 'lookback=1 day') FROM att_rows;
SELECT attribution_agg(at, channel, converted, revenue, 'w_shaped') FROM att_rows;
SELECT attribution_agg(path, conversions, nulls, revenue, 'w_shaped') FROM anderl;
SELECT attribution_agg(path, -1, nulls, revenue, 'linear') FROM anderl;
SELECT rollup(a) FROM (SELECT attribution_agg('{x}'::text[], 1, 0, 1, m) AS a
                       FROM (VALUES ('linear'), ('first_touch')) v(m) GROUP BY m ORDER BY m) s;
SELECT attribution_agg(at, channel, converted, revenue, CASE WHEN customer = 1 THEN 'linear' ELSE 'first_touch' END)
FROM att_rows;
SELECT * FROM attribution_removal_effects((SELECT attribution_agg('{x}'::text[], 1, 0, 1, 'linear')));
SELECT * FROM attribution_paths((SELECT attribution_agg('{x}'::text[], 1, 0, 1, 'linear')));
SELECT * FROM journey_attribution((SELECT j FROM att_journeys WHERE customer = 1), 'purchase', 'w_shaped', 'lead_stage=nowhere');
-- a converting journey over 21 distinct channels is beyond the exact Shapley value
SELECT * FROM attribution_credits((SELECT attribution_agg(p, 1, 0, 0, 'shapley')
  FROM (SELECT array_agg('c' || i) FROM generate_series(1, 21) i) v(p)));
-- 20 are fine: symmetric, 1/20 each
SELECT count(*), max(conversions) - min(conversions) < 1e-12 AS equal, round(sum(conversions)::numeric, 9)
FROM attribution_credits((SELECT attribution_agg(p, 1, 0, 0, 'shapley')
  FROM (SELECT array_agg('c' || i) FROM generate_series(1, 20) i) v(p)));
-- more than 1000 distinct channels for the Markov model
SELECT * FROM attribution_credits((SELECT attribution_agg(p, 1, 0, 0, 'markov')
  FROM (SELECT array_agg('c' || i) FROM generate_series(1, 1001) i) v(p)));
-- subnormal numbers print and read back
SELECT 'linear | conversions=1 revenue=1e-320 none=0/0 | "a"=8.289046e-317/5e-324'::attribution::text::attribution;
-- malformed text input
SELECT 'linear | conversions=1 revenue=0 none=0/0 | "a"=1/0 "a"=1/0'::attribution;
SELECT 'markov | conversions=2 revenue=0 none=0/0 | ["a"]=1/0/0'::attribution;
SELECT 'linear | conversions=1 revenue=0 none=0/0 | "a"=1/inf'::attribution;
SELECT 'time_decay | conversions=0 revenue=0 none=0/0 |'::attribution;
SELECT 'nope | conversions=0 revenue=0 none=0/0 |'::attribution;
SELECT 'linear | conversions=0 revenue=0 none=0/0 | ["a"]=1/0/0'::attribution;
-- a data-driven value without paths prints and reads back
SELECT a::text, a::text::attribution::text = a::text AS round_trip
FROM (SELECT attribution_agg(ARRAY['a'], 0, 0, 0, 'markov') AS a) v;
