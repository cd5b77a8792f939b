-- stage: the default lifecycle enum, custom enums, stage order in values
SELECT enum_range(NULL::stage);
SELECT 'decision'::stage > 'consideration'::stage AS later,
       'advocacy'::stage < 'awareness'::stage AS earlier;
-- text columns are used with a cast
SELECT s::stage FROM (VALUES ('retention'), ('awareness'), ('decision')) v(s) ORDER BY s::stage;
-- order is the enum's, not alphabetical
SELECT array_agg(s ORDER BY s) FROM unnest(enum_range(NULL::stage)) s;

-- a team's own lifecycle
CREATE TYPE sales_stage AS ENUM ('lead', 'mql', 'sql', 'opportunity', 'customer');
CREATE TABLE sales_touches (customer_id int, occurred_at timestamptz, stage sales_stage, channel text, event text);
INSERT INTO sales_touches VALUES
  (1, '2025-01-05 10:00+00', 'lead', 'web', 'form'),
  (1, '2025-01-09 11:00+00', 'sql', 'email', 'reply'),
  (1, '2025-01-07 12:00+00', 'mql', 'webinar', NULL),
  (2, '2025-02-01 09:00+00', 'lead', 'ads', 'click');
SELECT customer_id, journey_agg(occurred_at, stage, channel, event)
FROM sales_touches GROUP BY customer_id ORDER BY customer_id;
SELECT customer_id, journey_stage_list(j), journey_stages(j), journey_furthest_stage(j),
       j @> 'sql'::sales_stage AS reached_sql, 'mql'::sales_stage <@ j AS mql_reached
FROM (SELECT customer_id, journey_agg(occurred_at, stage, channel, event) j
      FROM sales_touches GROUP BY customer_id) s ORDER BY customer_id;
-- furthest stage follows the enum order, not the alphabet ('sql' < 'opportunity')
SELECT journey_furthest_stage('[lead<mql<sql<opportunity<customer] {2025-01-01T00:00:00Z opportunity web NULL; 2025-01-02T00:00:00Z sql web NULL}'::journey);
-- comparing by stage: cast the label back to the enum
SELECT customer_id FROM (SELECT customer_id, journey_agg(occurred_at, stage, channel, event) j
      FROM sales_touches GROUP BY customer_id) s
WHERE journey_furthest_stage(j)::sales_stage >= 'mql' ORDER BY 1;
-- a stage of another enum is not in the journey's list
SELECT '{2025-01-01T00:00:00Z awareness web NULL}'::journey @> 'lead'::sales_stage;
-- an enum label added later is part of the list of new journeys
ALTER TYPE sales_stage ADD VALUE 'champion' AFTER 'customer';
SELECT journey_stage_list(journey_agg(occurred_at, stage, channel, event)) FROM sales_touches;
-- a label inserted in the middle keeps enum order (odd OIDs, non-integer sort order)
ALTER TYPE sales_stage ADD VALUE 'sal' BEFORE 'sql';
SELECT journey_stage_list(journey_agg(occurred_at, stage, channel, event)) FROM sales_touches;
SELECT journey_agg(t, s, 'web', NULL) FROM (VALUES ('2025-01-01 00:00+00'::timestamptz, 'sal'::sales_stage), ('2025-01-01 00:00+00', 'sql'), ('2025-01-01 00:00+00', 'mql')) v(t, s);
DROP TABLE sales_touches;
DROP TYPE sales_stage;
