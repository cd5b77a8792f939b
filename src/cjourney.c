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
#include "common/shortest_dec.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include <math.h>

PG_MODULE_MAGIC;

/* A journey or one group of a per-customer aggregate would exceed CJ_MAX_TOUCHES. */
pg_attribute_noreturn()
void
cj_too_many_touches(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("too many touches in one group"),
			 errdetail("One group of a cjourney aggregate, and one journey, hold at most %d touches.",
					   CJ_MAX_TOUCHES),
			 errhint("The usual cause is a missing GROUP BY: aggregate per customer "
					 "(GROUP BY customer_id). Otherwise split the rows by time with WHERE.")));
}

/* One group's records and values against cjourney.max_state_memory. */
void
cj_check_state_bytes(Size bytes)
{
	if (bytes > (Size) cj_max_state_memory * 1024)
		cj_memory_exceeded("aggregate state of one group", "cjourney.max_state_memory",
						   cj_max_state_memory,
						   "The usual cause is a missing GROUP BY: aggregate per customer "
						   "(GROUP BY customer_id). Otherwise split the rows by time with WHERE, "
						   "or raise the setting (SET cjourney.max_state_memory = '4GB').");
}

int			cj_max_state_memory = CJ_DEFAULT_STATE_MEMORY;
int			cj_max_label_memory = CJ_DEFAULT_LABEL_MEMORY;

void		_PG_init(void);

/* The settings. */
void
_PG_init(void)
{
	DefineCustomIntVariable("cjourney.max_state_memory",
							"Memory one group of a cjourney aggregate may use.",
							"Per-customer aggregates keep one group's rows (about 40 bytes "
							"each, plus values); funnel_report_agg and rollup(funnel_report) "
							"keep each distinct (step, duration) pair; a state that needs more "
							"is an error.",
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

/*
 * Error out (22008) unless t is a valid touch time.  The message names the
 * value (in UTC, whatever the session's TimeZone: a timestamp without time
 * zone has the same bits) and the hint shows how to filter such rows.
 */
void
cj_check_time(TimestampTz t)
{
	char	   *value;

	if (CJ_TIME_IN_RANGE(t))
		return;
	if (TIMESTAMP_IS_NOBEGIN(t))
		value = pstrdup("-infinity");
	else if (TIMESTAMP_IS_NOEND(t))
		value = pstrdup("infinity");
	else
		value = psprintf("%s UTC", DatumGetCString(DirectFunctionCall1(timestamp_out,
																	   TimestampGetDatum(t))));
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("touch time out of range: %s", value),
			 errdetail("Touch times must lie in the years 1 to 9999 (UTC); infinity is not allowed."),
			 errhint("Leave such rows out, for example WHERE isfinite(occurred_at), "
					 "or WHERE occurred_at <> 'infinity', "
					 "or WHERE occurred_at BETWEEN '0001-01-01' AND '9999-12-31'.")));
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

/* A double as JSON: shortest exact decimal, null when not finite. */
void
cj_json_double(StringInfo buf, double v)
{
	char		tmp[DOUBLE_SHORTEST_DECIMAL_LEN];

	if (isnan(v) || isinf(v))
	{
		appendStringInfoString(buf, "null");
		return;
	}
	double_to_shortest_decimal_buf(v, tmp);
	appendStringInfoString(buf, tmp);
}

/* A label of len bytes (not NUL-terminated) as a JSON string. */
void
cj_json_label(StringInfo buf, const char *s, int len)
{
	char	   *z = pnstrdup(s, len);

	escape_json(buf, z);
	pfree(z);
}

/* The jsonb of a JSON text built in buf. */
Datum
cj_jsonb_of(StringInfo buf)
{
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf->data));
}
