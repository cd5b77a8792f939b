-- The shared per-customer aggregate state (src/agg.c) on the wire, as
-- parallel plans send it: window_funnel, journey_agg and attribution_agg
-- states are serialized by the extension's own functions (bound to
-- temporary functions, as in 08_conversion) and chosen bytes are fed back
-- to deserialize.  Every truncation and bad field is a clean error.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(16);

DO $$
DECLARE lib text := (SELECT probin FROM pg_proc WHERE oid = 'window_funnel_serialize(internal)'::regprocedure);
BEGIN
  EXECUTE format('CREATE FUNCTION pg_temp.wf_ser(internal) RETURNS bytea AS %L, %L LANGUAGE C STRICT', lib, 'window_funnel_serialize');
  EXECUTE format('CREATE FUNCTION pg_temp.wf_deser(bytea) RETURNS bigint AS %L, %L LANGUAGE C STRICT', lib, 'window_funnel_deserialize');
  EXECUTE format('CREATE FUNCTION pg_temp.ja_ser(internal) RETURNS bytea AS %L, %L LANGUAGE C STRICT', lib, 'journey_agg_serialize');
  EXECUTE format('CREATE FUNCTION pg_temp.ja_deser(bytea) RETURNS bigint AS %L, %L LANGUAGE C STRICT', lib, 'journey_agg_deserialize');
  EXECUTE format('CREATE FUNCTION pg_temp.at_ser(internal) RETURNS bytea AS %L, %L LANGUAGE C STRICT', lib, 'attribution_rows_serialize');
  EXECUTE format('CREATE FUNCTION pg_temp.at_deser(bytea) RETURNS bigint AS %L, %L LANGUAGE C STRICT', lib, 'attribution_rows_deserialize');
END $$;
CREATE AGGREGATE pg_temp.wf_bytes(interval, text, timestamptz, VARIADIC boolean[]) (SFUNC = window_funnel_transfn, STYPE = internal, FINALFUNC = pg_temp.wf_ser);
CREATE AGGREGATE pg_temp.wf_bytes(bigint, bigint, VARIADIC boolean[]) (SFUNC = window_funnel_transfn, STYPE = internal, FINALFUNC = pg_temp.wf_ser);
CREATE AGGREGATE pg_temp.ja_bytes(timestamptz, anyenum, text, text) (SFUNC = journey_agg_transfn, STYPE = internal, FINALFUNC = pg_temp.ja_ser);
CREATE AGGREGATE pg_temp.at_bytes(timestamptz, text, boolean, numeric, text, text) (SFUNC = attribution_rows_transfn, STYPE = internal, FINALFUNC = pg_temp.at_ser);
CREATE FUNCTION pg_temp.keep(bytea, bytea) RETURNS bytea LANGUAGE sql STRICT AS 'SELECT $2';
CREATE AGGREGATE pg_temp.wf_load(bytea) (SFUNC = pg_temp.keep, STYPE = bytea, FINALFUNC = pg_temp.wf_deser);
CREATE AGGREGATE pg_temp.ja_load(bytea) (SFUNC = pg_temp.keep, STYPE = bytea, FINALFUNC = pg_temp.ja_deser);
CREATE AGGREGATE pg_temp.at_load(bytea) (SFUNC = pg_temp.keep, STYPE = bytea, FINALFUNC = pg_temp.at_deser);
-- 'ok' when the bytes deserialize, else the SQLSTATE
CREATE FUNCTION pg_temp.load(kind text, b bytea) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
  CASE kind
    WHEN 'funnel', 'funnel_bigint', 'funnel_empty' THEN PERFORM pg_temp.wf_load(b);
    WHEN 'journey', 'journey_empty' THEN PERFORM pg_temp.ja_load(b);
    ELSE PERFORM pg_temp.at_load(b);
  END CASE;
  RETURN 'ok';
EXCEPTION WHEN others THEN
  RETURN SQLSTATE;
END $f$;

