/*-------------------------------------------------------------------------
 *
 * retention_long.c
 *		Retention in long form: retention_periods and retention_report_agg.
 *
 * retention_periods(first_at, active_at, period, nperiods, mode, as_of),
 * over one customer's rows, says for each period k = 0..nperiods whether
 * the customer was retained in it: period k is [first_at + k * period,
 * first_at + (k + 1) * period); mode 'n_day' asks for activity inside
 * period k, 'unbounded' for activity in period k or any later one.  A
 * period that has not ended by as_of is not observable yet: its element is
 * NULL (activity after as_of is not counted).  retention_report_agg adds
 * such arrays over a cohort into one row per period: customers, those
 * observable, those retained and the rate, with NULLs where no customer is
 * observable, so a cohort table reads "not yet" rather than 0.
 *
 * Periods are fixed lengths in microseconds (a month counts 30 days, a day
 * 24 hours, as for window_funnel), so nothing depends on the session's
 * TimeZone.  Both states are small and of fixed size; they combine by OR
 * and by sums, so the results never depend on row order or workers.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "agg.h"
#include "wire.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(retention_periods_transfn);
PG_FUNCTION_INFO_V1(retention_periods_combine);
PG_FUNCTION_INFO_V1(retention_periods_serialize);
PG_FUNCTION_INFO_V1(retention_periods_deserialize);
PG_FUNCTION_INFO_V1(retention_periods_finalfn);
PG_FUNCTION_INFO_V1(retention_report_transfn);
PG_FUNCTION_INFO_V1(retention_report_combine);
PG_FUNCTION_INFO_V1(retention_report_serialize);
PG_FUNCTION_INFO_V1(retention_report_deserialize);
PG_FUNCTION_INFO_V1(retention_report_finalfn);

/* Periods after the first one (period 0): the arrays have 1 to 501 elements. */
#define RP_MAX_PERIODS	500
#define RP_WORDS		((RP_MAX_PERIODS + 1 + 63) / 64)

#define RP_N_DAY		1
#define RP_UNBOUNDED	2

/* One customer's periods. */
typedef struct PeriodsState
{
	TimestampTz first;
	int64		period;			/* microseconds, > 0 */
	int32		nperiods;
	int32		mode;
	bool		has_as_of;
	TimestampTz as_of;
	uint64		active[RP_WORDS];	/* n_day: periods with activity */
	int32		latest;			/* unbounded: latest period with activity, -1 none */
} PeriodsState;

/* A cohort's counts per period. */
typedef struct ReportState
{
	int32		n;				/* elements per array (nperiods + 1) */
	int64		customers;
	int64		observed[RP_MAX_PERIODS + 1];
	int64		retained[RP_MAX_PERIODS + 1];
} ReportState;

static int64
period_usec(const Interval *iv)
{
	int64		days,
				usec;

	days = (int64) iv->month * DAYS_PER_MONTH + iv->day;
	if (pg_mul_s64_overflow(days, USECS_PER_DAY, &usec) ||
		pg_add_s64_overflow(usec, iv->time, &usec) || usec <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_periods needs a positive period"),
				 errdetail("A period is a fixed length: a month counts 30 days, a day 24 hours.")));
	return usec;
}

static int32
mode_of(text *t)
{
	char	   *s = text_to_cstring(t);

	if (pg_strcasecmp(s, "n_day") == 0)
		return RP_N_DAY;
	if (pg_strcasecmp(s, "unbounded") == 0)
		return RP_UNBOUNDED;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown retention mode \"%s\"", s),
			 errdetail("Valid modes: n_day (active within period k), unbounded (active in period k or later).")));
	return 0;					/* keep the compiler quiet */
}

pg_attribute_noreturn()
static void
not_the_same(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("retention_periods needs the same %s in every row of a group", what),
			 errhint("Group by customer and pass the customer's first time (for example from a join with min(occurred_at)).")));
}

/* the parameters of one state agree with another's */
static void
same_parameters(const PeriodsState *a, const PeriodsState *b)
{
	if (a->first != b->first)
		not_the_same("first_at");
	if (a->period != b->period || a->nperiods != b->nperiods || a->mode != b->mode ||
		a->has_as_of != b->has_as_of || (a->has_as_of && a->as_of != b->as_of))
		not_the_same("period, nperiods, mode and as_of");
}

