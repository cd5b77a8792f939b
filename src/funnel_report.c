/*-------------------------------------------------------------------------
 *
 * funnel_report.c
 *		The funnel report across customers: a combinable state type.
 *
 * A funnel_report holds, for an N-step funnel, how many customers reached
 * each step and the exact multiset of times from the previous step, as
 * (duration, count) pairs.  It is built from per-customer step times
 * (window_funnel_times), levels (window_funnel) or stored journeys (the
 * journey_funnel walk, steps in the journey step syntax), merges exactly with
 * rollup(), and expands to one row per step for BI tools.
 *
 * Stored form (after the varlena header; native byte order):
 *	uint8 version, uint8 nsteps, uint8 step-time rule (0 not stated, 1
 *	latest_step_start, 2 first_step_start; 0.2.0, reserved 0 before),
 *	uint8 reserved (0), uint32 total pairs,
 *	int64 reached[nsteps], int32 npairs[nsteps] (npairs[0] = 0, padded to
 *	8 bytes), then pairs (int64 duration in microseconds, int64 count)
 *	grouped by step, each group sorted by duration with distinct durations.
 * Text form: "N; r1 r2 ... rN; d:c d:c ...; ..." with one ";"-section per
 * step after the first, e.g. "3; 100 60 20; 3600000000:2; 86400000000:1";
 * a stated step-time rule follows the step count ("3 first_step_start; ...").
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "agg.h"
#include "funnel_walk.h"
#include "journey_format.h"
#include "journey_step.h"
#include "key_sort.h"
#include "wire.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include <math.h>

PG_FUNCTION_INFO_V1(funnel_report_in);
PG_FUNCTION_INFO_V1(funnel_report_out);
PG_FUNCTION_INFO_V1(funnel_report_recv);
PG_FUNCTION_INFO_V1(funnel_report_send);
PG_FUNCTION_INFO_V1(funnel_report_times_transfn);
PG_FUNCTION_INFO_V1(funnel_report_level_transfn);
PG_FUNCTION_INFO_V1(funnel_report_journey_transfn);
PG_FUNCTION_INFO_V1(funnel_report_rollup_transfn);
PG_FUNCTION_INFO_V1(funnel_report_combine);
PG_FUNCTION_INFO_V1(funnel_report_serialize);
PG_FUNCTION_INFO_V1(funnel_report_deserialize);
PG_FUNCTION_INFO_V1(funnel_report_finalfn);
PG_FUNCTION_INFO_V1(funnel_report_steps);
PG_FUNCTION_INFO_V1(funnel_report_to_jsonb);
PG_FUNCTION_INFO_V1(funnel_report_times_rule_transfn);
PG_FUNCTION_INFO_V1(funnel_report_step_time_rule);

#define FR_VERSION		1
#define FR_MAX_STEPS	64
#define FR_TYPE			"funnel_report"

/*
 * The step-time rule of the window_funnel_times the report was built from,
 * when stated (funnel_report_agg(step_times, nsteps, rule)); reports of
 * 0.1.0 and from levels state none.  The binary form carries it from
 * version 2 on; version 1 (no rule) is still read and written.
 */
#define FR_RULE_NONE	0
#define FR_RULE_LATEST	1
#define FR_RULE_FIRST	2
#define FR_BINARY_VERSION_RULE	2

static const char *const fr_rule_names[] = {NULL, "latest_step_start", "first_step_start"};

/*
 * Pairs in one value, all steps together: 64,000,000 pairs of 16 bytes
 * keep a stored value (and its binary form) below PostgreSQL's 1 GB limit.
 * One step of an aggregate state holds at most as many before its equal
 * durations are merged.
 */
#define FR_MAX_PAIRS	INT64CONST(64000000)

/* An aggregate state merges a step's equal durations from this size on. */
#define FR_COMPACT_MIN	1024

typedef struct Pair
{
	int64		d;				/* duration from the previous step, microseconds */
	int64		count;
} Pair;

/* sorted as key_sort_keyed_pairs' (key, payload) elements */
StaticAssertDecl(offsetof(Pair, d) == 0 && sizeof(Pair) == 2 * sizeof(int64),
				 "a funnel report pair is a duration key and a count");

/* In memory: the aggregate state, and a decoded stored value. */
typedef struct Report
{
	int			nsteps;			/* 0 while unknown (no row yet) */
	int			rule;			/* FR_RULE_* */
	int64		reached[FR_MAX_STEPS];
	Pair	   *pairs[FR_MAX_STEPS];	/* pairs[0] unused */
	int64		npairs[FR_MAX_STEPS];
	int64		cap[FR_MAX_STEPS];
	bool		sorted[FR_MAX_STEPS];	/* sorted with distinct durations */
	bool		compact;		/* an aggregate state: may merge early */
	MemoryContext mcxt;
} Report;

