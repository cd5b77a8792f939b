/*-------------------------------------------------------------------------
 *
 * stage_time.c
 *		Time in stage: the stage_time type, its aggregates and accessors.
 *
 * Semantics: each touch opens a period in its stage that lasts until the
 * customer's next touch (in any stage); consecutive touches in one stage
 * form one visit.  The last touch's period is open: it counts zero unless a
 * closing time is given (as_of, or the end of a bucket).
 *
 * A stage_time keeps every distinct (time, stage) pair, not just the stage
 * changes, so rollup() of states over overlapping row sets gives exactly
 * what the aggregate gives over the union of the rows.  It shares the
 * journey's stored form (flag JF_NO_LABELS, 5 bytes a touch), so every
 * accessor here reads journeys too.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "event_buffer.h"
#include "agg.h"
#include "journey_format.h"
#include "journey_text.h"
#include "stage.h"
#include "wire.h"

#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#define ST_TYPE "stage_time"

PG_FUNCTION_INFO_V1(stage_time_in);
PG_FUNCTION_INFO_V1(stage_time_out);
PG_FUNCTION_INFO_V1(stage_time_recv);
PG_FUNCTION_INFO_V1(stage_time_send);
PG_FUNCTION_INFO_V1(stage_time_finalfn);
PG_FUNCTION_INFO_V1(stage_time_rollup_transfn);
PG_FUNCTION_INFO_V1(stage_time_from_journey);
PG_FUNCTION_INFO_V1(stage_time_duration);
PG_FUNCTION_INFO_V1(stage_time_duration_as_of);
PG_FUNCTION_INFO_V1(stage_time_duration_range);
PG_FUNCTION_INFO_V1(stage_time_duration_bucket);
PG_FUNCTION_INFO_V1(stage_time_durations);
PG_FUNCTION_INFO_V1(stage_time_timeline);
PG_FUNCTION_INFO_V1(stage_time_timeline_bucket);
PG_FUNCTION_INFO_V1(stage_time_current_stage);
PG_FUNCTION_INFO_V1(stage_time_regressions);

/* One visit: a run of touches in one stage. */
typedef struct Visit
{
	int			stage;
	TimestampTz entered;		/* first touch of the run */
	TimestampTz end;			/* next visit's entry, or the closing time */
	bool		last;			/* the latest visit (open unless closed) */
} Visit;

/* A customer's (time, stage) points in canonical order. */
typedef struct Points
{
	int32		n;
	TimestampTz *ts;
	uint8	   *stage;
} Points;

static void
st_view(FunctionCallInfo fcinfo, int argno, JourneyView *v)
{
	jview_init(v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(argno)), ST_TYPE);
}

/*
 * The points of a view; with a carried point (the last touch of a previous
 * bucket), that point goes first unless a point of v comes before it.
 */
static void
points_from_view(const JourneyView *v, Points *p, bool carry, TimestampTz carry_ts,
				 int carry_stage)
{
	int32		i,
				k = 0;

	p->ts = palloc((v->ntouches + 1) * sizeof(TimestampTz));
	p->stage = palloc((v->ntouches + 1) * sizeof(uint8));
	for (i = 0; i < v->ntouches; i++)
	{
		TimestampTz t = jview_time(v, i);
		int			s = jview_stage(v, i);

		CJ_CHECK_EVERY(i);
		if (carry && (carry_ts < t || (carry_ts == t && carry_stage <= s)))
		{
			p->ts[k] = carry_ts;
			p->stage[k++] = (uint8) carry_stage;
			carry = false;
		}
		p->ts[k] = t;
		p->stage[k++] = (uint8) s;
	}
	if (carry)
	{
		p->ts[k] = carry_ts;
		p->stage[k++] = (uint8) carry_stage;
	}
	p->n = k;
}

/*
 * Visits of the points.  The last visit ends at close when has_close, else
 * at the last touch (its open period counts zero).
 */