static void
check_finite(TimestampTz t, const char *what)
{
	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("retention_periods %s is %s", what, TIMESTAMP_IS_NOBEGIN(t) ? "-infinity" : "infinity"),
				 errhint("Filter the rows, for example WHERE %s <> 'infinity'.", what)));
}

/*
 * retention_periods(first_at, active_at, period, nperiods, mode, as_of):
 * note the period of one activity row.  Rows with a NULL time, before
 * first_at or after as_of count for nothing.
 */
Datum
retention_periods_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "retention_periods");
	PeriodsState *st = PG_ARGISNULL(0) ? NULL : (PeriodsState *) PG_GETARG_POINTER(0);
	PeriodsState p;
	TimestampTz active;
	int64		k;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	if (PG_ARGISNULL(3) || PG_ARGISNULL(4) || PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_periods needs a period, a number of periods and a mode")));
	memset(&p, 0, sizeof(p));
	p.first = PG_GETARG_TIMESTAMPTZ(1);
	check_finite(p.first, "first_at");
	p.period = period_usec(PG_GETARG_INTERVAL_P(3));
	p.nperiods = PG_GETARG_INT32(4);
	if (p.nperiods < 0 || p.nperiods > RP_MAX_PERIODS)
		ereport(ERROR,
				(errcode(p.nperiods < 0 ? ERRCODE_INVALID_PARAMETER_VALUE : ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("retention_periods takes 0 to %d periods after the first, not %d",
						RP_MAX_PERIODS, p.nperiods)));
	p.mode = mode_of(PG_GETARG_TEXT_PP(5));
	p.has_as_of = !PG_ARGISNULL(6);
	if (p.has_as_of)
	{
		p.as_of = PG_GETARG_TIMESTAMPTZ(6);
		check_finite(p.as_of, "as_of");
	}
	p.latest = -1;
	if (st == NULL)
	{
		st = MemoryContextAlloc(aggcxt, sizeof(PeriodsState));
		*st = p;
	}
	else
		same_parameters(st, &p);

	active = PG_GETARG_TIMESTAMPTZ(2);
	check_finite(active, "active_at");
	if (active < st->first || (st->has_as_of && active > st->as_of))
		PG_RETURN_POINTER(st);
	/* both times are finite, so the difference fits in an int64 */
	k = (active - st->first) / st->period;
	if (st->mode == RP_UNBOUNDED)
		st->latest = (int32) Max(st->latest, Min(k, st->nperiods));
	else if (k <= st->nperiods)
		st->active[k / 64] |= UINT64CONST(1) << (k % 64);
	PG_RETURN_POINTER(st);
}

Datum
retention_periods_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "retention_periods_combine");
	PeriodsState *s1 = PG_ARGISNULL(0) ? NULL : (PeriodsState *) PG_GETARG_POINTER(0);
	PeriodsState *s2 = PG_ARGISNULL(1) ? NULL : (PeriodsState *) PG_GETARG_POINTER(1);
	int			i;

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		s1 = MemoryContextAlloc(aggcxt, sizeof(PeriodsState));
		*s1 = *s2;
		PG_RETURN_POINTER(s1);
	}
	same_parameters(s1, s2);
	for (i = 0; i < RP_WORDS; i++)
		s1->active[i] |= s2->active[i];
	s1->latest = Max(s1->latest, s2->latest);
	PG_RETURN_POINTER(s1);
}

