-- Conversion aggregates against plain SQL on the sample data (conversion = a purchase).
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(28);

CREATE TEMP TABLE conv AS
SELECT customer_id,
       touches_before_conversion(occurred_at, event = 'purchase') AS n,
       touches_before_conversion(occurred_at, event = 'purchase', interval '14 days') AS n14,
       touches_before_each_conversion(occurred_at, event = 'purchase') AS cycles,
       time_to_conversion(occurred_at, event = 'purchase') AS ttc,
       conversion_path(occurred_at, channel, event = 'purchase') AS path,
       conversion_path(occurred_at, channel, event = 'purchase', true, 5) AS short_path
FROM touchpoints GROUP BY customer_id;
CREATE TEMP TABLE firsts AS
SELECT customer_id, min(occurred_at) FILTER (WHERE event = 'purchase') AS t1, min(occurred_at) AS t0
FROM touchpoints GROUP BY customer_id;

SELECT ok((SELECT count(*) FROM conv WHERE n IS NOT NULL) > 100 AND (SELECT count(*) FROM conv WHERE n IS NULL) > 100,
          'customers who converted and who did not');
SELECT is_empty($$SELECT customer_id FROM conv JOIN firsts f USING (customer_id)
                  WHERE n IS DISTINCT FROM (SELECT CASE WHEN f.t1 IS NOT NULL THEN count(*)::int END
                                            FROM touchpoints t WHERE t.customer_id = f.customer_id AND t.occurred_at < f.t1)
                     OR n14 IS DISTINCT FROM (SELECT CASE WHEN f.t1 IS NOT NULL THEN count(*)::int END
                                              FROM touchpoints t WHERE t.customer_id = f.customer_id
                                               AND t.occurred_at < f.t1 AND t.occurred_at >= f.t1 - interval '14 days')$$,
                'touches_before_conversion (and with a lookback) = counts of earlier rows; NULL without conversion');
SELECT is_empty($$SELECT customer_id FROM conv JOIN firsts f USING (customer_id)
                  WHERE ttc IS DISTINCT FROM f.t1 - f.t0
                    AND extract(epoch FROM ttc) IS DISTINCT FROM extract(epoch FROM f.t1 - f.t0)$$,
                'time_to_conversion = first purchase - first touch');
SELECT is_empty($$SELECT customer_id FROM conv JOIN firsts f USING (customer_id)
                  WHERE path IS DISTINCT FROM (
                    SELECT coalesce(array_agg(channel ORDER BY occurred_at, channel COLLATE "C"), '{}')
                    FROM touchpoints t WHERE t.customer_id = f.customer_id AND t.occurred_at < f.t1 AND channel IS NOT NULL)
                    AND f.t1 IS NOT NULL$$,
                'conversion_path = channels of earlier rows in time order');
SELECT is_empty($$SELECT customer_id FROM conv WHERE path IS NOT NULL AND short_path <> (
                    SELECT coalesce(array_agg(c ORDER BY i), '{}') FROM (
                      SELECT c, i FROM (SELECT c, i, lag(c) OVER (ORDER BY i) AS p FROM unnest(path) WITH ORDINALITY u(c, i)) x
                      WHERE p IS DISTINCT FROM c ORDER BY i DESC LIMIT 5) y)$$,
                'collapsed and capped path = the last 5 of the path with repeats merged');
SELECT is_empty($$SELECT customer_id FROM conv WHERE n IS DISTINCT FROM cycles[1]
                     OR cardinality(cycles) IS DISTINCT FROM (SELECT count(DISTINCT occurred_at)::int FROM touchpoints t
                                                             WHERE t.customer_id = conv.customer_id AND t.event = 'purchase' HAVING count(*) > 0)$$,
                'touches_before_each_conversion: one element per distinct purchase time, the first = touches_before_conversion');
SELECT is_empty($$SELECT customer_id FROM conv JOIN (
                    SELECT customer_id, conversion_path(occurred_at, channel, event = 'purchase' ORDER BY md5(occurred_at::text || channel)) AS p
                    FROM touchpoints GROUP BY 1) r USING (customer_id) WHERE conv.path IS DISTINCT FROM r.p$$,
                'shuffled input gives the same paths');

