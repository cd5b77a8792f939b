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
-- stage_time: time in stage
--------------------------------------------------------------------------

CREATE TYPE @extschema@.stage_time;

CREATE FUNCTION @extschema@.stage_time_in(cstring) RETURNS @extschema@.stage_time
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_in(cstring) IS 'stage_time text input';

CREATE FUNCTION @extschema@.stage_time_out(@extschema@.stage_time) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_out(@extschema@.stage_time) IS 'stage_time text output (canonical, UTC)';

CREATE FUNCTION @extschema@.stage_time_recv(internal) RETURNS @extschema@.stage_time
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_recv(internal) IS 'stage_time binary input';

CREATE FUNCTION @extschema@.stage_time_send(@extschema@.stage_time) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_send(@extschema@.stage_time) IS 'stage_time binary output';

CREATE TYPE @extschema@.stage_time (
	INPUT = @extschema@.stage_time_in,
	OUTPUT = @extschema@.stage_time_out,
	RECEIVE = @extschema@.stage_time_recv,
	SEND = @extschema@.stage_time_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended,
	ALIGNMENT = double
);
COMMENT ON TYPE @extschema@.stage_time IS
	'one customer''s distinct (time, stage) points, with its stage list: the state of time-in-stage analyses';

CREATE FUNCTION @extschema@.stage_time_cmp(@extschema@.stage_time, @extschema@.stage_time) RETURNS integer
	AS 'MODULE_PATHNAME', 'journey_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_cmp(@extschema@.stage_time, @extschema@.stage_time) IS
	'btree order: point by point, shorter first, then stage list';

CREATE FUNCTION @extschema@.stage_time_eq(@extschema@.stage_time, @extschema@.stage_time) RETURNS boolean
	AS 'MODULE_PATHNAME', 'journey_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_eq(@extschema@.stage_time, @extschema@.stage_time) IS 'implementation of = for stage_time';

CREATE FUNCTION @extschema@.stage_time_ne(@extschema@.stage_time, @extschema@.stage_time) RETURNS boolean
	AS 'MODULE_PATHNAME', 'journey_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_ne(@extschema@.stage_time, @extschema@.stage_time) IS 'implementation of <> for stage_time';

CREATE FUNCTION @extschema@.stage_time_lt(@extschema@.stage_time, @extschema@.stage_time) RETURNS boolean
	AS 'MODULE_PATHNAME', 'journey_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_lt(@extschema@.stage_time, @extschema@.stage_time) IS 'implementation of < for stage_time';

CREATE FUNCTION @extschema@.stage_time_le(@extschema@.stage_time, @extschema@.stage_time) RETURNS boolean
	AS 'MODULE_PATHNAME', 'journey_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_le(@extschema@.stage_time, @extschema@.stage_time) IS 'implementation of <= for stage_time';

CREATE FUNCTION @extschema@.stage_time_gt(@extschema@.stage_time, @extschema@.stage_time) RETURNS boolean
	AS 'MODULE_PATHNAME', 'journey_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_gt(@extschema@.stage_time, @extschema@.stage_time) IS 'implementation of > for stage_time';

CREATE FUNCTION @extschema@.stage_time_ge(@extschema@.stage_time, @extschema@.stage_time) RETURNS boolean
	AS 'MODULE_PATHNAME', 'journey_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_ge(@extschema@.stage_time, @extschema@.stage_time) IS 'implementation of >= for stage_time';

CREATE FUNCTION @extschema@.stage_time_hash(@extschema@.stage_time) RETURNS integer
	AS 'MODULE_PATHNAME', 'journey_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_hash(@extschema@.stage_time) IS 'hash of a stage_time';

CREATE FUNCTION @extschema@.stage_time_hash_extended(@extschema@.stage_time, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'journey_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_hash_extended(@extschema@.stage_time, bigint) IS 'seeded 64-bit hash of a stage_time';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.stage_time, RIGHTARG = @extschema@.stage_time,
	FUNCTION = @extschema@.stage_time_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.stage_time, @extschema@.stage_time) IS 'equal';

CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.stage_time, RIGHTARG = @extschema@.stage_time,
	FUNCTION = @extschema@.stage_time_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.stage_time, @extschema@.stage_time) IS 'not equal';

CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.stage_time, RIGHTARG = @extschema@.stage_time,
	FUNCTION = @extschema@.stage_time_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
COMMENT ON OPERATOR @extschema@.< (@extschema@.stage_time, @extschema@.stage_time) IS 'less than';

CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.stage_time, RIGHTARG = @extschema@.stage_time,
	FUNCTION = @extschema@.stage_time_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
COMMENT ON OPERATOR @extschema@.<= (@extschema@.stage_time, @extschema@.stage_time) IS 'less than or equal';

CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.stage_time, RIGHTARG = @extschema@.stage_time,
	FUNCTION = @extschema@.stage_time_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
COMMENT ON OPERATOR @extschema@.> (@extschema@.stage_time, @extschema@.stage_time) IS 'greater than';

CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.stage_time, RIGHTARG = @extschema@.stage_time,
	FUNCTION = @extschema@.stage_time_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);
COMMENT ON OPERATOR @extschema@.>= (@extschema@.stage_time, @extschema@.stage_time) IS 'greater than or equal';

CREATE OPERATOR CLASS @extschema@.stage_time_ops
	DEFAULT FOR TYPE @extschema@.stage_time USING btree AS
	OPERATOR 1 @extschema@.< ,
	OPERATOR 2 @extschema@.<= ,
	OPERATOR 3 @extschema@.= ,
	OPERATOR 4 @extschema@.>= ,
	OPERATOR 5 @extschema@.> ,
	FUNCTION 1 @extschema@.stage_time_cmp(@extschema@.stage_time, @extschema@.stage_time);
