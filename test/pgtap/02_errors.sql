-- Errors: SQLSTATEs, messages and limits.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(28);

-- malformed text: 22P02, naming the type
SELECT throws_ok($$SELECT 'garbage'::journey$$, '22P02',
    'invalid input syntax for type journey: "garbage"');
SELECT throws_ok($$SELECT 'garbage'::touchpoint$$, '22P02',
    'invalid input syntax for type touchpoint: "garbage"');
SELECT throws_ok($$SELECT '{2025-03-01T09:00:00Z nosuch web NULL}'::journey$$, '22P02');
SELECT throws_ok($$SELECT '[a<b] {2025-03-01T09:00:00Z c web NULL}'::journey$$, '22P02');
SELECT throws_ok($$SELECT '[a<a] {}'::journey$$, '22P02');
SELECT throws_ok($$SELECT '{2025-13-01T09:00:00Z awareness web NULL}'::journey$$, '22P02');
SELECT throws_ok($$SELECT '{2025-03-01T09:00:00Z awareness web NULL NaN}'::journey$$, '22P02');
SELECT throws_ok($$SELECT '{2025-03-01T09:00:00Z awareness web NULL 1 2}'::journey$$, '22P02');
SELECT throws_ok($$SELECT ('[' || repeat('x', 64) || '] {}')::journey$$, '22P02');
-- unknown stage of another enum
CREATE TYPE pg_temp.other AS ENUM ('x');
SELECT throws_ok($$SELECT '{}'::journey @> 'x'::pg_temp.other$$, '22P02',
    'stage "x" is not in the stage list of the value');
-- out-of-range times: 22008
SELECT throws_ok($$SELECT '{10000-01-01T00:00:00Z awareness web NULL}'::journey$$, '22P02');
SELECT throws_ok($$SELECT '{9999-12-31T23:00:00-02:00 awareness web NULL}'::journey$$, '22008');
SELECT throws_ok($$SELECT touchpoint('infinity', 'awareness'::stage, 'web')$$, '22008');
SELECT throws_ok($$SELECT touchpoint('0001-01-01 00:00+00'::timestamptz - interval '1 second', 'awareness'::stage, 'web')$$, '22008');
SELECT throws_ok($$SELECT journey_agg(t, 'awareness'::stage, 'web', NULL) FROM (VALUES ('infinity'::timestamptz)) v(t)$$, '22008');
SELECT throws_ok($$SELECT funnel_report_agg(ARRAY[now(), 'infinity']::timestamptz[], 2)$$, '22008',
    'step times must be finite');
SELECT throws_ok($$SELECT funnel_report_agg(ARRAY['-infinity', now()]::timestamptz[], 2)$$, '22008',
    'step times must be finite');
SELECT throws_ok($$SELECT funnel_report_agg(ARRAY['4713-01-01 BC', '294276-12-31']::timestamptz[], 2)$$, '22008',
    'time between funnel steps out of range');
-- parameters: 22023
SELECT throws_ok($$SELECT touchpoint(now(), 'awareness'::stage, 'web', NULL, 'NaN')$$, '22023');
SELECT throws_ok($$SELECT journey_slice('{}', '2025-02-01', '2025-01-01')$$, '22023');
SELECT throws_ok($$SELECT '{}'::journey || '[a] {}'::journey$$, '22023',
    'cannot merge journeys with different stage lists');
SELECT throws_ok($$SELECT journey_agg(t) FROM (VALUES (touchpoint(now(), 'x'::pg_temp.other, 'a')), (touchpoint(now(), 'awareness'::stage, 'a'))) v(t)$$,
    '22023', 'touchpoints of one journey must share a stage list');
-- limits: 54000 with the limit in the detail
SELECT throws_ok($$SELECT touchpoint(now(), 'awareness'::stage, repeat('x', 1025))$$, '54000',
    'channel or event label is too long');
-- a group of more than 1,000,000 rows (0.1.0's count limit) fits the memory budget
SELECT is((SELECT journey_length(journey_agg('2025-01-01'::timestamptz + g * interval '1 second', 'awareness'::stage, 'web', NULL))
           FROM generate_series(1, 1000001) g), 1000001, 'a group of 1,000,001 rows is within the limits');
SET LOCAL cjourney.max_state_memory = '16MB';
SELECT throws_ok($$SELECT journey_agg('2025-01-01'::timestamptz, 'awareness'::stage, 'web', NULL) FROM generate_series(1, 1000001)$$,
    '54000', 'aggregate state of one group exceeds cjourney.max_state_memory', 'the group limit is the memory budget');
DO $$
BEGIN
  EXECUTE 'CREATE TYPE pg_temp.huge AS ENUM (' ||
    (SELECT string_agg(quote_literal('s' || g), ',') FROM generate_series(1, 256) g) || ')';
END $$;
SELECT throws_ok($$SELECT journey_agg(now(), 's1'::pg_temp.huge, 'web', NULL)$$, '54000');
-- the detail names the limit
CREATE FUNCTION pg_temp.detail_of(q text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE d text;
BEGIN
  EXECUTE q;
  RETURN NULL;
EXCEPTION WHEN others THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN d;
END $f$;
SELECT is(pg_temp.detail_of($$SELECT journey_agg('2025-01-01'::timestamptz, 'awareness'::stage, 'web', NULL) FROM generate_series(1, 1000001)$$),
          'cjourney.max_state_memory is 16 MB; the aggregate state of one group needs more.', 'limit quoted in the detail');
CREATE FUNCTION pg_temp.hint_of(q text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE d text;
BEGIN
  EXECUTE q;
  RETURN NULL;
EXCEPTION WHEN others THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_HINT;
  RETURN d;
END $f$;
SELECT matches(pg_temp.hint_of($$SELECT journey_agg('2025-01-01'::timestamptz, 'awareness'::stage, 'web', NULL) FROM generate_series(1, 1000001)$$),
          'missing GROUP BY', 'the hint suggests GROUP BY');
RESET cjourney.max_state_memory;

SELECT * FROM finish();
ROLLBACK;