-- The stored-journey forms in the step syntax (0.3.0) over the same
-- customers, times cut to the day so that many touches share an instant
-- (stages and channels of one instant in different orders): each equals its
-- rows aggregate with the step written as a condition, and the paths equal
-- plain SQL's channels in (time, channel) order.
CREATE TEMP TABLE dj AS
SELECT customer_id, date_trunc('day', occurred_at) AS t, stage::stage AS stage, channel, event
FROM touchpoints;
CREATE TEMP TABLE dconv AS
SELECT customer_id, journey_agg(t, stage, channel, event) AS j,
       touches_before_conversion(t, event IN ('purchase', 'signup')) AS n,
       touches_before_conversion(t, event IN ('purchase', 'signup'), interval '3 days') AS n3,
       touches_before_each_conversion(t, stage >= 'decision') AS cycles,
       time_to_conversion(t, channel = 'email') AS ttc,
       conversion_path(t, channel, event = 'purchase' OR stage = 'retention') AS path,
       conversion_path(t, channel, event = 'purchase', true, 3) AS short_path,
       conversion_path(t, channel, event = 'purchase') AS purchase_path,
       retention(event = 'signup', event = 'purchase', channel = 'store', stage = 'advocacy') AS r
FROM dj GROUP BY customer_id;
SELECT ok((SELECT count(*) FROM (SELECT 1 FROM dj GROUP BY customer_id, t HAVING count(DISTINCT stage) > 1
                                  AND count(DISTINCT channel) > 1) x) > 100,
          'the day-cut touches share instants with several stages and channels');
SELECT is_empty($$SELECT customer_id FROM dconv
                  WHERE n IS DISTINCT FROM journey_touches_before(j, 'purchase | signup')
                     OR n IS DISTINCT FROM journey_touches_before(j, 'event = purchase|event="signup"')$$,
                'journey_touches_before(j, step) = touches_before_conversion with the step as a condition');
SELECT is_empty($$SELECT customer_id FROM dconv
                  WHERE n3 IS DISTINCT FROM journey_touches_before(j, 'purchase | signup', interval '3 days')$$,
                'journey_touches_before with a lookback = touches_before_conversion with that lookback');
SELECT is_empty($$SELECT d.customer_id FROM dconv d, LATERAL (
                    SELECT min(t) FILTER (WHERE event IN ('purchase', 'signup')) AS t1 FROM dj WHERE dj.customer_id = d.customer_id) f
                  WHERE journey_touches_before(j, 'purchase|signup', interval '3 days') IS DISTINCT FROM
                        (SELECT CASE WHEN f.t1 IS NOT NULL THEN count(*)::int END FROM dj
                         WHERE dj.customer_id = d.customer_id AND dj.t < f.t1 AND dj.t >= f.t1 - interval '3 days')$$,
                'journey_touches_before with a lookback = the count of earlier rows in the window (plain SQL)');
SELECT is_empty($$SELECT customer_id FROM dconv WHERE cycles IS DISTINCT FROM journey_touches_before_each(j, 'stage >= decision')$$,
                'journey_touches_before_each(j, ''stage >= decision'') = touches_before_each_conversion(t, stage >= ''decision'')');
SELECT is_empty($$SELECT customer_id FROM dconv WHERE ttc IS DISTINCT FROM journey_time_to(j, 'channel = email')$$,
                'journey_time_to(j, ''channel = email'') = time_to_conversion(t, channel = ''email'')');
SELECT is_empty($$SELECT customer_id FROM dconv
                  WHERE path IS DISTINCT FROM journey_path_before(j, 'event = purchase | stage = retention')
                     OR short_path IS DISTINCT FROM journey_path_before(j, 'event = purchase', true, 3)$$,
                'journey_path_before = conversion_path with the step as a condition (collapsed and capped too)');
SELECT is_empty($$SELECT d.customer_id FROM dconv d, LATERAL (
                    SELECT min(t) FILTER (WHERE event = 'purchase') AS t1 FROM dj WHERE dj.customer_id = d.customer_id) f
                  WHERE f.t1 IS NOT NULL AND journey_path_before(j, 'event = purchase') IS DISTINCT FROM
                        (SELECT coalesce(array_agg(channel ORDER BY t, channel COLLATE "C"), '{}') FROM dj
                         WHERE dj.customer_id = d.customer_id AND dj.t < f.t1 AND channel IS NOT NULL)$$,
                'journey_path_before = channels of earlier rows in (time, channel) order (plain SQL)');
SELECT is_empty($$SELECT customer_id FROM dconv
                  WHERE purchase_path IS DISTINCT FROM journey_conversion_path(j, 'purchase')
                     OR short_path IS DISTINCT FROM journey_conversion_path(j, 'purchase', true, 3)
                     OR journey_touches_before_conversion(j, 'purchase') IS DISTINCT FROM journey_touches_before(j, 'event = purchase')$$,
                'journey_conversion_path (0.1.0) = conversion_path, instants included; the 0.1.0 forms = the step forms with event =');
SELECT is_empty($$SELECT customer_id FROM dconv
                  WHERE r IS DISTINCT FROM journey_retention(j, 'event = signup', 'event = purchase', 'channel = store', 'stage = advocacy')$$,
                'journey_retention = retention with the steps as conditions');
