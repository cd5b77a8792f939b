/*-------------------------------------------------------------------------
 *
 * cjourney.c
 *		Module magic and small helpers used across the extension.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/numeric.h"

PG_MODULE_MAGIC;

/* A journey or per-customer state would exceed CJ_MAX_TOUCHES. */
pg_attribute_noreturn()
void
cj_too_many_touches(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("journey has too many touches"),
			 errdetail("A journey holds at most %d touches.", CJ_MAX_TOUCHES),
			 errhint("Split the rows by time, for example with a WHERE clause on occurred_at.")));
}

int			cj_max_state_memory = CJ_DEFAULT_STATE_MEMORY;
int			cj_max_label_memory = CJ_DEFAULT_LABEL_MEMORY;

void		_PG_init(void);

/* The settings. */
void
_PG_init(void)
{
	DefineCustomIntVariable("cjourney.max_state_memory",
							"Memory one cjourney aggregate state may use for its distinct values.",
							"funnel_report_agg and rollup(funnel_report) keep each distinct "
							"(step, duration) pair; a state that needs more is an error.",
							&cj_max_state_memory, CJ_DEFAULT_STATE_MEMORY, 1024, INT_MAX,
							PGC_USERSET, GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomIntVariable("cjourney.max_label_memory",
							"Memory one cjourney aggregate may use per query for its channel and event labels.",
							"Labels are stored once per query, outside work_mem; a query whose "
							"labels need more is an error.",
							&cj_max_label_memory, CJ_DEFAULT_LABEL_MEMORY, 1024, INT_MAX,
							PGC_USERSET, GUC_UNIT_KB, NULL, NULL, NULL);
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("cjourney");
#else
	EmitWarningsOnPlaceholders("cjourney");
#endif
}

/* 54000 for a budget in kB that setting sets; the message names what needs more. */
void
cj_memory_exceeded(const char *what, const char *setting, int limit_kb, const char *hint)
{
	char		limit[32];

	if (limit_kb % (1024 * 1024) == 0)
		snprintf(limit, sizeof(limit), "%d GB", limit_kb / (1024 * 1024));
	else if (limit_kb % 1024 == 0)
		snprintf(limit, sizeof(limit), "%d MB", limit_kb / 1024);
	else
		snprintf(limit, sizeof(limit), "%d kB", limit_kb);
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s exceeds %s", what, setting),
			 errdetail("%s is %s; the %s needs more.", setting, limit, what),
			 errhint("%s", hint)));
}

/* comparator calls, for CJ_SORT_TICK */
uint32		cj_sort_ticks = 0;

/* Error out (22008) unless t is a valid touch time. */
void
cj_check_time(TimestampTz t)
{
	if (!CJ_TIME_IN_RANGE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("touch time out of range"),
				 errdetail("Touch times must lie in the years 1 to 9999 (UTC); infinity is not allowed.")));
}

/* Not NaN and (PostgreSQL 14+) not infinite. */
bool
cj_numeric_is_finite(Datum numeric)
{
	Numeric		n = DatumGetNumeric(numeric);
	bool		finite = !numeric_is_nan(n);

#if PG_VERSION_NUM >= 140000
	finite = finite && !numeric_is_inf(n);
#endif
	return finite;
}

/* Error out (22023) unless a touch value is a finite number. */
void
cj_check_value(Datum numeric)
{
	if (!cj_numeric_is_finite(numeric))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("touch value must be a finite number"),
				 errhint("Use NULL for a touch without a value.")));
}

/*
 * A one-dimensional boolean[] of 1..max elements as a bit mask, bit k for
 * element k+1; NULL elements are false.  Reads the array in place: callers
 * run it for every row.
 */
uint64
cj_bool_array_mask(ArrayType *arr, int max, int *n, const char *fn, const char *noun)
{
	int			len = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	const bool *data = (const bool *) ARR_DATA_PTR(arr);
	const bits8 *nullmap = ARR_NULLBITMAP(arr);
	uint64		mask = 0;
	int			k,
				j = 0;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s takes a one-dimensional array", fn)));
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs at least one %s", fn, noun)));
	if (len > max)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s has too many %ss", fn, noun),
				 errdetail("At most %d %ss are allowed; this call has %d.", max, noun, len)));
	for (k = 0; k < len; k++)
	{
		/* NULL elements take no space in the data area */
		if (nullmap && !(nullmap[k / 8] & (1 << (k % 8))))
			continue;
		if (data[j++])
			mask |= UINT64CONST(1) << k;
	}
	*n = len;
	return mask;
}

/* A tuplestore for a materialized set-returning function. */
Tuplestorestate *
cj_srf_begin(FunctionCallInfo fcinfo, TupleDesc *tupdesc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	Tuplestorestate *store;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (get_call_result_type(fcinfo, NULL, tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	*tupdesc = CreateTupleDescCopy(*tupdesc);
	store = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = *tupdesc;
	MemoryContextSwitchTo(old);
	return store;
}

/* A read cursor over a bytea's payload. */
void
cj_bytea_message(bytea *data, StringInfo msg)
{
	msg->data = VARDATA_ANY(data);
	msg->len = VARSIZE_ANY_EXHDR(data);
	msg->maxlen = msg->len;
	msg->cursor = 0;
}
