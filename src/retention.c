/*-------------------------------------------------------------------------
 *
 * retention.c
 *		retention (ClickHouse semantics) and retention_sum.
 *
 * retention(c1, ..., cN) over one group: element 1 is "c1 held on some row",
 * element k is "c1 and ck each held on some row" (any rows, any order).
 * The state is the set of conditions seen, so it is order- and
 * split-independent by construction.  retention_sum adds such arrays
 * element-wise across groups: the rows of a cohort retention matrix.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "agg.h"
#include "journey_step.h"
#include "wire.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(retention_transfn);
PG_FUNCTION_INFO_V1(retention_sum_transfn);
PG_FUNCTION_INFO_V1(retention_combine);
PG_FUNCTION_INFO_V1(retention_serialize);
PG_FUNCTION_INFO_V1(retention_deserialize);
PG_FUNCTION_INFO_V1(retention_finalfn);
PG_FUNCTION_INFO_V1(retention_sum_finalfn);
PG_FUNCTION_INFO_V1(journey_retention);

#define RETENTION_MAX		64

StaticAssertDecl(RETENTION_MAX == JOURNEY_MAX_STEPS,
				 "journey_retention keeps a step per retention condition");

/* Shared by both aggregates: a set of conditions, or counts per element. */
typedef struct RetentionState
{
	int32		n;				/* array length, fixed by the first row */
	uint64		seen;			/* retention: conditions that held */
	int64		count[RETENTION_MAX];	/* retention_sum: trues per element */
} RetentionState;

static RetentionState *
retention_state(FunctionCallInfo fcinfo, const char *fn, int n)
{
	MemoryContext aggcxt = agg_context(fcinfo, fn);
	RetentionState *state = PG_ARGISNULL(0) ? NULL : (RetentionState *) PG_GETARG_POINTER(0);

	if (state == NULL)
	{
		state = MemoryContextAllocZero(aggcxt, sizeof(RetentionState));
		state->n = n;
	}
	else if (state->n != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s arrays must have the same length in every row", fn),
				 errdetail("One row has %d conditions, another %d.", state->n, n)));
	return state;
}

/* retention(VARIADIC conditions boolean[]): note which conditions held */
Datum
retention_transfn(PG_FUNCTION_ARGS)
{
	RetentionState *state;
	uint64		mask;
	int			n;

	if (PG_ARGISNULL(1))
	{
		(void) agg_context(fcinfo, "retention");
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	mask = cj_bool_array_mask(PG_GETARG_ARRAYTYPE_P(1), RETENTION_MAX, &n, "retention", "condition");
	state = retention_state(fcinfo, "retention", n);
	state->seen |= mask;
	PG_RETURN_POINTER(state);
}

/* retention_sum(boolean[]): count the trues of each element */
Datum
retention_sum_transfn(PG_FUNCTION_ARGS)
{
	RetentionState *state;
	uint64		mask;
	int			n,
				k;

	if (PG_ARGISNULL(1))
	{
		(void) agg_context(fcinfo, "retention_sum");
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	mask = cj_bool_array_mask(PG_GETARG_ARRAYTYPE_P(1), RETENTION_MAX, &n, "retention_sum", "element");
	state = retention_state(fcinfo, "retention_sum", n);
	for (k = 0; k < n; k++)
		if (mask & (UINT64CONST(1) << k))
			state->count[k]++;
	PG_RETURN_POINTER(state);
}

/* combine for both: OR the sets, add the counts */
Datum
retention_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "retention_combine");
	RetentionState *s1 = PG_ARGISNULL(0) ? NULL : (RetentionState *) PG_GETARG_POINTER(0);
	RetentionState *s2 = PG_ARGISNULL(1) ? NULL : (RetentionState *) PG_GETARG_POINTER(1);
	int			k;

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		s1 = MemoryContextAlloc(aggcxt, sizeof(RetentionState));
		memcpy(s1, s2, sizeof(RetentionState));
		PG_RETURN_POINTER(s1);
	}
	if (s1->n != s2->n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention arrays must have the same length in every row")));
	s1->seen |= s2->seen;
	for (k = 0; k < s1->n; k++)
		if (pg_add_s64_overflow(s1->count[k], s2->count[k], &s1->count[k]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("retention_sum count out of range")));
	PG_RETURN_POINTER(s1);
}

