/*-------------------------------------------------------------------------
 *
 * cjourney.h
 *		Limits and small helpers shared by every cjourney module.
 *
 * The limits are part of the documented behaviour (README "Limits"): each
 * is quoted in the detail of the error raised when it is exceeded.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJOURNEY_H
#define CJOURNEY_H

#include "postgres.h"

#include "datatype/timestamp.h"

/*
 * Touches one journey (or one group of a per-customer aggregate) may hold.
 * The documented bound of a group is its memory, cjourney.max_state_memory
 * (records and values, checked as the state grows); this count only keeps
 * one allocation of records (40 bytes each) under PostgreSQL's 1 GB
 * allocation limit.  0.1.0 stopped at 1,000,000.
 */
#define CJ_MAX_TOUCHES			16777216

/* Stages in one stage list: stage ordinals are stored in one byte. */
#define CJ_MAX_STAGES			255

/* Length in bytes of one channel or event label. */
#define CJ_MAX_LABEL_BYTES		1024

/* Distinct channel and event labels in one journey. */
#define CJ_MAX_LABELS			65535

/* Distinct labels one aggregate call keeps in its per-query dictionary. */
#define CJ_MAX_QUERY_LABELS		16000000

/* Encoded size of one journey, and memory of one aggregate state. */
#define CJ_MAX_JOURNEY_BYTES	((Size) 256 * 1024 * 1024)

/*
 * Memory budgets, in kB (settings; README "Limits"): one aggregate state
 * that grows with its distinct values (funnel_report's durations), and the
 * label dictionary one aggregate keeps per query.  Both live outside
 * work_mem, so they are bounded here; exceeding one is a 54000 error naming
 * the setting.
 */
#define CJ_DEFAULT_STATE_MEMORY		(1024 * 1024)	/* 1 GB */
#define CJ_DEFAULT_LABEL_MEMORY		(256 * 1024)	/* 256 MB */
extern int	cj_max_state_memory;
extern int	cj_max_label_memory;

/* Raise 54000: what (a noun phrase) needs more than the setting allows. */
pg_attribute_noreturn()
extern void cj_memory_exceeded(const char *what, const char *setting, int limit_kb,
							   const char *hint);

/*
 * Touch times are restricted to years 1 to 9999 so that the canonical text
 * form is plain ISO 8601 (four-digit years, no BC).  0001-01-01 00:00:00 UTC
 * and 10000-01-01 00:00:00 UTC in PostgreSQL microseconds since 2000-01-01.
 */
#define CJ_MIN_TIME		INT64CONST(-63082281600000000)
#define CJ_END_TIME		INT64CONST(252455616000000000)

#define CJ_TIME_IN_RANGE(t)	((t) >= CJ_MIN_TIME && (t) < CJ_END_TIME)

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/tuplestore.h"

/*
 * Server API differences across the supported versions (13 to 17) that the
 * code would otherwise meet in several files; single-file ones are guarded
 * where they are used (cjourney.c: MarkGUCPrefixReserved, numeric_is_inf).
 * strtoi64 is a c.h macro from PostgreSQL 15 on.
 */
#ifndef strtoi64
#define strtoi64(str, endptr, base) ((int64) strtoll(str, endptr, base))
#endif

/*
 * Interrupt checks: every phase of every aggregate and accessor answers a
 * cancel within 0.1 s (test/suites/cancel.sh).  A loop over touches,
 * pairs, paths or subsets calls CJ_CHECK_EVERY(i) with its counter; the
 * comparator of a sort that may see a million elements calls
 * CJ_SORT_TICK() (PostgreSQL's qsort allocates nothing, so an error may
 * leave it).  Either checks once every CJ_CHECK_STRIDE + 1 calls.
 */
#define CJ_CHECK_STRIDE		0xFFF
#define CJ_CHECK_EVERY(i) \
	do { \
		if (((i) & CJ_CHECK_STRIDE) == CJ_CHECK_STRIDE) \
			CHECK_FOR_INTERRUPTS(); \
	} while (0)
extern uint32 cj_sort_ticks;
#define CJ_SORT_TICK()		CJ_CHECK_EVERY(++cj_sort_ticks)

/* A boolean[] as a bit mask (NULLs are false); n is set to its length. */
extern uint64 cj_bool_array_mask(ArrayType *arr, int max, int *n, const char *fn,
								 const char *noun);

/* Set up a materialized set-returning function; returns its tuplestore. */
extern Tuplestorestate *cj_srf_begin(FunctionCallInfo fcinfo, TupleDesc *tupdesc);

/* A read cursor over a bytea's payload (for deserialize functions). */
extern void cj_bytea_message(bytea *data, StringInfo msg);

/* Raise the error (54000) for more than CJ_MAX_TOUCHES touches. */
pg_attribute_noreturn()
extern void cj_too_many_touches(void);

/*
 * Raise 54000 unless bytes (the records and values of one group or journey)
 * fit in cjourney.max_state_memory.
 */
extern void cj_check_state_bytes(Size bytes);

/* Raise the standard out-of-range error for a touch time. */
extern void cj_check_time(TimestampTz t);

/* Is a numeric finite (not NaN, not infinite)? */
extern bool cj_numeric_is_finite(Datum numeric);

/* Raise 22023 unless a touch value (numeric) is finite. */
extern void cj_check_value(Datum numeric);

/*
 * JSON pieces for the *_to_jsonb functions: a double as its shortest exact
 * text (null when not finite; never dependent on extra_float_digits), a
 * label of len bytes as a JSON string, and the jsonb of a JSON text.
 */
extern void cj_json_double(StringInfo buf, double v);
extern void cj_json_label(StringInfo buf, const char *s, int len);
extern Datum cj_jsonb_of(StringInfo buf);

#endif							/* CJOURNEY_H */
