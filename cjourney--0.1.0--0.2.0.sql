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