Datum
retention_serialize(PG_FUNCTION_ARGS)
{
	RetentionState *state = (RetentionState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int			k;

	(void) agg_context(fcinfo, "retention_serialize");
	pq_begintypsend(&buf);
	pq_sendint32(&buf, state->n);
	pq_sendint64(&buf, (int64) state->seen);
	for (k = 0; k < state->n; k++)
		pq_sendint64(&buf, state->count[k]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
retention_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	StringInfoData msg;
	WireReader	w;
	RetentionState *state = palloc0(sizeof(RetentionState));
	int			k;

	(void) agg_context(fcinfo, "retention_deserialize");
	cj_bytea_message(data, &msg);
	wire_reader_init(&w, &msg, "retention state");
	state->n = wire_int32(&w);
	state->seen = (uint64) wire_int64(&w);
	if (state->n < 1 || state->n > RETENTION_MAX)
		wire_error(&w, psprintf("The array length is %d; retention takes 1 to %d conditions.",
								state->n, RETENTION_MAX));
	/* conditions beyond n never held; counts are of rows, so not negative */
	if (state->n < RETENTION_MAX && (state->seen >> state->n) != 0)
		wire_error(&w, psprintf("Condition %d of %d held.",
								pg_leftmost_one_pos64(state->seen) + 1, state->n));
	for (k = 0; k < state->n; k++)
	{
		state->count[k] = wire_int64(&w);
		if (state->count[k] < 0)
			wire_error(&w, psprintf("Element %d has a negative count.", k + 1));
	}
	wire_end(&w);
	PG_RETURN_POINTER(state);
}

/* element 1: c1 held; element k: c1 and ck held */
static ArrayType *
retention_array(uint64 seen, int n)
{
	Datum		elems[RETENTION_MAX];
	bool		first = (seen & 1) != 0;
	int			k;

	elems[0] = BoolGetDatum(first);
	for (k = 1; k < n; k++)
		elems[k] = BoolGetDatum(first && (seen & (UINT64CONST(1) << k)) != 0);
	return construct_array(elems, n, BOOLOID, 1, true, TYPALIGN_CHAR);
}

/* the retention array of a group; NULL for no rows */
Datum
retention_finalfn(PG_FUNCTION_ARGS)
{
	RetentionState *state;

	(void) agg_context(fcinfo, "retention_finalfn");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (RetentionState *) PG_GETARG_POINTER(0);
	PG_RETURN_ARRAYTYPE_P(retention_array(state->seen, state->n));
}

/*
 * journey_retention(journey, VARIADIC steps): retention over a stored
 * journey's touches, condition k being "the touch matches step k" (the
 * journey step syntax); the journey's touches play the group's rows.
 */
Datum
journey_retention(PG_FUNCTION_ARGS)
{
	JourneyStepsCache *c = fcinfo->flinfo->fn_extra;
	JourneySteps *js;
	TimedMask  *rows;
	uint64		seen = 0;
	int32		n,
				i;

	if (c == NULL)
		fcinfo->flinfo->fn_extra = c =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(JourneyStepsCache));
	js = journey_steps_cached(c, fcinfo->flinfo->fn_mcxt, PG_GETARG_ARRAYTYPE_P(1),
							  "journey_retention", 1, false);
	/*
	 * the touches that match a step, as times and masks (none when no
	 * touch can match the first condition: every element is then false)
	 */
	n = journey_steps_decode_timed(js, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), false,
								   UINT64CONST(1), &rows);
	for (i = 0; i < n; i++)
	{
		CJ_CHECK_EVERY(i);
		seen |= rows[i].mask;
	}
	PG_RETURN_ARRAYTYPE_P(retention_array(seen, js->nsteps));
}

/* the counts per element as bigint[] */
Datum
retention_sum_finalfn(PG_FUNCTION_ARGS)
{
	RetentionState *state;
	Datum		elems[RETENTION_MAX];
	int			k;

	(void) agg_context(fcinfo, "retention_sum_finalfn");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (RetentionState *) PG_GETARG_POINTER(0);
	for (k = 0; k < state->n; k++)
		elems[k] = Int64GetDatum(state->count[k]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, state->n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}
