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