/* memcpy in slices of 16 MB, checking for interrupts between them */
static void
copy_checked(char *dst, const char *src, Size n)
{
	const Size	slice = (Size) 16 * 1024 * 1024;

	while (n > 0)
	{
		Size		k = Min(n, slice);

		CHECK_FOR_INTERRUPTS();
		memcpy(dst, src, k);
		dst += k;
		src += k;
		n -= k;
	}
}

static Report *
report_new(MemoryContext mcxt, int nsteps)
{
	Report	   *r = MemoryContextAllocZero(mcxt, sizeof(Report));
	int			k;

	r->mcxt = mcxt;
	r->nsteps = nsteps;
	for (k = 0; k < FR_MAX_STEPS; k++)
		r->sorted[k] = true;
	return r;
}

pg_attribute_noreturn()
static void
count_out_of_range(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("funnel report customer count out of range")));
}

/* sort step k's pairs and merge equal durations (idempotent) */
static void
normalize_step(Report *r, int k)
{
	int64		i,
				j = 0;

	if (r->sorted[k])
		return;
	key_sort_keyed_pairs((int64 *) r->pairs[k], r->npairs[k]);
	for (i = 1; i < r->npairs[k]; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (r->pairs[k][i].d == r->pairs[k][j].d)
		{
			if (pg_add_s64_overflow(r->pairs[k][j].count, r->pairs[k][i].count,
									&r->pairs[k][j].count))
				count_out_of_range();
		}
		else
			r->pairs[k][++j] = r->pairs[k][i];
	}
	if (r->npairs[k] > 0)
		r->npairs[k] = j + 1;
	r->sorted[k] = true;
}

static void
report_normalize(Report *r)
{
	int			k;

	for (k = 1; k < r->nsteps; k++)
		normalize_step(r, k);
}

pg_attribute_noreturn()
static void
too_many_pairs(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("funnel report has too many distinct durations"),
			 errdetail("A funnel report holds at most " INT64_FORMAT " distinct (step, duration) pairs.",
					   FR_MAX_PAIRS),
			 errhint("Round the step times (for example, to the second) before aggregating.")));
}

/*
 * Make room for one more pair in step k.  An aggregate state first merges
 * equal durations, and grows only when that frees less than half; growth
 * doubles, in 64-bit arithmetic, up to FR_MAX_PAIRS, and all steps' pairs
 * together stay within cjourney.max_state_memory.
 */
static void
grow_pairs(Report *r, int k)
{
	int64		cap,
				held = 0;
	int			j;

	if (r->compact && !r->sorted[k] && r->npairs[k] >= FR_COMPACT_MIN)
	{
		normalize_step(r, k);
		if (r->npairs[k] <= r->cap[k] / 2)
			return;
	}
	if (r->npairs[k] >= FR_MAX_PAIRS)
		too_many_pairs();
	cap = Min(Max(8, r->cap[k] * 2), FR_MAX_PAIRS);
	for (j = 0; j < FR_MAX_STEPS; j++)
		held += r->cap[j];
	if ((held - r->cap[k] + cap) * (int64) sizeof(Pair) > (int64) cj_max_state_memory * 1024)
		cj_memory_exceeded("funnel report state", "cjourney.max_state_memory", cj_max_state_memory,
						   "Raise cjourney.max_state_memory, or round the step times (for example, to the second) before aggregating.");
	r->pairs[k] = r->pairs[k]
		? repalloc_huge(r->pairs[k], (Size) cap * sizeof(Pair))
		: MemoryContextAllocHuge(r->mcxt, (Size) cap * sizeof(Pair));
	r->cap[k] = cap;
}

static void
add_pair(Report *r, int k, int64 d, int64 count)
{
	if (r->npairs[k] >= r->cap[k])
		grow_pairs(r, k);
	if (r->npairs[k] > 0 && r->pairs[k][r->npairs[k] - 1].d >= d)
		r->sorted[k] = false;
	r->pairs[k][r->npairs[k]].d = d;
	r->pairs[k][r->npairs[k]++].count = count;
}

/* The pairs of r, normalised first; an error unless they fit in a stored value. */
static int64
report_total_pairs(Report *r)
{
	int64		total = 0;
	int			k;

	report_normalize(r);
	for (k = 0; k < r->nsteps; k++)
		total += r->npairs[k];
	if (total > FR_MAX_PAIRS)
		too_many_pairs();
	return total;
}