static int32
build_visits(const Points *p, Visit *out, bool has_close, TimestampTz close)
{
	int32		i,
				n = 0;

	for (i = 0; i < p->n; i++)
	{
		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		if (n > 0 && out[n - 1].stage == p->stage[i])
			continue;
		if (n > 0)
			out[n - 1].end = p->ts[i];
		out[n].stage = p->stage[i];
		out[n].entered = p->ts[i];
		out[n].last = false;
		n++;
	}
	if (n > 0)
	{
		out[n - 1].end = has_close ? close : p->ts[p->n - 1];
		out[n - 1].last = true;
	}
	return n;
}

static int64
overlap(TimestampTz a, TimestampTz b, TimestampTz lo, TimestampTz hi)
{
	TimestampTz s = Max(a, lo);
	TimestampTz e = Min(b, hi);

	return (e > s) ? e - s : 0;
}

static Interval *
usec_interval(int64 usec)
{
	Interval   *result = palloc0(sizeof(Interval));

	result->day = (int32) (usec / USECS_PER_DAY);
	result->time = usec % USECS_PER_DAY;
	return result;
}

static void
check_as_of(const JourneyView *v, TimestampTz as_of)
{
	if (v->ntouches > 0 && as_of < jview_time(v, v->ntouches - 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("as_of is before the last touch"),
				 errhint("Pass a time at or after the last touch, such as now(), or omit as_of.")));
}

static void
check_range(TimestampTz lo, TimestampTz hi, const char *what)
{
	if (hi < lo)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s end is before its start", what),
				 errhint("Pass the earlier time first; the %s is [start, end).", what)));
}

/*
 * Time in stage s within [lo, hi): the sum over visits in s of their overlap
 * with the range.
 */
static int64
time_in_stage(const Points *p, int s, TimestampTz lo, TimestampTz hi,
			  bool has_close, TimestampTz close)
{
	Visit	   *visits = palloc(Max(p->n, 1) * sizeof(Visit));
	int32		n = build_visits(p, visits, has_close, close);
	int32		i;
	int64		total = 0;

	for (i = 0; i < n; i++)
		if (visits[i].stage == s)
			total += overlap(visits[i].entered, visits[i].end, lo, hi);
	pfree(visits);
	return total;
}

/* The points of argument 0, the ordinal of the stage in argument 1. */
static int
points_and_stage(FunctionCallInfo fcinfo, JourneyView *v, Points *p)
{
	st_view(fcinfo, 0, v);
	points_from_view(v, p, false, 0, 0);
	return stage_arg_ordinal(fcinfo, &v->stages, 1);
}

/* stage_time from text */
Datum
stage_time_in(PG_FUNCTION_ARGS)
{
	EventBuffer *b = journey_parse(PG_GETARG_CSTRING(0), TEXT_STAGE_TIME, ST_TYPE);

	PG_RETURN_POINTER(stage_time_encode(b));
}

/* stage_time to its canonical text */
Datum
stage_time_out(PG_FUNCTION_ARGS)
{
	JourneyView v;

	st_view(fcinfo, 0, &v);
	PG_RETURN_CSTRING(journey_print(&v, TEXT_STAGE_TIME));
}

/* stage_time from the binary wire format (that of journey, without labels) */
Datum
stage_time_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	EventBuffer *b = evbuf_read(msg, CurrentMemoryContext,
								labeldict_create(CurrentMemoryContext),
								EVBUF_WIRE_CLIENT, ST_TYPE);
	WireReader	w;
	int32		i;

	wire_reader_init(&w, msg, ST_TYPE);
	if (b->stages == NULL || wire_remaining(&w) != 0 || b->nvalues != 0)
		wire_error(&w, "A stage_time needs a stage list and has no values and no trailing bytes.");
	for (i = 0; i < b->n; i++)
		if (b->ev[i].mask != 0 || b->ev[i].channel >= 0 || b->ev[i].event >= 0)
			wire_error(&w, psprintf("Touch %d has flags or labels; a stage_time has neither.", i + 1));
	PG_RETURN_POINTER(stage_time_encode(b));
}

