-- touches before conversion, time to conversion, conversion paths
SET timezone = 'UTC';
CREATE TEMP TABLE c (u int, t timestamptz, ch text, conv boolean);
INSERT INTO c VALUES
  (1, '2025-01-01', 'ads', false), (1, '2025-01-02', 'email', false), (1, '2025-01-02', 'email', false),
  (1, '2025-01-03', 'web', true),                      -- first conversion
  (1, '2025-01-03', 'store', false),                   -- same instant: not before it
  (1, '2025-01-05', 'email', false), (1, '2025-01-06', 'web', true),
  (2, '2025-01-01', 'ads', false),                     -- never converts
  (3, '2025-01-01', 'web', true), (3, '2025-01-01', NULL, false),
  (4, '2025-01-01', NULL, false), (4, NULL, 'ads', false), (4, '2025-01-02', 'ads', NULL), (4, '2025-01-03', 'web', true);
SELECT u, touches_before_conversion(t, conv) AS touches,
       touches_before_conversion(t, conv, interval '1 day 12 hours') AS in_36h,
       touches_before_each_conversion(t, conv) AS per_cycle,
       time_to_conversion(t, conv),
       conversion_path(t, ch, conv) AS path,
       conversion_path(t, ch, conv, true, 2) AS collapsed_last_2
FROM c GROUP BY u ORDER BY u;
-- input order never matters
SELECT conversion_path(t, ch, conv ORDER BY t DESC, ch DESC) = conversion_path(t, ch, conv ORDER BY t, ch) AS order_free
FROM c WHERE u = 1;
-- from a stored journey: a conversion is a touch with the given event
SELECT journey_touches_before_conversion(j, 'purchase'), journey_conversion_path(j, 'purchase'),
       journey_conversion_path(j, 'purchase', true, 0), journey_conversion_path(j, 'refund')
FROM (VALUES ('{2025-01-01T00:00:00Z awareness ads click; 2025-01-02T00:00:00Z consideration email open;
              2025-01-02T01:00:00Z consideration email click; 2025-01-03T00:00:00Z decision web purchase;
              2025-01-04T00:00:00Z retention web purchase}'::journey)) v(j);
-- the conversion as a step (0.3.0): events, stages, channels, alternatives
SELECT journey_touches_before(j, 'purchase') AS before_purchase,
       journey_touches_before(j, 'event = purchase | channel = email') AS before_purchase_or_email,
       journey_touches_before(j, 'stage >= decision', interval '1 day') AS within_1d_of_decision,
       journey_touches_before_each(j, 'purchase') AS each,
       journey_time_to(j, 'click') AS time_to_click,
       journey_path_before(j, 'purchase') AS path,
       journey_path_before(j, 'stage = retention', true, 2) AS last_2,
       journey_path_before(j, 'refund') AS never,
       journey_retention(j, 'channel = ads', 'purchase', 'refund', NULL) AS retention
FROM (VALUES ('{2025-01-01T00:00:00Z awareness ads click; 2025-01-02T00:00:00Z consideration email open;
              2025-01-02T00:00:00Z awareness web click;
              2025-01-02T01:00:00Z consideration email click; 2025-01-03T00:00:00Z decision web purchase;
              2025-01-04T00:00:00Z retention web purchase}'::journey)) v(j);
-- one instant's channels in channel order, as conversion_path gives them
SELECT journey_path_before(journey_agg(t, s, ch, 'x'), 'stage = decision') AS journey_form,
       conversion_path(t, ch, s = 'decision') AS rows_form
FROM (VALUES ('2025-01-01'::timestamptz, 'consideration'::stage, 'web'), ('2025-01-01', 'awareness', 'store'),
             ('2025-01-01', 'consideration', 'ads'), ('2025-01-02', 'decision', 'web')) v(t, s, ch);
-- errors and edge values of the step forms
SELECT journey_touches_before('{}'::journey, 'stage >');
SELECT journey_touches_before('{}'::journey, 'purchase |');
SELECT journey_touches_before('{}'::journey, 'purchase', interval '0');
SELECT journey_touches_before('{}'::journey, 'purchase', interval '-1 day');
-- the parts of an interval add up, as in interval comparison: '-1 day 48:00' is one day
SELECT journey_touches_before(j, 'stage >= decision', interval '-1 day 48:00') AS within_1d_mixed_signs,
       journey_touches_before(j, 'stage >= decision', interval '1 mon -29 days') AS within_1d_of_a_month
FROM (VALUES ('{2025-01-01T00:00:00Z awareness ads click; 2025-01-02T00:00:00Z consideration email open;
              2025-01-02T01:00:00Z consideration email click; 2025-01-03T00:00:00Z decision web purchase}'::journey)) v(j);
SELECT journey_path_before('{}'::journey, 'purchase', false, -1);
SELECT journey_retention('{}'::journey, VARIADIC '{}'::text[]);
SELECT journey_retention('{}'::journey, VARIADIC array_fill('x'::text, ARRAY[65]));
SELECT journey_touches_before('{}'::journey, NULL) IS NULL AS null_step,
       journey_touches_before('{}'::journey, '*') IS NULL AS empty_journey,
       journey_retention('{}'::journey, '*', 'x') AS empty_retention;
-- errors
SELECT touches_before_conversion(t, conv, interval '0') FROM c;
SELECT touches_before_conversion(t, conv, interval '50000000 days 2562047788 hours') FROM c;
SELECT conversion_path(t, ch, conv, true, -1) FROM c;
SELECT touches_before_conversion(t, conv, l) FROM (VALUES (now(), true, interval '1 day'), (now(), true, interval '2 days')) v(t, conv, l);
RESET timezone;