COMMENT ON OPERATOR CLASS @extschema@.stage_time_ops USING btree IS 'btree order of stage_time values';
COMMENT ON OPERATOR FAMILY @extschema@.stage_time_ops USING btree IS 'stage_time order';

CREATE OPERATOR CLASS @extschema@.stage_time_hash_ops
	DEFAULT FOR TYPE @extschema@.stage_time USING hash AS
	OPERATOR 1 @extschema@.= ,
	FUNCTION 1 @extschema@.stage_time_hash(@extschema@.stage_time),
	FUNCTION 2 @extschema@.stage_time_hash_extended(@extschema@.stage_time, bigint);
COMMENT ON OPERATOR CLASS @extschema@.stage_time_hash_ops USING hash IS 'hashing of stage_time values';
COMMENT ON OPERATOR FAMILY @extschema@.stage_time_hash_ops USING hash IS 'stage_time hashing';

-- building states

CREATE FUNCTION @extschema@.stage_time_agg_transfn(internal, timestamptz, anyenum) RETURNS internal
	AS 'MODULE_PATHNAME', 'journey_agg_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_agg_transfn(internal, timestamptz, anyenum) IS
	'stage_time_agg transition function';

CREATE FUNCTION @extschema@.stage_time_rollup_transfn(internal, @extschema@.stage_time) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_rollup_transfn(internal, @extschema@.stage_time) IS
	'rollup(stage_time) transition function';

CREATE FUNCTION @extschema@.stage_time_finalfn(internal) RETURNS @extschema@.stage_time
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time_finalfn(internal) IS
	'final function of stage_time_agg and rollup(stage_time)';