Datum
retention_periods_serialize(PG_FUNCTION_ARGS)
{
	PeriodsState *st = (PeriodsState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int			i;

	(void) agg_context(fcinfo, "retention_periods_serialize");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, 1);		/* version */
	pq_sendint64(&buf, st->first);
	pq_sendint64(&buf, st->period);
	pq_sendint32(&buf, st->nperiods);
	pq_sendbyte(&buf, (uint8) st->mode);
	pq_sendbyte(&buf, st->has_as_of ? 1 : 0);
	pq_sendint64(&buf, st->as_of);
	for (i = 0; i < RP_WORDS; i++)
		pq_sendint64(&buf, (int64) st->active[i]);
	pq_sendint32(&buf, st->latest);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
retention_periods_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	StringInfoData msg;
	WireReader	w;
	PeriodsState *st = palloc0(sizeof(PeriodsState));
	int			i,
				flag;

	(void) agg_context(fcinfo, "retention_periods_deserialize");
	cj_bytea_message(data, &msg);
	wire_reader_init(&w, &msg, "retention_periods state");
	wire_version(&w, 1);
	st->first = wire_int64(&w);
	st->period = wire_int64(&w);
	st->nperiods = wire_int32(&w);
	st->mode = wire_byte(&w);
	flag = wire_byte(&w);
	st->as_of = wire_int64(&w);
	for (i = 0; i < RP_WORDS; i++)
		st->active[i] = (uint64) wire_int64(&w);
	st->latest = wire_int32(&w);
	wire_end(&w);
	if (TIMESTAMP_NOT_FINITE(st->first) || st->period <= 0 ||
		st->nperiods < 0 || st->nperiods > RP_MAX_PERIODS ||
		(st->mode != RP_N_DAY && st->mode != RP_UNBOUNDED) || flag > 1 ||
		(flag && TIMESTAMP_NOT_FINITE(st->as_of)) ||
		st->latest < -1 || st->latest > st->nperiods)
		wire_error(&w, "A parameter is out of range.");
	st->has_as_of = flag == 1;
	/* no period beyond nperiods can be active */
	for (i = st->nperiods + 1; i < RP_WORDS * 64; i++)
		if (st->active[i / 64] & (UINT64CONST(1) << (i % 64)))
			wire_error(&w, psprintf("Period %d of %d is active.", i, st->nperiods));
	PG_RETURN_POINTER(st);
}

/* has period k ended by as_of? */
static bool
observable(const PeriodsState *st, int k)
{
	int64		end;

	if (!st->has_as_of)
		return true;
	if (pg_mul_s64_overflow((int64) k + 1, st->period, &end) ||
		pg_add_s64_overflow(end, st->first, &end))
		return false;
	return end <= st->as_of;
}

/* element k + 1: retained in period k; NULL when not observable by as_of */
Datum
retention_periods_finalfn(PG_FUNCTION_ARGS)
{
	PeriodsState *st;
	Datum	   *elems;
	bool	   *nulls;
	int			dims[1],
				lbs[1] = {1};
	int			k;

	(void) agg_context(fcinfo, "retention_periods_finalfn");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (PeriodsState *) PG_GETARG_POINTER(0);
	elems = palloc((st->nperiods + 1) * sizeof(Datum));
	nulls = palloc((st->nperiods + 1) * sizeof(bool));
	for (k = 0; k <= st->nperiods; k++)
	{
		bool		r = (st->mode == RP_UNBOUNDED) ? st->latest >= k
			: (st->active[k / 64] & (UINT64CONST(1) << (k % 64))) != 0;

		nulls[k] = !observable(st, k);
		elems[k] = BoolGetDatum(r);
	}
	dims[0] = st->nperiods + 1;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, nulls, 1, dims, lbs, BOOLOID, 1, true,
											 TYPALIGN_CHAR));
}

/* ---- retention_report_agg ---- */

static ReportState *
report_state(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext aggcxt = agg_context(fcinfo, fn);

	if (PG_ARGISNULL(0))
		return MemoryContextAllocZero(aggcxt, sizeof(ReportState));
	return (ReportState *) PG_GETARG_POINTER(0);
}

static void
count_overflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("retention_report_agg count out of range")));
}

/* retention_report_agg(periods boolean[]): add one customer's periods */
Datum
retention_report_transfn(PG_FUNCTION_ARGS)
{
	ReportState *st;
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				k;

	if (PG_ARGISNULL(1))
	{
		(void) agg_context(fcinfo, "retention_report_agg");
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	st = report_state(fcinfo, "retention_report_agg");
	arr = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_report_agg needs one-dimensional arrays")));
	deconstruct_array(arr, BOOLOID, 1, true, TYPALIGN_CHAR, &elems, &nulls, &n);
	if (n < 1 || n > RP_MAX_PERIODS + 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_report_agg takes arrays of 1 to %d periods, not %d",
						RP_MAX_PERIODS + 1, n)));
	if (st->n == 0)
		st->n = n;
	else if (st->n != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_report_agg needs arrays of the same length in every row"),
				 errdetail("One row has %d periods, another %d.", st->n, n)));
	st->customers++;
	for (k = 0; k < n; k++)
	{
		if (nulls[k])
			continue;
		st->observed[k]++;
		if (DatumGetBool(elems[k]))
			st->retained[k]++;
	}
	PG_RETURN_POINTER(st);
}