static void
nsteps_check(int nsteps)
{
	if (nsteps < 1 || nsteps > FR_MAX_STEPS)
		ereport(ERROR,
				(errcode(nsteps < 1 ? ERRCODE_INVALID_PARAMETER_VALUE : ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a funnel report has 1 to %d steps, not %d", FR_MAX_STEPS, nsteps)));
}

static void
merge_into(Report *dst, const Report *src)
{
	int			k;
	int64		i;

	if (src->nsteps != dst->nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine funnel reports of %d and %d steps", dst->nsteps, src->nsteps)));
	if (src->rule != FR_RULE_NONE && dst->rule != FR_RULE_NONE && src->rule != dst->rule)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine funnel reports of step-time rules %s and %s",
						fr_rule_names[dst->rule], fr_rule_names[src->rule]),
				 errdetail("Their times from the previous step are measured differently.")));
	if (dst->rule == FR_RULE_NONE)
		dst->rule = src->rule;
	for (k = 0; k < src->nsteps; k++)
	{
		if (pg_add_s64_overflow(dst->reached[k], src->reached[k], &dst->reached[k]))
			count_out_of_range();
		for (i = 0; i < src->npairs[k]; i++)
		{
			if ((i & 0xFFFF) == 0xFFFF)
				CHECK_FOR_INTERRUPTS();
			add_pair(dst, k, src->pairs[k][i].d, src->pairs[k][i].count);
		}
	}
}

/* ---- stored form ---- */

static struct varlena *
report_encode(Report *r)
{
	Size		total = (Size) report_total_pairs(r),
				size;
	int			k;
	char	   *p;
	struct varlena *v;

	size = VARHDRSZ + 8 + 8 * r->nsteps + MAXALIGN(4 * r->nsteps) + total * sizeof(Pair);
	v = palloc0(size);
	SET_VARSIZE(v, size);
	p = VARDATA(v);
	p[0] = FR_VERSION;
	p[1] = (char) r->nsteps;
	p[2] = (char) r->rule;
	memcpy(p + 4, &(uint32){(uint32) total}, 4);
	p += 8;
	memcpy(p, r->reached, 8 * r->nsteps);
	p += 8 * r->nsteps;
	for (k = 0; k < r->nsteps; k++)
		memcpy(p + 4 * k, &(int32){(int32) r->npairs[k]}, 4);
	p += MAXALIGN(4 * r->nsteps);
	for (k = 0; k < r->nsteps; k++)
	{
		/* pairs[k] is NULL for step 1 and for steps without a duration */
		if (r->npairs[k] == 0)
			continue;
		copy_checked(p, (const char *) r->pairs[k], r->npairs[k] * sizeof(Pair));
		p += r->npairs[k] * sizeof(Pair);
	}
	return v;
}

pg_attribute_noreturn()
static void
corrupt(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("corrupt %s value", FR_TYPE),
			 errdetail_internal("%s", what)));
}

/* check the invariants every value must keep, whatever its origin */
static void
report_validate(const Report *r, int errcode_, const char *type_name)
{
	int			k;
	int64		i;

	for (k = 0; k < r->nsteps; k++)
	{
		int64		sum = 0;
		const char *bad = NULL;

		if (r->reached[k] < 0 || (k > 0 && r->reached[k] > r->reached[k - 1]))
			bad = "Each step's customers must be between zero and the previous step's.";
		for (i = 0; i < r->npairs[k] && bad == NULL; i++)
		{
			CJ_CHECK_EVERY(i);
			if (r->pairs[k][i].count <= 0 || r->pairs[k][i].d < 0 ||
				(i > 0 && r->pairs[k][i].d <= r->pairs[k][i - 1].d))
				bad = "Durations must be non-negative and increasing, with positive counts.";
			else if (pg_add_s64_overflow(sum, r->pairs[k][i].count, &sum) || sum > r->reached[k])
				bad = "A step has more durations than customers who reached it.";
		}
		if (bad != NULL)
		{
			if (errcode_ == ERRCODE_DATA_CORRUPTED)
				corrupt(bad);
			if (errcode_ == ERRCODE_INVALID_BINARY_REPRESENTATION)
				ereport(ERROR,
						(errcode(errcode_),
						 errmsg("invalid binary representation of type %s", type_name),
						 errdetail("%s", bad)));
			ereport(ERROR,
					(errcode(errcode_),
					 errmsg("invalid input value for type %s", type_name),
					 errdetail("%s", bad)));
		}
	}
}

/* decode a stored value, checking every length */
static Report *
report_decode(const struct varlena *v)
{
	const char *p = VARDATA_ANY(v);
	Size		len = VARSIZE_ANY_EXHDR(v);
	Report	   *r;
	uint32		total;
	int32		npairs[FR_MAX_STEPS];
	int			k,
				n;
	Size		need;

	if (len < 8 || p[0] != FR_VERSION || (uint8) p[2] > FR_RULE_FIRST || p[3] != 0)
		corrupt("bad header");
	n = (uint8) p[1];
	if (n < 1 || n > FR_MAX_STEPS)
		corrupt("bad step count");
	memcpy(&total, p + 4, 4);
	need = 8 + 8 * (Size) n + MAXALIGN(4 * n) + (Size) total * sizeof(Pair);
	if (len != need)
		corrupt("bad length");
	r = report_new(CurrentMemoryContext, n);
	r->rule = (uint8) p[2];
	memcpy(r->reached, p + 8, 8 * n);
	memcpy(npairs, p + 8 + 8 * n, 4 * n);
	p += 8 + 8 * n + MAXALIGN(4 * n);
	{
		uint64		sum = 0;

		for (k = 0; k < n; k++)
		{
			if (npairs[k] < 0 || (k == 0 && npairs[k] != 0))
				corrupt("bad pair count");
			r->npairs[k] = npairs[k];
			sum += npairs[k];
		}
		if (sum != total)
			corrupt("bad pair count");
	}
	for (k = 0; k < n; k++)
	{
		r->pairs[k] = (Pair *) palloc(Max(r->npairs[k], 1) * sizeof(Pair));
		copy_checked((char *) r->pairs[k], p, r->npairs[k] * sizeof(Pair));
		p += r->npairs[k] * sizeof(Pair);
		r->cap[k] = Max(r->npairs[k], 1);
	}
	report_validate(r, ERRCODE_DATA_CORRUPTED, FR_TYPE);
	return r;
}

