/* cjourney--0.1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION cjourney" to load this file. \quit

--------------------------------------------------------------------------
-- stage: the default lifecycle.  Any enum can stand in for it.
--------------------------------------------------------------------------

CREATE TYPE @extschema@.stage AS ENUM
	('awareness', 'consideration', 'decision', 'retention', 'advocacy');
COMMENT ON TYPE @extschema@.stage IS
	'default customer lifecycle: awareness < consideration < decision < retention < advocacy';

--------------------------------------------------------------------------
-- touchpoint: one interaction
--------------------------------------------------------------------------

CREATE TYPE @extschema@.touchpoint;

CREATE FUNCTION @extschema@.touchpoint_in(cstring) RETURNS @extschema@.touchpoint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_in(cstring) IS 'touchpoint text input';

CREATE FUNCTION @extschema@.touchpoint_out(@extschema@.touchpoint) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_out(@extschema@.touchpoint) IS 'touchpoint text output (canonical, UTC)';

CREATE FUNCTION @extschema@.touchpoint_recv(internal) RETURNS @extschema@.touchpoint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_recv(internal) IS 'touchpoint binary input';

CREATE FUNCTION @extschema@.touchpoint_send(@extschema@.touchpoint) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_send(@extschema@.touchpoint) IS 'touchpoint binary output';

CREATE TYPE @extschema@.touchpoint (
	INPUT = @extschema@.touchpoint_in,
	OUTPUT = @extschema@.touchpoint_out,
	RECEIVE = @extschema@.touchpoint_recv,
	SEND = @extschema@.touchpoint_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended,
	ALIGNMENT = double
);
COMMENT ON TYPE @extschema@.touchpoint IS
	'one customer interaction: time, stage (with its stage list), channel, event, value';

CREATE FUNCTION @extschema@.touchpoint(occurred_at timestamptz, stage anyenum,
		channel text, event text DEFAULT NULL, value numeric DEFAULT NULL)
	RETURNS @extschema@.touchpoint
	AS 'MODULE_PATHNAME', 'touchpoint_make' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint(timestamptz, anyenum, text, text, numeric) IS
	'build a touchpoint; NULL when occurred_at or stage is NULL';

CREATE FUNCTION @extschema@.touchpoint_occurred_at(@extschema@.touchpoint) RETURNS timestamptz
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_occurred_at(@extschema@.touchpoint) IS 'time of the touchpoint';

CREATE FUNCTION @extschema@.touchpoint_stage(@extschema@.touchpoint) RETURNS text
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_stage(@extschema@.touchpoint) IS 'stage label of the touchpoint';

CREATE FUNCTION @extschema@.touchpoint_channel(@extschema@.touchpoint) RETURNS text
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_channel(@extschema@.touchpoint) IS 'channel of the touchpoint, or NULL';

CREATE FUNCTION @extschema@.touchpoint_event(@extschema@.touchpoint) RETURNS text
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_event(@extschema@.touchpoint) IS 'event of the touchpoint, or NULL';

CREATE FUNCTION @extschema@.touchpoint_value(@extschema@.touchpoint) RETURNS numeric
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_value(@extschema@.touchpoint) IS 'value (e.g. revenue) of the touchpoint, or NULL';

CREATE FUNCTION @extschema@.touchpoint_to_jsonb(@extschema@.touchpoint) RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_to_jsonb(@extschema@.touchpoint) IS 'touchpoint as jsonb';

CREATE CAST (@extschema@.touchpoint AS jsonb)
	WITH FUNCTION @extschema@.touchpoint_to_jsonb(@extschema@.touchpoint);
COMMENT ON CAST (@extschema@.touchpoint AS jsonb) IS 'touchpoint as a jsonb object';

-- comparison: the C functions are shared with journey (same stored form)

CREATE FUNCTION @extschema@.touchpoint_cmp(@extschema@.touchpoint, @extschema@.touchpoint) RETURNS integer
	AS 'MODULE_PATHNAME', 'journey_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_cmp(@extschema@.touchpoint, @extschema@.touchpoint) IS
	'btree order: time, stage order, channel, event, value, stage list';

CREATE FUNCTION @extschema@.touchpoint_eq(@extschema@.touchpoint, @extschema@.touchpoint) RETURNS boolean
	AS 'MODULE_PATHNAME', 'journey_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_eq(@extschema@.touchpoint, @extschema@.touchpoint) IS 'implementation of = for touchpoint';

CREATE FUNCTION @extschema@.touchpoint_ne(@extschema@.touchpoint, @extschema@.touchpoint) RETURNS boolean
	AS 'MODULE_PATHNAME', 'journey_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_ne(@extschema@.touchpoint, @extschema@.touchpoint) IS 'implementation of <> for touchpoint';

CREATE FUNCTION @extschema@.touchpoint_lt(@extschema@.touchpoint, @extschema@.touchpoint) RETURNS boolean
	AS 'MODULE_PATHNAME', 'journey_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_lt(@extschema@.touchpoint, @extschema@.touchpoint) IS 'implementation of < for touchpoint';

CREATE FUNCTION @extschema@.touchpoint_le(@extschema@.touchpoint, @extschema@.touchpoint) RETURNS boolean
	AS 'MODULE_PATHNAME', 'journey_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_le(@extschema@.touchpoint, @extschema@.touchpoint) IS 'implementation of <= for touchpoint';

CREATE FUNCTION @extschema@.touchpoint_gt(@extschema@.touchpoint, @extschema@.touchpoint) RETURNS boolean
	AS 'MODULE_PATHNAME', 'journey_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_gt(@extschema@.touchpoint, @extschema@.touchpoint) IS 'implementation of > for touchpoint';

CREATE FUNCTION @extschema@.touchpoint_ge(@extschema@.touchpoint, @extschema@.touchpoint) RETURNS boolean
	AS 'MODULE_PATHNAME', 'journey_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_ge(@extschema@.touchpoint, @extschema@.touchpoint) IS 'implementation of >= for touchpoint';

CREATE FUNCTION @extschema@.touchpoint_hash(@extschema@.touchpoint) RETURNS integer
	AS 'MODULE_PATHNAME', 'journey_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_hash(@extschema@.touchpoint) IS 'hash of a touchpoint';

CREATE FUNCTION @extschema@.touchpoint_hash_extended(@extschema@.touchpoint, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'journey_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touchpoint_hash_extended(@extschema@.touchpoint, bigint) IS 'seeded 64-bit hash of a touchpoint';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.touchpoint, RIGHTARG = @extschema@.touchpoint,
	FUNCTION = @extschema@.touchpoint_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.touchpoint, @extschema@.touchpoint) IS 'equal';

CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.touchpoint, RIGHTARG = @extschema@.touchpoint,
	FUNCTION = @extschema@.touchpoint_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.touchpoint, @extschema@.touchpoint) IS 'not equal';

CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.touchpoint, RIGHTARG = @extschema@.touchpoint,
	FUNCTION = @extschema@.touchpoint_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
COMMENT ON OPERATOR @extschema@.< (@extschema@.touchpoint, @extschema@.touchpoint) IS 'earlier (time, then stage order, ...)';

CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.touchpoint, RIGHTARG = @extschema@.touchpoint,
	FUNCTION = @extschema@.touchpoint_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
COMMENT ON OPERATOR @extschema@.<= (@extschema@.touchpoint, @extschema@.touchpoint) IS 'earlier or equal';

CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.touchpoint, RIGHTARG = @extschema@.touchpoint,
	FUNCTION = @extschema@.touchpoint_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
COMMENT ON OPERATOR @extschema@.> (@extschema@.touchpoint, @extschema@.touchpoint) IS 'later (time, then stage order, ...)';

CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.touchpoint, RIGHTARG = @extschema@.touchpoint,
	FUNCTION = @extschema@.touchpoint_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);
COMMENT ON OPERATOR @extschema@.>= (@extschema@.touchpoint, @extschema@.touchpoint) IS 'later or equal';

CREATE OPERATOR CLASS @extschema@.touchpoint_ops
	DEFAULT FOR TYPE @extschema@.touchpoint USING btree AS
	OPERATOR 1 @extschema@.< ,
	OPERATOR 2 @extschema@.<= ,
	OPERATOR 3 @extschema@.= ,
	OPERATOR 4 @extschema@.>= ,
	OPERATOR 5 @extschema@.> ,
	FUNCTION 1 @extschema@.touchpoint_cmp(@extschema@.touchpoint, @extschema@.touchpoint);
COMMENT ON OPERATOR CLASS @extschema@.touchpoint_ops USING btree IS 'btree order of touchpoints: time first, then stage order';
COMMENT ON OPERATOR FAMILY @extschema@.touchpoint_ops USING btree IS 'touchpoint order';

CREATE OPERATOR CLASS @extschema@.touchpoint_hash_ops
	DEFAULT FOR TYPE @extschema@.touchpoint USING hash AS
	OPERATOR 1 @extschema@.= ,
	FUNCTION 1 @extschema@.touchpoint_hash(@extschema@.touchpoint),
	FUNCTION 2 @extschema@.touchpoint_hash_extended(@extschema@.touchpoint, bigint);
COMMENT ON OPERATOR CLASS @extschema@.touchpoint_hash_ops USING hash IS 'hashing of touchpoints';
COMMENT ON OPERATOR FAMILY @extschema@.touchpoint_hash_ops USING hash IS 'touchpoint hashing';

--------------------------------------------------------------------------
-- journey: one customer's touches in time order
--------------------------------------------------------------------------

CREATE TYPE @extschema@.journey;

CREATE FUNCTION @extschema@.journey_in(cstring) RETURNS @extschema@.journey
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_in(cstring) IS 'journey text input';

CREATE FUNCTION @extschema@.journey_out(@extschema@.journey) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_out(@extschema@.journey) IS 'journey text output (canonical, UTC)';

CREATE FUNCTION @extschema@.journey_recv(internal) RETURNS @extschema@.journey
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_recv(internal) IS 'journey binary input';

CREATE FUNCTION @extschema@.journey_send(@extschema@.journey) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_send(@extschema@.journey) IS 'journey binary output';

CREATE TYPE @extschema@.journey (
	INPUT = @extschema@.journey_in,
	OUTPUT = @extschema@.journey_out,
	RECEIVE = @extschema@.journey_recv,
	SEND = @extschema@.journey_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended,
	ALIGNMENT = double
);
COMMENT ON TYPE @extschema@.journey IS
	'one customer''s touches in time order, with its stage list; compact and self-describing';

CREATE FUNCTION @extschema@.journey_cmp(@extschema@.journey, @extschema@.journey) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_cmp(@extschema@.journey, @extschema@.journey) IS
	'btree order: touch by touch, shorter first, then stage list';

CREATE FUNCTION @extschema@.journey_eq(@extschema@.journey, @extschema@.journey) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_eq(@extschema@.journey, @extschema@.journey) IS 'implementation of = for journey';

CREATE FUNCTION @extschema@.journey_ne(@extschema@.journey, @extschema@.journey) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_ne(@extschema@.journey, @extschema@.journey) IS 'implementation of <> for journey';

CREATE FUNCTION @extschema@.journey_lt(@extschema@.journey, @extschema@.journey) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_lt(@extschema@.journey, @extschema@.journey) IS 'implementation of < for journey';

CREATE FUNCTION @extschema@.journey_le(@extschema@.journey, @extschema@.journey) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_le(@extschema@.journey, @extschema@.journey) IS 'implementation of <= for journey';

CREATE FUNCTION @extschema@.journey_gt(@extschema@.journey, @extschema@.journey) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_gt(@extschema@.journey, @extschema@.journey) IS 'implementation of > for journey';

CREATE FUNCTION @extschema@.journey_ge(@extschema@.journey, @extschema@.journey) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_ge(@extschema@.journey, @extschema@.journey) IS 'implementation of >= for journey';

CREATE FUNCTION @extschema@.journey_hash(@extschema@.journey) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_hash(@extschema@.journey) IS 'hash of a journey';

CREATE FUNCTION @extschema@.journey_hash_extended(@extschema@.journey, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_hash_extended(@extschema@.journey, bigint) IS 'seeded 64-bit hash of a journey';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.journey, RIGHTARG = @extschema@.journey,
	FUNCTION = @extschema@.journey_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.journey, @extschema@.journey) IS 'equal';

CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.journey, RIGHTARG = @extschema@.journey,
	FUNCTION = @extschema@.journey_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.journey, @extschema@.journey) IS 'not equal';

CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.journey, RIGHTARG = @extschema@.journey,
	FUNCTION = @extschema@.journey_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
COMMENT ON OPERATOR @extschema@.< (@extschema@.journey, @extschema@.journey) IS 'less than (touch by touch)';

CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.journey, RIGHTARG = @extschema@.journey,
	FUNCTION = @extschema@.journey_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
COMMENT ON OPERATOR @extschema@.<= (@extschema@.journey, @extschema@.journey) IS 'less than or equal';

CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.journey, RIGHTARG = @extschema@.journey,
	FUNCTION = @extschema@.journey_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
COMMENT ON OPERATOR @extschema@.> (@extschema@.journey, @extschema@.journey) IS 'greater than (touch by touch)';

CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.journey, RIGHTARG = @extschema@.journey,
	FUNCTION = @extschema@.journey_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);
COMMENT ON OPERATOR @extschema@.>= (@extschema@.journey, @extschema@.journey) IS 'greater than or equal';

CREATE OPERATOR CLASS @extschema@.journey_ops
	DEFAULT FOR TYPE @extschema@.journey USING btree AS
	OPERATOR 1 @extschema@.< ,
	OPERATOR 2 @extschema@.<= ,
	OPERATOR 3 @extschema@.= ,
	OPERATOR 4 @extschema@.>= ,
	OPERATOR 5 @extschema@.> ,
	FUNCTION 1 @extschema@.journey_cmp(@extschema@.journey, @extschema@.journey);
COMMENT ON OPERATOR CLASS @extschema@.journey_ops USING btree IS 'btree order of journeys';
COMMENT ON OPERATOR FAMILY @extschema@.journey_ops USING btree IS 'journey order';

CREATE OPERATOR CLASS @extschema@.journey_hash_ops
	DEFAULT FOR TYPE @extschema@.journey USING hash AS
	OPERATOR 1 @extschema@.= ,
	FUNCTION 1 @extschema@.journey_hash(@extschema@.journey),
	FUNCTION 2 @extschema@.journey_hash_extended(@extschema@.journey, bigint);
COMMENT ON OPERATOR CLASS @extschema@.journey_hash_ops USING hash IS 'hashing of journeys';
COMMENT ON OPERATOR FAMILY @extschema@.journey_hash_ops USING hash IS 'journey hashing';

-- accessors

CREATE FUNCTION @extschema@.journey_length(@extschema@.journey) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_length(@extschema@.journey) IS 'number of touches';

CREATE FUNCTION @extschema@.journey_first(@extschema@.journey) RETURNS @extschema@.touchpoint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_first(@extschema@.journey) IS 'first touch, NULL when empty';

CREATE FUNCTION @extschema@.journey_last(@extschema@.journey) RETURNS @extschema@.touchpoint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_last(@extschema@.journey) IS 'last touch, NULL when empty';

CREATE FUNCTION @extschema@.journey_start(@extschema@.journey) RETURNS timestamptz
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_start(@extschema@.journey) IS 'time of the first touch';

CREATE FUNCTION @extschema@.journey_end(@extschema@.journey) RETURNS timestamptz
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_end(@extschema@.journey) IS 'time of the last touch';

CREATE FUNCTION @extschema@.journey_duration(@extschema@.journey) RETURNS interval
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_duration(@extschema@.journey) IS 'last touch time minus first (days and time)';

CREATE FUNCTION @extschema@.journey_stage_list(@extschema@.journey) RETURNS text[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_stage_list(@extschema@.journey) IS 'the stage list the journey carries, in lifecycle order';

CREATE FUNCTION @extschema@.journey_stages(@extschema@.journey) RETURNS text[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_stages(@extschema@.journey) IS 'stages reached, each once, in lifecycle order';

CREATE FUNCTION @extschema@.journey_furthest_stage(@extschema@.journey) RETURNS text
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_furthest_stage(@extschema@.journey) IS 'latest stage in lifecycle order that was reached';

CREATE FUNCTION @extschema@.journey_stage_at(@extschema@.journey, timestamptz) RETURNS text
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_stage_at(@extschema@.journey, timestamptz) IS
	'stage of the last touch at or before the time; NULL before the first touch';

CREATE FUNCTION @extschema@.journey_touchpoints(@extschema@.journey,
		OUT occurred_at timestamptz, OUT stage text, OUT channel text, OUT event text, OUT value numeric)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 12;
COMMENT ON FUNCTION @extschema@.journey_touchpoints(@extschema@.journey) IS 'the touches as rows, in time order';

CREATE FUNCTION @extschema@.journey_slice(@extschema@.journey, from_time timestamptz, to_time timestamptz)
	RETURNS @extschema@.journey
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_slice(@extschema@.journey, timestamptz, timestamptz) IS
	'touches with from_time <= occurred_at < to_time; a NULL bound is unbounded';

CREATE FUNCTION @extschema@.journey_merge(@extschema@.journey, @extschema@.journey) RETURNS @extschema@.journey
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_merge(@extschema@.journey, @extschema@.journey) IS
	'all touches of both journeys; their stage lists must be equal';

CREATE OPERATOR @extschema@.|| (
	LEFTARG = @extschema@.journey, RIGHTARG = @extschema@.journey,
	FUNCTION = @extschema@.journey_merge,
	COMMUTATOR = OPERATOR(@extschema@.||)
);
COMMENT ON OPERATOR @extschema@.|| (@extschema@.journey, @extschema@.journey) IS
	'merge two journeys of one customer (all touches of both)';

CREATE FUNCTION @extschema@.journey_reached(@extschema@.journey, anyenum) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_reached(@extschema@.journey, anyenum) IS
	'true when some touch of the journey is in the stage';

CREATE FUNCTION @extschema@.journey_stage_reached_by(anyenum, @extschema@.journey) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_stage_reached_by(anyenum, @extschema@.journey) IS
	'true when some touch of the journey is in the stage (commutator of @>)';

CREATE OPERATOR @extschema@.@> (
	LEFTARG = @extschema@.journey, RIGHTARG = anyenum,
	FUNCTION = @extschema@.journey_reached,
	COMMUTATOR = OPERATOR(@extschema@.<@),
	RESTRICT = contsel, JOIN = contjoinsel
);
COMMENT ON OPERATOR @extschema@.@> (@extschema@.journey, anyenum) IS 'journey reached the stage';

CREATE OPERATOR @extschema@.<@ (
	LEFTARG = anyenum, RIGHTARG = @extschema@.journey,
	FUNCTION = @extschema@.journey_stage_reached_by,
	COMMUTATOR = OPERATOR(@extschema@.@>),
	RESTRICT = contsel, JOIN = contjoinsel
);
COMMENT ON OPERATOR @extschema@.<@ (anyenum, @extschema@.journey) IS 'stage was reached by the journey';

CREATE FUNCTION @extschema@.journey_to_jsonb(@extschema@.journey) RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_to_jsonb(@extschema@.journey) IS
	'journey as jsonb: {"stages": [...], "touches": [...]}';

CREATE CAST (@extschema@.journey AS jsonb)
	WITH FUNCTION @extschema@.journey_to_jsonb(@extschema@.journey);
COMMENT ON CAST (@extschema@.journey AS jsonb) IS 'journey as a jsonb object';

--------------------------------------------------------------------------
-- journey_agg
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.journey_agg_transfn(internal, timestamptz, anyenum, text, text)
	RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_agg_transfn(internal, timestamptz, anyenum, text, text) IS
	'journey_agg transition function';

CREATE FUNCTION @extschema@.journey_agg_touchpoint_transfn(internal, @extschema@.touchpoint)
	RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_agg_touchpoint_transfn(internal, @extschema@.touchpoint) IS
	'journey_agg(touchpoint) transition function';

CREATE FUNCTION @extschema@.journey_agg_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_agg_combine(internal, internal) IS 'journey_agg combine function';

CREATE FUNCTION @extschema@.journey_agg_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_agg_serialize(internal) IS 'journey_agg state serialization';

CREATE FUNCTION @extschema@.journey_agg_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_agg_deserialize(bytea, internal) IS 'journey_agg state deserialization';

CREATE FUNCTION @extschema@.journey_agg_finalfn(internal) RETURNS @extschema@.journey
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_agg_finalfn(internal) IS 'journey_agg final function';

-- The final function sorts the records in place; the state stays valid for
-- more rows and other final calls, so the default READ_ONLY holds.
CREATE AGGREGATE @extschema@.journey_agg(occurred_at timestamptz, stage anyenum, channel text, event text) (
	SFUNC = @extschema@.journey_agg_transfn,
	STYPE = internal,
	SSPACE = 512,
	FINALFUNC = @extschema@.journey_agg_finalfn,
	COMBINEFUNC = @extschema@.journey_agg_combine,
	SERIALFUNC = @extschema@.journey_agg_serialize,
	DESERIALFUNC = @extschema@.journey_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.journey_agg(timestamptz, anyenum, text, text) IS
	'one customer''s journey from touchpoint rows (rows with NULL time or stage are skipped)';

CREATE AGGREGATE @extschema@.journey_agg(@extschema@.touchpoint) (
	SFUNC = @extschema@.journey_agg_touchpoint_transfn,
	STYPE = internal,
	SSPACE = 512,
	FINALFUNC = @extschema@.journey_agg_finalfn,
	COMBINEFUNC = @extschema@.journey_agg_combine,
	SERIALFUNC = @extschema@.journey_agg_serialize,
	DESERIALFUNC = @extschema@.journey_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.journey_agg(@extschema@.touchpoint) IS
	'one customer''s journey from touchpoints (NULL touchpoints are skipped)';

--------------------------------------------------------------------------
-- Segment response: campaign lift, A/B/n tests and confidence intervals
-- (src/response.c, src/response_variants.c, src/stats.c)
--------------------------------------------------------------------------

CREATE TYPE @extschema@.response_state;

CREATE FUNCTION @extschema@.response_state_in(cstring) RETURNS @extschema@.response_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_state_in(cstring) IS 'response_state text input';

CREATE FUNCTION @extschema@.response_state_out(@extschema@.response_state) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_state_out(@extschema@.response_state) IS 'response_state text output (canonical, lossless)';

CREATE FUNCTION @extschema@.response_state_recv(internal) RETURNS @extschema@.response_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_state_recv(internal) IS 'response_state binary input';

CREATE FUNCTION @extschema@.response_state_send(@extschema@.response_state) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_state_send(@extschema@.response_state) IS 'response_state binary output';

CREATE TYPE @extschema@.response_state (
	INPUT = @extschema@.response_state_in,
	OUTPUT = @extschema@.response_state_out,
	RECEIVE = @extschema@.response_state_recv,
	SEND = @extschema@.response_state_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = plain,
	ALIGNMENT = double
);
COMMENT ON TYPE @extschema@.response_state IS
	'treatment vs control counts and value moments; combinable (rollup) state of the segment response aggregates';

CREATE FUNCTION @extschema@.response_state_eq(@extschema@.response_state, @extschema@.response_state) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_state_eq(@extschema@.response_state, @extschema@.response_state) IS 'implementation of = for response_state';

CREATE FUNCTION @extschema@.response_state_ne(@extschema@.response_state, @extschema@.response_state) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_state_ne(@extschema@.response_state, @extschema@.response_state) IS 'implementation of <> for response_state';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.response_state, RIGHTARG = @extschema@.response_state,
	FUNCTION = @extschema@.response_state_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.response_state, @extschema@.response_state) IS 'equal (every count and moment)';

CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.response_state, RIGHTARG = @extschema@.response_state,
	FUNCTION = @extschema@.response_state_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.response_state, @extschema@.response_state) IS 'not equal';

CREATE TYPE @extschema@.segment_response_result AS (
	treated_n bigint, treated_responders bigint, treated_rate double precision,
	control_n bigint, control_responders bigint, control_rate double precision,
	abs_lift double precision, lift double precision,
	ci_low double precision, ci_high double precision,
	z double precision, p_value double precision);
COMMENT ON TYPE @extschema@.segment_response_result IS
	'result of segment_response: rates per arm, lift, interval of the difference, pooled z-test';

CREATE TYPE @extschema@.segment_mean_response_result AS (
	treated_n bigint, treated_mean double precision, treated_sd double precision,
	control_n bigint, control_mean double precision, control_sd double precision,
	mean_diff double precision, lift double precision,
	ci_low double precision, ci_high double precision,
	t double precision, df double precision, p_value double precision);
COMMENT ON TYPE @extschema@.segment_mean_response_result IS
	'result of segment_mean_response: means per arm and Welch''s t-test of their difference';

-- aggregate support

CREATE FUNCTION @extschema@.response_agg_transfn(@extschema@.response_state, boolean, boolean)
	RETURNS @extschema@.response_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_agg_transfn(@extschema@.response_state, boolean, boolean) IS
	'response_agg and segment_response transition function';

CREATE FUNCTION @extschema@.response_agg_value_transfn(@extschema@.response_state, boolean, boolean, double precision)
	RETURNS @extschema@.response_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_agg_value_transfn(@extschema@.response_state, boolean, boolean, double precision) IS
	'response_agg(treated, responded, value) transition function';

CREATE FUNCTION @extschema@.response_mean_transfn(@extschema@.response_state, boolean, double precision)
	RETURNS @extschema@.response_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_mean_transfn(@extschema@.response_state, boolean, double precision) IS
	'segment_mean_response transition function';

CREATE FUNCTION @extschema@.response_state_combine(@extschema@.response_state, @extschema@.response_state)
	RETURNS @extschema@.response_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_state_combine(@extschema@.response_state, @extschema@.response_state) IS
	'combine function of the response aggregates; transition function of rollup(response_state)';

CREATE FUNCTION @extschema@.segment_response_finalfn(@extschema@.response_state)
	RETURNS @extschema@.segment_response_result
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.segment_response_finalfn(@extschema@.response_state) IS
	'segment_response final function (95% interval)';

CREATE FUNCTION @extschema@.segment_mean_response_finalfn(@extschema@.response_state)
	RETURNS @extschema@.segment_mean_response_result
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.segment_mean_response_finalfn(@extschema@.response_state) IS
	'segment_mean_response final function (95% interval)';

-- The transition and combine functions update their first argument in
-- place (it is the aggregate's own copy); the final functions only read.
CREATE AGGREGATE @extschema@.segment_response(treated boolean, responded boolean) (
	SFUNC = @extschema@.response_agg_transfn,
	STYPE = @extschema@.response_state,
	FINALFUNC = @extschema@.segment_response_finalfn,
	COMBINEFUNC = @extschema@.response_state_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.segment_response(boolean, boolean) IS
	'treatment vs control response: rates, lift, 95% interval of the difference, pooled z-test (rows with NULL treated or responded are skipped)';

CREATE AGGREGATE @extschema@.response_agg(treated boolean, responded boolean) (
	SFUNC = @extschema@.response_agg_transfn,
	STYPE = @extschema@.response_state,
	COMBINEFUNC = @extschema@.response_state_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.response_agg(boolean, boolean) IS
	'response_state of treatment vs control response counts (rows with NULL treated or responded are skipped)';

CREATE AGGREGATE @extschema@.response_agg(treated boolean, responded boolean, value double precision) (
	SFUNC = @extschema@.response_agg_value_transfn,
	STYPE = @extschema@.response_state,
	COMBINEFUNC = @extschema@.response_state_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.response_agg(boolean, boolean, double precision) IS
	'response_state of response counts and value moments (NULL treated skips the row; NULL responded or value skips that part)';

CREATE AGGREGATE @extschema@.segment_mean_response(treated boolean, value double precision) (
	SFUNC = @extschema@.response_mean_transfn,
	STYPE = @extschema@.response_state,
	FINALFUNC = @extschema@.segment_mean_response_finalfn,
	COMBINEFUNC = @extschema@.response_state_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.segment_mean_response(boolean, double precision) IS
	'treatment vs control means of a value with Welch''s t-test and 95% interval (rows with NULL treated or value are skipped)';

CREATE AGGREGATE @extschema@.rollup(@extschema@.response_state) (
	SFUNC = @extschema@.response_state_combine,
	STYPE = @extschema@.response_state,
	COMBINEFUNC = @extschema@.response_state_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.response_state) IS
	'combine stored response states (e.g. daily ones) into one, exactly as over all their rows';

-- results from a state

CREATE FUNCTION @extschema@.segment_response(@extschema@.response_state, level double precision DEFAULT 0.95)
	RETURNS @extschema@.segment_response_result
	AS 'MODULE_PATHNAME', 'segment_response_state' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.segment_response(@extschema@.response_state, double precision) IS
	'segment_response result of a state, interval at the given level';

CREATE FUNCTION @extschema@.segment_mean_response(@extschema@.response_state, level double precision DEFAULT 0.95)
	RETURNS @extschema@.segment_mean_response_result
	AS 'MODULE_PATHNAME', 'segment_mean_response_state' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.segment_mean_response(@extschema@.response_state, double precision) IS
	'segment_mean_response result of a state, interval at the given level';

-- accessors: one per result field

CREATE FUNCTION @extschema@.response_treated_n(@extschema@.response_state) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_treated_n(@extschema@.response_state) IS 'rows of the treated arm (responded not NULL)';

CREATE FUNCTION @extschema@.response_treated_responders(@extschema@.response_state) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_treated_responders(@extschema@.response_state) IS 'responders in the treated arm';

CREATE FUNCTION @extschema@.response_treated_rate(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_treated_rate(@extschema@.response_state) IS 'treated response rate; NULL without treated rows';

CREATE FUNCTION @extschema@.response_control_n(@extschema@.response_state) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_control_n(@extschema@.response_state) IS 'rows of the control arm (responded not NULL)';

CREATE FUNCTION @extschema@.response_control_responders(@extschema@.response_state) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_control_responders(@extschema@.response_state) IS 'responders in the control arm';

CREATE FUNCTION @extschema@.response_control_rate(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_control_rate(@extschema@.response_state) IS 'control response rate; NULL without control rows';

CREATE FUNCTION @extschema@.response_abs_lift(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_abs_lift(@extschema@.response_state) IS 'treated rate minus control rate';

CREATE FUNCTION @extschema@.response_lift(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_lift(@extschema@.response_state) IS 'treated rate / control rate - 1; NULL when the control rate is 0';

CREATE FUNCTION @extschema@.response_ci_low(@extschema@.response_state, level double precision DEFAULT 0.95) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_ci_low(@extschema@.response_state, double precision) IS 'lower end of the unpooled (Wald) interval of the rate difference';

CREATE FUNCTION @extschema@.response_ci_high(@extschema@.response_state, level double precision DEFAULT 0.95) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_ci_high(@extschema@.response_state, double precision) IS 'upper end of the unpooled (Wald) interval of the rate difference';

CREATE FUNCTION @extschema@.response_z(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_z(@extschema@.response_state) IS 'pooled two-proportion z statistic';

CREATE FUNCTION @extschema@.response_p_value(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_p_value(@extschema@.response_state) IS 'two-sided p-value of the pooled z-test (= chi-square without continuity correction)';

CREATE FUNCTION @extschema@.response_treated_value_n(@extschema@.response_state) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_treated_value_n(@extschema@.response_state) IS 'values in the treated arm';

CREATE FUNCTION @extschema@.response_treated_mean(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_treated_mean(@extschema@.response_state) IS 'mean value of the treated arm';

CREATE FUNCTION @extschema@.response_treated_sd(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_treated_sd(@extschema@.response_state) IS 'sample standard deviation of the treated values';

CREATE FUNCTION @extschema@.response_control_value_n(@extschema@.response_state) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_control_value_n(@extschema@.response_state) IS 'values in the control arm';

CREATE FUNCTION @extschema@.response_control_mean(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_control_mean(@extschema@.response_state) IS 'mean value of the control arm';

CREATE FUNCTION @extschema@.response_control_sd(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_control_sd(@extschema@.response_state) IS 'sample standard deviation of the control values';

CREATE FUNCTION @extschema@.response_mean_diff(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_mean_diff(@extschema@.response_state) IS 'treated mean minus control mean';

CREATE FUNCTION @extschema@.response_mean_lift(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_mean_lift(@extschema@.response_state) IS 'treated mean / control mean - 1; NULL when the control mean is 0';

CREATE FUNCTION @extschema@.response_mean_ci_low(@extschema@.response_state, level double precision DEFAULT 0.95) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_mean_ci_low(@extschema@.response_state, double precision) IS 'lower end of Welch''s interval of the mean difference';

CREATE FUNCTION @extschema@.response_mean_ci_high(@extschema@.response_state, level double precision DEFAULT 0.95) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_mean_ci_high(@extschema@.response_state, double precision) IS 'upper end of Welch''s interval of the mean difference';

CREATE FUNCTION @extschema@.response_t(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_t(@extschema@.response_state) IS 'Welch''s t statistic';

CREATE FUNCTION @extschema@.response_df(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_df(@extschema@.response_state) IS 'Welch-Satterthwaite degrees of freedom';

CREATE FUNCTION @extschema@.response_mean_p_value(@extschema@.response_state) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_mean_p_value(@extschema@.response_state) IS 'two-sided p-value of Welch''s t-test';
-- single rates and planning

CREATE FUNCTION @extschema@.response_rate_ci(responders bigint, n bigint, level double precision DEFAULT 0.95,
		OUT rate double precision, OUT ci_low double precision, OUT ci_high double precision)
	RETURNS record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_rate_ci(bigint, bigint, double precision) IS
	'response rate with its Wilson score interval; NULLs when n is 0';

CREATE FUNCTION @extschema@.response_sample_size(baseline double precision, mde double precision,
		alpha double precision DEFAULT 0.05, power double precision DEFAULT 0.8)
	RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_sample_size(double precision, double precision, double precision, double precision) IS
	'rows per arm for a two-sided two-proportion test to detect an absolute change mde of the baseline rate';

-- A/B/n tests

CREATE TYPE @extschema@.response_variants;

CREATE FUNCTION @extschema@.response_variants_in(cstring) RETURNS @extschema@.response_variants
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_variants_in(cstring) IS 'response_variants text input';

CREATE FUNCTION @extschema@.response_variants_out(@extschema@.response_variants) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_variants_out(@extschema@.response_variants) IS 'response_variants text output (canonical)';

CREATE FUNCTION @extschema@.response_variants_recv(internal) RETURNS @extschema@.response_variants
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_variants_recv(internal) IS 'response_variants binary input';

CREATE FUNCTION @extschema@.response_variants_send(@extschema@.response_variants) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_variants_send(@extschema@.response_variants) IS 'response_variants binary output';

CREATE TYPE @extschema@.response_variants (
	INPUT = @extschema@.response_variants_in,
	OUTPUT = @extschema@.response_variants_out,
	RECEIVE = @extschema@.response_variants_recv,
	SEND = @extschema@.response_variants_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended,
	ALIGNMENT = double
);
COMMENT ON TYPE @extschema@.response_variants IS
	'rows and responders per A/B/n variant; combinable (rollup) state of response_variants_agg';

CREATE FUNCTION @extschema@.response_variants_transfn(@extschema@.response_variants, text, boolean)
	RETURNS @extschema@.response_variants
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_variants_transfn(@extschema@.response_variants, text, boolean) IS
	'response_variants_agg transition function';

CREATE FUNCTION @extschema@.response_variants_combine(@extschema@.response_variants, @extschema@.response_variants)
	RETURNS @extschema@.response_variants
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_variants_combine(@extschema@.response_variants, @extschema@.response_variants) IS
	'response_variants_agg combine function; transition function of rollup(response_variants)';

CREATE AGGREGATE @extschema@.response_variants_agg(variant text, responded boolean) (
	SFUNC = @extschema@.response_variants_transfn,
	STYPE = @extschema@.response_variants,
	COMBINEFUNC = @extschema@.response_variants_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.response_variants_agg(text, boolean) IS
	'rows and responders per variant (rows with NULL variant or responded are skipped)';

CREATE AGGREGATE @extschema@.rollup(@extschema@.response_variants) (
	SFUNC = @extschema@.response_variants_combine,
	STYPE = @extschema@.response_variants,
	COMBINEFUNC = @extschema@.response_variants_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.response_variants) IS
	'combine stored response_variants values (e.g. daily ones) into one';

CREATE FUNCTION @extschema@.response_ab_test(@extschema@.response_variants, control text,
		correction text DEFAULT 'none', level double precision DEFAULT 0.95,
		OUT variant text, OUT n bigint, OUT responders bigint, OUT rate double precision,
		OUT abs_lift double precision, OUT lift double precision,
		OUT ci_low double precision, OUT ci_high double precision,
		OUT z double precision, OUT p_value double precision, OUT p_adjusted double precision)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION @extschema@.response_ab_test(@extschema@.response_variants, text, text, double precision) IS
	'one row per variant (control first) compared with the control; correction ''none'' or ''holm'' adjusts p-values';

CREATE FUNCTION @extschema@.response_ab_chi2(@extschema@.response_variants,
		OUT chi2 double precision, OUT df integer, OUT p_value double precision)
	RETURNS record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_ab_chi2(@extschema@.response_variants) IS
	'chi-square test of independence of variant and response (k x 2, no continuity correction)';

CREATE FUNCTION @extschema@.response_variant_state(@extschema@.response_variants, variant text, control text)
	RETURNS @extschema@.response_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_variant_state(@extschema@.response_variants, text, text) IS
	'response_state of one variant (as treated) against the control, for segment_response and the accessors';
