/* cjourney--0.1.0--0.2.0.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION cjourney UPDATE TO '0.2.0'" to load this file. \quit

--------------------------------------------------------------------------
-- Sessions (src/session.c): sessionize and session_start (window
-- functions), session_count (aggregate), journey_sessions and
-- journey_sessionize.  A new session starts when the gap to the previous
-- instant exceeds the timeout, the session would last longer than
-- max_duration, the local date changes (day_boundary) or a row of the
-- instant has new_session; rows at one instant share a session.
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.sessionize(occurred_at timestamptz, timeout interval) RETURNS bigint
	AS 'MODULE_PATHNAME', 'sessionize' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sessionize(timestamptz, interval) IS
	'session number (1, 2, ...) of the row in its window partition ordered by occurred_at; a gap longer than timeout starts a session';

CREATE FUNCTION @extschema@.sessionize(occurred_at timestamptz, timeout interval, max_duration interval,
		day_boundary text, new_session boolean) RETURNS bigint
	AS 'MODULE_PATHNAME', 'sessionize' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sessionize(timestamptz, interval, interval, text, boolean) IS
	'session number; also splits sessions longer than max_duration, at midnight in the day_boundary time zone and where new_session is true (NULL = off)';

CREATE FUNCTION @extschema@.sessionize(occurred_at timestamp, timeout interval) RETURNS bigint
	AS 'MODULE_PATHNAME', 'sessionize' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sessionize(timestamp, interval) IS
	'session number of the row (timestamp without time zone)';

CREATE FUNCTION @extschema@.sessionize(occurred_at timestamp, timeout interval, max_duration interval,
		day_boundary boolean, new_session boolean) RETURNS bigint
	AS 'MODULE_PATHNAME', 'sessionize' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sessionize(timestamp, interval, interval, boolean, boolean) IS
	'session number (timestamp without time zone); day_boundary true splits where the date changes';

CREATE FUNCTION @extschema@.sessionize(occurred_at bigint, timeout bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'sessionize' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sessionize(bigint, bigint) IS
	'session number of the row (integer time; the timeout in the same unit)';

CREATE FUNCTION @extschema@.sessionize(occurred_at bigint, timeout bigint, max_duration bigint,
		new_session boolean) RETURNS bigint
	AS 'MODULE_PATHNAME', 'sessionize' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sessionize(bigint, bigint, bigint, boolean) IS
	'session number (integer time) with max_duration and new_session (NULL = off)';

CREATE FUNCTION @extschema@.session_start(occurred_at timestamptz, timeout interval) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'session_start' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_start(timestamptz, interval) IS
	'time of the first row of the row''s session (a stable session key); the rules of sessionize';

CREATE FUNCTION @extschema@.session_start(occurred_at timestamptz, timeout interval, max_duration interval,
		day_boundary text, new_session boolean) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'session_start' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_start(timestamptz, interval, interval, text, boolean) IS
	'time of the first row of the row''s session, with max_duration, day_boundary and new_session';

CREATE FUNCTION @extschema@.session_start(occurred_at timestamp, timeout interval) RETURNS timestamp
	AS 'MODULE_PATHNAME', 'session_start' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_start(timestamp, interval) IS
	'time of the first row of the row''s session (timestamp without time zone)';

CREATE FUNCTION @extschema@.session_start(occurred_at timestamp, timeout interval, max_duration interval,
		day_boundary boolean, new_session boolean) RETURNS timestamp
	AS 'MODULE_PATHNAME', 'session_start' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_start(timestamp, interval, interval, boolean, boolean) IS
	'time of the first row of the row''s session (timestamp without time zone), with the optional rules';

CREATE FUNCTION @extschema@.session_start(occurred_at bigint, timeout bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'session_start' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_start(bigint, bigint) IS
	'time of the first row of the row''s session (integer time)';

CREATE FUNCTION @extschema@.session_start(occurred_at bigint, timeout bigint, max_duration bigint,
		new_session boolean) RETURNS bigint
	AS 'MODULE_PATHNAME', 'session_start' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_start(bigint, bigint, bigint, boolean) IS
	'time of the first row of the row''s session (integer time), with max_duration and new_session';

-- session_count: the aggregate

CREATE FUNCTION @extschema@.session_count_transfn(internal, timestamptz, interval) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_count_transfn(internal, timestamptz, interval) IS
	'session_count transition function';

CREATE FUNCTION @extschema@.session_count_transfn(internal, timestamptz, interval, interval, text, boolean)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_count_transfn(internal, timestamptz, interval, interval, text, boolean) IS
	'session_count transition function';

CREATE FUNCTION @extschema@.session_count_transfn(internal, timestamp, interval) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_count_transfn(internal, timestamp, interval) IS
	'session_count transition function (timestamp without time zone)';

CREATE FUNCTION @extschema@.session_count_transfn(internal, timestamp, interval, interval, boolean, boolean)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_count_transfn(internal, timestamp, interval, interval, boolean, boolean) IS
	'session_count transition function (timestamp without time zone)';

CREATE FUNCTION @extschema@.session_count_transfn(internal, bigint, bigint) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_count_transfn(internal, bigint, bigint) IS
	'session_count transition function (integer time)';

CREATE FUNCTION @extschema@.session_count_transfn(internal, bigint, bigint, bigint, boolean) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_count_transfn(internal, bigint, bigint, bigint, boolean) IS
	'session_count transition function (integer time)';

CREATE FUNCTION @extschema@.session_count_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_count_combine(internal, internal) IS 'session_count combine function';

CREATE FUNCTION @extschema@.session_count_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_count_serialize(internal) IS 'session_count state serialization';

CREATE FUNCTION @extschema@.session_count_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_count_deserialize(bytea, internal) IS 'session_count state deserialization';

CREATE FUNCTION @extschema@.session_count_finalfn(internal) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.session_count_finalfn(internal) IS 'session_count final function';

CREATE AGGREGATE @extschema@.session_count(occurred_at timestamptz, timeout interval) (
	SFUNC = @extschema@.session_count_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.session_count_finalfn,
	COMBINEFUNC = @extschema@.session_count_combine,
	SERIALFUNC = @extschema@.session_count_serialize, DESERIALFUNC = @extschema@.session_count_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.session_count(timestamptz, interval) IS
	'number of sessions of the group (the rules of sessionize; input order does not matter)';

CREATE AGGREGATE @extschema@.session_count(occurred_at timestamptz, timeout interval, max_duration interval,
		day_boundary text, new_session boolean) (
	SFUNC = @extschema@.session_count_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.session_count_finalfn,
	COMBINEFUNC = @extschema@.session_count_combine,
	SERIALFUNC = @extschema@.session_count_serialize, DESERIALFUNC = @extschema@.session_count_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.session_count(timestamptz, interval, interval, text, boolean) IS
	'number of sessions of the group, with max_duration, day_boundary and new_session (NULL = off)';

CREATE AGGREGATE @extschema@.session_count(occurred_at timestamp, timeout interval) (
	SFUNC = @extschema@.session_count_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.session_count_finalfn,
	COMBINEFUNC = @extschema@.session_count_combine,
	SERIALFUNC = @extschema@.session_count_serialize, DESERIALFUNC = @extschema@.session_count_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.session_count(timestamp, interval) IS
	'number of sessions of the group (timestamp without time zone)';

CREATE AGGREGATE @extschema@.session_count(occurred_at timestamp, timeout interval, max_duration interval,
		day_boundary boolean, new_session boolean) (
	SFUNC = @extschema@.session_count_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.session_count_finalfn,
	COMBINEFUNC = @extschema@.session_count_combine,
	SERIALFUNC = @extschema@.session_count_serialize, DESERIALFUNC = @extschema@.session_count_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.session_count(timestamp, interval, interval, boolean, boolean) IS
	'number of sessions of the group (timestamp without time zone), with the optional rules';

CREATE AGGREGATE @extschema@.session_count(occurred_at bigint, timeout bigint) (
	SFUNC = @extschema@.session_count_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.session_count_finalfn,
	COMBINEFUNC = @extschema@.session_count_combine,
	SERIALFUNC = @extschema@.session_count_serialize, DESERIALFUNC = @extschema@.session_count_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.session_count(bigint, bigint) IS
	'number of sessions of the group (integer time)';

CREATE AGGREGATE @extschema@.session_count(occurred_at bigint, timeout bigint, max_duration bigint,
		new_session boolean) (
	SFUNC = @extschema@.session_count_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.session_count_finalfn,
	COMBINEFUNC = @extschema@.session_count_combine,
	SERIALFUNC = @extschema@.session_count_serialize, DESERIALFUNC = @extschema@.session_count_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.session_count(bigint, bigint, bigint, boolean) IS
	'number of sessions of the group (integer time), with max_duration and new_session';

-- stored journeys

CREATE FUNCTION @extschema@.journey_sessions(@extschema@.journey, timeout interval,
		max_duration interval DEFAULT NULL, day_boundary text DEFAULT NULL, start_event text DEFAULT NULL,
		OUT session integer, OUT started_at timestamptz, OUT ended_at timestamptz,
		OUT touches integer, OUT duration interval)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION @extschema@.journey_sessions(@extschema@.journey, interval, interval, text, text) IS
	'one row per session of a journey: number, first and last touch time, touches, duration; a touch with event start_event starts a session';

CREATE FUNCTION @extschema@.journey_sessionize(@extschema@.journey, timeout interval,
		max_duration interval DEFAULT NULL, day_boundary text DEFAULT NULL, start_event text DEFAULT NULL)
	RETURNS @extschema@.journey[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_sessionize(@extschema@.journey, interval, interval, text, text) IS
	'the sessions of a journey, each as a journey, in time order (run any journey_* function per session)';