-- funnel layout: version, flags, window (8), modes (4), steps (4), then the
-- records' compact form: stage-list flag (byte 18: the analysis's own list),
-- label count, value count, record count, the first record's time (8), then
-- its mask (byte 30), stage, channel, event and value
CREATE TEMP TABLE wire AS
SELECT 'funnel' AS kind, pg_temp.wf_bytes(interval '1 day', 'strict_order', t, e = 'a', e = 'b', e = 'c') AS b
FROM (VALUES ('2025-01-01'::timestamptz, 'a'), ('2025-01-01 06:00', 'b'), ('2025-01-03', 'c')) v(t, e)
UNION ALL
SELECT 'funnel_bigint', pg_temp.wf_bytes(10::bigint, t, e = 'a', e = 'b')
FROM (VALUES (1::bigint, 'a'), (5, 'b'), (5, 'a')) v(t, e)
UNION ALL
SELECT 'funnel_empty', pg_temp.wf_bytes(interval '1 day', 'default', NULL::timestamptz, true)
UNION ALL
SELECT 'journey', pg_temp.ja_bytes(t, s::stage, c, e)
FROM (VALUES ('2025-01-02'::timestamptz, 'decision', 'web', 'signup'), ('2025-01-01', 'awareness', 'ads', NULL)) v(t, s, c, e)
UNION ALL
SELECT 'journey_empty', pg_temp.ja_bytes(NULL::timestamptz, 'awareness'::stage, NULL, NULL) WHERE false
UNION ALL
SELECT 'attribution', pg_temp.at_bytes(t, c, conv, rev, 'position_based', 'weights=0.5/0/0.5')
FROM (VALUES ('2025-01-01'::timestamptz, 'ads', false, NULL::numeric), ('2025-01-02', 'email', true, 12.5)) v(t, c, conv, rev);

SELECT is((SELECT count(*) FROM wire WHERE b IS NOT NULL), 5::bigint, 'five states serialized (an aggregate over no rows has no state)');
SELECT is((SELECT string_agg(kind || ' ' || pg_temp.load(kind, b), ', ' ORDER BY kind) FROM wire WHERE b IS NOT NULL),
          'attribution ok, funnel ok, funnel_bigint ok, funnel_empty ok, journey ok',
          'serialized states deserialize');
DELETE FROM wire WHERE b IS NULL;
SELECT is((SELECT string_agg(DISTINCT pg_temp.load(kind, substr(b, 1, k)), ',') FROM wire, generate_series(0, length(b) - 1) k),
          '22P03', 'every truncation of a serialized state is rejected with 22P03');
SELECT is((SELECT string_agg(DISTINCT pg_temp.load(kind, b || '\x00'::bytea), ',') FROM wire),
          '22P03', 'a trailing byte is rejected with 22P03');
SELECT is((SELECT string_agg(DISTINCT pg_temp.load(kind, set_byte(b, 0, get_byte(b, 0) + 1)), ',') FROM wire),
          '22P03', 'another format version is rejected with 22P03');
SELECT is((SELECT string_agg(DISTINCT pg_temp.load(kind, set_byte(b, 1, get_byte(b, 1) | 64)), ',') FROM wire),
          '22P03', 'an unknown flag bit is rejected with 22P03');