/* stage_time to the binary wire format */
Datum
stage_time_send(PG_FUNCTION_ARGS)
{
	JourneyView v;
	StringInfoData buf;
	EventBuffer *b;

	st_view(fcinfo, 0, &v);
	b = jview_to_buffer(&v, CurrentMemoryContext,
						labeldict_create(CurrentMemoryContext), 0, v.ntouches);
	pq_begintypsend(&buf);
	evbuf_write(&buf, b, EVBUF_WIRE_CLIENT);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * Final function of stage_time_agg and rollup(stage_time): NULL for no
 * rows.  Sorting and removing duplicate points leaves the state's meaning
 * unchanged, so it stays valid for more rows and later calls.
 */
Datum
stage_time_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState   *state = agg_state_final(fcinfo, "stage_time_finalfn");

	if (state == NULL || state->buf->stages == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(stage_time_encode(state->buf));
}

/* rollup(stage_time): add the points of one stored state */
Datum
stage_time_rollup_transfn(PG_FUNCTION_ARGS)
{
	CustomerState   *state;
	EventBuffer *b;
	JourneyView v;
	int32		i;

	if (PG_ARGISNULL(1))
	{
		(void) agg_context(fcinfo, "stage_time_rollup_transfn");
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	state = agg_state_arg(fcinfo, &journey_agg_ops, false);
	b = state->buf;
	jview_init(&v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1)), ST_TYPE);
	if (b->stages == NULL)
		b->stages = agg_intern_stages(fcinfo, agg_cache(fcinfo), &v.stages);
	else if (!stagelist_equal(b->stages, &v.stages))
		stage_list_mismatch("stage_time values rolled up together", b->stages, &v.stages);
	for (i = 0; i < v.ntouches; i++)
	{
		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		evbuf_append(b, jview_time(&v, i), 0, jview_stage(&v, i), -1, -1,
					 (Datum) 0, false);
	}
	PG_RETURN_POINTER(state);
}

/* stage_time(journey): the time-in-stage view of a stored journey */
Datum
stage_time_from_journey(PG_FUNCTION_ARGS)
{
	JourneyView v;

	jview_init(&v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), "journey");
	PG_RETURN_POINTER(stage_time_encode(jview_to_buffer(&v, CurrentMemoryContext,
														labeldict_create(CurrentMemoryContext),
														0, v.ntouches)));
}

/* duration_in(st, stage): time in stage, the open last period counting zero */
Datum
stage_time_duration(PG_FUNCTION_ARGS)
{
	JourneyView v;
	Points		p;
	int			s = points_and_stage(fcinfo, &v, &p);

	PG_RETURN_INTERVAL_P(usec_interval(time_in_stage(&p, s, DT_NOBEGIN, DT_NOEND, false, 0)));
}

/* duration_in(st, stage, as_of): the last period closed at as_of */
Datum
stage_time_duration_as_of(PG_FUNCTION_ARGS)
{
	JourneyView v;
	Points		p;
	int			s = points_and_stage(fcinfo, &v, &p);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(2);

	check_as_of(&v, as_of);
	PG_RETURN_INTERVAL_P(usec_interval(time_in_stage(&p, s, DT_NOBEGIN, DT_NOEND, true, as_of)));
}

/* duration_in(st, stage, range_start, range_end): the part inside the range */
Datum
stage_time_duration_range(PG_FUNCTION_ARGS)
{
	JourneyView v;
	Points		p;
	int			s = points_and_stage(fcinfo, &v, &p);
	TimestampTz lo = PG_GETARG_TIMESTAMPTZ(2);
	TimestampTz hi = PG_GETARG_TIMESTAMPTZ(3);

	check_range(lo, hi, "range");
	PG_RETURN_INTERVAL_P(usec_interval(time_in_stage(&p, s, lo, hi, false, 0)));
}

/*
 * Points of a bucket's state (argument 0, may be NULL) preceded by the last
 * touch of the previous bucket's state (prev_arg, may be NULL).  Fills v
 * with the view whose stage list applies.  False when both are NULL.
 */