/* ---- text I/O ---- */

pg_attribute_noreturn()
static void
text_error(const char *input, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", FR_TYPE, input),
			 errdetail("%s", detail)));
}

static int64
read_int(const char *input, const char **pp, const char *what)
{
	const char *p = *pp;
	char	   *end;
	int64		x;

	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		text_error(input, psprintf("Expected %s.", what));
	errno = 0;
	x = strtoll(p, &end, 10);
	if (errno == ERANGE)
		text_error(input, psprintf("The %s is out of range.", what));
	*pp = end;
	return x;
}

Datum
funnel_report_in(PG_FUNCTION_ARGS)
{
	const char *input = PG_GETARG_CSTRING(0);
	const char *p = input;
	Report	   *r;
	int64		n;
	int			k;

	n = read_int(input, &p, "the number of steps");
	if (n < 1 || n > FR_MAX_STEPS)
		text_error(input, psprintf("A funnel report has 1 to %d steps.", FR_MAX_STEPS));
	r = report_new(CurrentMemoryContext, (int) n);
	while (*p == ' ')
		p++;
	for (k = FR_RULE_LATEST; k <= FR_RULE_FIRST; k++)
	{
		size_t		len = strlen(fr_rule_names[k]);

		if (strncmp(p, fr_rule_names[k], len) == 0 && (p[len] == ' ' || p[len] == ';'))
		{
			r->rule = k;
			p += len;
			while (*p == ' ')
				p++;
			break;
		}
	}
	if (*p++ != ';')
		text_error(input, "Expected \";\" after the number of steps.");
	for (k = 0; k < n; k++)
		r->reached[k] = read_int(input, &p, "a customer count");
	for (k = 1; k < n; k++)
	{
		while (*p == ' ')
			p++;
		if (*p++ != ';')
			text_error(input, psprintf("Expected \";\" before the durations of step %d.", k + 1));
		for (;;)
		{
			int64		d,
						c;

			while (*p == ' ')
				p++;
			if (*p == ';' || *p == '\0')
				break;
			d = read_int(input, &p, "a duration");
			if (*p++ != ':')
				text_error(input, "Expected \":\" between a duration and its count.");
			c = read_int(input, &p, "a count");
			add_pair(r, k, d, c);
		}
	}
	while (*p == ' ')
		p++;
	if (*p != '\0')
		text_error(input, "Unexpected text after the value.");
	/* strict: durations must already be canonical (sorted, distinct) */
	report_validate(r, ERRCODE_INVALID_TEXT_REPRESENTATION, FR_TYPE);
	PG_RETURN_POINTER(report_encode(r));
}

Datum
funnel_report_out(PG_FUNCTION_ARGS)
{
	Report	   *r = report_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)));
	StringInfoData buf;
	int			k;
	int64		i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%d", r->nsteps);
	if (r->rule != FR_RULE_NONE)
		appendStringInfo(&buf, " %s", fr_rule_names[r->rule]);
	appendStringInfoChar(&buf, ';');
	for (k = 0; k < r->nsteps; k++)
		appendStringInfo(&buf, " " INT64_FORMAT, r->reached[k]);
	for (k = 1; k < r->nsteps; k++)
	{
		appendStringInfoChar(&buf, ';');
		for (i = 0; i < r->npairs[k]; i++)
		{
			CJ_CHECK_EVERY(i);
			appendStringInfo(&buf, " " INT64_FORMAT ":" INT64_FORMAT,
							 r->pairs[k][i].d, r->pairs[k][i].count);
		}
	}
	PG_RETURN_CSTRING(buf.data);
}

/*
 * binary: uint8 version, [uint8 rule: version 2 only], int32 nsteps, int64
 * reached[], then per step int32 n, (int64, int64)[].  A report without a
 * stated rule is written as version 1, as 0.1.0 wrote it.
 */
static void
report_write(StringInfo buf, Report *r)
{
	int			k;
	int64		i;

	(void) report_total_pairs(r);
	if (r->rule == FR_RULE_NONE)
		pq_sendbyte(buf, FR_VERSION);
	else
	{
		pq_sendbyte(buf, FR_BINARY_VERSION_RULE);
		pq_sendbyte(buf, (uint8) r->rule);
	}
	pq_sendint32(buf, r->nsteps);
	for (k = 0; k < r->nsteps; k++)
		pq_sendint64(buf, r->reached[k]);
	for (k = 1; k < r->nsteps; k++)
	{
		pq_sendint32(buf, (int32) r->npairs[k]);
		for (i = 0; i < r->npairs[k]; i++)
		{
			CJ_CHECK_EVERY(i);
			pq_sendint64(buf, r->pairs[k][i].d);
			pq_sendint64(buf, r->pairs[k][i].count);
		}
	}
}