SELECT is((SELECT string_agg(DISTINCT pg_temp.load(kind, set_byte(b, 1, get_byte(b, 1) # 1)), ',') FROM wire),
          '22P03', 'records of the other kind (packed times for an event buffer) are rejected with 22P03');
SELECT is((SELECT string_agg(DISTINCT pg_temp.load(kind, set_byte(b, 1, get_byte(b, 1) | 128)), ',') FROM wire WHERE kind IN ('funnel', 'attribution')),
          '22P03', 'records of a state flagged as having no parameters are rejected with 22P03');
SELECT is((SELECT string_agg(DISTINCT pg_temp.load(kind, y), ',') FROM wire, LATERAL (VALUES
             (overlay(b placing int8send(0) from 3 for 8)),           -- window 0
             (overlay(b placing int8send(-5) from 3 for 8)),          -- negative window
             (overlay(b placing int4send(0) from 15 for 4)),          -- no step
             (overlay(b placing int4send(65) from 15 for 4)),         -- 65 steps
             (overlay(b placing int4send(2) from 15 for 4)),          -- 2 steps: a record matches step 3
             (set_byte(b, 30, 64)),                                   -- first record matches step 7
             (set_byte(b, 31, 1)),                                    -- first record has stage 1
             (set_byte(b, 18, 2))) v(y)                               -- stage list is not "step"
           WHERE kind = 'funnel'),
          '22P03', 'bad parameters and records of a window_funnel state are rejected with 22P03');
SELECT is((SELECT pg_temp.load(kind, overlay(b placing int4send(3) from 15 for 4)) FROM wire WHERE kind = 'funnel'),
          'ok', 'a state with more steps than its records use is accepted');
SELECT is((SELECT array_agg(DISTINCT r) <@ '{ok,22P03,22008,22023,54000}' FROM (
             SELECT pg_temp.load(kind, set_byte(b, k, v)) r
             FROM wire, generate_series(0, length(b) - 1) k, (VALUES (0), (1), (2), (127), (128), (255)) x(v)) s),
          true, 'every byte of every state set to 0, 1, 2, 127, 128, 255: accepted or a clean error');

-- results are the same whether a state went through the wire or not
CREATE TABLE par AS SELECT g % 7 AS k, timestamptz '2025-01-01' + g * interval '37 minutes' AS t,
       (ARRAY['a', 'b', 'c', 'd'])[1 + g % 4] AS e, (ARRAY['awareness', 'decision', 'retention'])[1 + (g / 5) % 3] AS s
FROM generate_series(1, 20000) g;
ANALYZE par;
\set par_q 'SELECT k, window_funnel(interval ''3 hours'', ''strict_increase'', t, e = ''a'', e = ''b'', e = ''c'') AS f, journey_agg(t, s::stage, e, NULL)::text AS j, attribution_agg(t, e, e = ''d'', 1.5, ''linear'')::text AS a, conversion_path(t, e, e = ''d'', true, 3) AS p FROM par GROUP BY k'
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; result text := '';
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', '2', true);
  PERFORM set_config('parallel_setup_cost', '0', true);
  PERFORM set_config('parallel_tuple_cost', '0', true);
  PERFORM set_config('min_parallel_table_scan_size', '0', true);
  PERFORM set_config('enable_hashagg', 'off', true);
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    result := result || line || E'\n';
  END LOOP;
  PERFORM set_config('max_parallel_workers_per_gather', '0', true);
  RETURN result;
END $$;
SELECT matches(pg_temp.plan_of('CREATE TABLE par_p AS ' || :'par_q'), 'Finalize [A-Za-z]*Aggregate.*Partial [A-Za-z]*Aggregate',
               'funnel, journey, attribution and path states run in a Partial and Finalize plan');
SET LOCAL max_parallel_workers_per_gather = 0;
CREATE TABLE par_s AS :par_q;
SELECT is((SELECT count(*) FROM par_s), 7::bigint, 'seven groups');
SELECT is_empty('(SELECT * FROM par_p EXCEPT SELECT * FROM par_s) UNION ALL (SELECT * FROM par_s EXCEPT SELECT * FROM par_p)',
                'funnel, journey, attribution and path states give the same results through parallel workers');

-- parameters that differ between rows of one group are an error, whichever
-- way the rows reach the state
SELECT throws_ok($$SELECT window_funnel(CASE WHEN g < 3 THEN interval '1 day' ELSE interval '2 days' END, now(), true) FROM generate_series(1, 5) g$$,
                 '22023', NULL, 'a window that changes between rows is 22023');
SELECT throws_ok($$SELECT attribution_agg(now(), 'a', true, 1, CASE WHEN g < 3 THEN 'linear' ELSE 'first_touch' END) FROM generate_series(1, 5) g$$,
                 '22023', NULL, 'a model that changes between rows is 22023');

SELECT * FROM finish();
ROLLBACK;
