-- touchpoint: constructor, accessors, text form, order, equality, hashing
SELECT touchpoint('2025-03-01 09:00:00+00', 'awareness'::stage, 'web', 'page_view');
SELECT touchpoint('2025-03-01 09:00:00.25+00', 'decision'::stage, 'store', 'purchase', 129.90);
SELECT touchpoint('2025-03-01 09:00:00+00', 'decision'::stage, 'store');
SELECT touchpoint(NULL, 'decision'::stage, 'store') IS NULL AS null_time,
       touchpoint(now(), NULL::stage, 'store') IS NULL AS null_stage;
-- times print in UTC whatever the session time zone, so the text is canonical
SET timezone = 'America/New_York';
SELECT touchpoint('2025-03-01 09:00:00-05', 'decision'::stage, 'web', NULL);
SELECT touchpoint_occurred_at('2025-03-01T14:00:00Z decision web NULL');
RESET timezone;
-- accessors
SELECT touchpoint_occurred_at(t), touchpoint_stage(t), touchpoint_channel(t),
       touchpoint_event(t), touchpoint_value(t)
FROM (VALUES ('2025-03-01T09:00:00Z decision store purchase 129.90'::touchpoint),
             ('2025-03-01T09:00:00Z awareness NULL NULL'::touchpoint)) v(t);
-- quoting of labels that need it
SELECT touchpoint('2025-03-01 09:00+00', 'awareness'::stage, 'paid search', 'say "hi"');
SELECT touchpoint('2025-03-01 09:00+00', 'awareness'::stage, 'NULL', '');
SELECT touchpoint_channel('2025-03-01T09:00:00Z awareness "NULL" ""'),
       touchpoint_event('2025-03-01T09:00:00Z awareness "NULL" ""') = '' AS empty_event;
-- a custom stage list is printed in brackets
CREATE TYPE lc AS ENUM ('new', 'active', 'lapsed');
SELECT touchpoint('2025-03-01 09:00+00', 'active'::lc, 'app', 'login');
-- input is liberal in zone and spacing, output canonical
SELECT '  [new < active<lapsed]   "2025-03-01 09:00:00+01:00"   lapsed  app  NULL  '::touchpoint;
SELECT '2025-03-01T09:00:00.000100Z awareness web NULL 1e3'::touchpoint;
-- btree order: time first, then stage order, channel, event, value
SELECT t FROM (VALUES
  ('2025-03-02T00:00:00Z awareness web NULL'::touchpoint),
  ('2025-03-01T00:00:00Z decision web NULL'),
  ('2025-03-01T00:00:00Z consideration web NULL'),
  ('2025-03-01T00:00:00Z consideration ads NULL'),
  ('2025-03-01T00:00:00Z consideration ads click 2'),
  ('2025-03-01T00:00:00Z consideration ads click 10'),
  ('2025-03-01T00:00:00Z consideration ads click')) v(t) ORDER BY t;
SELECT '2025-03-01T00:00:00Z awareness web NULL'::touchpoint = '2025-03-01T01:00:00+01:00 awareness web NULL'::touchpoint AS same_instant,
       '2025-03-01T00:00:00Z awareness web NULL 1.0'::touchpoint = '2025-03-01T00:00:00Z awareness web NULL 1.00'::touchpoint AS scale_differs,
       '2025-03-01T00:00:00Z awareness web NULL 1.0'::touchpoint < '2025-03-01T00:00:00Z awareness web NULL 1.00'::touchpoint AS scale_ordered;
-- hash opclass: DISTINCT and hash joins
SELECT count(DISTINCT t) FROM (VALUES ('2025-03-01T00:00:00Z awareness web NULL'::touchpoint),
  ('2025-03-01T01:00:00+01:00 awareness web NULL'), ('2025-03-01T00:00:00Z awareness web x')) v(t);
SELECT touchpoint_hash('2025-03-01T00:00:00Z awareness web NULL') = touchpoint_hash('2025-03-01T01:00:00+01:00 awareness web NULL');
-- jsonb
SELECT touchpoint('2025-03-01 09:00+00', 'decision'::stage, 'store', 'purchase', 12.50)::jsonb;
-- round trip through text
SELECT t::text::touchpoint = t FROM (VALUES
  (touchpoint('2025-03-01 09:00:00.123456+00', 'advocacy'::stage, 'review site', 'wrote "5 stars"', -0.000001)),
  (touchpoint('0001-01-01 00:00:00+00', 'new'::lc, 'a;b', '{x}'))) v(t);
DROP TYPE lc;
-- a numeric stored compressed or out of line in a table is read whole
CREATE TEMP TABLE big_values (v numeric);
INSERT INTO big_values SELECT repeat('12345678', 2500)::numeric;
ALTER TABLE big_values ALTER v SET STORAGE EXTERNAL;
INSERT INTO big_values SELECT repeat('87654321', 2500)::numeric;
SELECT touchpoint_value(touchpoint('2025-01-01 00:00+00', 'awareness'::stage, 'web', NULL, v)) = v AS same_value,
       t::text::touchpoint = t AS round_trip
FROM big_values, LATERAL (SELECT touchpoint('2025-01-01 00:00+00', 'awareness'::stage, 'web', NULL, v) AS t) x;
DROP TABLE big_values;