/* Read a report written by report_write; everything but the order is checked. */
static Report *
report_read(WireReader *w, MemoryContext mcxt)
{
	Report	   *r;
	int32		n;
	int			k,
				version,
				rule = FR_RULE_NONE;

	version = wire_byte(w);
	if (version != FR_VERSION && version != FR_BINARY_VERSION_RULE)
		wire_error(w, "Unknown format version.");
	if (version == FR_BINARY_VERSION_RULE)
	{
		rule = wire_byte(w);
		if (rule != FR_RULE_LATEST && rule != FR_RULE_FIRST)
			wire_error(w, psprintf("The step-time rule byte is %d; it must be 1 or 2.", rule));
	}
	n = wire_int32(w);
	if (n < 1 || n > FR_MAX_STEPS)
		wire_error(w, psprintf("The step count is %d; a funnel report has 1 to %d steps.",
							   n, FR_MAX_STEPS));
	r = report_new(mcxt, n);
	r->rule = rule;
	wire_need(w, (int64) 8 * n);
	for (k = 0; k < n; k++)
		r->reached[k] = wire_int64(w);
	for (k = 1; k < n; k++)
	{
		int32		np = wire_int32(w),
					i;

		if (np < 0)
			wire_error(w, "A pair count is negative.");
		wire_need(w, (int64) np * 16);
		for (i = 0; i < np; i++)
		{
			int64		d = wire_int64(w);

			CJ_CHECK_EVERY(i);
			add_pair(r, k, d, wire_int64(w));
		}
	}
	wire_end(w);
	return r;
}

Datum
funnel_report_recv(PG_FUNCTION_ARGS)
{
	WireReader	w;
	Report	   *r;

	wire_reader_init(&w, (StringInfo) PG_GETARG_POINTER(0), FR_TYPE);
	r = report_read(&w, CurrentMemoryContext);
	report_validate(r, ERRCODE_INVALID_BINARY_REPRESENTATION, FR_TYPE);
	PG_RETURN_POINTER(report_encode(r));
}

Datum
funnel_report_send(PG_FUNCTION_ARGS)
{
	Report	   *r = report_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)));
	StringInfoData buf;

	pq_begintypsend(&buf);
	report_write(&buf, r);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- aggregates ---- */

/* The state of funnel_report_agg; argument 2 is the number of steps. */
static Report *
agg_report(FunctionCallInfo fcinfo)
{
	MemoryContext aggcxt = agg_context(fcinfo, "funnel_report_agg");
	Report	   *r = PG_ARGISNULL(0) ? NULL : (Report *) PG_GETARG_POINTER(0);
	int			nsteps;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_report_agg needs the number of steps")));
	nsteps = PG_GETARG_INT32(2);
	nsteps_check(nsteps);
	if (r == NULL)
	{
		r = report_new(aggcxt, nsteps);
		r->compact = true;
	}
	else if (r->nsteps != nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_report_agg needs the same number of steps in every row")));
	return r;
}

/*
 * Add one customer who reached n steps at the given times: each reached
 * step counts it, and each step after the first gets its time from the
 * previous one.
 */
static void
report_add_times(Report *r, const int64 *times, int n)
{
	int			k;

	for (k = 0; k < n; k++)
	{
		r->reached[k]++;
		if (k > 0)
		{
			int64		d;

			if (pg_sub_s64_overflow(times[k], times[k - 1], &d))
				ereport(ERROR,
						(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
						 errmsg("time between funnel steps out of range"),
						 errdetail("The time from step %d to step %d exceeds 2^63 - 1 microseconds.",
								   k, k + 1)));
			if (d < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("step times must not decrease")));
			add_pair(r, k, d, 1);
		}
	}
}

/*
 * funnel_report_agg(step_times timestamptz[], nsteps): one customer's step
 * times (as window_funnel_times returns them); its level is their count.
 */
Datum
funnel_report_times_transfn(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	Report	   *r;
	Datum	   *elems;
	bool	   *nulls;
	int64		times[FR_MAX_STEPS];
	int			n,
				k;

	r = agg_report(fcinfo);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(r);
	arr = PG_GETARG_ARRAYTYPE_P(1);
	/* timestamptz[] or, from the timestamp overload, timestamp[] (same bits) */
	if (ARR_ELEMTYPE(arr) != TIMESTAMPTZOID && ARR_ELEMTYPE(arr) != TIMESTAMPOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("funnel_report_agg takes timestamptz[] or timestamp[] step times")));
	deconstruct_array(arr, ARR_ELEMTYPE(arr), 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
	if (n > r->nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a customer has %d step times for a funnel of %d steps", n, r->nsteps)));
	for (k = 0; k < n; k++)
	{
		if (nulls[k])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("step times must not contain NULL")));
		if (TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(elems[k])))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("step times must be finite"),
					 errdetail("Step %d of a customer's step times is %s.", k + 1,
							   TIMESTAMP_IS_NOBEGIN(DatumGetTimestampTz(elems[k])) ?
							   "-infinity" : "infinity")));
		times[k] = DatumGetTimestampTz(elems[k]);
	}
	report_add_times(r, times, n);
	PG_RETURN_POINTER(r);
}

