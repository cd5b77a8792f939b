-- test/soak/setup.sql: tables and functions of the concurrency soak
-- (test/soak/soak.sh).  Every touch is added in one transaction to the raw
-- rows and, merged, to the customer's stored journey and stage_time, so any
-- single statement sees the stored values equal to a recomputation.
SET client_min_messages = warning;
DROP TABLE IF EXISTS soak_touches, soak_journeys, soak_stage_times CASCADE;
DROP FUNCTION IF EXISTS soak_touch, soak_add, soak_assert;
CREATE TABLE soak_touches (customer_id int, ts timestamptz, stage stage, channel text, event text,
                           revenue numeric);
CREATE TABLE soak_journeys (customer_id int PRIMARY KEY, j journey NOT NULL);
CREATE TABLE soak_stage_times (customer_id int PRIMARY KEY, st stage_time NOT NULL);

-- touch number t of customer c, and its journey of one touch
CREATE FUNCTION soak_touch(c int, t bigint) RETURNS touchpoint LANGUAGE sql IMMUTABLE AS $$
	SELECT touchpoint('2025-01-01 00:00+00'::timestamptz + (t / 3) * interval '1 minute',
					  (enum_range(NULL::stage))[1 + (t * 7 + c) % 5],
					  (ARRAY['web', 'email', 'a b', 'x"y', 'store', 'back\slash', 'café'])[1 + (t + c) % 7],
					  CASE WHEN t % 6 = 0 THEN 'purchase' WHEN t % 6 = 1 THEN NULL ELSE 'view' END,
					  CASE WHEN t % 6 = 0 THEN (t % 997) * 0.25 END)
$$;

-- add one touch to the rows and to the stored, merged values
CREATE FUNCTION soak_add(c int, t bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	tp touchpoint := soak_touch(c, t);
	one journey := (SELECT journey_agg(tp));
BEGIN
	INSERT INTO soak_touches VALUES (c, touchpoint_occurred_at(tp), touchpoint_stage(tp)::stage,
									 touchpoint_channel(tp), touchpoint_event(tp), touchpoint_value(tp));
	INSERT INTO soak_journeys AS s VALUES (c, one)
		ON CONFLICT (customer_id) DO UPDATE SET j = s.j || EXCLUDED.j;
	INSERT INTO soak_stage_times AS s VALUES (c, stage_time(one))
		ON CONFLICT (customer_id) DO UPDATE
		SET st = (SELECT rollup(x) FROM (VALUES (s.st), (EXCLUDED.st)) v(x));
END
$$;

-- raise unless ok (the soak's clients stop at the first failed check)
CREATE FUNCTION soak_assert(ok boolean, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF ok IS NOT TRUE THEN
		RAISE EXCEPTION 'soak check failed: %', what;
	END IF;
END
$$;

-- customers whose stored journey or stage_time differs from the rows (one statement, one snapshot)
CREATE VIEW soak_mismatches AS
SELECT customer_id
FROM (SELECT customer_id, journey_agg(touchpoint(ts, stage, channel, event, revenue)) AS j,
			 stage_time_agg(ts, stage) AS st
	  FROM soak_touches GROUP BY customer_id) r
FULL JOIN soak_journeys s USING (customer_id)
FULL JOIN soak_stage_times t USING (customer_id)
WHERE r.j IS DISTINCT FROM s.j OR r.st IS DISTINCT FROM t.st;

SELECT soak_add(c, t) FROM generate_series(1, 300) c, generate_series(0, 19) t;
ANALYZE soak_touches, soak_journeys, soak_stage_times;