CREATE AGGREGATE @extschema@.stage_time_agg(occurred_at timestamptz, stage anyenum) (
	SFUNC = @extschema@.stage_time_agg_transfn,
	STYPE = internal,
	SSPACE = 256,
	FINALFUNC = @extschema@.stage_time_finalfn,
	COMBINEFUNC = @extschema@.journey_agg_combine,
	SERIALFUNC = @extschema@.journey_agg_serialize,
	DESERIALFUNC = @extschema@.journey_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.stage_time_agg(timestamptz, anyenum) IS
	'time-in-stage state of one group''s rows (rows with NULL time or stage are skipped)';

CREATE AGGREGATE @extschema@.rollup(@extschema@.stage_time) (
	SFUNC = @extschema@.stage_time_rollup_transfn,
	STYPE = internal,
	SSPACE = 256,
	FINALFUNC = @extschema@.stage_time_finalfn,
	COMBINEFUNC = @extschema@.journey_agg_combine,
	SERIALFUNC = @extschema@.journey_agg_serialize,
	DESERIALFUNC = @extschema@.journey_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.stage_time) IS
	'merge stage_time states of one customer over any row sets, overlapping or not';

CREATE FUNCTION @extschema@.stage_time(@extschema@.journey) RETURNS @extschema@.stage_time
	AS 'MODULE_PATHNAME', 'stage_time_from_journey' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_time(@extschema@.journey) IS 'the time-in-stage state of a stored journey';

CREATE CAST (@extschema@.journey AS @extschema@.stage_time)
	WITH FUNCTION @extschema@.stage_time(@extschema@.journey);
COMMENT ON CAST (@extschema@.journey AS @extschema@.stage_time) IS 'time-in-stage state of a journey';

-- accessors

CREATE FUNCTION @extschema@.duration_in(@extschema@.stage_time, anyenum) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.duration_in(@extschema@.stage_time, anyenum) IS
	'time spent in the stage; the open period of the last touch counts zero';

CREATE FUNCTION @extschema@.duration_in(@extschema@.stage_time, anyenum, as_of timestamptz) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_as_of' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.duration_in(@extschema@.stage_time, anyenum, timestamptz) IS
	'time spent in the stage, the last period closed at as_of';

CREATE FUNCTION @extschema@.duration_in(@extschema@.stage_time, anyenum,
		range_start timestamptz, range_end timestamptz) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_range' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.duration_in(@extschema@.stage_time, anyenum, timestamptz, timestamptz) IS
	'time spent in the stage within [range_start, range_end), periods that began earlier included';

CREATE FUNCTION @extschema@.duration_in(@extschema@.stage_time, anyenum,
		bucket_start timestamptz, bucket_end timestamptz, prev @extschema@.stage_time) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_bucket' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.duration_in(@extschema@.stage_time, anyenum, timestamptz, timestamptz, @extschema@.stage_time) IS
	'time in the stage within one bucket: the bucket''s state, the previous bucket''s state (lag) carrying the stage in force';

CREATE FUNCTION @extschema@.stage_durations(@extschema@.stage_time,
		OUT stage text, OUT duration interval, OUT visits integer, OUT first_entered timestamptz)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'stage_time_durations' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.stage_durations(@extschema@.stage_time) IS
	'per visited stage: total duration, visits, first entry';

CREATE FUNCTION @extschema@.stage_durations(@extschema@.stage_time, as_of timestamptz,
		OUT stage text, OUT duration interval, OUT visits integer, OUT first_entered timestamptz)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'stage_time_durations' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.stage_durations(@extschema@.stage_time, timestamptz) IS
	'per visited stage: total duration (last period closed at as_of), visits, first entry';

CREATE FUNCTION @extschema@.stage_timeline(@extschema@.stage_time,
		OUT stage text, OUT entered_at timestamptz, OUT left_at timestamptz, OUT duration interval)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'stage_time_timeline' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION @extschema@.stage_timeline(@extschema@.stage_time) IS
	'one row per visit; the latest has left_at NULL';

CREATE FUNCTION @extschema@.stage_timeline(@extschema@.stage_time, as_of timestamptz,
		OUT stage text, OUT entered_at timestamptz, OUT left_at timestamptz, OUT duration interval)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'stage_time_timeline' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION @extschema@.stage_timeline(@extschema@.stage_time, timestamptz) IS
	'one row per visit; the latest lasts to as_of and has left_at NULL';

CREATE FUNCTION @extschema@.stage_timeline(@extschema@.stage_time,
		bucket_start timestamptz, bucket_end timestamptz, prev @extschema@.stage_time,
		OUT stage text, OUT entered_at timestamptz, OUT left_at timestamptz, OUT duration interval)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'stage_time_timeline_bucket' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION @extschema@.stage_timeline(@extschema@.stage_time, timestamptz, timestamptz, @extschema@.stage_time) IS
	'the slices of visits inside one bucket, the stage in force carried from the previous bucket''s state';

CREATE FUNCTION @extschema@.stage_at(@extschema@.stage_time, timestamptz) RETURNS text
	AS 'MODULE_PATHNAME', 'journey_stage_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_at(@extschema@.stage_time, timestamptz) IS
	'stage in force at the time (of the last touch at or before it); NULL before the first';

CREATE FUNCTION @extschema@.current_stage(@extschema@.stage_time) RETURNS text
	AS 'MODULE_PATHNAME', 'stage_time_current_stage' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.current_stage(@extschema@.stage_time) IS 'stage of the last touch';

CREATE FUNCTION @extschema@.stage_regressions(@extschema@.stage_time) RETURNS integer
	AS 'MODULE_PATHNAME', 'stage_time_regressions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_regressions(@extschema@.stage_time) IS
	'number of moves from a visit to a visit of an earlier stage';

-- the same answers from a stored journey

CREATE FUNCTION @extschema@.journey_duration_in(@extschema@.journey, anyenum) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_duration_in(@extschema@.journey, anyenum) IS
	'time spent in the stage, as duration_in(stage_time, stage)';

CREATE FUNCTION @extschema@.journey_duration_in(@extschema@.journey, anyenum, as_of timestamptz) RETURNS interval
	AS 'MODULE_PATHNAME', 'stage_time_duration_as_of' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_duration_in(@extschema@.journey, anyenum, timestamptz) IS
	'time spent in the stage, the last period closed at as_of';

CREATE FUNCTION @extschema@.journey_stage_durations(@extschema@.journey,
		OUT stage text, OUT duration interval, OUT visits integer, OUT first_entered timestamptz)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'stage_time_durations' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.journey_stage_durations(@extschema@.journey) IS
	'per visited stage: total duration, visits, first entry';

CREATE FUNCTION @extschema@.journey_stage_durations(@extschema@.journey, as_of timestamptz,
		OUT stage text, OUT duration interval, OUT visits integer, OUT first_entered timestamptz)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'stage_time_durations' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.journey_stage_durations(@extschema@.journey, timestamptz) IS
	'per visited stage: total duration (last period closed at as_of), visits, first entry';

CREATE FUNCTION @extschema@.journey_stage_timeline(@extschema@.journey,
		OUT stage text, OUT entered_at timestamptz, OUT left_at timestamptz, OUT duration interval)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'stage_time_timeline' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION @extschema@.journey_stage_timeline(@extschema@.journey) IS
	'one row per visit; the latest has left_at NULL';

CREATE FUNCTION @extschema@.journey_stage_timeline(@extschema@.journey, as_of timestamptz,
		OUT stage text, OUT entered_at timestamptz, OUT left_at timestamptz, OUT duration interval)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'stage_time_timeline' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION @extschema@.journey_stage_timeline(@extschema@.journey, timestamptz) IS
	'one row per visit; the latest lasts to as_of';

CREATE FUNCTION @extschema@.journey_current_stage(@extschema@.journey) RETURNS text
	AS 'MODULE_PATHNAME', 'stage_time_current_stage' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_current_stage(@extschema@.journey) IS 'stage of the last touch';

CREATE FUNCTION @extschema@.journey_stage_regressions(@extschema@.journey) RETURNS integer
	AS 'MODULE_PATHNAME', 'stage_time_regressions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_stage_regressions(@extschema@.journey) IS
	'number of moves from a visit to a visit of an earlier stage';

--------------------------------------------------------------------------
-- funnels: window_funnel (ClickHouse windowFunnel / Doris window_funnel)
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.window_funnel_transfn(internal, interval, text, timestamptz, boolean[])
	RETURNS internal AS 'MODULE_PATHNAME', 'window_funnel_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_transfn(internal, interval, text, timestamptz, boolean[]) IS
	'window_funnel transition function';

CREATE FUNCTION @extschema@.window_funnel_transfn(internal, interval, timestamptz, boolean[])
	RETURNS internal AS 'MODULE_PATHNAME', 'window_funnel_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_transfn(internal, interval, timestamptz, boolean[]) IS
	'window_funnel transition function';

CREATE FUNCTION @extschema@.window_funnel_transfn(internal, bigint, text, bigint, boolean[])
	RETURNS internal AS 'MODULE_PATHNAME', 'window_funnel_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_transfn(internal, bigint, text, bigint, boolean[]) IS
	'window_funnel transition function (integer time)';

CREATE FUNCTION @extschema@.window_funnel_transfn(internal, bigint, bigint, boolean[])
	RETURNS internal AS 'MODULE_PATHNAME', 'window_funnel_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_transfn(internal, bigint, bigint, boolean[]) IS
	'window_funnel transition function (integer time)';

CREATE FUNCTION @extschema@.window_funnel_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_combine(internal, internal) IS 'window_funnel combine function';

CREATE FUNCTION @extschema@.window_funnel_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_serialize(internal) IS 'window_funnel state serialization';

CREATE FUNCTION @extschema@.window_funnel_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_deserialize(bytea, internal) IS 'window_funnel state deserialization';

CREATE FUNCTION @extschema@.window_funnel_finalfn(internal) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_finalfn(internal) IS 'window_funnel final function';

CREATE FUNCTION @extschema@.window_funnel_times_finalfn(internal) RETURNS timestamptz[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_times_finalfn(internal) IS 'window_funnel_times final function';

CREATE FUNCTION @extschema@.window_funnel_times_bigint_finalfn(internal) RETURNS bigint[]
	AS 'MODULE_PATHNAME', 'window_funnel_times_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_times_bigint_finalfn(internal) IS 'window_funnel_times final function (integer time)';

CREATE AGGREGATE @extschema@.window_funnel("window" interval, mode text, occurred_at timestamptz, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_combine,
	SERIALFUNC = @extschema@.window_funnel_serialize, DESERIALFUNC = @extschema@.window_funnel_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, text, timestamptz, VARIADIC boolean[]) IS
	'deepest funnel step reached (0..N), ClickHouse windowFunnel semantics; modes comma-separated';

CREATE AGGREGATE @extschema@.window_funnel("window" interval, occurred_at timestamptz, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_combine,
	SERIALFUNC = @extschema@.window_funnel_serialize, DESERIALFUNC = @extschema@.window_funnel_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, timestamptz, VARIADIC boolean[]) IS
	'deepest funnel step reached (0..N), default mode';

CREATE AGGREGATE @extschema@.window_funnel("window" bigint, mode text, occurred_at bigint, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_combine,
	SERIALFUNC = @extschema@.window_funnel_serialize, DESERIALFUNC = @extschema@.window_funnel_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel(bigint, text, bigint, VARIADIC boolean[]) IS
	'deepest funnel step reached over an integer time column (window in its unit)';

CREATE AGGREGATE @extschema@.window_funnel("window" bigint, occurred_at bigint, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_combine,
	SERIALFUNC = @extschema@.window_funnel_serialize, DESERIALFUNC = @extschema@.window_funnel_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel(bigint, bigint, VARIADIC boolean[]) IS
	'deepest funnel step reached over an integer time column, default mode';

CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, mode text, occurred_at timestamptz, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_times_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_combine,
	SERIALFUNC = @extschema@.window_funnel_serialize, DESERIALFUNC = @extschema@.window_funnel_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, text, timestamptz, VARIADIC boolean[]) IS
	'time of each step of the chain that first reached the deepest step';

CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, occurred_at timestamptz, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_times_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_combine,
	SERIALFUNC = @extschema@.window_funnel_serialize, DESERIALFUNC = @extschema@.window_funnel_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, timestamptz, VARIADIC boolean[]) IS
	'time of each step of the chain that first reached the deepest step, default mode';

CREATE AGGREGATE @extschema@.window_funnel_times("window" bigint, mode text, occurred_at bigint, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_times_bigint_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_combine,
	SERIALFUNC = @extschema@.window_funnel_serialize, DESERIALFUNC = @extschema@.window_funnel_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(bigint, text, bigint, VARIADIC boolean[]) IS
	'time of each step of the best chain, integer time';

CREATE AGGREGATE @extschema@.window_funnel_times("window" bigint, occurred_at bigint, VARIADIC steps boolean[]) (
	SFUNC = @extschema@.window_funnel_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.window_funnel_times_bigint_finalfn,
	COMBINEFUNC = @extschema@.window_funnel_combine,
	SERIALFUNC = @extschema@.window_funnel_serialize, DESERIALFUNC = @extschema@.window_funnel_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(bigint, bigint, VARIADIC boolean[]) IS
	'time of each step of the best chain, integer time, default mode';

CREATE FUNCTION @extschema@.journey_funnel(@extschema@.journey, "window" interval, mode text, VARIADIC steps text[])
	RETURNS integer AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_funnel(@extschema@.journey, interval, text, VARIADIC text[]) IS
	'window_funnel over a stored journey; a step matches a touch''s event or stage label';

--------------------------------------------------------------------------
-- retention (ClickHouse semantics) and retention_sum
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.retention_transfn(internal, boolean[]) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_transfn(internal, boolean[]) IS 'retention transition function';

CREATE FUNCTION @extschema@.retention_sum_transfn(internal, boolean[]) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_sum_transfn(internal, boolean[]) IS 'retention_sum transition function';

CREATE FUNCTION @extschema@.retention_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_combine(internal, internal) IS 'retention and retention_sum combine function';

CREATE FUNCTION @extschema@.retention_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_serialize(internal) IS 'retention state serialization';

CREATE FUNCTION @extschema@.retention_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_deserialize(bytea, internal) IS 'retention state deserialization';

CREATE FUNCTION @extschema@.retention_finalfn(internal) RETURNS boolean[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_finalfn(internal) IS 'retention final function';

CREATE FUNCTION @extschema@.retention_sum_finalfn(internal) RETURNS bigint[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_sum_finalfn(internal) IS 'retention_sum final function';

CREATE AGGREGATE @extschema@.retention(VARIADIC conditions boolean[]) (
	SFUNC = @extschema@.retention_transfn, STYPE = internal, SSPACE = 536,
	FINALFUNC = @extschema@.retention_finalfn,
	COMBINEFUNC = @extschema@.retention_combine,
	SERIALFUNC = @extschema@.retention_serialize, DESERIALFUNC = @extschema@.retention_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.retention(VARIADIC boolean[]) IS
	'ClickHouse retention: element 1 = condition 1 held in the group; element k = conditions 1 and k both held';

CREATE AGGREGATE @extschema@.retention_sum(boolean[]) (
	SFUNC = @extschema@.retention_sum_transfn, STYPE = internal, SSPACE = 536,
	FINALFUNC = @extschema@.retention_sum_finalfn,
	COMBINEFUNC = @extschema@.retention_combine,
	SERIALFUNC = @extschema@.retention_serialize, DESERIALFUNC = @extschema@.retention_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.retention_sum(boolean[]) IS
	'element-wise count of true values of boolean arrays (retention arrays of a cohort)';

--------------------------------------------------------------------------
-- funnel_report: the funnel across customers, combinable
--------------------------------------------------------------------------

CREATE TYPE @extschema@.funnel_report;

CREATE FUNCTION @extschema@.funnel_report_in(cstring) RETURNS @extschema@.funnel_report
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_in(cstring) IS 'funnel_report text input';

CREATE FUNCTION @extschema@.funnel_report_out(@extschema@.funnel_report) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_out(@extschema@.funnel_report) IS 'funnel_report text output';

CREATE FUNCTION @extschema@.funnel_report_recv(internal) RETURNS @extschema@.funnel_report
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_recv(internal) IS 'funnel_report binary input';

CREATE FUNCTION @extschema@.funnel_report_send(@extschema@.funnel_report) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_send(@extschema@.funnel_report) IS 'funnel_report binary output';

CREATE TYPE @extschema@.funnel_report (
	INPUT = @extschema@.funnel_report_in,
	OUTPUT = @extschema@.funnel_report_out,
	RECEIVE = @extschema@.funnel_report_recv,
	SEND = @extschema@.funnel_report_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended,
	ALIGNMENT = double
);
COMMENT ON TYPE @extschema@.funnel_report IS
	'customers reaching each funnel step and the exact times from the previous step; combinable with rollup';

CREATE FUNCTION @extschema@.funnel_report_times_transfn(internal, timestamptz[], integer) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_times_transfn(internal, timestamptz[], integer) IS
	'funnel_report_agg transition function (step times)';

CREATE FUNCTION @extschema@.funnel_report_level_transfn(internal, integer, integer) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_level_transfn(internal, integer, integer) IS
	'funnel_report_agg transition function (levels)';

CREATE FUNCTION @extschema@.funnel_report_rollup_transfn(internal, @extschema@.funnel_report) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_rollup_transfn(internal, @extschema@.funnel_report) IS
	'rollup(funnel_report) transition function';

CREATE FUNCTION @extschema@.funnel_report_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_combine(internal, internal) IS 'funnel_report combine function';

CREATE FUNCTION @extschema@.funnel_report_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_serialize(internal) IS 'funnel_report state serialization';

CREATE FUNCTION @extschema@.funnel_report_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_deserialize(bytea, internal) IS 'funnel_report state deserialization';

CREATE FUNCTION @extschema@.funnel_report_finalfn(internal) RETURNS @extschema@.funnel_report
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_report_finalfn(internal) IS 'funnel_report final function';

CREATE AGGREGATE @extschema@.funnel_report_agg(step_times timestamptz[], nsteps integer) (
	SFUNC = @extschema@.funnel_report_times_transfn, STYPE = internal,
	FINALFUNC = @extschema@.funnel_report_finalfn,
	COMBINEFUNC = @extschema@.funnel_report_combine,
	SERIALFUNC = @extschema@.funnel_report_serialize, DESERIALFUNC = @extschema@.funnel_report_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.funnel_report_agg(timestamptz[], integer) IS
	'funnel report from per-customer step times (window_funnel_times)';

CREATE AGGREGATE @extschema@.funnel_report_agg(level integer, nsteps integer) (
	SFUNC = @extschema@.funnel_report_level_transfn, STYPE = internal,
	FINALFUNC = @extschema@.funnel_report_finalfn,
	COMBINEFUNC = @extschema@.funnel_report_combine,
	SERIALFUNC = @extschema@.funnel_report_serialize, DESERIALFUNC = @extschema@.funnel_report_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.funnel_report_agg(integer, integer) IS
	'funnel report from per-customer levels (window_funnel); no step times';

CREATE AGGREGATE @extschema@.rollup(@extschema@.funnel_report) (
	SFUNC = @extschema@.funnel_report_rollup_transfn, STYPE = internal,
	FINALFUNC = @extschema@.funnel_report_finalfn,
	COMBINEFUNC = @extschema@.funnel_report_combine,
	SERIALFUNC = @extschema@.funnel_report_serialize, DESERIALFUNC = @extschema@.funnel_report_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.funnel_report) IS
	'merge stored funnel reports (daily into weekly, shards into one)';

CREATE FUNCTION @extschema@.funnel_steps(@extschema@.funnel_report,
		OUT step integer, OUT customers bigint, OUT conversion_from_previous double precision,
		OUT conversion_from_first double precision, OUT dropped_off bigint,
		OUT median_time_from_previous interval, OUT p90_time_from_previous interval)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'funnel_report_steps' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.funnel_steps(@extschema@.funnel_report) IS
	'one row per funnel step: customers, conversions, drop-off, median and p90 time from the previous step';

CREATE FUNCTION @extschema@.journey_stage_funnel(@extschema@.journey) RETURNS timestamptz[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_stage_funnel(@extschema@.journey) IS
	'stage funnel step times: first touch of each stage in lifecycle order, each after the previous';

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

--------------------------------------------------------------------------
-- conversions: touches before conversion, time to conversion, paths
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.conversion_transfn(internal, timestamptz, boolean) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.conversion_transfn(internal, timestamptz, boolean) IS 'conversion aggregates transition function';

CREATE FUNCTION @extschema@.conversion_transfn(internal, timestamptz, boolean, interval) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.conversion_transfn(internal, timestamptz, boolean, interval) IS 'conversion aggregates transition function (lookback)';

CREATE FUNCTION @extschema@.conversion_transfn(internal, timestamptz, text, boolean) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.conversion_transfn(internal, timestamptz, text, boolean) IS 'conversion_path transition function';

CREATE FUNCTION @extschema@.conversion_transfn(internal, timestamptz, text, boolean, boolean, integer) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.conversion_transfn(internal, timestamptz, text, boolean, boolean, integer) IS 'conversion_path transition function (options)';

CREATE FUNCTION @extschema@.conversion_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.conversion_combine(internal, internal) IS 'conversion aggregates combine function';

CREATE FUNCTION @extschema@.conversion_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.conversion_serialize(internal) IS 'conversion aggregates state serialization';

CREATE FUNCTION @extschema@.conversion_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.conversion_deserialize(bytea, internal) IS 'conversion aggregates state deserialization';

CREATE FUNCTION @extschema@.touches_before_conversion_finalfn(internal) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touches_before_conversion_finalfn(internal) IS 'touches_before_conversion final function';

CREATE FUNCTION @extschema@.touches_before_each_conversion_finalfn(internal) RETURNS integer[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touches_before_each_conversion_finalfn(internal) IS 'touches_before_each_conversion final function';

CREATE FUNCTION @extschema@.time_to_conversion_finalfn(internal) RETURNS interval
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.time_to_conversion_finalfn(internal) IS 'time_to_conversion final function';

CREATE FUNCTION @extschema@.conversion_path_finalfn(internal) RETURNS text[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.conversion_path_finalfn(internal) IS 'conversion_path final function';

CREATE AGGREGATE @extschema@.touches_before_conversion(occurred_at timestamptz, converted boolean) (
	SFUNC = @extschema@.conversion_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.touches_before_conversion_finalfn,
	COMBINEFUNC = @extschema@.conversion_combine,
	SERIALFUNC = @extschema@.conversion_serialize, DESERIALFUNC = @extschema@.conversion_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.touches_before_conversion(timestamptz, boolean) IS
	'touches strictly before the first converting row; NULL when the customer never converted';

CREATE AGGREGATE @extschema@.touches_before_conversion(occurred_at timestamptz, converted boolean, lookback interval) (
	SFUNC = @extschema@.conversion_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.touches_before_conversion_finalfn,
	COMBINEFUNC = @extschema@.conversion_combine,
	SERIALFUNC = @extschema@.conversion_serialize, DESERIALFUNC = @extschema@.conversion_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.touches_before_conversion(timestamptz, boolean, interval) IS
	'touches within the lookback window strictly before the first converting row';

CREATE AGGREGATE @extschema@.touches_before_each_conversion(occurred_at timestamptz, converted boolean) (
	SFUNC = @extschema@.conversion_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.touches_before_each_conversion_finalfn,
	COMBINEFUNC = @extschema@.conversion_combine,
	SERIALFUNC = @extschema@.conversion_serialize, DESERIALFUNC = @extschema@.conversion_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.touches_before_each_conversion(timestamptz, boolean) IS
	'for each conversion, the touches since the previous one (conversion cycles)';

CREATE AGGREGATE @extschema@.time_to_conversion(occurred_at timestamptz, converted boolean) (
	SFUNC = @extschema@.conversion_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.time_to_conversion_finalfn,
	COMBINEFUNC = @extschema@.conversion_combine,
	SERIALFUNC = @extschema@.conversion_serialize, DESERIALFUNC = @extschema@.conversion_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.time_to_conversion(timestamptz, boolean) IS
	'first touch to first conversion; NULL when the customer never converted';

CREATE AGGREGATE @extschema@.conversion_path(occurred_at timestamptz, channel text, converted boolean) (
	SFUNC = @extschema@.conversion_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.conversion_path_finalfn,
	COMBINEFUNC = @extschema@.conversion_combine,
	SERIALFUNC = @extschema@.conversion_serialize, DESERIALFUNC = @extschema@.conversion_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.conversion_path(timestamptz, text, boolean) IS
	'channels in time order before the first conversion; NULL when the customer never converted';

CREATE AGGREGATE @extschema@.conversion_path(occurred_at timestamptz, channel text, converted boolean,
		collapse boolean, max_length integer) (
	SFUNC = @extschema@.conversion_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.conversion_path_finalfn,
	COMBINEFUNC = @extschema@.conversion_combine,
	SERIALFUNC = @extschema@.conversion_serialize, DESERIALFUNC = @extschema@.conversion_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.conversion_path(timestamptz, text, boolean, boolean, integer) IS
	'conversion path, consecutive repeats merged when collapse, the last max_length channels (0: all)';

CREATE FUNCTION @extschema@.journey_conversion_path(@extschema@.journey, conversion_event text) RETURNS text[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_conversion_path(@extschema@.journey, text) IS
	'channels before the first touch with the conversion event';

CREATE FUNCTION @extschema@.journey_conversion_path(@extschema@.journey, conversion_event text,
		collapse boolean, max_length integer) RETURNS text[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_conversion_path(@extschema@.journey, text, boolean, integer) IS
	'conversion path of a journey, repeats merged when collapse, the last max_length channels';

CREATE FUNCTION @extschema@.journey_touches_before_conversion(@extschema@.journey, conversion_event text) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_touches_before_conversion(@extschema@.journey, text) IS
	'touches strictly before the first touch with the conversion event';

--------------------------------------------------------------------------
-- attribution: credit for each conversion among the channels before it
--------------------------------------------------------------------------

CREATE TYPE @extschema@.attribution;

CREATE FUNCTION @extschema@.attribution_in(cstring) RETURNS @extschema@.attribution
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_in(cstring) IS 'attribution text input';

CREATE FUNCTION @extschema@.attribution_out(@extschema@.attribution) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_out(@extschema@.attribution) IS 'attribution text output';

CREATE FUNCTION @extschema@.attribution_recv(internal) RETURNS @extschema@.attribution
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_recv(internal) IS 'attribution binary input';

CREATE FUNCTION @extschema@.attribution_send(@extschema@.attribution) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_send(@extschema@.attribution) IS 'attribution binary output';

CREATE TYPE @extschema@.attribution (
	INPUT = @extschema@.attribution_in,
	OUTPUT = @extschema@.attribution_out,
	RECEIVE = @extschema@.attribution_recv,
	SEND = @extschema@.attribution_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.attribution IS
	'conversions and revenue credited to channels under one model (rule-based: credits; markov, shapley: paths); combinable with rollup';

-- from one customer's touch rows
CREATE FUNCTION @extschema@.attribution_rows_transfn(internal, timestamptz, text, boolean, numeric, text)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_rows_transfn(internal, timestamptz, text, boolean, numeric, text) IS
	'attribution_agg transition function (rows)';

CREATE FUNCTION @extschema@.attribution_rows_transfn(internal, timestamptz, text, boolean, numeric, text, text)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_rows_transfn(internal, timestamptz, text, boolean, numeric, text, text) IS
	'attribution_agg transition function (rows, options)';

CREATE FUNCTION @extschema@.attribution_rows_transfn(internal, timestamptz, text, boolean, numeric, boolean, boolean, text, text)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_rows_transfn(internal, timestamptz, text, boolean, numeric, boolean, boolean, text, text) IS
	'attribution_agg transition function (rows with milestones)';

CREATE FUNCTION @extschema@.attribution_rows_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_rows_combine(internal, internal) IS 'attribution_agg (rows) combine function';

CREATE FUNCTION @extschema@.attribution_rows_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_rows_serialize(internal) IS 'attribution_agg (rows) state serialization';

CREATE FUNCTION @extschema@.attribution_rows_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_rows_deserialize(bytea, internal) IS 'attribution_agg (rows) state deserialization';

CREATE FUNCTION @extschema@.attribution_rows_finalfn(internal) RETURNS @extschema@.attribution
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_rows_finalfn(internal) IS 'attribution_agg (rows) final function';

CREATE AGGREGATE @extschema@.attribution_agg(occurred_at timestamptz, channel text, converted boolean,
		revenue numeric, model text) (
	SFUNC = @extschema@.attribution_rows_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.attribution_rows_finalfn,
	COMBINEFUNC = @extschema@.attribution_rows_combine,
	SERIALFUNC = @extschema@.attribution_rows_serialize, DESERIALFUNC = @extschema@.attribution_rows_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.attribution_agg(timestamptz, text, boolean, numeric, text) IS
	'one customer''s conversions credited to the channels before them (GROUP BY customer)';

CREATE AGGREGATE @extschema@.attribution_agg(occurred_at timestamptz, channel text, converted boolean,
		revenue numeric, model text, options text) (
	SFUNC = @extschema@.attribution_rows_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.attribution_rows_finalfn,
	COMBINEFUNC = @extschema@.attribution_rows_combine,
	SERIALFUNC = @extschema@.attribution_rows_serialize, DESERIALFUNC = @extschema@.attribution_rows_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.attribution_agg(timestamptz, text, boolean, numeric, text, text) IS
	'one customer''s conversions credited to the channels before them, with model options';

CREATE AGGREGATE @extschema@.attribution_agg(occurred_at timestamptz, channel text, converted boolean,
		revenue numeric, lead boolean, opportunity boolean, model text, options text) (
	SFUNC = @extschema@.attribution_rows_transfn, STYPE = internal, SSPACE = 256,
	FINALFUNC = @extschema@.attribution_rows_finalfn,
	COMBINEFUNC = @extschema@.attribution_rows_combine,
	SERIALFUNC = @extschema@.attribution_rows_serialize, DESERIALFUNC = @extschema@.attribution_rows_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.attribution_agg(timestamptz, text, boolean, numeric, boolean, boolean, text, text) IS
	'one customer''s conversions credited to the channels before them, with lead and opportunity milestones (w_shaped)';

-- across customers: from paths, from journeys, and rollup
CREATE FUNCTION @extschema@.attribution_paths_transfn(internal, text[], bigint, bigint, numeric, text)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_paths_transfn(internal, text[], bigint, bigint, numeric, text) IS
	'attribution_agg transition function (paths)';

CREATE FUNCTION @extschema@.attribution_paths_transfn(internal, text[], bigint, bigint, numeric, text, text)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_paths_transfn(internal, text[], bigint, bigint, numeric, text, text) IS
	'attribution_agg transition function (paths, options)';

CREATE FUNCTION @extschema@.attribution_journey_transfn(internal, @extschema@.journey, text, text)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_journey_transfn(internal, @extschema@.journey, text, text) IS
	'attribution_agg transition function (journeys)';

CREATE FUNCTION @extschema@.attribution_journey_transfn(internal, @extschema@.journey, text, text, text)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_journey_transfn(internal, @extschema@.journey, text, text, text) IS
	'attribution_agg transition function (journeys, options)';

CREATE FUNCTION @extschema@.attribution_rollup_transfn(internal, @extschema@.attribution)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_rollup_transfn(internal, @extschema@.attribution) IS
	'rollup(attribution) transition function';

CREATE FUNCTION @extschema@.attribution_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_combine(internal, internal) IS 'attribution combine function';

CREATE FUNCTION @extschema@.attribution_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_serialize(internal) IS 'attribution state serialization';

CREATE FUNCTION @extschema@.attribution_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_deserialize(bytea, internal) IS 'attribution state deserialization';

CREATE FUNCTION @extschema@.attribution_finalfn(internal) RETURNS @extschema@.attribution
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_finalfn(internal) IS 'attribution final function';

CREATE AGGREGATE @extschema@.attribution_agg(path text[], conversions bigint, nulls bigint,
		revenue numeric, model text) (
	SFUNC = @extschema@.attribution_paths_transfn, STYPE = internal,
	FINALFUNC = @extschema@.attribution_finalfn,
	COMBINEFUNC = @extschema@.attribution_combine,
	SERIALFUNC = @extschema@.attribution_serialize, DESERIALFUNC = @extschema@.attribution_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.attribution_agg(text[], bigint, bigint, numeric, text) IS
	'attribution from channel paths with conversion and non-conversion counts (ChannelAttribution''s input)';

CREATE AGGREGATE @extschema@.attribution_agg(path text[], conversions bigint, nulls bigint,
		revenue numeric, model text, options text) (
	SFUNC = @extschema@.attribution_paths_transfn, STYPE = internal,
	FINALFUNC = @extschema@.attribution_finalfn,
	COMBINEFUNC = @extschema@.attribution_combine,
	SERIALFUNC = @extschema@.attribution_serialize, DESERIALFUNC = @extschema@.attribution_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.attribution_agg(text[], bigint, bigint, numeric, text, text) IS
	'attribution from channel paths with counts, with model options';

CREATE AGGREGATE @extschema@.attribution_agg(j @extschema@.journey, conversion_event text, model text) (
	SFUNC = @extschema@.attribution_journey_transfn, STYPE = internal,
	FINALFUNC = @extschema@.attribution_finalfn,
	COMBINEFUNC = @extschema@.attribution_combine,
	SERIALFUNC = @extschema@.attribution_serialize, DESERIALFUNC = @extschema@.attribution_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.attribution_agg(@extschema@.journey, text, text) IS
	'attribution across stored journeys; a conversion is a touch with the given event';

CREATE AGGREGATE @extschema@.attribution_agg(j @extschema@.journey, conversion_event text, model text, options text) (
	SFUNC = @extschema@.attribution_journey_transfn, STYPE = internal,
	FINALFUNC = @extschema@.attribution_finalfn,
	COMBINEFUNC = @extschema@.attribution_combine,
	SERIALFUNC = @extschema@.attribution_serialize, DESERIALFUNC = @extschema@.attribution_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.attribution_agg(@extschema@.journey, text, text, text) IS
	'attribution across stored journeys, with model options (lead_stage, opportunity_stage for w_shaped)';

CREATE AGGREGATE @extschema@.rollup(@extschema@.attribution) (
	SFUNC = @extschema@.attribution_rollup_transfn, STYPE = internal,
	FINALFUNC = @extschema@.attribution_finalfn,
	COMBINEFUNC = @extschema@.attribution_combine,
	SERIALFUNC = @extschema@.attribution_serialize, DESERIALFUNC = @extschema@.attribution_deserialize,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.attribution) IS
	'merge attribution states of one model (customers into segments, days into months, shards into one)';

-- reading
CREATE FUNCTION @extschema@.attribution_credits(@extschema@.attribution,
		OUT channel text, OUT conversions double precision, OUT revenue double precision)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION @extschema@.attribution_credits(@extschema@.attribution) IS
	'credited conversions and revenue per channel, (none) for conversions without a prior touch';

CREATE FUNCTION @extschema@.attribution_removal_effects(@extschema@.attribution,
		OUT channel text, OUT removal_effect double precision)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION @extschema@.attribution_removal_effects(@extschema@.attribution) IS
	'markov model: the share of conversions lost if each channel were removed';

CREATE FUNCTION @extschema@.attribution_paths(@extschema@.attribution,
		OUT path text[], OUT conversions bigint, OUT nulls bigint, OUT revenue double precision)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION @extschema@.attribution_paths(@extschema@.attribution) IS
	'markov, shapley: the distinct paths with their conversions, non-converting journeys and revenue';

CREATE FUNCTION @extschema@.attribution_conversions(@extschema@.attribution) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_conversions(@extschema@.attribution) IS
	'conversions in the state, those without a prior touch included';

CREATE FUNCTION @extschema@.attribution_revenue(@extschema@.attribution) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_revenue(@extschema@.attribution) IS
	'revenue of the conversions in the state';

CREATE FUNCTION @extschema@.attribution_model(@extschema@.attribution) RETURNS text
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_model(@extschema@.attribution) IS
	'the model and its parameters, canonical (times in microseconds)';

CREATE FUNCTION @extschema@.journey_attribution(j @extschema@.journey, conversion_event text, model text,
		options text DEFAULT '',
		OUT channel text, OUT conversions double precision, OUT revenue double precision)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION @extschema@.journey_attribution(@extschema@.journey, text, text, text) IS
	'one journey''s conversions credited to its channels, as rows';