/*
 * funnel_report_agg over journeys keeps its parsed steps and mode for the
 * query in fn_extra, a JourneyFunnelArgs as journey_funnel's.
 */
static JourneyFunnelArgs *
journey_funnel_args(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(JourneyFunnelArgs));
	return fcinfo->flinfo->fn_extra;
}

/*
 * funnel_report_agg(j journey, window, mode, VARIADIC steps text[]): one
 * customer's stored journey; its funnel (journey_funnel's walk, steps in
 * the journey step syntax) gives its level and step times.  A NULL journey
 * is skipped.
 */
Datum
funnel_report_journey_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "funnel_report_agg");
	Report	   *r = PG_ARGISNULL(0) ? NULL : (Report *) PG_GETARG_POINTER(0);
	JourneyFunnelArgs *args;
	JourneySteps *js;
	int64		times[FR_MAX_STEPS];
	int			level;

	if (PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_report_agg steps must not be NULL")));
	args = journey_funnel_args(fcinfo);
	js = journey_steps_cached(&args->steps, fcinfo->flinfo->fn_mcxt, PG_GETARG_ARRAYTYPE_P(4),
							  "funnel_report_agg", 1, false);
	nsteps_check(js->nsteps);
	if (r == NULL)
	{
		r = report_new(aggcxt, js->nsteps);
		r->compact = true;
	}
	else if (r->nsteps != js->nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_report_agg needs the same number of steps in every row")));
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(r);
	level = journey_funnel_walk(fcinfo, args, js, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1)),
								2, 3, times);
	report_add_times(r, times, level);
	PG_RETURN_POINTER(r);
}

/*
 * funnel_report_agg(step_times, nsteps, step_time_rule): as above, the
 * report stating the rule window_funnel_times used ('latest_step_start',
 * 'first_step_start').
 */
Datum
funnel_report_times_rule_transfn(PG_FUNCTION_ARGS)
{
	Report	   *r;
	char	   *name;
	int			rule = FR_RULE_NONE,
				k;

	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_report_agg needs a step-time rule"),
				 errhint("Pass 'latest_step_start' or 'first_step_start', the rule of the window_funnel_times call.")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(3));
	for (k = FR_RULE_LATEST; k <= FR_RULE_FIRST; k++)
		if (pg_strcasecmp(name, fr_rule_names[k]) == 0)
			rule = k;
	if (rule == FR_RULE_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown step-time rule \"%s\"", name),
				 errdetail("Valid rules: latest_step_start, first_step_start.")));
	r = (Report *) DatumGetPointer(funnel_report_times_transfn(fcinfo));
	if (r->rule == FR_RULE_NONE)
		r->rule = rule;
	else if (r->rule != rule)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_report_agg needs the same step-time rule in every row")));
	PG_RETURN_POINTER(r);
}

/* funnel_step_time_rule(report): the stated rule, or NULL */
Datum
funnel_report_step_time_rule(PG_FUNCTION_ARGS)
{
	Report	   *r = report_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)));

	if (r->rule == FR_RULE_NONE)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(fr_rule_names[r->rule]));
}

/* funnel_report_agg(level integer, nsteps): counts only, no times */
Datum
funnel_report_level_transfn(PG_FUNCTION_ARGS)
{
	Report	   *r;
	int32		level,
				k;

	r = agg_report(fcinfo);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(r);
	level = PG_GETARG_INT32(1);
	if (level < 0 || level > r->nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel level %d is outside 0..%d", level, r->nsteps)));
	for (k = 0; k < level; k++)
		r->reached[k]++;
	PG_RETURN_POINTER(r);
}

/* rollup(funnel_report): add a stored report */
Datum
funnel_report_rollup_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "rollup");
	Report	   *r = PG_ARGISNULL(0) ? NULL : (Report *) PG_GETARG_POINTER(0);
	Report	   *src;

	if (PG_ARGISNULL(1))
	{
		if (r == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(r);
	}
	src = report_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1)));
	if (r == NULL)
	{
		r = report_new(aggcxt, src->nsteps);
		r->compact = true;
	}
	merge_into(r, src);
	PG_RETURN_POINTER(r);
}

Datum
funnel_report_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "funnel_report_combine");
	Report	   *s1 = PG_ARGISNULL(0) ? NULL : (Report *) PG_GETARG_POINTER(0);
	Report	   *s2 = PG_ARGISNULL(1) ? NULL : (Report *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		s1 = report_new(aggcxt, s2->nsteps);
		s1->compact = true;
	}
	merge_into(s1, s2);
	PG_RETURN_POINTER(s1);
}

