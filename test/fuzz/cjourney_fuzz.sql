-- test/fuzz/cjourney_fuzz.sql: the SQL face of the test-only module
-- (test/fuzz/cjourney_fuzz.c), created in schema cjfuzz by the fuzzers.
-- psql variable :fuzz_lib is the library path or name.
CREATE SCHEMA cjfuzz;
CREATE FUNCTION cjfuzz.input(str text, template anyelement) RETURNS anyelement
	AS :'fuzz_lib', 'cjfuzz_input' LANGUAGE C IMMUTABLE;
CREATE FUNCTION cjfuzz.recv(data bytea, template anyelement) RETURNS anyelement
	AS :'fuzz_lib', 'cjfuzz_recv' LANGUAGE C IMMUTABLE;
CREATE FUNCTION cjfuzz.agg_states(agg regprocedure, query text, rows_per_state integer)
	RETURNS SETOF bytea AS :'fuzz_lib', 'cjfuzz_agg_states' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION cjfuzz.deserialize(agg regprocedure, state bytea) RETURNS text
	AS :'fuzz_lib', 'cjfuzz_deserialize' LANGUAGE C STRICT IMMUTABLE;
CREATE FUNCTION cjfuzz.bytes(v anyelement) RETURNS bytea
	AS :'fuzz_lib', 'cjfuzz_bytes' LANGUAGE C STRICT IMMUTABLE;
CREATE FUNCTION cjfuzz.stored(data bytea, template anyelement) RETURNS anyelement
	AS :'fuzz_lib', 'cjfuzz_stored' LANGUAGE C IMMUTABLE;
