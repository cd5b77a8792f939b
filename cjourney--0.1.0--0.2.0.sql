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

--------------------------------------------------------------------------
-- Paths: one customer's path (src/path.c), the path report across
-- customers (src/path_report.c) and its nodes, Sankey edges and top paths
-- (src/path_flows.c)
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.event_path_transfn(internal, timestamptz, text) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.event_path_transfn(internal, timestamptz, text) IS
	'event_path transition function';

CREATE FUNCTION @extschema@.event_path_transfn(internal, timestamptz, text, text, text, integer, boolean)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.event_path_transfn(internal, timestamptz, text, text, text, integer, boolean) IS
	'event_path transition function';

CREATE FUNCTION @extschema@.event_path_between_transfn(internal, timestamptz, text, text, text, integer, boolean)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.event_path_between_transfn(internal, timestamptz, text, text, text, integer, boolean) IS
	'event_path_between transition function';

CREATE FUNCTION @extschema@.event_path_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.event_path_combine(internal, internal) IS 'event_path combine function';

CREATE FUNCTION @extschema@.event_path_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.event_path_serialize(internal) IS 'event_path state serialization';

CREATE FUNCTION @extschema@.event_path_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.event_path_deserialize(bytea, internal) IS 'event_path state deserialization';

CREATE FUNCTION @extschema@.event_path_finalfn(internal) RETURNS text[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.event_path_finalfn(internal) IS 'event_path final function';

CREATE AGGREGATE @extschema@.event_path(occurred_at timestamptz, label text) (
	SFUNC = @extschema@.event_path_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.event_path_finalfn,
	COMBINEFUNC = @extschema@.event_path_combine,
	SERIALFUNC = @extschema@.event_path_serialize, DESERIALFUNC = @extschema@.event_path_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.event_path(timestamptz, text) IS
	'the group''s labels in time order (ties by label bytes); rows with a NULL time or label are skipped';

CREATE AGGREGATE @extschema@.event_path(occurred_at timestamptz, label text, anchor text, direction text,
		max_steps integer, collapse boolean) (
	SFUNC = @extschema@.event_path_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.event_path_finalfn,
	COMBINEFUNC = @extschema@.event_path_combine,
	SERIALFUNC = @extschema@.event_path_serialize, DESERIALFUNC = @extschema@.event_path_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.event_path(timestamptz, text, text, text, integer, boolean) IS
	'the path from (direction ''from'') or up to (''to'') the first anchor label, at most max_steps long; collapse merges repeats; NULL without the anchor';

CREATE AGGREGATE @extschema@.event_path_between(occurred_at timestamptz, label text, from_label text, to_label text,
		max_steps integer, collapse boolean) (
	SFUNC = @extschema@.event_path_between_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.event_path_finalfn,
	COMBINEFUNC = @extschema@.event_path_combine,
	SERIALFUNC = @extschema@.event_path_serialize, DESERIALFUNC = @extschema@.event_path_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.event_path_between(timestamptz, text, text, text, integer, boolean) IS
	'the path from the first from_label to the first to_label after it; longer than max_steps: its ends with a NULL between';

CREATE FUNCTION @extschema@.journey_path(@extschema@.journey, "by" text DEFAULT 'event', anchor text DEFAULT NULL,
		direction text DEFAULT 'from', max_steps integer DEFAULT NULL, collapse boolean DEFAULT false)
	RETURNS text[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_path(@extschema@.journey, text, text, text, integer, boolean) IS
	'the path of a journey by its touches'' event, channel or stage labels (the rules of event_path)';

CREATE FUNCTION @extschema@.journey_path_between(@extschema@.journey, "by" text, from_label text, to_label text,
		max_steps integer DEFAULT NULL, collapse boolean DEFAULT false)
	RETURNS text[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_path_between(@extschema@.journey, text, text, text, integer, boolean) IS
	'the path of a journey between two labels (the rules of event_path_between)';

-- path_report: the paths across customers, exact and combinable

CREATE TYPE @extschema@.path_report;

CREATE FUNCTION @extschema@.path_report_in(cstring) RETURNS @extschema@.path_report
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_report_in(cstring) IS 'path_report text input';

CREATE FUNCTION @extschema@.path_report_out(@extschema@.path_report) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_report_out(@extschema@.path_report) IS 'path_report text output';

CREATE FUNCTION @extschema@.path_report_recv(internal) RETURNS @extschema@.path_report
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_report_recv(internal) IS 'path_report binary input';

CREATE FUNCTION @extschema@.path_report_send(@extschema@.path_report) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_report_send(@extschema@.path_report) IS 'path_report binary output';

CREATE TYPE @extschema@.path_report (
	INPUT = @extschema@.path_report_in,
	OUTPUT = @extschema@.path_report_out,
	RECEIVE = @extschema@.path_report_recv,
	SEND = @extschema@.path_report_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended,
	ALIGNMENT = double
);
COMMENT ON TYPE @extschema@.path_report IS
	'distinct paths with their exact counts and the step alignment; combinable with rollup; read with path_nodes, path_edges, path_top';

CREATE FUNCTION @extschema@.path_report_to_jsonb(@extschema@.path_report) RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_report_to_jsonb(@extschema@.path_report) IS
	'path report as jsonb: {"align", "total", "distinct_paths", "paths": [{"path", "count"}, ...]}, most frequent first';

CREATE CAST (@extschema@.path_report AS jsonb)
	WITH FUNCTION @extschema@.path_report_to_jsonb(@extschema@.path_report);
COMMENT ON CAST (@extschema@.path_report AS jsonb) IS 'path report as a jsonb object';

CREATE FUNCTION @extschema@.path_report_transfn(internal, text[]) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_report_transfn(internal, text[]) IS 'path_report_agg transition function';

CREATE FUNCTION @extschema@.path_report_transfn(internal, text[], text) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_report_transfn(internal, text[], text) IS 'path_report_agg transition function';

CREATE FUNCTION @extschema@.path_report_rollup_transfn(internal, @extschema@.path_report) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_report_rollup_transfn(internal, @extschema@.path_report) IS
	'rollup(path_report) transition function';

CREATE FUNCTION @extschema@.path_report_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_report_combine(internal, internal) IS 'path_report combine function';

CREATE FUNCTION @extschema@.path_report_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_report_serialize(internal) IS 'path_report state serialization';

CREATE FUNCTION @extschema@.path_report_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_report_deserialize(bytea, internal) IS 'path_report state deserialization';

CREATE FUNCTION @extschema@.path_report_finalfn(internal) RETURNS @extschema@.path_report
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_report_finalfn(internal) IS 'path_report final function';

CREATE AGGREGATE @extschema@.path_report_agg(path text[]) (
	SFUNC = @extschema@.path_report_transfn, STYPE = internal,
	FINALFUNC = @extschema@.path_report_finalfn,
	COMBINEFUNC = @extschema@.path_report_combine,
	SERIALFUNC = @extschema@.path_report_serialize, DESERIALFUNC = @extschema@.path_report_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.path_report_agg(text[]) IS
	'path report of per-customer paths (event_path), steps numbered 1, 2, 3, ...; NULL and empty paths are skipped';

CREATE AGGREGATE @extschema@.path_report_agg(path text[], align text) (
	SFUNC = @extschema@.path_report_transfn, STYPE = internal,
	FINALFUNC = @extschema@.path_report_finalfn,
	COMBINEFUNC = @extschema@.path_report_combine,
	SERIALFUNC = @extschema@.path_report_serialize, DESERIALFUNC = @extschema@.path_report_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.path_report_agg(text[], text) IS
	'path report with align ''left'' (steps 1, 2, ...) or ''right'' (the last element is step 0, for paths up to an anchor)';

CREATE AGGREGATE @extschema@.rollup(@extschema@.path_report) (
	SFUNC = @extschema@.path_report_rollup_transfn, STYPE = internal,
	FINALFUNC = @extschema@.path_report_finalfn,
	COMBINEFUNC = @extschema@.path_report_combine,
	SERIALFUNC = @extschema@.path_report_serialize, DESERIALFUNC = @extschema@.path_report_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.path_report) IS
	'merge stored path reports exactly (daily into weekly, shards into one)';

CREATE FUNCTION @extschema@.path_nodes(@extschema@.path_report, nodes_per_step integer DEFAULT 0,
		OUT step integer, OUT label text, OUT node_key text, OUT is_other boolean,
		OUT value bigint, OUT exits bigint, OUT share double precision)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 50;
COMMENT ON FUNCTION @extschema@.path_nodes(@extschema@.path_report, integer) IS
	'one row per (step, label) node: paths through it, paths ending there, share of all paths; labels beyond the top nodes_per_step of a step become (other)';

CREATE FUNCTION @extschema@.path_edges(@extschema@.path_report, nodes_per_step integer DEFAULT 0,
		min_value bigint DEFAULT 1,
		OUT step integer, OUT source text, OUT target text, OUT source_key text, OUT target_key text,
		OUT kind text, OUT value bigint, OUT share double precision)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION @extschema@.path_edges(@extschema@.path_report, integer, bigint) IS
	'Sankey rows: step edges between consecutive nodes, exit edges (and entry edges of right-aligned reports), so flows add up at every node';

CREATE FUNCTION @extschema@.path_top(@extschema@.path_report, n integer,
		OUT rank integer, OUT path text[], OUT value bigint, OUT share double precision)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION @extschema@.path_top(@extschema@.path_report, integer) IS
	'the n most frequent whole paths with their counts and shares (ties in path order)';

--------------------------------------------------------------------------
-- BI-ready outputs (issue 14): a jsonb form with named fields for every
-- state type (src/funnel_report.c, src/stage_time.c, src/attribution_agg.c,
-- src/response.c, src/response_variants.c), funnel steps with names and
-- times in seconds.  Durations in jsonb are seconds, times UTC strings;
-- nothing depends on TimeZone, DateStyle or extra_float_digits.
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.funnel_report_to_jsonb(@extschema@.funnel_report) RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_to_jsonb(@extschema@.funnel_report) IS
	'funnel report as jsonb: {"nsteps", "steps": [{"step", "name", "customers", "conversion_from_previous", "conversion_from_first", "dropped_off", "median_seconds_from_previous", "p90_seconds_from_previous"}, ...]}';

CREATE FUNCTION @extschema@.funnel_report_to_jsonb(@extschema@.funnel_report, step_names text[]) RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_to_jsonb(@extschema@.funnel_report, text[]) IS
	'funnel report as jsonb with a name per step (one element per step, NULL for none)';

CREATE CAST (@extschema@.funnel_report AS jsonb)
	WITH FUNCTION @extschema@.funnel_report_to_jsonb(@extschema@.funnel_report);
COMMENT ON CAST (@extschema@.funnel_report AS jsonb) IS 'funnel report as a jsonb object';

CREATE FUNCTION @extschema@.funnel_steps(@extschema@.funnel_report, step_names text[],
		OUT step integer, OUT step_name text, OUT customers bigint,
		OUT conversion_from_previous double precision, OUT conversion_from_first double precision,
		OUT dropped_off bigint, OUT median_time_from_previous interval, OUT p90_time_from_previous interval,
		OUT median_seconds_from_previous double precision, OUT p90_seconds_from_previous double precision,
		OUT step_time_rule text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'funnel_report_steps' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.funnel_steps(@extschema@.funnel_report, text[]) IS
	'one row per funnel step with its name (NULL names: none), the median and p90 time from the previous step also in seconds, and the report''s step-time rule';

CREATE FUNCTION @extschema@.stage_time_to_jsonb(@extschema@.stage_time) RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_to_jsonb(@extschema@.stage_time) IS
	'time-in-stage state as jsonb: {"stage_list", "current_stage", "durations": [{"stage", "seconds", "visits", "first_entered"}], "visits": [{"stage", "entered_at", "left_at", "seconds"}]}; the open last period counts zero';

CREATE FUNCTION @extschema@.stage_time_to_jsonb(@extschema@.stage_time, as_of timestamptz) RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_to_jsonb(@extschema@.stage_time, timestamptz) IS
	'time-in-stage state as jsonb, the last period closed at as_of';

CREATE CAST (@extschema@.stage_time AS jsonb)
	WITH FUNCTION @extschema@.stage_time_to_jsonb(@extschema@.stage_time);
COMMENT ON CAST (@extschema@.stage_time AS jsonb) IS 'time-in-stage state as a jsonb object';

CREATE FUNCTION @extschema@.attribution_to_jsonb(@extschema@.attribution) RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_to_jsonb(@extschema@.attribution) IS
	'attribution as jsonb: {"model", "conversions", "revenue", "credits": [{"channel", "conversions", "revenue"}]} (markov adds "removal_effects")';

CREATE CAST (@extschema@.attribution AS jsonb)
	WITH FUNCTION @extschema@.attribution_to_jsonb(@extschema@.attribution);
COMMENT ON CAST (@extschema@.attribution AS jsonb) IS 'attribution as a jsonb object';

CREATE FUNCTION @extschema@.response_state_to_jsonb(@extschema@.response_state) RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_state_to_jsonb(@extschema@.response_state) IS
	'response state as jsonb: per arm n, responders, rate, value_n, mean, sd; then the segment_response and segment_mean_response fields at level 0.95';

CREATE FUNCTION @extschema@.response_state_to_jsonb(@extschema@.response_state, level double precision)
	RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_state_to_jsonb(@extschema@.response_state, double precision) IS
	'response state as jsonb, intervals at the level';

CREATE CAST (@extschema@.response_state AS jsonb)
	WITH FUNCTION @extschema@.response_state_to_jsonb(@extschema@.response_state);
COMMENT ON CAST (@extschema@.response_state AS jsonb) IS 'response state as a jsonb object';

CREATE FUNCTION @extschema@.response_variants_to_jsonb(@extschema@.response_variants) RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_variants_to_jsonb(@extschema@.response_variants) IS
	'variant counts as jsonb: {"variants": [{"variant", "n", "responders", "rate"}, ...]}';

CREATE CAST (@extschema@.response_variants AS jsonb)
	WITH FUNCTION @extschema@.response_variants_to_jsonb(@extschema@.response_variants);
COMMENT ON CAST (@extschema@.response_variants AS jsonb) IS 'variant counts as a jsonb object';

-- Step-time rules of window_funnel_times (src/funnel_walk.c: the modes
-- latest_step_start, the default, and first_step_start), stated in a
-- funnel_report (src/funnel_report.c)

CREATE FUNCTION @extschema@.funnel_report_times_rule_transfn(internal, timestamptz[], integer, text)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_times_rule_transfn(internal, timestamptz[], integer, text) IS
	'funnel_report_agg transition function (step times with their step-time rule)';

CREATE AGGREGATE @extschema@.funnel_report_agg(step_times timestamptz[], nsteps integer, step_time_rule text) (
	SFUNC = @extschema@.funnel_report_times_rule_transfn, STYPE = internal,
	FINALFUNC = @extschema@.funnel_report_finalfn,
	COMBINEFUNC = @extschema@.funnel_report_combine,
	SERIALFUNC = @extschema@.funnel_report_serialize, DESERIALFUNC = @extschema@.funnel_report_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.funnel_report_agg(timestamptz[], integer, text) IS
	'funnel report from per-customer step times, stating the window_funnel_times step-time rule (latest_step_start or first_step_start)';

CREATE FUNCTION @extschema@.funnel_step_time_rule(@extschema@.funnel_report) RETURNS text
	AS 'MODULE_PATHNAME', 'funnel_report_step_time_rule' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_step_time_rule(@extschema@.funnel_report) IS
	'the step-time rule the report states (latest_step_start or first_step_start); NULL when not stated';

-- Stage funnels by reach (src/funnel.c)

CREATE FUNCTION @extschema@.journey_stage_funnel(@extschema@.journey, rule text) RETURNS timestamptz[]
	AS 'MODULE_PATHNAME', 'journey_stage_funnel_rule' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_stage_funnel(@extschema@.journey, text) IS
	'stage funnel step times by rule: first_stage (as journey_stage_funnel(journey): a chain from the first stage) or reached (step k = first touch in stage k or later, whatever the entry stage)';

-- Retention in long form (src/retention_long.c): per customer, whether each
-- period was retained (NULL while not observable); per cohort, one row per
-- period

CREATE TYPE @extschema@.retention_period AS (
	period integer,
	customers bigint,
	observed bigint,
	retained bigint,
	rate double precision
);
COMMENT ON TYPE @extschema@.retention_period IS
	'one period of a cohort''s retention: period number (0 = the first), customers in the cohort, those whose period has ended by as_of, those retained, retained / observed (NULL while none is observable)';

CREATE FUNCTION @extschema@.retention_periods_transfn(internal, timestamptz, timestamptz, interval, integer, text,
		timestamptz) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_periods_transfn(internal, timestamptz, timestamptz, interval, integer, text, timestamptz) IS
	'retention_periods transition function';

CREATE FUNCTION @extschema@.retention_periods_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_periods_combine(internal, internal) IS 'retention_periods combine function';

CREATE FUNCTION @extschema@.retention_periods_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_periods_serialize(internal) IS 'retention_periods state serialization';

CREATE FUNCTION @extschema@.retention_periods_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_periods_deserialize(bytea, internal) IS 'retention_periods state deserialization';

CREATE FUNCTION @extschema@.retention_periods_finalfn(internal) RETURNS boolean[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_periods_finalfn(internal) IS 'retention_periods final function';

CREATE AGGREGATE @extschema@.retention_periods(first_at timestamptz, active_at timestamptz, period interval,
		nperiods integer, mode text, as_of timestamptz) (
	SFUNC = @extschema@.retention_periods_transfn, STYPE = internal, SSPACE = 128,
	FINALFUNC = @extschema@.retention_periods_finalfn,
	COMBINEFUNC = @extschema@.retention_periods_combine,
	SERIALFUNC = @extschema@.retention_periods_serialize, DESERIALFUNC = @extschema@.retention_periods_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.retention_periods(timestamptz, timestamptz, interval, integer, text, timestamptz) IS
	'one customer''s retention: element k + 1 says whether period k after first_at had activity (n_day) or activity then or later (unbounded); NULL where the period has not ended by as_of';

CREATE FUNCTION @extschema@.retention_report_transfn(internal, boolean[]) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_report_transfn(internal, boolean[]) IS 'retention_report_agg transition function';

CREATE FUNCTION @extschema@.retention_report_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_report_combine(internal, internal) IS 'retention_report_agg combine function';

CREATE FUNCTION @extschema@.retention_report_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_report_serialize(internal) IS 'retention_report_agg state serialization';

CREATE FUNCTION @extschema@.retention_report_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_report_deserialize(bytea, internal) IS 'retention_report_agg state deserialization';

CREATE FUNCTION @extschema@.retention_report_finalfn(internal) RETURNS @extschema@.retention_period[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_report_finalfn(internal) IS 'retention_report_agg final function';

CREATE AGGREGATE @extschema@.retention_report_agg(periods boolean[]) (
	SFUNC = @extschema@.retention_report_transfn, STYPE = internal, SSPACE = 8208,
	FINALFUNC = @extschema@.retention_report_finalfn,
	COMBINEFUNC = @extschema@.retention_report_combine,
	SERIALFUNC = @extschema@.retention_report_serialize, DESERIALFUNC = @extschema@.retention_report_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.retention_report_agg(boolean[]) IS
	'a cohort''s retention from per-customer retention_periods arrays: one retention_period per period (unnest it for rows)';

-- Funnel options (src/funnel_options.c): exclusion steps and breakdown
-- attribution; the unordered mode of window_funnel is in src/funnel_walk.c

CREATE TYPE @extschema@.funnel_breakdown AS (
	level integer,
	breakdown text
);
COMMENT ON TYPE @extschema@.funnel_breakdown IS
	'result of window_funnel_breakdown: the funnel level and the breakdown value of the reported chain (NULL when none)';

CREATE FUNCTION @extschema@.window_funnel_excluding_transfn(internal, interval, text, timestamptz, boolean,
		integer, integer, boolean[]) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_excluding_transfn(internal, interval, text, timestamptz, boolean, integer, integer, boolean[]) IS
	'window_funnel_excluding transition function';

CREATE FUNCTION @extschema@.window_funnel_breakdown_transfn(internal, interval, text, timestamptz, text, text,
		boolean[]) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_breakdown_transfn(internal, interval, text, timestamptz, text, text, boolean[]) IS
	'window_funnel_breakdown transition function';

CREATE FUNCTION @extschema@.window_funnel_options_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_options_combine(internal, internal) IS
	'window_funnel_excluding and window_funnel_breakdown combine function';

CREATE FUNCTION @extschema@.window_funnel_options_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_options_serialize(internal) IS
	'window_funnel_excluding and window_funnel_breakdown state serialization';

CREATE FUNCTION @extschema@.window_funnel_options_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_options_deserialize(bytea, internal) IS
	'window_funnel_excluding and window_funnel_breakdown state deserialization';

CREATE FUNCTION @extschema@.window_funnel_excluding_finalfn(internal) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_excluding_finalfn(internal) IS 'window_funnel_excluding final function';

CREATE FUNCTION @extschema@.window_funnel_excluding_times_finalfn(internal) RETURNS timestamptz[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_excluding_times_finalfn(internal) IS 'window_funnel_excluding_times final function';

CREATE FUNCTION @extschema@.window_funnel_breakdown_finalfn(internal) RETURNS @extschema@.funnel_breakdown
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_breakdown_finalfn(internal) IS 'window_funnel_breakdown final function';

CREATE AGGREGATE @extschema@.window_funnel_excluding("window" interval, mode text, occurred_at timestamptz,
		excluded boolean, from_step integer, to_step integer, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_excluding_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_excluding_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_options_combine,
	SERIALFUNC = @extschema@.window_funnel_options_serialize, DESERIALFUNC = @extschema@.window_funnel_options_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel_excluding(interval, text, timestamptz, boolean, integer, integer, VARIADIC boolean[]) IS
	'funnel level over chains with no excluded row strictly between their from_step and to_step; NULL when every chain reaching from_step is void';

CREATE AGGREGATE @extschema@.window_funnel_excluding_times("window" interval, mode text, occurred_at timestamptz,
		excluded boolean, from_step integer, to_step integer, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_excluding_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_excluding_times_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_options_combine,
	SERIALFUNC = @extschema@.window_funnel_options_serialize, DESERIALFUNC = @extschema@.window_funnel_options_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel_excluding_times(interval, text, timestamptz, boolean, integer, integer, VARIADIC boolean[]) IS
	'step times of the earliest non-void chain to the window_funnel_excluding level; NULL when excluded';

CREATE AGGREGATE @extschema@.window_funnel_breakdown("window" interval, mode text, occurred_at timestamptz,
		property text, attribution text, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_breakdown_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_breakdown_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_options_combine,
	SERIALFUNC = @extschema@.window_funnel_options_serialize, DESERIALFUNC = @extschema@.window_funnel_options_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel_breakdown(interval, text, timestamptz, text, text, VARIADIC boolean[]) IS
	'funnel level and the breakdown value of the reported chain: the property of its first_touch, last_touch or step:N row';
-- ---------------------------------------------------------------------------
-- sequences: sequence_match, sequence_count, sequence_match_events,
-- sequence_next_node (ClickHouse sequenceMatch, sequenceCount,
-- sequenceMatchEvents, sequenceNextNode) and their journey forms
-- ---------------------------------------------------------------------------
CREATE FUNCTION @extschema@.sequence_transfn(internal, text, timestamptz, boolean[])
	RETURNS internal AS 'MODULE_PATHNAME', 'sequence_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_transfn(internal, text, timestamptz, boolean[]) IS
	'sequence_match, sequence_count and sequence_match_events transition function';
CREATE FUNCTION @extschema@.sequence_transfn(internal, text, bigint, boolean[])
	RETURNS internal AS 'MODULE_PATHNAME', 'sequence_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_transfn(internal, text, bigint, boolean[]) IS
	'sequence_match, sequence_count and sequence_match_events transition function (integer time)';
CREATE FUNCTION @extschema@.sequence_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_combine(internal, internal) IS 'sequence_match, sequence_count and sequence_match_events combine function';

CREATE FUNCTION @extschema@.sequence_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_serialize(internal) IS 'sequence_match, sequence_count and sequence_match_events state serialization';

CREATE FUNCTION @extschema@.sequence_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_deserialize(bytea, internal) IS 'sequence_match, sequence_count and sequence_match_events state deserialization';

CREATE FUNCTION @extschema@.sequence_match_finalfn(internal) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_match_finalfn(internal) IS 'sequence_match final function';

CREATE FUNCTION @extschema@.sequence_count_finalfn(internal) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_count_finalfn(internal) IS 'sequence_count final function';

CREATE FUNCTION @extschema@.sequence_match_events_finalfn(internal) RETURNS timestamptz[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_match_events_finalfn(internal) IS 'sequence_match_events final function';

CREATE FUNCTION @extschema@.sequence_match_events_bigint_finalfn(internal) RETURNS bigint[]
	AS 'MODULE_PATHNAME', 'sequence_match_events_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_match_events_bigint_finalfn(internal) IS 'sequence_match_events final function (integer time)';
CREATE AGGREGATE @extschema@.sequence_match(pattern text, occurred_at timestamptz, VARIADIC conditions boolean[]) (
	SFUNC = @extschema@.sequence_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.sequence_match_finalfn,
	COMBINEFUNC = @extschema@.sequence_combine,
	SERIALFUNC = @extschema@.sequence_serialize, DESERIALFUNC = @extschema@.sequence_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.sequence_match(text, timestamptz, VARIADIC boolean[]) IS
	'true when the pattern (ClickHouse sequenceMatch syntax) matches the rows in time order; gates in seconds';
CREATE AGGREGATE @extschema@.sequence_match(pattern text, occurred_at bigint, VARIADIC conditions boolean[]) (
	SFUNC = @extschema@.sequence_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.sequence_match_finalfn,
	COMBINEFUNC = @extschema@.sequence_combine,
	SERIALFUNC = @extschema@.sequence_serialize, DESERIALFUNC = @extschema@.sequence_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.sequence_match(text, bigint, VARIADIC boolean[]) IS
	'true when the pattern (ClickHouse sequenceMatch syntax) matches the rows in time order; gates in the column''s unit';
CREATE AGGREGATE @extschema@.sequence_count(pattern text, occurred_at timestamptz, VARIADIC conditions boolean[]) (
	SFUNC = @extschema@.sequence_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.sequence_count_finalfn,
	COMBINEFUNC = @extschema@.sequence_combine,
	SERIALFUNC = @extschema@.sequence_serialize, DESERIALFUNC = @extschema@.sequence_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.sequence_count(text, timestamptz, VARIADIC boolean[]) IS
	'number of non-overlapping matches of the pattern (ClickHouse sequenceCount); gates in seconds';
CREATE AGGREGATE @extschema@.sequence_count(pattern text, occurred_at bigint, VARIADIC conditions boolean[]) (
	SFUNC = @extschema@.sequence_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.sequence_count_finalfn,
	COMBINEFUNC = @extschema@.sequence_combine,
	SERIALFUNC = @extschema@.sequence_serialize, DESERIALFUNC = @extschema@.sequence_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.sequence_count(text, bigint, VARIADIC boolean[]) IS
	'number of non-overlapping matches of the pattern (ClickHouse sequenceCount); gates in the column''s unit';
CREATE AGGREGATE @extschema@.sequence_match_events(pattern text, occurred_at timestamptz, VARIADIC conditions boolean[]) (
	SFUNC = @extschema@.sequence_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.sequence_match_events_finalfn,
	COMBINEFUNC = @extschema@.sequence_combine,
	SERIALFUNC = @extschema@.sequence_serialize, DESERIALFUNC = @extschema@.sequence_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.sequence_match_events(text, timestamptz, VARIADIC boolean[]) IS
	'times of the rows the (?N) items consumed in the first match, else in the longest partial match (ClickHouse sequenceMatchEvents, fixed upstream behaviour); gates in seconds';
CREATE AGGREGATE @extschema@.sequence_match_events(pattern text, occurred_at bigint, VARIADIC conditions boolean[]) (
	SFUNC = @extschema@.sequence_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.sequence_match_events_bigint_finalfn,
	COMBINEFUNC = @extschema@.sequence_combine,
	SERIALFUNC = @extschema@.sequence_serialize, DESERIALFUNC = @extschema@.sequence_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.sequence_match_events(text, bigint, VARIADIC boolean[]) IS
	'times of the rows the (?N) items consumed in the first match, else in the longest partial match (ClickHouse sequenceMatchEvents, fixed upstream behaviour); gates in the column''s unit';
CREATE FUNCTION @extschema@.sequence_next_node_transfn(internal, text, text, timestamptz, text, boolean, boolean[])
	RETURNS internal AS 'MODULE_PATHNAME', 'sequence_next_node_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_next_node_transfn(internal, text, text, timestamptz, text, boolean, boolean[]) IS
	'sequence_next_node transition function';
CREATE FUNCTION @extschema@.sequence_next_node_transfn(internal, text, text, timestamptz, text, boolean)
	RETURNS internal AS 'MODULE_PATHNAME', 'sequence_next_node_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_next_node_transfn(internal, text, text, timestamptz, text, boolean) IS
	'sequence_next_node transition function';
CREATE FUNCTION @extschema@.sequence_next_node_transfn(internal, text, text, bigint, text, boolean, boolean[])
	RETURNS internal AS 'MODULE_PATHNAME', 'sequence_next_node_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_next_node_transfn(internal, text, text, bigint, text, boolean, boolean[]) IS
	'sequence_next_node transition function (integer time)';
CREATE FUNCTION @extschema@.sequence_next_node_transfn(internal, text, text, bigint, text, boolean)
	RETURNS internal AS 'MODULE_PATHNAME', 'sequence_next_node_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_next_node_transfn(internal, text, text, bigint, text, boolean) IS
	'sequence_next_node transition function (integer time)';
CREATE FUNCTION @extschema@.sequence_next_node_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_next_node_combine(internal, internal) IS 'sequence_next_node combine function';

CREATE FUNCTION @extschema@.sequence_next_node_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_next_node_serialize(internal) IS 'sequence_next_node state serialization';

CREATE FUNCTION @extschema@.sequence_next_node_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_next_node_deserialize(bytea, internal) IS 'sequence_next_node state deserialization';

CREATE FUNCTION @extschema@.sequence_next_node_finalfn(internal) RETURNS text
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_next_node_finalfn(internal) IS 'sequence_next_node final function';
CREATE AGGREGATE @extschema@.sequence_next_node(direction text, base text, occurred_at timestamptz, value text, base_condition boolean, VARIADIC events boolean[]) (
	SFUNC = @extschema@.sequence_next_node_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.sequence_next_node_finalfn,
	COMBINEFUNC = @extschema@.sequence_next_node_combine,
	SERIALFUNC = @extschema@.sequence_next_node_serialize, DESERIALFUNC = @extschema@.sequence_next_node_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.sequence_next_node(text, text, timestamptz, text, boolean, VARIADIC boolean[]) IS
	'value of the row after (forward) or before (backward) the chain of events 1..N starting at the base row (ClickHouse sequenceNextNode)';
CREATE AGGREGATE @extschema@.sequence_next_node(direction text, base text, occurred_at timestamptz, value text, base_condition boolean) (
	SFUNC = @extschema@.sequence_next_node_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.sequence_next_node_finalfn,
	COMBINEFUNC = @extschema@.sequence_next_node_combine,
	SERIALFUNC = @extschema@.sequence_next_node_serialize, DESERIALFUNC = @extschema@.sequence_next_node_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.sequence_next_node(text, text, timestamptz, text, boolean) IS
	'value of the base row (head: first row, tail: last row) when its base condition holds (ClickHouse sequenceNextNode without events)';
CREATE AGGREGATE @extschema@.sequence_next_node(direction text, base text, occurred_at bigint, value text, base_condition boolean, VARIADIC events boolean[]) (
	SFUNC = @extschema@.sequence_next_node_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.sequence_next_node_finalfn,
	COMBINEFUNC = @extschema@.sequence_next_node_combine,
	SERIALFUNC = @extschema@.sequence_next_node_serialize, DESERIALFUNC = @extschema@.sequence_next_node_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.sequence_next_node(text, text, bigint, text, boolean, VARIADIC boolean[]) IS
	'value of the row after (forward) or before (backward) the chain of events 1..N starting at the base row (ClickHouse sequenceNextNode)';
CREATE AGGREGATE @extschema@.sequence_next_node(direction text, base text, occurred_at bigint, value text, base_condition boolean) (
	SFUNC = @extschema@.sequence_next_node_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.sequence_next_node_finalfn,
	COMBINEFUNC = @extschema@.sequence_next_node_combine,
	SERIALFUNC = @extschema@.sequence_next_node_serialize, DESERIALFUNC = @extschema@.sequence_next_node_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.sequence_next_node(text, text, bigint, text, boolean) IS
	'value of the base row (head: first row, tail: last row) when its base condition holds (ClickHouse sequenceNextNode without events)';
CREATE FUNCTION @extschema@.journey_sequence_match(@extschema@.journey, pattern text, VARIADIC steps text[])
	RETURNS boolean AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_sequence_match(@extschema@.journey, text, VARIADIC text[]) IS
	'sequence_match over a stored journey: condition N is step N in the journey step syntax; gates in seconds';

CREATE FUNCTION @extschema@.journey_sequence_count(@extschema@.journey, pattern text, VARIADIC steps text[])
	RETURNS bigint AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_sequence_count(@extschema@.journey, text, VARIADIC text[]) IS
	'sequence_count over a stored journey: condition N is step N in the journey step syntax';

CREATE FUNCTION @extschema@.journey_sequence_match_events(@extschema@.journey, pattern text, VARIADIC steps text[])
	RETURNS timestamptz[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_sequence_match_events(@extschema@.journey, text, VARIADIC text[]) IS
	'sequence_match_events over a stored journey: condition N is step N in the journey step syntax';

CREATE FUNCTION @extschema@.journey_next_node(@extschema@.journey, direction text, base text, VARIADIC steps text[])
	RETURNS text AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_next_node(@extschema@.journey, text, text, VARIADIC text[]) IS
	'event label of the touch after (forward) or before (backward) the chain of steps 1..N from the base touch (sequence_next_node with every touch a base)';

CREATE FUNCTION @extschema@.journey_next_node(@extschema@.journey, direction text, base text)
	RETURNS text AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_next_node(@extschema@.journey, text, text) IS
	'event label of the first (head) or last (tail) touch with an event label';
--------------------------------------------------------------------------
-- Journey store: one maintained (customer key, journey) table per
-- touchpoints table.  Statement triggers with transition tables feed a
-- change queue: inserted rows are copied there (merged into the stored
-- journeys with journey_merge at refresh), updated and deleted rows queue
-- their customer keys (those customers are rebuilt from the source).  A
-- refresh consumes the queue and writes the store in ONE statement, so the
-- queue rows it deletes and the source rows it reads come from one
-- snapshot: a row committed during a refresh is either in both or in
-- neither, and nothing is lost or counted twice.  A transaction-level
-- advisory lock serialises refreshes of one store.  Everything is plpgsql,
-- SECURITY INVOKER, with a fixed search_path and every name quoted.
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.journey_store_capture() RETURNS trigger
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	-- TG_ARGV: queue table, key, time, stage, channel ('' none), event ('' none)
	-- columns, stage enum type, store table (names qualified and quoted)
	queue text := TG_ARGV[0];
	k text := pg_catalog.quote_ident(TG_ARGV[1]);
	row_expr text;
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		-- the store and queue empty with the source, under the refresh lock
		PERFORM pg_catalog.pg_advisory_xact_lock(1667920756,
			(TG_ARGV[7]::regclass::oid::bigint - 2147483648)::integer);
		EXECUTE pg_catalog.format('DELETE FROM %s', queue);
		EXECUTE pg_catalog.format('DELETE FROM %s', TG_ARGV[7]);
		RETURN NULL;
	END IF;
	IF TG_OP = 'INSERT' THEN
		row_expr := pg_catalog.format('%s, false, %I, %I::%s, %s, %s',
			k, TG_ARGV[2], TG_ARGV[3], TG_ARGV[6],
			CASE WHEN TG_ARGV[4] = '' THEN 'NULL' ELSE pg_catalog.format('%I::text', TG_ARGV[4]) END,
			CASE WHEN TG_ARGV[5] = '' THEN 'NULL' ELSE pg_catalog.format('%I::text', TG_ARGV[5]) END);
		EXECUTE pg_catalog.format('INSERT INTO %s SELECT %s FROM cj_new_rows WHERE %s IS NOT NULL',
			queue, row_expr, k);
	ELSIF TG_OP = 'UPDATE' THEN
		EXECUTE pg_catalog.format(
			'INSERT INTO %1$s (%2$s, rebuild) SELECT DISTINCT %2$s, true FROM '
			'(SELECT %2$s FROM cj_old_rows UNION ALL SELECT %2$s FROM cj_new_rows) u WHERE %2$s IS NOT NULL',
			queue, k);
	ELSE
		EXECUTE pg_catalog.format(
			'INSERT INTO %1$s (%2$s, rebuild) SELECT DISTINCT %2$s, true FROM cj_old_rows WHERE %2$s IS NOT NULL',
			queue, k);
	END IF;
	RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION @extschema@.journey_store_capture() IS
	'trigger function of journey stores: queues inserted rows and the keys of updated and deleted rows';

CREATE FUNCTION @extschema@.journey_store_create(store text, source regclass, key_column name,
		time_column name, stage_column name, channel_column name DEFAULT NULL,
		event_column name DEFAULT NULL, stage_type regtype DEFAULT NULL) RETURNS bigint
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	-- no SET search_path: an unqualified store name goes to the caller's
	-- current schema; every name below is qualified or built with %I
AS $fn$
DECLARE
	parts text[];
	sch text;
	rel text;
	st text;
	qu text;
	me text;
	src text;
	key_type text;
	att_type oid;
	stage_oid oid;
	stype text;
	chan text := '';
	ev text := '';
	trg text;
	trg_args text;
	n bigint;
BEGIN
	IF store IS NULL OR source IS NULL OR key_column IS NULL OR time_column IS NULL
			OR stage_column IS NULL THEN
		RAISE EXCEPTION 'journey store name, source, key, time and stage columns must not be NULL'
			USING ERRCODE = '22023';
	END IF;
	parts := pg_catalog.parse_ident(store);
	IF pg_catalog.cardinality(parts) = 1 THEN
		sch := pg_catalog.current_schema();
		rel := parts[1];
	ELSIF pg_catalog.cardinality(parts) = 2 THEN
		sch := parts[1];
		rel := parts[2];
	ELSE
		RAISE EXCEPTION 'journey store name "%" has too many dots', store
			USING ERRCODE = '22023', HINT = 'Pass table or schema.table.';
	END IF;
	IF sch IS NULL THEN
		RAISE EXCEPTION 'no schema to create journey store "%" in', store
			USING ERRCODE = '22023', HINT = 'Qualify the name: schema.table.';
	END IF;
	IF pg_catalog.octet_length(rel) > 50 THEN
		RAISE EXCEPTION 'journey store name "%" is too long', rel
			USING ERRCODE = '22023',
			DETAIL = 'The store also creates tables named after it with suffixes _queue and _meta; names are limited to 63 bytes.',
			HINT = 'Use a name of at most 50 bytes.';
	END IF;
	st := pg_catalog.format('%I.%I', sch, rel);
	qu := pg_catalog.format('%I.%I', sch, rel || '_queue');
	me := pg_catalog.format('%I.%I', sch, rel || '_meta');
	SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) INTO src
		FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = source;

	-- the columns: key of any type with equality, time timestamptz, stage an enum (or cast to one)
	SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) INTO key_type
		FROM pg_catalog.pg_attribute a
		WHERE a.attrelid = source AND a.attname = key_column AND a.attnum > 0 AND NOT a.attisdropped;
	IF key_type IS NULL THEN
		RAISE EXCEPTION 'column "%" does not exist in %', key_column, src
			USING ERRCODE = '22023', HINT = 'Pass the customer key column of the source table.';
	END IF;
	IF key_column = 'journey' THEN
		RAISE EXCEPTION 'the key column cannot be named "journey"'
			USING ERRCODE = '22023', DETAIL = 'The store keeps its journeys in a column of that name.',
			HINT = 'Build the store from a view that renames the key column.';
	END IF;
	SELECT a.atttypid INTO att_type FROM pg_catalog.pg_attribute a
		WHERE a.attrelid = source AND a.attname = time_column AND a.attnum > 0 AND NOT a.attisdropped;
	IF att_type IS NULL OR att_type <> 'pg_catalog.timestamptz'::pg_catalog.regtype THEN
		RAISE EXCEPTION 'time column "%" of % is missing or not timestamptz', time_column, src
			USING ERRCODE = '22023',
			HINT = 'The time column must be timestamp with time zone, so the store does not depend on the session TimeZone.';
	END IF;
	SELECT a.atttypid INTO att_type FROM pg_catalog.pg_attribute a
		WHERE a.attrelid = source AND a.attname = stage_column AND a.attnum > 0 AND NOT a.attisdropped;
	IF att_type IS NULL THEN
		RAISE EXCEPTION 'column "%" does not exist in %', stage_column, src
			USING ERRCODE = '22023', HINT = 'Pass the stage column of the source table.';
	END IF;
	stage_oid := COALESCE(stage_type, att_type);
	SELECT pg_catalog.format('%I.%I', n.nspname, t.typname) INTO stype
		FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
		WHERE t.oid = stage_oid AND t.typtype = 'e';
	IF stype IS NULL THEN
		RAISE EXCEPTION 'stage column "%" is not an enum and no stage_type was given', stage_column
			USING ERRCODE = '22023',
			HINT = 'Pass stage_type => the enum type (for example stage) whose labels the column holds.';
	END IF;
	IF channel_column IS NOT NULL THEN
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = source
				AND a.attname = channel_column AND a.attnum > 0 AND NOT a.attisdropped) THEN
			RAISE EXCEPTION 'column "%" does not exist in %', channel_column, src USING ERRCODE = '22023';
		END IF;
		chan := channel_column;
	END IF;
	IF event_column IS NOT NULL THEN
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = source
				AND a.attname = event_column AND a.attnum > 0 AND NOT a.attisdropped) THEN
			RAISE EXCEPTION 'column "%" does not exist in %', event_column, src USING ERRCODE = '22023';
		END IF;
		ev := event_column;
	END IF;

	EXECUTE pg_catalog.format('CREATE TABLE %s (%I %s PRIMARY KEY, journey @extschema@.journey NOT NULL)',
		st, key_column, key_type);
	EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', st,
		pg_catalog.format('journey store of %s (cjourney): one journey per %s; refresh with journey_store_refresh', src, key_column));
	EXECUTE pg_catalog.format('CREATE TABLE %s (%I %s NOT NULL, rebuild boolean NOT NULL, '
		'occurred_at timestamptz, stage %s, channel text, event text)', qu, key_column, key_type, stype);
	EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', qu,
		pg_catalog.format('change queue of journey store %s: inserted rows, and keys to rebuild', st));
	EXECUTE pg_catalog.format('CREATE TABLE %s (source regclass NOT NULL, key_column name NOT NULL, '
		'time_column name NOT NULL, stage_column name NOT NULL, channel_column name, event_column name, '
		'stage_type regtype NOT NULL, trigger_prefix name NOT NULL)', me);
	EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', me,
		pg_catalog.format('definition of journey store %s', st));

	-- one trigger per event: a trigger with transition tables has one event
	trg := pg_catalog.left('journey_store_' || rel, 56);
	EXECUTE pg_catalog.format('INSERT INTO %s VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', me)
		USING source, key_column, time_column, stage_column, channel_column, event_column,
			stage_oid::pg_catalog.regtype, trg;
	trg_args := pg_catalog.format('%L, %L, %L, %L, %L, %L, %L, %L',
		qu, key_column, time_column, stage_column, chan, ev, stype, st);
	EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS cj_new_rows '
		'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.journey_store_capture(%s)', trg || '_ins', src, trg_args);
	EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING OLD TABLE AS cj_old_rows '
		'NEW TABLE AS cj_new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.journey_store_capture(%s)',
		trg || '_upd', src, trg_args);
	EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER DELETE ON %s REFERENCING OLD TABLE AS cj_old_rows '
		'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.journey_store_capture(%s)', trg || '_del', src, trg_args);
	EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER TRUNCATE ON %s '
		'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.journey_store_capture(%s)', trg || '_trunc', src, trg_args);

	-- the initial build; CREATE TRIGGER holds off writers to the source until commit
	EXECUTE pg_catalog.format('INSERT INTO %1$s SELECT k, j FROM (SELECT s.%2$I AS k, '
		'@extschema@.journey_agg(s.%3$I, s.%4$I::%5$s, %6$s, %7$s) AS j FROM %8$s s '
		'WHERE s.%2$I IS NOT NULL GROUP BY s.%2$I) b WHERE j IS NOT NULL',
		st, key_column, time_column, stage_column, stype,
		CASE WHEN chan = '' THEN 'NULL::text' ELSE pg_catalog.format('s.%I::text', chan) END,
		CASE WHEN ev = '' THEN 'NULL::text' ELSE pg_catalog.format('s.%I::text', ev) END, src);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$fn$;
COMMENT ON FUNCTION @extschema@.journey_store_create(text, regclass, name, name, name, name, name, regtype) IS
	'create and build a journey store (table of one journey per customer key) kept current from a touchpoints table by triggers';

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
	-- source.  No row is written by two parts (d and r are disjoint).
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
		'      FROM d WHERE t.%3$I = d.k RETURNING 1), '
		'rb AS (UPDATE %2$s t SET journey = b.j FROM b '
		'      WHERE t.%3$I = b.k AND NOT t.journey OPERATOR(@extschema@.=) b.j RETURNING 1), '
		'ins AS (INSERT INTO %2$s SELECT n.k, n.j FROM (SELECT k, j FROM d UNION ALL SELECT k, j FROM b) n '
		'      WHERE NOT EXISTS (SELECT 1 FROM %2$s t WHERE t.%3$I = n.k) RETURNING 1), '
		'del AS (DELETE FROM %2$s t WHERE t.%3$I IN (SELECT k FROM r) '
		'      AND NOT EXISTS (SELECT 1 FROM b WHERE b.k = t.%3$I) RETURNING 1) '
		'SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM b), '
		'(SELECT count(*) FROM del), (SELECT count(*) FROM q)',
		qu, st, m.key_column, agg, src)
		INTO merged, rebuilt, removed, queued;
END
$fn$;
COMMENT ON FUNCTION @extschema@.journey_store_refresh(regclass, boolean, boolean) IS
	'bring a journey store up to date: merge queued inserts, rebuild customers with updates or deletes (or all, with rebuild); NULLs when wait is false and another refresh runs';

CREATE FUNCTION @extschema@.journey_store_schedule(store regclass, schedule text DEFAULT '* * * * *')
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	jobid bigint;
BEGIN
	IF pg_catalog.to_regnamespace('cron') IS NULL THEN
		RAISE EXCEPTION 'pg_cron is not installed in this database'
			USING ERRCODE = '22023', HINT = 'CREATE EXTENSION pg_cron (in cron.database_name), or schedule journey_store_refresh yourself.';
	END IF;
	EXECUTE 'SELECT cron.schedule($1, $2, $3)'
		INTO jobid
		USING 'journey_store ' || store::oid::pg_catalog.regclass::text, schedule,
			pg_catalog.format('SELECT * FROM @extschema@.journey_store_refresh(%L::regclass, wait => false)',
				(SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)
					FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
					WHERE c.oid = store));
	RETURN jobid;
END
$fn$;
COMMENT ON FUNCTION @extschema@.journey_store_schedule(regclass, text) IS
	'schedule (or reschedule) one pg_cron job that refreshes the journey store, skipping a run while another refresh runs';

CREATE FUNCTION @extschema@.journey_store_drop(store regclass) RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	sch text;
	rel text;
	m record;
	job text;
	ev text;
BEGIN
	SELECT n.nspname, c.relname INTO sch, rel
		FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = store;
	BEGIN
		EXECUTE pg_catalog.format('SELECT * FROM %I.%I', sch, rel || '_meta') INTO STRICT m;
	EXCEPTION WHEN undefined_table OR no_data_found OR too_many_rows THEN
		RAISE EXCEPTION '%.% is not a journey store', sch, rel
			USING ERRCODE = '22023', HINT = 'journey_store_drop drops only tables made by journey_store_create.';
	END;
	PERFORM pg_catalog.pg_advisory_xact_lock(1667920756, (store::oid::bigint - 2147483648)::integer);
	job := 'journey_store ' || store::text;
	IF pg_catalog.to_regclass('cron.job') IS NOT NULL THEN
		EXECUTE 'SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = $1' USING job;
	END IF;
	FOREACH ev IN ARRAY ARRAY['_ins', '_upd', '_del', '_trunc'] LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS %I ON %s', m.trigger_prefix || ev, m.source);
	END LOOP;
	EXECUTE pg_catalog.format('DROP TABLE %I.%I, %I.%I, %I.%I', sch, rel, sch, rel || '_queue', sch, rel || '_meta');
END
$fn$;
COMMENT ON FUNCTION @extschema@.journey_store_drop(regclass) IS
	'drop a journey store: its pg_cron job, the triggers on the source, the store, queue and definition tables';

--------------------------------------------------------------------------
-- Aggregates that read stored journeys directly (one scan of a journey
-- store, no set-returning expansion): per-stage duration statistics
-- (src/stage_time.c) and the funnel report (src/funnel_report.c).
--------------------------------------------------------------------------

CREATE TYPE @extschema@.stage_duration_stats AS (
	stage text,
	customers bigint,
	visits bigint,
	total interval,
	mean interval,
	median interval,
	p90 interval
);
COMMENT ON TYPE @extschema@.stage_duration_stats IS
	'one stage''s time-in-stage statistics across customers: customers who visited it, their visits, total, mean, median and p90 time (interpolated, as percentile_cont)';

CREATE FUNCTION @extschema@.journey_stage_stats_transfn(internal, @extschema@.journey) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_stage_stats_transfn(internal, @extschema@.journey) IS
	'journey_stage_stats transition function';

CREATE FUNCTION @extschema@.journey_stage_stats_transfn(internal, @extschema@.journey, timestamptz) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_stage_stats_transfn(internal, @extschema@.journey, timestamptz) IS
	'journey_stage_stats transition function (as_of form)';

CREATE FUNCTION @extschema@.journey_stage_stats_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_stage_stats_combine(internal, internal) IS
	'journey_stage_stats combine function';

CREATE FUNCTION @extschema@.journey_stage_stats_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_stage_stats_deserialize(bytea, internal) IS
	'journey_stage_stats state deserialization';

CREATE FUNCTION @extschema@.journey_stage_stats_finalfn(internal) RETURNS @extschema@.stage_duration_stats[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_stage_stats_finalfn(internal) IS
	'journey_stage_stats final function';

CREATE AGGREGATE @extschema@.journey_stage_stats(j @extschema@.journey) (
	SFUNC = @extschema@.journey_stage_stats_transfn,
	STYPE = internal,
	SSPACE = 1024,
	FINALFUNC = @extschema@.journey_stage_stats_finalfn,
	COMBINEFUNC = @extschema@.journey_stage_stats_combine,
	SERIALFUNC = @extschema@.journey_agg_serialize,
	DESERIALFUNC = @extschema@.journey_stage_stats_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.journey_stage_stats(@extschema@.journey) IS
	'per-stage time-in-stage statistics of a group''s stored journeys (the last touch''s period counts zero), one element per visited stage';

CREATE AGGREGATE @extschema@.journey_stage_stats(j @extschema@.journey, as_of timestamptz) (
	SFUNC = @extschema@.journey_stage_stats_transfn,
	STYPE = internal,
	SSPACE = 1024,
	FINALFUNC = @extschema@.journey_stage_stats_finalfn,
	COMBINEFUNC = @extschema@.journey_stage_stats_combine,
	SERIALFUNC = @extschema@.journey_agg_serialize,
	DESERIALFUNC = @extschema@.journey_stage_stats_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.journey_stage_stats(@extschema@.journey, timestamptz) IS
	'per-stage time-in-stage statistics of a group''s stored journeys, each customer''s last period closed at as_of';

CREATE FUNCTION @extschema@.funnel_report_journey_transfn(internal, @extschema@.journey, interval, text, text[])
	RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_journey_transfn(internal, @extschema@.journey, interval, text, text[]) IS
	'funnel_report_agg transition function (stored journeys)';

CREATE AGGREGATE @extschema@.funnel_report_agg(j @extschema@.journey, "window" interval, mode text,
		VARIADIC steps text[]) (
	SFUNC = @extschema@.funnel_report_journey_transfn, STYPE = internal,
	FINALFUNC = @extschema@.funnel_report_finalfn,
	COMBINEFUNC = @extschema@.funnel_report_combine,
	SERIALFUNC = @extschema@.funnel_report_serialize, DESERIALFUNC = @extschema@.funnel_report_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.funnel_report_agg(@extschema@.journey, interval, text, text[]) IS
	'funnel report of stored journeys: each journey''s funnel (steps in the journey step syntax, e.g. ''event = signup | event = trial_start'') with its step times';


--------------------------------------------------------------------------
-- CRM input (issue 14): timestamp without time zone.  Every function and
-- aggregate that takes a touch time (or an as_of / slice bound) as
-- timestamptz also takes timestamp: the wall-clock value is read as UTC,
-- whatever the session TimeZone (a timestamp and a timestamptz have the
-- same bits, so these are the same C functions).  Without them a timestamp
-- column went through the implicit cast to timestamptz, which depends on
-- the session TimeZone.  window_funnel_times over timestamp returns
-- timestamp[]; funnel_report_agg takes it.
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.window_funnel_times_timestamp_finalfn(internal) RETURNS timestamp[]
	AS 'MODULE_PATHNAME', 'window_funnel_times_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_times_timestamp_finalfn(internal) IS
	'window_funnel_times final function (timestamp without time zone)';

CREATE FUNCTION @extschema@.touchpoint(occurred_at timestamp, stage anyenum,
		channel text, event text DEFAULT NULL, value numeric DEFAULT NULL)
	RETURNS @extschema@.touchpoint
	AS 'MODULE_PATHNAME', 'touchpoint_make' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint(timestamp, anyenum, text, text, numeric) IS
	'build a touchpoint; NULL when occurred_at or stage is NULL (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.journey_stage_at(@extschema@.journey, timestamp) RETURNS text
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_stage_at(@extschema@.journey, timestamp) IS
	'stage of the last touch at or before the time; NULL before the first touch (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.journey_slice(@extschema@.journey, from_time timestamp, to_time timestamp)
	RETURNS @extschema@.journey
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_slice(@extschema@.journey, timestamp, timestamp) IS
	'touches with from_time <= occurred_at < to_time; a NULL bound is unbounded (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.journey_agg_transfn(internal, timestamp, anyenum, text, text)
	RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_agg_transfn(internal, timestamp, anyenum, text, text) IS
	'journey_agg transition function (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.journey_agg(occurred_at timestamp, stage anyenum, channel text, event text) (
	SFUNC = @extschema@.journey_agg_transfn,
	STYPE = internal,
	SSPACE = 512,
	FINALFUNC = @extschema@.journey_agg_finalfn,
	COMBINEFUNC = @extschema@.journey_agg_combine,
	SERIALFUNC = @extschema@.journey_agg_serialize,
	DESERIALFUNC = @extschema@.journey_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.journey_agg(timestamp, anyenum, text, text) IS
	'one customer''s journey from touchpoint rows (rows with NULL time or stage are skipped) (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.stage_time_agg_transfn(internal, timestamp, anyenum) RETURNS internal
	AS 'MODULE_PATHNAME', 'journey_agg_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_agg_transfn(internal, timestamp, anyenum) IS
	'stage_time_agg transition function (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.stage_time_agg(occurred_at timestamp, stage anyenum) (
	SFUNC = @extschema@.stage_time_agg_transfn,
	STYPE = internal,
	SSPACE = 256,
	FINALFUNC = @extschema@.stage_time_finalfn,
	COMBINEFUNC = @extschema@.journey_agg_combine,
	SERIALFUNC = @extschema@.journey_agg_serialize,
	DESERIALFUNC = @extschema@.journey_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.stage_time_agg(timestamp, anyenum) IS
	'time-in-stage state of one group''s rows (rows with NULL time or stage are skipped) (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.duration_in(@extschema@.stage_time, anyenum, as_of timestamp) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_as_of' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.duration_in(@extschema@.stage_time, anyenum, timestamp) IS
	'time spent in the stage, the last period closed at as_of (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.duration_in(@extschema@.stage_time, anyenum,
		range_start timestamp, range_end timestamp) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_range' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.duration_in(@extschema@.stage_time, anyenum, timestamp, timestamp) IS
	'time spent in the stage within [range_start, range_end), periods that began earlier included (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.duration_in(@extschema@.stage_time, anyenum,
		bucket_start timestamp, bucket_end timestamp, prev @extschema@.stage_time) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_bucket' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.duration_in(@extschema@.stage_time, anyenum, timestamp, timestamp, @extschema@.stage_time) IS
	'time in the stage within one bucket: the bucket''s state, the previous bucket''s state (lag) carrying the stage in force (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.stage_durations(@extschema@.stage_time, as_of timestamp,
		OUT stage text, OUT duration interval, OUT visits integer, OUT first_entered timestamptz)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'stage_time_durations' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.stage_durations(@extschema@.stage_time, timestamp) IS
	'per visited stage: total duration (last period closed at as_of), visits, first entry (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.stage_timeline(@extschema@.stage_time, as_of timestamp,
		OUT stage text, OUT entered_at timestamptz, OUT left_at timestamptz, OUT duration interval)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'stage_time_timeline' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION @extschema@.stage_timeline(@extschema@.stage_time, timestamp) IS
	'one row per visit; the latest lasts to as_of and has left_at NULL (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.stage_timeline(@extschema@.stage_time,
		bucket_start timestamp, bucket_end timestamp, prev @extschema@.stage_time,
		OUT stage text, OUT entered_at timestamptz, OUT left_at timestamptz, OUT duration interval)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'stage_time_timeline_bucket' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION @extschema@.stage_timeline(@extschema@.stage_time, timestamp, timestamp, @extschema@.stage_time) IS
	'the slices of visits inside one bucket, the stage in force carried from the previous bucket''s state (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.stage_at(@extschema@.stage_time, timestamp) RETURNS text
	AS 'MODULE_PATHNAME', 'journey_stage_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_at(@extschema@.stage_time, timestamp) IS
	'stage in force at the time (of the last touch at or before it); NULL before the first (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.journey_duration_in(@extschema@.journey, anyenum, as_of timestamp) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_as_of' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_duration_in(@extschema@.journey, anyenum, timestamp) IS
	'time spent in the stage, the last period closed at as_of (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.journey_stage_durations(@extschema@.journey, as_of timestamp,
		OUT stage text, OUT duration interval, OUT visits integer, OUT first_entered timestamptz)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'stage_time_durations' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.journey_stage_durations(@extschema@.journey, timestamp) IS
	'per visited stage: total duration (last period closed at as_of), visits, first entry (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.journey_stage_timeline(@extschema@.journey, as_of timestamp,
		OUT stage text, OUT entered_at timestamptz, OUT left_at timestamptz, OUT duration interval)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'stage_time_timeline' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION @extschema@.journey_stage_timeline(@extschema@.journey, timestamp) IS
	'one row per visit; the latest lasts to as_of (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.window_funnel_transfn(internal, interval, text, timestamp, boolean[])
	RETURNS internal AS 'MODULE_PATHNAME', 'window_funnel_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_transfn(internal, interval, text, timestamp, boolean[]) IS
	'window_funnel transition function (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.window_funnel_transfn(internal, interval, timestamp, boolean[])
	RETURNS internal AS 'MODULE_PATHNAME', 'window_funnel_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_transfn(internal, interval, timestamp, boolean[]) IS
	'window_funnel transition function (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.window_funnel("window" interval, mode text, occurred_at timestamp, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_combine,
	SERIALFUNC = @extschema@.window_funnel_serialize, DESERIALFUNC = @extschema@.window_funnel_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, text, timestamp, VARIADIC boolean[]) IS
	'deepest funnel step reached (0..N), ClickHouse windowFunnel semantics; modes comma-separated (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.window_funnel("window" interval, occurred_at timestamp, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_combine,
	SERIALFUNC = @extschema@.window_funnel_serialize, DESERIALFUNC = @extschema@.window_funnel_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, timestamp, VARIADIC boolean[]) IS
	'deepest funnel step reached (0..N), default mode (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, mode text, occurred_at timestamp, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_times_timestamp_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_combine,
	SERIALFUNC = @extschema@.window_funnel_serialize, DESERIALFUNC = @extschema@.window_funnel_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, text, timestamp, VARIADIC boolean[]) IS
	'time of each step of the chain that first reached the deepest step (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, occurred_at timestamp, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_times_timestamp_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_combine,
	SERIALFUNC = @extschema@.window_funnel_serialize, DESERIALFUNC = @extschema@.window_funnel_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, timestamp, VARIADIC boolean[]) IS
	'time of each step of the chain that first reached the deepest step, default mode (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.funnel_report_times_transfn(internal, timestamp[], integer) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_times_transfn(internal, timestamp[], integer) IS
	'funnel_report_agg transition function (step times) (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.funnel_report_agg(step_times timestamp[], nsteps integer) (
	SFUNC = @extschema@.funnel_report_times_transfn, STYPE = internal,
	FINALFUNC = @extschema@.funnel_report_finalfn,
	COMBINEFUNC = @extschema@.funnel_report_combine,
	SERIALFUNC = @extschema@.funnel_report_serialize, DESERIALFUNC = @extschema@.funnel_report_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.funnel_report_agg(timestamp[], integer) IS
	'funnel report from per-customer step times (window_funnel_times) (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.conversion_transfn(internal, timestamp, boolean) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.conversion_transfn(internal, timestamp, boolean) IS
	'conversion aggregates transition function (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.conversion_transfn(internal, timestamp, boolean, interval) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.conversion_transfn(internal, timestamp, boolean, interval) IS
	'conversion aggregates transition function (lookback) (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.conversion_transfn(internal, timestamp, text, boolean) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.conversion_transfn(internal, timestamp, text, boolean) IS
	'conversion_path transition function (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.conversion_transfn(internal, timestamp, text, boolean, boolean, integer) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.conversion_transfn(internal, timestamp, text, boolean, boolean, integer) IS
	'conversion_path transition function (options) (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.touches_before_conversion(occurred_at timestamp, converted boolean) (
	SFUNC = @extschema@.conversion_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.touches_before_conversion_finalfn,
	COMBINEFUNC = @extschema@.conversion_combine,
	SERIALFUNC = @extschema@.conversion_serialize, DESERIALFUNC = @extschema@.conversion_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.touches_before_conversion(timestamp, boolean) IS
	'touches strictly before the first converting row; NULL when the customer never converted (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.touches_before_conversion(occurred_at timestamp, converted boolean, lookback interval) (
	SFUNC = @extschema@.conversion_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.touches_before_conversion_finalfn,
	COMBINEFUNC = @extschema@.conversion_combine,
	SERIALFUNC = @extschema@.conversion_serialize, DESERIALFUNC = @extschema@.conversion_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.touches_before_conversion(timestamp, boolean, interval) IS
	'touches within the lookback window strictly before the first converting row (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.touches_before_each_conversion(occurred_at timestamp, converted boolean) (
	SFUNC = @extschema@.conversion_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.touches_before_each_conversion_finalfn,
	COMBINEFUNC = @extschema@.conversion_combine,
	SERIALFUNC = @extschema@.conversion_serialize, DESERIALFUNC = @extschema@.conversion_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.touches_before_each_conversion(timestamp, boolean) IS
	'for each conversion, the touches since the previous one (conversion cycles) (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.time_to_conversion(occurred_at timestamp, converted boolean) (
	SFUNC = @extschema@.conversion_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.time_to_conversion_finalfn,
	COMBINEFUNC = @extschema@.conversion_combine,
	SERIALFUNC = @extschema@.conversion_serialize, DESERIALFUNC = @extschema@.conversion_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.time_to_conversion(timestamp, boolean) IS
	'first touch to first conversion; NULL when the customer never converted (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.conversion_path(occurred_at timestamp, channel text, converted boolean) (
	SFUNC = @extschema@.conversion_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.conversion_path_finalfn,
	COMBINEFUNC = @extschema@.conversion_combine,
	SERIALFUNC = @extschema@.conversion_serialize, DESERIALFUNC = @extschema@.conversion_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.conversion_path(timestamp, text, boolean) IS
	'channels in time order before the first conversion; NULL when the customer never converted (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.conversion_path(occurred_at timestamp, channel text, converted boolean,
		collapse boolean, max_length integer) (
	SFUNC = @extschema@.conversion_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.conversion_path_finalfn,
	COMBINEFUNC = @extschema@.conversion_combine,
	SERIALFUNC = @extschema@.conversion_serialize, DESERIALFUNC = @extschema@.conversion_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.conversion_path(timestamp, text, boolean, boolean, integer) IS
	'conversion path, consecutive repeats merged when collapse, the last max_length channels (0: all) (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.attribution_rows_transfn(internal, timestamp, text, boolean, numeric, text)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_rows_transfn(internal, timestamp, text, boolean, numeric, text) IS
	'attribution_agg transition function (rows) (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.attribution_rows_transfn(internal, timestamp, text, boolean, numeric, text, text)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_rows_transfn(internal, timestamp, text, boolean, numeric, text, text) IS
	'attribution_agg transition function (rows, options) (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.attribution_rows_transfn(internal, timestamp, text, boolean, numeric, boolean, boolean, text, text)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_rows_transfn(internal, timestamp, text, boolean, numeric, boolean, boolean, text, text) IS
	'attribution_agg transition function (rows with milestones) (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.attribution_agg(occurred_at timestamp, channel text, converted boolean,
		revenue numeric, model text) (
	SFUNC = @extschema@.attribution_rows_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.attribution_rows_finalfn,
	COMBINEFUNC = @extschema@.attribution_rows_combine,
	SERIALFUNC = @extschema@.attribution_rows_serialize, DESERIALFUNC = @extschema@.attribution_rows_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.attribution_agg(timestamp, text, boolean, numeric, text) IS
	'one customer''s conversions credited to the channels before them (GROUP BY customer) (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.attribution_agg(occurred_at timestamp, channel text, converted boolean,
		revenue numeric, model text, options text) (
	SFUNC = @extschema@.attribution_rows_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.attribution_rows_finalfn,
	COMBINEFUNC = @extschema@.attribution_rows_combine,
	SERIALFUNC = @extschema@.attribution_rows_serialize, DESERIALFUNC = @extschema@.attribution_rows_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.attribution_agg(timestamp, text, boolean, numeric, text, text) IS
	'one customer''s conversions credited to the channels before them, with model options (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.attribution_agg(occurred_at timestamp, channel text, converted boolean,
		revenue numeric, lead boolean, opportunity boolean, model text, options text) (
	SFUNC = @extschema@.attribution_rows_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.attribution_rows_finalfn,
	COMBINEFUNC = @extschema@.attribution_rows_combine,
	SERIALFUNC = @extschema@.attribution_rows_serialize, DESERIALFUNC = @extschema@.attribution_rows_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.attribution_agg(timestamp, text, boolean, numeric, boolean, boolean, text, text) IS
	'one customer''s conversions credited to the channels before them, with lead and opportunity milestones (w_shaped) (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.event_path_transfn(internal, timestamp, text) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.event_path_transfn(internal, timestamp, text) IS
	'event_path transition function (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.event_path_transfn(internal, timestamp, text, text, text, integer, boolean)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.event_path_transfn(internal, timestamp, text, text, text, integer, boolean) IS
	'event_path transition function (timestamp without time zone: the wall-clock value read as UTC)';

CREATE FUNCTION @extschema@.event_path_between_transfn(internal, timestamp, text, text, text, integer, boolean)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.event_path_between_transfn(internal, timestamp, text, text, text, integer, boolean) IS
	'event_path_between transition function (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.event_path(occurred_at timestamp, label text) (
	SFUNC = @extschema@.event_path_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.event_path_finalfn,
	COMBINEFUNC = @extschema@.event_path_combine,
	SERIALFUNC = @extschema@.event_path_serialize, DESERIALFUNC = @extschema@.event_path_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.event_path(timestamp, text) IS
	'the group''s labels in time order (ties by label bytes); rows with a NULL time or label are skipped (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.event_path(occurred_at timestamp, label text, anchor text, direction text,
		max_steps integer, collapse boolean) (
	SFUNC = @extschema@.event_path_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.event_path_finalfn,
	COMBINEFUNC = @extschema@.event_path_combine,
	SERIALFUNC = @extschema@.event_path_serialize, DESERIALFUNC = @extschema@.event_path_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.event_path(timestamp, text, text, text, integer, boolean) IS
	'the path from (direction ''from'') or up to (''to'') the first anchor label, at most max_steps long; collapse merges repeats; NULL without the anchor (timestamp without time zone: the wall-clock value read as UTC)';

CREATE AGGREGATE @extschema@.event_path_between(occurred_at timestamp, label text, from_label text, to_label text,
		max_steps integer, collapse boolean) (
	SFUNC = @extschema@.event_path_between_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.event_path_finalfn,
	COMBINEFUNC = @extschema@.event_path_combine,
	SERIALFUNC = @extschema@.event_path_serialize, DESERIALFUNC = @extschema@.event_path_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.event_path_between(timestamp, text, text, text, integer, boolean) IS
	'the path from the first from_label to the first to_label after it; longer than max_steps: its ends with a NULL between (timestamp without time zone: the wall-clock value read as UTC)';


--------------------------------------------------------------------------
-- CRM input (issue 14): stages as text.  The per-customer aggregates take
-- a text (varchar) stage column with the stage order named once per call
-- in a last argument: a stage list 'subscriber<lead<mql<sql<customer' or an
-- enum type name, optionally ending in '; unknown=skip' or '; unknown=null'
-- (default: an error naming the label).  Labels match exactly, case
-- included.  The functions that read a stage of a journey or stage_time
-- value take the stage as text too (the value carries its stage list).
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.journey_agg_transfn(internal, timestamptz, text, text, text, text)
	RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_agg_transfn(internal, timestamptz, text, text, text, text) IS
	'journey_agg transition function (text stage, stage list)';

CREATE FUNCTION @extschema@.journey_agg_transfn(internal, timestamp, text, text, text, text)
	RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_agg_transfn(internal, timestamp, text, text, text, text) IS
	'journey_agg transition function (timestamp, text stage, stage list)';

CREATE AGGREGATE @extschema@.journey_agg(occurred_at timestamptz, stage text, channel text, event text, stages text) (
	SFUNC = @extschema@.journey_agg_transfn,
	STYPE = internal,
	SSPACE = 512,
	FINALFUNC = @extschema@.journey_agg_finalfn,
	COMBINEFUNC = @extschema@.journey_agg_combine,
	SERIALFUNC = @extschema@.journey_agg_serialize,
	DESERIALFUNC = @extschema@.journey_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.journey_agg(timestamptz, text, text, text, text) IS
	'one customer''s journey from rows with a text stage; stages names the order (''lead<mql<sql'' or an enum type, optionally ''; unknown=skip'')';

CREATE AGGREGATE @extschema@.journey_agg(occurred_at timestamp, stage text, channel text, event text, stages text) (
	SFUNC = @extschema@.journey_agg_transfn,
	STYPE = internal,
	SSPACE = 512,
	FINALFUNC = @extschema@.journey_agg_finalfn,
	COMBINEFUNC = @extschema@.journey_agg_combine,
	SERIALFUNC = @extschema@.journey_agg_serialize,
	DESERIALFUNC = @extschema@.journey_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.journey_agg(timestamp, text, text, text, text) IS
	'one customer''s journey from rows with a timestamp (read as UTC) and a text stage; stages names the order';

CREATE FUNCTION @extschema@.stage_time_agg_transfn(internal, timestamptz, text, text) RETURNS internal
	AS 'MODULE_PATHNAME', 'journey_agg_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_agg_transfn(internal, timestamptz, text, text) IS
	'stage_time_agg transition function (text stage, stage list)';

CREATE FUNCTION @extschema@.stage_time_agg_transfn(internal, timestamp, text, text) RETURNS internal
	AS 'MODULE_PATHNAME', 'journey_agg_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_agg_transfn(internal, timestamp, text, text) IS
	'stage_time_agg transition function (timestamp, text stage, stage list)';

CREATE AGGREGATE @extschema@.stage_time_agg(occurred_at timestamptz, stage text, stages text) (
	SFUNC = @extschema@.stage_time_agg_transfn,
	STYPE = internal,
	SSPACE = 256,
	FINALFUNC = @extschema@.stage_time_finalfn,
	COMBINEFUNC = @extschema@.journey_agg_combine,
	SERIALFUNC = @extschema@.journey_agg_serialize,
	DESERIALFUNC = @extschema@.journey_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.stage_time_agg(timestamptz, text, text) IS
	'time-in-stage state from rows with a text stage; stages names the order (''lead<mql<sql'' or an enum type, optionally ''; unknown=skip'')';

CREATE AGGREGATE @extschema@.stage_time_agg(occurred_at timestamp, stage text, stages text) (
	SFUNC = @extschema@.stage_time_agg_transfn,
	STYPE = internal,
	SSPACE = 256,
	FINALFUNC = @extschema@.stage_time_finalfn,
	COMBINEFUNC = @extschema@.journey_agg_combine,
	SERIALFUNC = @extschema@.journey_agg_serialize,
	DESERIALFUNC = @extschema@.journey_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.stage_time_agg(timestamp, text, text) IS
	'time-in-stage state from rows with a timestamp (read as UTC) and a text stage; stages names the order';

CREATE FUNCTION @extschema@.journey_reached(@extschema@.journey, text) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_reached(@extschema@.journey, text) IS
	'true when some touch of the journey is in the stage (the stage as text, matched exactly against the stage list of the value)';

CREATE FUNCTION @extschema@.journey_stage_reached_by(text, @extschema@.journey) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_stage_reached_by(text, @extschema@.journey) IS
	'true when some touch of the journey is in the stage (commutator of @>) (the stage as text, matched exactly against the stage list of the value)';

CREATE FUNCTION @extschema@.duration_in(@extschema@.stage_time, text) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.duration_in(@extschema@.stage_time, text) IS
	'time spent in the stage; the open period of the last touch counts zero (the stage as text, matched exactly against the stage list of the value)';

CREATE FUNCTION @extschema@.duration_in(@extschema@.stage_time, text, as_of timestamptz) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_as_of' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.duration_in(@extschema@.stage_time, text, timestamptz) IS
	'time spent in the stage, the last period closed at as_of (the stage as text, matched exactly against the stage list of the value)';

CREATE FUNCTION @extschema@.duration_in(@extschema@.stage_time, text,
		range_start timestamptz, range_end timestamptz) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_range' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.duration_in(@extschema@.stage_time, text, timestamptz, timestamptz) IS
	'time spent in the stage within [range_start, range_end), periods that began earlier included (the stage as text, matched exactly against the stage list of the value)';

CREATE FUNCTION @extschema@.duration_in(@extschema@.stage_time, text,
		bucket_start timestamptz, bucket_end timestamptz, prev @extschema@.stage_time) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_bucket' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.duration_in(@extschema@.stage_time, text, timestamptz, timestamptz, @extschema@.stage_time) IS
	'time in the stage within one bucket: the bucket''s state, the previous bucket''s state (lag) carrying the stage in force (the stage as text, matched exactly against the stage list of the value)';

CREATE FUNCTION @extschema@.journey_duration_in(@extschema@.journey, text) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_duration_in(@extschema@.journey, text) IS
	'time spent in the stage, as duration_in(stage_time, stage) (the stage as text, matched exactly against the stage list of the value)';

CREATE FUNCTION @extschema@.journey_duration_in(@extschema@.journey, text, as_of timestamptz) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_as_of' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_duration_in(@extschema@.journey, text, timestamptz) IS
	'time spent in the stage, the last period closed at as_of (the stage as text, matched exactly against the stage list of the value)';

CREATE FUNCTION @extschema@.duration_in(@extschema@.stage_time, text, as_of timestamp) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_as_of' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.duration_in(@extschema@.stage_time, text, timestamp) IS
	'time spent in the stage, the last period closed at as_of (timestamp without time zone: the wall-clock value read as UTC) (the stage as text, matched exactly against the stage list of the value)';

CREATE FUNCTION @extschema@.duration_in(@extschema@.stage_time, text,
		range_start timestamp, range_end timestamp) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_range' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.duration_in(@extschema@.stage_time, text, timestamp, timestamp) IS
	'time spent in the stage within [range_start, range_end), periods that began earlier included (timestamp without time zone: the wall-clock value read as UTC) (the stage as text, matched exactly against the stage list of the value)';

CREATE FUNCTION @extschema@.duration_in(@extschema@.stage_time, text,
		bucket_start timestamp, bucket_end timestamp, prev @extschema@.stage_time) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_bucket' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.duration_in(@extschema@.stage_time, text, timestamp, timestamp, @extschema@.stage_time) IS
	'time in the stage within one bucket: the bucket''s state, the previous bucket''s state (lag) carrying the stage in force (timestamp without time zone: the wall-clock value read as UTC) (the stage as text, matched exactly against the stage list of the value)';

CREATE FUNCTION @extschema@.journey_duration_in(@extschema@.journey, text, as_of timestamp) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_as_of' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_duration_in(@extschema@.journey, text, timestamp) IS
	'time spent in the stage, the last period closed at as_of (timestamp without time zone: the wall-clock value read as UTC) (the stage as text, matched exactly against the stage list of the value)';