static bool
bucket_points(FunctionCallInfo fcinfo, int prev_arg, JourneyView *v, Points *p)
{
	JourneyView pv;
	bool		have = !PG_ARGISNULL(0);

	if (have)
		st_view(fcinfo, 0, v);
	if (!PG_ARGISNULL(prev_arg))
	{
		st_view(fcinfo, prev_arg, &pv);
		if (have && !stagelist_equal(&v->stages, &pv.stages))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("bucket state and previous state have different stage lists"),
					 errdetail("The stage lists are: %s, and: %s.",
							   stagelist_describe(&v->stages), stagelist_describe(&pv.stages))));
		if (!have)
		{
			*v = pv;
			v->ntouches = 0;	/* only its last touch carries over */
			have = true;
		}
		if (pv.ntouches > 0)
		{
			points_from_view(v, p, true, jview_time(&pv, pv.ntouches - 1),
							 jview_stage(&pv, pv.ntouches - 1));
			return true;
		}
	}
	if (!have)
		return false;
	points_from_view(v, p, false, 0, 0);
	return true;
}

/*
 * duration_in(st, stage, bucket_start, bucket_end, prev): time in stage
 * within one bucket of a time series, st holding the bucket's rows and prev
 * the previous bucket's (from lag()).  The stage in force at the bucket
 * start is prev's last; the bucket end closes the open period.  Summed over
 * consecutive buckets this gives the range form with as_of = the last
 * bucket's end, and no period is counted twice.
 */
Datum
stage_time_duration_bucket(PG_FUNCTION_ARGS)
{
	JourneyView v;
	Points		p;
	TimestampTz lo,
				hi;
	int			s;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_NULL();
	lo = PG_GETARG_TIMESTAMPTZ(2);
	hi = PG_GETARG_TIMESTAMPTZ(3);
	check_range(lo, hi, "bucket");
	if (!bucket_points(fcinfo, 4, &v, &p))
		PG_RETURN_NULL();
	s = stage_arg_ordinal(fcinfo, &v.stages, 1);
	PG_RETURN_INTERVAL_P(usec_interval(time_in_stage(&p, s, lo, hi, true, hi)));
}

static Datum
stage_label(const JourneyView *v, int s)
{
	return PointerGetDatum(cstring_to_text_with_len(v->stages.label[s], v->stages.len[s]));
}

/*
 * The visits of argument 0, the last one closed at the optional as_of in
 * argument 1 (checked); sets up the set-returning function's tuplestore.
 */
static Visit *
visits_of_args(FunctionCallInfo fcinfo, JourneyView *v, int32 *n,
			   Tuplestorestate **store, TupleDesc *tupdesc)
{
	bool		has_close = PG_NARGS() > 1;
	TimestampTz close = has_close ? PG_GETARG_TIMESTAMPTZ(1) : 0;
	Points		p;
	Visit	   *visits;

	st_view(fcinfo, 0, v);
	if (has_close)
		check_as_of(v, close);
	*store = cj_srf_begin(fcinfo, tupdesc);
	points_from_view(v, &p, false, 0, 0);
	visits = palloc(Max(p.n, 1) * sizeof(Visit));
	*n = build_visits(&p, visits, has_close, close);
	return visits;
}

/*
 * stage_durations(st [, as_of]): per visited stage, in lifecycle order:
 * (stage, duration, visits, first_entered).
 */
Datum
stage_time_durations(PG_FUNCTION_ARGS)
{
	JourneyView v;
	TupleDesc	tupdesc;
	Tuplestorestate *store;
	int32		n,
				i;
	Visit	   *visits = visits_of_args(fcinfo, &v, &n, &store, &tupdesc);
	int64		total[CJ_MAX_STAGES];
	int32		count[CJ_MAX_STAGES];
	TimestampTz first[CJ_MAX_STAGES];
	int			s;

	memset(total, 0, sizeof(total));
	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++)
	{
		s = visits[i].stage;
		if (count[s]++ == 0)
			first[s] = visits[i].entered;
		total[s] += visits[i].end - visits[i].entered;
	}
	for (s = 0; s < v.stages.n; s++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		if (count[s] == 0)
			continue;
		values[0] = stage_label(&v, s);
		values[1] = IntervalPGetDatum(usec_interval(total[s]));
		values[2] = Int32GetDatum(count[s]);
		values[3] = TimestampTzGetDatum(first[s]);
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	return (Datum) 0;
}

