/* cjourney--0.2.0--0.3.0.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION cjourney UPDATE TO '0.3.0'" to load this file. \quit

--------------------------------------------------------------------------
-- Conversions over stored journeys in the journey step syntax
-- (src/conversion.c, src/retention.c): the conversion is a step (an event,
-- stage or channel, alternatives with |, stage >= x, ...), not only an
-- event label, and the rows forms' lookback has a journey form.  Each
-- walk is the one its rows aggregate runs, so journey_x(journey_agg(...),
-- step) equals x(..., <the step as a condition>) for every customer.
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.journey_touches_before(@extschema@.journey, step text) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_touches_before(@extschema@.journey, text) IS
	'touches strictly before the first touch that matches the step (journey step syntax); NULL if none matches';

CREATE FUNCTION @extschema@.journey_touches_before(@extschema@.journey, step text, lookback interval) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_touches_before(@extschema@.journey, text, interval) IS
	'touches within lookback strictly before the first touch that matches the step; NULL if none matches';

CREATE FUNCTION @extschema@.journey_touches_before_each(@extschema@.journey, step text) RETURNS integer[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_touches_before_each(@extschema@.journey, text) IS
	'for each instant with a touch that matches the step, the touches since the previous one (touches_before_each_conversion); NULL if none matches';

CREATE FUNCTION @extschema@.journey_time_to(@extschema@.journey, step text) RETURNS interval
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_time_to(@extschema@.journey, text) IS
	'first touch to the first touch that matches the step (time_to_conversion); NULL if none matches';

CREATE FUNCTION @extschema@.journey_path_before(@extschema@.journey, step text) RETURNS text[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_path_before(@extschema@.journey, text) IS
	'channels of the touches strictly before the first touch that matches the step (conversion_path); NULL if none matches';

CREATE FUNCTION @extschema@.journey_path_before(@extschema@.journey, step text, collapse boolean, max_length integer)
	RETURNS text[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_path_before(@extschema@.journey, text, boolean, integer) IS
	'path before the first touch that matches the step, repeats merged when collapse, the last max_length channels (0: all)';

CREATE FUNCTION @extschema@.journey_retention(@extschema@.journey, VARIADIC steps text[]) RETURNS boolean[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_retention(@extschema@.journey, VARIADIC text[]) IS
	'retention over a stored journey: element 1 = a touch matches step 1; element k = steps 1 and k each match a touch';

CREATE FUNCTION @extschema@.attribution_journey_step_transfn(internal, @extschema@.journey, text, text)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_journey_step_transfn(internal, @extschema@.journey, text, text) IS
	'journey_attribution_agg transition function';

CREATE FUNCTION @extschema@.attribution_journey_step_transfn(internal, @extschema@.journey, text, text, text)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_journey_step_transfn(internal, @extschema@.journey, text, text, text) IS
	'journey_attribution_agg transition function (options)';

CREATE AGGREGATE @extschema@.journey_attribution_agg(j @extschema@.journey, step text, model text) (
	SFUNC = @extschema@.attribution_journey_step_transfn, STYPE = internal,
	FINALFUNC = @extschema@.attribution_finalfn,
	COMBINEFUNC = @extschema@.attribution_combine,
	SERIALFUNC = @extschema@.attribution_serialize, DESERIALFUNC = @extschema@.attribution_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.journey_attribution_agg(@extschema@.journey, text, text) IS
	'attribution across stored journeys; a conversion is a touch that matches the step (journey step syntax)';

CREATE AGGREGATE @extschema@.journey_attribution_agg(j @extschema@.journey, step text, model text, options text) (
	SFUNC = @extschema@.attribution_journey_step_transfn, STYPE = internal,
	FINALFUNC = @extschema@.attribution_finalfn,
	COMBINEFUNC = @extschema@.attribution_combine,
	SERIALFUNC = @extschema@.attribution_serialize, DESERIALFUNC = @extschema@.attribution_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.journey_attribution_agg(@extschema@.journey, text, text, text) IS
	'attribution across stored journeys, the conversion a step, with model options (lead_stage, opportunity_stage for w_shaped)';

--------------------------------------------------------------------------
-- Journey store (src: this script): journey_store_refresh finds the new
-- customers of the merged inserts from the rows its UPDATE returned, not
-- with an anti join against the whole store, which the planner ran as a
-- hash of every stored key on each refresh.  Same answers, same signature.
--------------------------------------------------------------------------

DROP FUNCTION @extschema@.journey_store_refresh(regclass, boolean, boolean);

CREATE FUNCTION @extschema@.journey_store_refresh(store regclass, rebuild boolean DEFAULT false,
		wait boolean DEFAULT true,
		OUT merged bigint, OUT rebuilt bigint, OUT removed bigint, OUT queued bigint)
	RETURNS record
	LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	sch text;
	rel text;
	st text;
	qu text;
	m record;
	src text;
	stype text;
	agg text;
BEGIN
	SELECT n.nspname, c.relname INTO sch, rel
		FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = store;
	st := pg_catalog.format('%I.%I', sch, rel);
	qu := pg_catalog.format('%I.%I', sch, rel || '_queue');
	BEGIN
		EXECUTE pg_catalog.format('SELECT * FROM %I.%I', sch, rel || '_meta') INTO STRICT m;
	EXCEPTION WHEN undefined_table OR no_data_found OR too_many_rows THEN
		RAISE EXCEPTION '% is not a journey store', st
			USING ERRCODE = '22023', HINT = 'Create one with journey_store_create.';
	END;
	IF wait THEN
		PERFORM pg_catalog.pg_advisory_xact_lock(1667920756, (store::oid::bigint - 2147483648)::integer);
	ELSIF NOT pg_catalog.pg_try_advisory_xact_lock(1667920756, (store::oid::bigint - 2147483648)::integer) THEN
		RETURN;					-- another refresh is running: all NULL
	END IF;
	SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) INTO src
		FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = m.source;
	SELECT pg_catalog.format('%I.%I', n.nspname, t.typname) INTO stype
		FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
		WHERE t.oid = m.stage_type;
	IF src IS NULL OR stype IS NULL THEN
		RAISE EXCEPTION 'the source table or stage type of journey store % no longer exists', st
			USING ERRCODE = '22023', HINT = 'Drop the store with journey_store_drop and create it again.';
	END IF;
	agg := pg_catalog.format('@extschema@.journey_agg(s.%I, s.%I::%s, %s, %s)',
		m.time_column, m.stage_column, stype,
		CASE WHEN m.channel_column IS NULL THEN 'NULL::text' ELSE pg_catalog.format('s.%I::text', m.channel_column) END,
		CASE WHEN m.event_column IS NULL THEN 'NULL::text' ELSE pg_catalog.format('s.%I::text', m.event_column) END);

	-- One statement, one snapshot: the queue rows consumed and the source
	-- rows read for rebuilds are the same committed state.
	IF rebuild THEN
		EXECUTE pg_catalog.format(
			'WITH q AS (DELETE FROM %1$s RETURNING 1), '
			'b AS (SELECT k, j FROM (SELECT s.%3$I AS k, %4$s AS j FROM %5$s s '
			'      WHERE s.%3$I IS NOT NULL GROUP BY s.%3$I) x WHERE j IS NOT NULL), '
			'del AS (DELETE FROM %2$s t WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.k = t.%3$I) RETURNING 1), '
			'ins AS (INSERT INTO %2$s AS t SELECT k, j FROM b ON CONFLICT (%3$I) DO UPDATE '
			'      SET journey = EXCLUDED.journey WHERE NOT t.journey OPERATOR(@extschema@.=) EXCLUDED.journey RETURNING 1) '
			'SELECT 0::bigint, (SELECT count(*) FROM b), (SELECT count(*) FROM del), (SELECT count(*) FROM q)',
			qu, st, m.key_column, agg, src)
			INTO merged, rebuilt, removed, queued;
		RETURN;
	END IF;
	-- d: the queued inserts of customers without updates or deletes, merged
	-- into their stored journeys; b: the customers to rebuild, from the
	-- source.  No row is written by two parts (d and r are disjoint).  The
	-- new customers of d are those mg did not update: asking the store
	-- instead made the planner hash all of it (0.2.0: about 40% of a 1%
	-- refresh on 200,000 customers).  The rows of the customers to rebuild
	-- or remove are found by their keys as an array (= ANY, an index scan
	-- of the keys): the queue's statistics are those of whatever it held
	-- when last analyzed, and with them a join hashed the whole store to
	-- rebuild a few customers (98 of 114 ms for 156 customers of 200,000).
	-- The merged inserts keep their join: a nested loop over the store's
	-- key when they are few, a hash when many (an array of 22,000 keys was
	-- 10-15% slower there).
	EXECUTE pg_catalog.format(
		'WITH q AS (DELETE FROM %1$s RETURNING *), '
		'r AS (SELECT DISTINCT %3$I AS k FROM q WHERE rebuild), '
		'd AS (SELECT k, j FROM (SELECT q.%3$I AS k, '
		'      @extschema@.journey_agg(q.occurred_at, q.stage, q.channel, q.event) AS j '
		'      FROM q WHERE NOT q.rebuild AND NOT EXISTS (SELECT 1 FROM r WHERE r.k = q.%3$I) '
		'      GROUP BY q.%3$I) x WHERE j IS NOT NULL), '
		'b AS (SELECT k, j FROM (SELECT s.%3$I AS k, %4$s AS j FROM %5$s s '
		'      WHERE s.%3$I IN (SELECT k FROM r) GROUP BY s.%3$I) x WHERE j IS NOT NULL), '
		'mg AS (UPDATE %2$s t SET journey = @extschema@.journey_merge(t.journey, d.j) '
		'      FROM d WHERE t.%3$I = d.k RETURNING t.%3$I AS k), '
		'rb AS (UPDATE %2$s t SET journey = b.j FROM b '
		'      WHERE t.%3$I = ANY (ARRAY(SELECT k FROM b)) AND t.%3$I = b.k '
		'      AND NOT t.journey OPERATOR(@extschema@.=) b.j RETURNING 1), '
		'ins AS (INSERT INTO %2$s SELECT n.k, n.j FROM ('
		'      SELECT k, j FROM d WHERE NOT EXISTS (SELECT 1 FROM mg WHERE mg.k = d.k) '
		'      UNION ALL SELECT k, j FROM b WHERE NOT EXISTS (SELECT 1 FROM %2$s t WHERE t.%3$I = b.k)) n '
		'      RETURNING 1), '
		'del AS (DELETE FROM %2$s t WHERE t.%3$I = ANY (ARRAY(SELECT k FROM r)) '
		'      AND NOT EXISTS (SELECT 1 FROM b WHERE b.k = t.%3$I) RETURNING 1) '
		'SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM b), '
		'(SELECT count(*) FROM del), (SELECT count(*) FROM q)',
		qu, st, m.key_column, agg, src)
		INTO merged, rebuilt, removed, queued;
END
$fn$;
COMMENT ON FUNCTION @extschema@.journey_store_refresh(regclass, boolean, boolean) IS
	'bring a journey store up to date: merge queued inserts, rebuild customers with updates or deletes (or all, with rebuild); NULLs when wait is false and another refresh runs';

--------------------------------------------------------------------------
-- Funnels over stored journeys in the journey step syntax (src/funnel.c):
-- window_funnel and window_funnel_times over a journey's touches, steps
-- with alternatives, stages, channels; one instant's touches ordered by
-- steps as the rows form orders them.  (journey_funnel keeps 0.1.0's plain
-- label steps and the journey's stored order.)
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.journey_window_funnel(@extschema@.journey, "window" interval, mode text,
		VARIADIC steps text[]) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_window_funnel(@extschema@.journey, interval, text, VARIADIC text[]) IS
	'window_funnel over a stored journey: step N is condition N in the journey step syntax';

CREATE FUNCTION @extschema@.journey_window_funnel_times(@extschema@.journey, "window" interval, mode text,
		VARIADIC steps text[]) RETURNS timestamptz[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_window_funnel_times(@extschema@.journey, interval, text, VARIADIC text[]) IS
	'window_funnel_times over a stored journey: the time of each step of the chain that first reached the deepest step';
