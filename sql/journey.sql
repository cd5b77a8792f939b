-- journey: text form, accessors, slices, merge, comparison
CREATE TEMP TABLE jt (id int, j journey);
INSERT INTO jt VALUES
 (1, '{2025-03-01T09:00:00Z awareness ads ad_click; 2025-03-03T10:00:00Z consideration email email_open;
       2025-03-03T10:00:00Z consideration email email_click; 2025-03-05T12:00:00Z decision web add_to_cart;
       2025-03-05T12:30:00Z consideration web page_view; 2025-03-06T08:00:00Z decision store purchase 249.00}'),
 (2, '{2025-04-01T00:00:00Z awareness social NULL}'),
 (3, '{}');
SELECT id, j FROM jt ORDER BY id;
SELECT id, journey_length(j), journey_start(j), journey_end(j), journey_duration(j),
       journey_stages(j), journey_furthest_stage(j)
FROM jt ORDER BY id;
SELECT id, journey_first(j), journey_last(j) FROM jt ORDER BY id;
-- stage in force at a time (the last touch at or before it)
SELECT t, journey_stage_at(j, t) FROM jt, (VALUES ('2025-02-01 00:00+00'::timestamptz),
  ('2025-03-01 09:00+00'), ('2025-03-05 12:15+00'), ('2025-03-05 12:30+00'), ('2025-12-01 00:00+00')) v(t)
WHERE id = 1 ORDER BY t;
-- touches as rows
SELECT * FROM journey_touchpoints((SELECT j FROM jt WHERE id = 1));
SELECT count(*) FROM jt, journey_touchpoints(j);
-- reached stages
SELECT id, j @> 'decision'::stage AS decided, j @> 'retention'::stage AS retained FROM jt ORDER BY id;
-- slices are [from, to); NULL bounds are open
SELECT journey_slice(j, '2025-03-03 10:00+00', '2025-03-05 12:30+00') FROM jt WHERE id = 1;
SELECT journey_slice(j, NULL, '2025-03-03 10:00+00') FROM jt WHERE id = 1;
SELECT journey_slice(j, '2025-03-06 00:00+00', NULL) FROM jt WHERE id = 1;
SELECT journey_slice(j, '2026-01-01 00:00+00', NULL) FROM jt WHERE id = 1;
-- merge: all touches of both
SELECT (SELECT j FROM jt WHERE id = 1) || (SELECT j FROM jt WHERE id = 2);
SELECT journey_slice(j, NULL, '2025-03-04 00:00+00') || journey_slice(j, '2025-03-04 00:00+00', NULL) = j AS split_and_merge
FROM jt WHERE id = 1;
SELECT j || '{}'::journey = j AS empty_is_identity FROM jt WHERE id = 1;
-- order and equality
SELECT id FROM jt ORDER BY j, id;
SELECT a.id, b.id FROM jt a JOIN jt b ON a.j = b.j ORDER BY 1;
SELECT count(DISTINCT j) FROM (SELECT j FROM jt UNION ALL SELECT j FROM jt) s;
-- jsonb
SELECT jsonb_pretty(j::jsonb) FROM jt WHERE id = 2;
-- canonical text: round trip, and input in any order gives the same value
SELECT j::text::journey = j AS round_trip FROM jt ORDER BY id;
SELECT '{2025-03-02T00:00:00Z decision web NULL; 2025-03-01T00:00:00Z awareness web NULL}'::journey
     = '{2025-03-01T00:00:00Z awareness web NULL; 2025-03-02T00:00:00Z decision web NULL}'::journey AS order_free;
-- sub-second and wide time spans keep full precision
SELECT '{0001-01-01T00:00:00.000001Z awareness a NULL; 9999-12-31T23:59:59.999999Z advocacy b NULL}'::journey;
SELECT '{2025-01-01T00:00:00.001Z awareness a NULL; 2025-01-01T00:00:00.002Z awareness a NULL}'::journey;
-- many distinct labels switch to wide label ids
SELECT journey_length(j), j::text::journey = j AS round_trip, (SELECT count(DISTINCT channel) FROM journey_touchpoints(j)) AS channels
FROM (SELECT journey_agg('2025-01-01'::timestamptz + g * interval '1 minute', 'awareness'::stage, 'ch' || g, NULL) j
      FROM generate_series(1, 400) g) s;
-- storage is compact: bytes per touch for a typical journey
SELECT pg_column_size(j) AS bytes, journey_length(j) AS touches FROM jt WHERE id = 1;
-- binary COPY: a value's numeric starts at an odd offset of the message
CREATE TABLE jcopy (j journey);
\copy (SELECT '{2025-03-06T08:00:00Z decision s p 2}'::journey) TO 'results/journey.bin' (FORMAT binary)
\copy jcopy FROM 'results/journey.bin' (FORMAT binary)
SELECT j, j = '{2025-03-06T08:00:00Z decision s p 2}' AS same FROM jcopy;
\copy (SELECT j FROM jt ORDER BY id) TO 'results/journeys.bin' (FORMAT binary)
TRUNCATE jcopy;
\copy jcopy FROM 'results/journeys.bin' (FORMAT binary)
SELECT count(*) AS copied, count(*) FILTER (WHERE j IN (SELECT j FROM jt)) AS equal FROM jcopy;
DROP TABLE jt, jcopy;