static void
put_visit(Tuplestorestate *store, TupleDesc tupdesc, const JourneyView *v,
		  TimestampTz entered, TimestampTz left, bool left_null, int stage)
{
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	values[0] = stage_label(v, stage);
	values[1] = TimestampTzGetDatum(entered);
	values[2] = TimestampTzGetDatum(left);
	nulls[2] = left_null;
	values[3] = IntervalPGetDatum(usec_interval(left - entered));
	tuplestore_putvalues(store, tupdesc, values, nulls);
}

/*
 * stage_timeline(st [, as_of]): one row per visit (stage, entered_at,
 * left_at, duration); the latest visit has left_at NULL and lasts to its
 * last touch, or to as_of.
 */
Datum
stage_time_timeline(PG_FUNCTION_ARGS)
{
	JourneyView v;
	TupleDesc	tupdesc;
	Tuplestorestate *store;
	int32		n,
				i;
	Visit	   *visits = visits_of_args(fcinfo, &v, &n, &store, &tupdesc);

	for (i = 0; i < n; i++)
	{
		CJ_CHECK_EVERY(i);
		put_visit(store, tupdesc, &v, visits[i].entered, visits[i].end,
				  visits[i].last, visits[i].stage);
	}
	return (Datum) 0;
}

/*
 * stage_timeline(st, bucket_start, bucket_end, prev): the slices of the
 * visits inside one bucket, the stage in force at its start carried from
 * prev; consecutive buckets never repeat a period.
 */
Datum
stage_time_timeline_bucket(PG_FUNCTION_ARGS)
{
	JourneyView v;
	Points		p;
	TupleDesc	tupdesc;
	Tuplestorestate *store;
	Visit	   *visits;
	int32		n,
				i;
	TimestampTz lo,
				hi;

	store = cj_srf_begin(fcinfo, &tupdesc);
	/* no bucket bounds, or neither state: no rows */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return (Datum) 0;
	lo = PG_GETARG_TIMESTAMPTZ(1);
	hi = PG_GETARG_TIMESTAMPTZ(2);
	check_range(lo, hi, "bucket");
	if (!bucket_points(fcinfo, 3, &v, &p))
		return (Datum) 0;
	visits = palloc(Max(p.n, 1) * sizeof(Visit));
	n = build_visits(&p, visits, true, hi);
	for (i = 0; i < n; i++)
	{
		TimestampTz s = Max(visits[i].entered, lo);
		TimestampTz e = Min(visits[i].end, hi);

		CJ_CHECK_EVERY(i);
		if (e > s)
			put_visit(store, tupdesc, &v, s, e, false, visits[i].stage);
	}
	return (Datum) 0;
}

/* current_stage(st): the stage of the last touch */
Datum
stage_time_current_stage(PG_FUNCTION_ARGS)
{
	JourneyView v;

	st_view(fcinfo, 0, &v);
	if (v.ntouches == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(stage_label(&v, jview_stage(&v, v.ntouches - 1)));
}

/* stage_regressions(st): moves from a visit to one of an earlier stage */
Datum
stage_time_regressions(PG_FUNCTION_ARGS)
{
	JourneyView v;
	Points		p;
	Visit	   *visits;
	int32		n,
				i,
				back = 0;

	st_view(fcinfo, 0, &v);
	points_from_view(&v, &p, false, 0, 0);
	visits = palloc(Max(p.n, 1) * sizeof(Visit));
	n = build_visits(&p, visits, false, 0);
	for (i = 1; i < n; i++)
		if (visits[i].stage < visits[i - 1].stage)
			back++;
	PG_RETURN_INT32(back);
}