Datum
funnel_report_serialize(PG_FUNCTION_ARGS)
{
	Report	   *r = (Report *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	(void) agg_context(fcinfo, "funnel_report_serialize");
	pq_begintypsend(&buf);
	report_write(&buf, r);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
funnel_report_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	StringInfoData msg;
	WireReader	w;
	Report	   *r;

	(void) agg_context(fcinfo, "funnel_report_deserialize");
	cj_bytea_message(data, &msg);
	wire_reader_init(&w, &msg, "funnel_report state");
	r = report_read(&w, CurrentMemoryContext);
	/* serialize normalises, so a state obeys a stored value's invariants */
	report_validate(r, ERRCODE_INVALID_BINARY_REPRESENTATION, "funnel_report state");
	r->compact = true;
	PG_RETURN_POINTER(r);
}

/* the report; NULL for no rows */
Datum
funnel_report_finalfn(PG_FUNCTION_ARGS)
{
	Report	   *r;

	(void) agg_context(fcinfo, "funnel_report_finalfn");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	r = (Report *) PG_GETARG_POINTER(0);
	PG_RETURN_POINTER(report_encode(r));
}

/*
 * percentile_cont over a sorted multiset of durations, in microseconds,
 * rounded to the microsecond; exact when the position is a rank.  The
 * interpolation between two durations runs in double, so the
 * result is clamped to the upper neighbour: near INT64_MAX the double
 * rounds up to 2^63, which does not fit in an int64.
 */
static int64
percentile(const Pair *pairs, int64 n, int64 total, double p)
{
	double		pos = p * (double) (total - 1);
	int64		lo_rank = (int64) floor(pos);
	double		frac = pos - (double) lo_rank;
	int64		seen = 0;
	int64		i;
	int64		lo = 0,
				hi = 0,
				r;
	double		v;
	bool		have_lo = false;

	for (i = 0; i < n; i++)
	{
		int64		next = seen + pairs[i].count;

		CJ_CHECK_EVERY(i);
		if (!have_lo && lo_rank < next)
		{
			lo = pairs[i].d;
			have_lo = true;
		}
		if (have_lo && lo_rank + 1 < next)
		{
			hi = pairs[i].d;
			break;
		}
		seen = next;
		if (i == n - 1)
			hi = pairs[i].d;
	}
	/* at a rank, the duration itself (a double has 53 bits: 285 years) */
	if (frac == 0)
		return lo;
	v = (double) lo + ((double) hi - (double) lo) * frac;
	/* below (double) hi, v (an integer from 2^52 on) fits in an int64 */
	if (!(v < (double) hi))
		return hi;
	r = (int64) rint(v);
	return Max(lo, Min(r, hi));
}

static Datum
usec_interval(int64 usec)
{
	Interval   *iv = palloc0(sizeof(Interval));

	iv->day = (int32) (usec / USECS_PER_DAY);
	iv->time = usec % USECS_PER_DAY;
	return IntervalPGetDatum(iv);
}

/* One step of funnel_steps, as numbers; a false has_* means SQL NULL. */
typedef struct StepRow
{
	int64		customers;
	bool		has_from_previous,
				has_from_first,
				has_dropped,
				has_times;
	double		from_previous,
				from_first;
	int64		dropped;
	int64		median,
				p90;			/* microseconds */
} StepRow;

static void
step_row(const Report *r, int k, StepRow *row)
{
	int64		timed = 0;
	int64		i;

	row->customers = r->reached[k];
	row->has_from_previous = !(k == 0 || r->reached[k - 1] == 0);
	if (row->has_from_previous)
		row->from_previous = (double) r->reached[k] / (double) r->reached[k - 1];
	row->has_from_first = (r->reached[0] != 0);
	if (row->has_from_first)
		row->from_first = (double) r->reached[k] / (double) r->reached[0];
	row->has_dropped = (k > 0);
	if (k > 0)
		row->dropped = r->reached[k - 1] - r->reached[k];
	for (i = 0; k > 0 && i < r->npairs[k]; i++)
	{
		CJ_CHECK_EVERY(i);
		timed += r->pairs[k][i].count;
	}
	row->has_times = (timed > 0);
	if (timed > 0)
	{
		row->median = percentile(r->pairs[k], r->npairs[k], timed, 0.5);
		row->p90 = percentile(r->pairs[k], r->npairs[k], timed, 0.9);
	}
}

/*
 * Step names of argument argno (NULL: none): a text[] of one element per
 * step, NULL elements allowed.  Returns an array of nsteps C strings (NULL
 * for no name).
 */
static char **
step_names_arg(FunctionCallInfo fcinfo, int argno, int nsteps)
{
	char	  **names = palloc0(Max(nsteps, 1) * sizeof(char *));
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *isnull;
	int			n,
				k;

	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return names;
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("step names must be a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &isnull, &n);
	if (n != nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%d step names given for a funnel of %d steps", n, nsteps),
				 errhint("Give one name per step, in step order (NULL for a step without a name).")));
	for (k = 0; k < n; k++)
		if (!isnull[k])
			names[k] = TextDatumGetCString(elems[k]);
	return names;
}

/*
 * funnel_steps(report [, step_names]): one row per step (step, customers,
 * conversion from the previous step and from step 1, customers lost since
 * the previous step, median and 90th percentile of the time from the
 * previous step).  With step_names (the 0.2.0 form) each row also has the
 * step's name after its number and the two times in seconds at the end.
 */
Datum
funnel_report_steps(PG_FUNCTION_ARGS)
{
	Report	   *r;
	TupleDesc	tupdesc;
	Tuplestorestate *store;
	bool		named = PG_NARGS() > 1;
	char	  **names;
	int			k;

	store = cj_srf_begin(fcinfo, &tupdesc);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	r = report_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)));
	names = step_names_arg(fcinfo, 1, r->nsteps);
	for (k = 0; k < r->nsteps; k++)
	{
		Datum		values[11];
		bool		nulls[11];
		StepRow		row;
		int			c = 0;

		memset(nulls, 0, sizeof(nulls));
		step_row(r, k, &row);
		values[c++] = Int32GetDatum(k + 1);
		if (named)
		{
			nulls[c] = (names[k] == NULL);
			values[c++] = names[k] ? CStringGetTextDatum(names[k]) : (Datum) 0;
		}
		values[c++] = Int64GetDatum(row.customers);
		nulls[c] = !row.has_from_previous;
		values[c++] = Float8GetDatum(row.has_from_previous ? row.from_previous : 0);
		nulls[c] = !row.has_from_first;
		values[c++] = Float8GetDatum(row.has_from_first ? row.from_first : 0);
		nulls[c] = !row.has_dropped;
		values[c++] = Int64GetDatum(row.has_dropped ? row.dropped : 0);
		nulls[c] = nulls[c + 1] = !row.has_times;
		values[c++] = row.has_times ? usec_interval(row.median) : (Datum) 0;
		values[c++] = row.has_times ? usec_interval(row.p90) : (Datum) 0;
		if (named)
		{
			nulls[c] = nulls[c + 1] = !row.has_times;
			values[c++] = Float8GetDatum(row.has_times ? (double) row.median / 1e6 : 0);
			values[c++] = Float8GetDatum(row.has_times ? (double) row.p90 / 1e6 : 0);
			nulls[c] = (r->rule == FR_RULE_NONE);
			values[c++] = r->rule == FR_RULE_NONE ? (Datum) 0 : CStringGetTextDatum(fr_rule_names[r->rule]);
		}
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * funnel_report as jsonb: {"nsteps": N, "steps": [{"step", "name",
 * "customers", "conversion_from_previous", "conversion_from_first",
 * "dropped_off", "median_seconds_from_previous",
 * "p90_seconds_from_previous"}, ...]}; optional step names as in
 * funnel_steps.
 */
Datum
funnel_report_to_jsonb(PG_FUNCTION_ARGS)
{
	Report	   *r = report_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)));
	char	  **names = step_names_arg(fcinfo, 1, r->nsteps);
	StringInfoData buf;
	int			k;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"nsteps\": %d, \"step_time_rule\": ", r->nsteps);
	if (r->rule == FR_RULE_NONE)
		appendStringInfoString(&buf, "null");
	else
		appendStringInfo(&buf, "\"%s\"", fr_rule_names[r->rule]);
	appendStringInfoString(&buf, ", \"steps\": [");
	for (k = 0; k < r->nsteps; k++)
	{
		StepRow		row;

		step_row(r, k, &row);
		appendStringInfo(&buf, "%s{\"step\": %d, \"name\": ", k > 0 ? ", " : "", k + 1);
		if (names[k])
			escape_json(&buf, names[k]);
		else
			appendStringInfoString(&buf, "null");
		appendStringInfo(&buf, ", \"customers\": " INT64_FORMAT ", \"conversion_from_previous\": ",
						 row.customers);
		if (row.has_from_previous)
			cj_json_double(&buf, row.from_previous);
		else
			appendStringInfoString(&buf, "null");
		appendStringInfoString(&buf, ", \"conversion_from_first\": ");
		if (row.has_from_first)
			cj_json_double(&buf, row.from_first);
		else
			appendStringInfoString(&buf, "null");
		appendStringInfoString(&buf, ", \"dropped_off\": ");
		if (row.has_dropped)
			appendStringInfo(&buf, INT64_FORMAT, row.dropped);
		else
			appendStringInfoString(&buf, "null");
		appendStringInfoString(&buf, ", \"median_seconds_from_previous\": ");
		if (row.has_times)
			cj_json_double(&buf, (double) row.median / 1e6);
		else
			appendStringInfoString(&buf, "null");
		appendStringInfoString(&buf, ", \"p90_seconds_from_previous\": ");
		if (row.has_times)
			cj_json_double(&buf, (double) row.p90 / 1e6);
		else
			appendStringInfoString(&buf, "null");
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_DATUM(cj_jsonb_of(&buf));
}