-- A conversion most journeys lack (purchase): those journeys are answered
-- from their labels, without reading their touches (NULL); = the rows forms
CREATE TEMP TABLE dbuy AS
SELECT customer_id, touches_before_each_conversion(t, event = 'purchase') AS cycles,
       time_to_conversion(t, event = 'purchase') AS ttc,
       touches_before_conversion(t, event = 'purchase', interval '3 days') AS n3
FROM dj GROUP BY customer_id;
SELECT ok((SELECT count(*) FILTER (WHERE ttc IS NULL) > 20 AND count(*) FILTER (WHERE ttc IS NOT NULL) > 20 FROM dbuy),
          'buyers and others both');
SELECT is_empty($$SELECT customer_id FROM dbuy JOIN dconv USING (customer_id)
                  WHERE dbuy.cycles IS DISTINCT FROM journey_touches_before_each(j, 'event = purchase')
                     OR dbuy.ttc IS DISTINCT FROM journey_time_to(j, 'event = purchase')
                     OR dbuy.n3 IS DISTINCT FROM journey_touches_before(j, 'event = purchase', interval '3 days')$$,
                'a conversion most journeys lack: journey_touches_before_each, journey_time_to, journey_touches_before = the rows forms');
-- A customer's touch times sorted by radix (src/key_sort.c): 300 shuffled
-- touches on each side of 2000-01-01 (negative and positive in
-- PostgreSQL's epoch) = the same touches fed in time order (not sorted)
CREATE TEMP TABLE old_touches AS
SELECT g % 3 AS c, '1999-12-25'::timestamptz + (hashint8extended(g, 0) & ((1::bigint << 40) - 1)) * interval '1 microsecond' AS t,
       g % 17 = 0 AS conv
FROM generate_series(1, 900) g;
SELECT ok((SELECT count(*) FILTER (WHERE t < '2000-01-01') > 100 AND count(*) FILTER (WHERE t >= '2000-01-01') > 100 FROM old_touches),
          'touch times on both sides of PostgreSQL''s epoch');
SELECT results_eq(
  $$SELECT c, touches_before_each_conversion(t, conv ORDER BY hashint8extended(c * 1000 + extract(microseconds FROM t)::bigint, 7))
    FROM old_touches GROUP BY c ORDER BY c$$,
  $$SELECT c, touches_before_each_conversion(t, conv ORDER BY t) FROM old_touches GROUP BY c ORDER BY c$$,
  'touches_before_each_conversion of shuffled touches (sorted by radix) = of touches in time order');

-- The aggregate state on the wire (parallel plans): the extension's own
-- serialize and deserialize functions are bound to temporary functions, so
-- that an aggregate's final step can serialize real states and deserialize
-- chosen bytes.  Every truncation and every bad field is a clean 22P03.
DO $$
DECLARE lib text := (SELECT probin FROM pg_proc WHERE oid = 'conversion_serialize(internal)'::regprocedure);
BEGIN
  EXECUTE format('CREATE FUNCTION pg_temp.conv_ser(internal) RETURNS bytea AS %L, %L LANGUAGE C STRICT', lib, 'conversion_serialize');
  EXECUTE format('CREATE FUNCTION pg_temp.conv_deser(bytea) RETURNS bigint AS %L, %L LANGUAGE C STRICT', lib, 'conversion_deserialize');
END $$;
CREATE AGGREGATE pg_temp.conv_bytes(timestamptz, boolean) (SFUNC = conversion_transfn, STYPE = internal, FINALFUNC = pg_temp.conv_ser);
CREATE AGGREGATE pg_temp.conv_bytes(timestamptz, boolean, interval) (SFUNC = conversion_transfn, STYPE = internal, FINALFUNC = pg_temp.conv_ser);
CREATE AGGREGATE pg_temp.conv_bytes(timestamptz, text, boolean, boolean, integer) (SFUNC = conversion_transfn, STYPE = internal, FINALFUNC = pg_temp.conv_ser);
CREATE FUNCTION pg_temp.keep(bytea, bytea) RETURNS bytea LANGUAGE sql STRICT AS 'SELECT $2';
CREATE AGGREGATE pg_temp.conv_load(bytea) (SFUNC = pg_temp.keep, STYPE = bytea, FINALFUNC = pg_temp.conv_deser);
-- 'ok' when the bytes deserialize, else the SQLSTATE
CREATE FUNCTION pg_temp.load(b bytea) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM pg_temp.conv_load(b);
  RETURN 'ok';
EXCEPTION WHEN others THEN
  RETURN SQLSTATE;
END $f$;
-- wire layout: version, flags, lookback (8 bytes), max_length (4), then the
-- touch count (4) and 8 bytes per touch, or, for paths, the records'
-- compact form: stage-list flag, label count (1), the label (1 + 1), value
-- count, record count, the first record's time (8) and, at byte 28, its mask
CREATE TEMP TABLE wire AS
SELECT 'times' AS kind, pg_temp.conv_bytes(t, c) AS b
FROM (VALUES ('2025-01-03'::timestamptz, false), ('2025-01-01', true), ('2025-01-02', false)) v(t, c)
UNION ALL
SELECT 'lookback', pg_temp.conv_bytes(t, c, interval '1 day')
FROM (VALUES ('2025-01-03'::timestamptz, false), ('2025-01-01', true)) v(t, c)
UNION ALL
SELECT 'path', pg_temp.conv_bytes(t, ch, c, true, 2)
FROM (VALUES ('2025-01-03'::timestamptz, 'a', false), ('2025-01-01', 'a', true)) v(t, ch, c);

SELECT is((SELECT string_agg(kind || ' ' || pg_temp.load(b), ', ' ORDER BY kind) FROM wire),
          'lookback ok, path ok, times ok', 'serialized conversion states deserialize');
SELECT is((SELECT string_agg(DISTINCT pg_temp.load(substr(b, 1, k)), ',') FROM wire, generate_series(0, length(b) - 1) k),
          '22P03', 'every truncation of a serialized conversion state is rejected with 22P03');
SELECT is((SELECT string_agg(DISTINCT pg_temp.load(set_byte(b, k, v)), ',')
           FROM wire, generate_series(0, length(b) - 1) k, (VALUES (0), (1), (2), (127), (128), (255)) x(v)
           WHERE kind <> 'path'),
          '22P03,ok', 'every byte of a touch-times state set to 0, 1, 2, 127, 128, 255: accepted or 22P03');
-- a path state is an event buffer, whose reader also raises 22008 (touch
-- time out of range) and 54000 (a count over a limit)
SELECT is((SELECT array_agg(DISTINCT r) <@ '{ok,22P03,22008,54000}' FROM (
             SELECT pg_temp.load(set_byte(b, k, v)) r
             FROM wire, generate_series(0, length(b) - 1) k, (VALUES (0), (1), (2), (127), (128), (255)) x(v)
             WHERE kind = 'path') s),
          true, 'every byte of a path state mutated: accepted or a clean error');
SELECT is((SELECT string_agg(DISTINCT pg_temp.load(y), ',') FROM wire, LATERAL (VALUES
             (b || '\x00'::bytea),                                       -- trailing byte
             (set_byte(b, 0, 1)),                                        -- format version 1
             (set_byte(b, 1, 4)),                                        -- unknown flag
             (set_byte(b, 1, 2)),                                        -- collapse without a channel
             (overlay(b placing int8send(-1) from 3 for 8)),             -- negative lookback
             (overlay(b placing int4send(3) from 11 for 4)),             -- max_length without a channel
             (overlay(b placing int4send(2147483647) from 15 for 4)),    -- touch count over the limit
             (overlay(b placing int4send(-1) from 15 for 4)),            -- negative touch count
             (overlay(b placing int4send(4) from 15 for 4)),             -- one touch too many
             (overlay(b placing int4send(2) from 15 for 4)),             -- one touch too few
             (overlay(b placing int8send(2 * 252455616000000000) from 19 for 8)),        -- year 10000
             (overlay(b placing int8send(2 * -63082281600000000 - 1) from 19 for 8))) v(y) -- before year 1
           WHERE kind = 'times'),
          '22P03', 'bad fields of a touch-times state are rejected with 22P03');
SELECT is((SELECT string_agg(DISTINCT pg_temp.load(y), ',') FROM wire, LATERAL (VALUES
             (overlay(b placing int8send(5) from 3 for 8)),              -- a lookback with a channel
             (overlay(b placing int4send(-1) from 11 for 4)),            -- negative max_length
             (set_byte(b, 28, 2))) v(y)                                  -- first record's mask is 2
           WHERE kind = 'path'),
          '22P03', 'bad fields of a path state are rejected with 22P03');
SELECT is((SELECT string_agg(pg_temp.load(y), ',') FROM wire, LATERAL (VALUES
             (overlay(b placing int8send(2 * 252455616000000000 - 1) from 19 for 8)),    -- last instant, converting
             (overlay(b placing int8send(2 * -63082281600000000) from 19 for 8))) v(y)  -- year 1
           WHERE kind = 'times'),
          'ok,ok', 'touch times at both ends of the range are accepted');

SELECT * FROM finish();
ROLLBACK;