Datum
retention_report_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "retention_report_combine");
	ReportState *s1 = PG_ARGISNULL(0) ? NULL : (ReportState *) PG_GETARG_POINTER(0);
	ReportState *s2 = PG_ARGISNULL(1) ? NULL : (ReportState *) PG_GETARG_POINTER(1);
	int			k;

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		s1 = MemoryContextAlloc(aggcxt, sizeof(ReportState));
		memcpy(s1, s2, sizeof(ReportState));
		PG_RETURN_POINTER(s1);
	}
	if (s1->n == 0)
		s1->n = s2->n;
	else if (s2->n != 0 && s1->n != s2->n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_report_agg needs arrays of the same length in every row")));
	if (pg_add_s64_overflow(s1->customers, s2->customers, &s1->customers))
		count_overflow();
	for (k = 0; k < s2->n; k++)
		if (pg_add_s64_overflow(s1->observed[k], s2->observed[k], &s1->observed[k]) ||
			pg_add_s64_overflow(s1->retained[k], s2->retained[k], &s1->retained[k]))
			count_overflow();
	PG_RETURN_POINTER(s1);
}

Datum
retention_report_serialize(PG_FUNCTION_ARGS)
{
	ReportState *st = (ReportState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int			k;

	(void) agg_context(fcinfo, "retention_report_serialize");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, 1);		/* version */
	pq_sendint32(&buf, st->n);
	pq_sendint64(&buf, st->customers);
	for (k = 0; k < st->n; k++)
	{
		pq_sendint64(&buf, st->observed[k]);
		pq_sendint64(&buf, st->retained[k]);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
retention_report_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	StringInfoData msg;
	WireReader	w;
	ReportState *st = palloc0(sizeof(ReportState));
	int			k;

	(void) agg_context(fcinfo, "retention_report_deserialize");
	cj_bytea_message(data, &msg);
	wire_reader_init(&w, &msg, "retention_report_agg state");
	wire_version(&w, 1);
	st->n = wire_int32(&w);
	if (st->n < 0 || st->n > RP_MAX_PERIODS + 1)
		wire_error(&w, psprintf("The period count is %d; at most %d.", st->n, RP_MAX_PERIODS + 1));
	st->customers = wire_int64(&w);
	wire_need(&w, (int64) st->n * 16);
	for (k = 0; k < st->n; k++)
	{
		st->observed[k] = wire_int64(&w);
		st->retained[k] = wire_int64(&w);
		if (st->retained[k] < 0 || st->retained[k] > st->observed[k] || st->observed[k] > st->customers)
			wire_error(&w, psprintf("The counts of period %d are inconsistent.", k));
	}
	if (st->customers < 0)
		wire_error(&w, "The customer count is negative.");
	wire_end(&w);
	PG_RETURN_POINTER(st);
}

/*
 * One retention_period row per period: (period, customers, observed,
 * retained, rate); retained and rate are NULL where no customer is
 * observable yet.
 */
Datum
retention_report_finalfn(PG_FUNCTION_ARGS)
{
	ReportState *st;
	Oid			arraytype,
				rowtype;
	TupleDesc	tupdesc;
	Datum	   *elems;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			k;

	(void) agg_context(fcinfo, "retention_report_finalfn");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (ReportState *) PG_GETARG_POINTER(0);
	arraytype = get_fn_expr_rettype(fcinfo->flinfo);
	rowtype = OidIsValid(arraytype) ? get_element_type(arraytype) : InvalidOid;
	if (!OidIsValid(rowtype))
		elog(ERROR, "retention_report_finalfn: cannot determine the result type");
	tupdesc = lookup_rowtype_tupdesc_copy(rowtype, -1);
	tupdesc = BlessTupleDesc(tupdesc);
	if (tupdesc->natts != 5)
		elog(ERROR, "retention_report_finalfn: unexpected row type");
	elems = palloc(Max(st->n, 1) * sizeof(Datum));
	for (k = 0; k < st->n; k++)
	{
		Datum		values[5];
		bool		isnull[5] = {false, false, false, false, false};

		values[0] = Int32GetDatum(k);
		values[1] = Int64GetDatum(st->customers);
		values[2] = Int64GetDatum(st->observed[k]);
		isnull[3] = isnull[4] = (st->observed[k] == 0);
		values[3] = Int64GetDatum(st->retained[k]);
		values[4] = Float8GetDatum(st->observed[k] ? (double) st->retained[k] / (double) st->observed[k] : 0);
		elems[k] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, isnull));
	}
	get_typlenbyvalalign(rowtype, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, st->n, rowtype, typlen, typbyval, typalign));
}
