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
 * journey_stage_stats aggregates across customers: one scan of stored
 * journeys gives per-stage customers, visits, total, mean and exact
 * percentiles, on the shared per-customer state of agg.h.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "event_buffer.h"
#include "agg.h"
#include "journey_format.h"
#include "journey_text.h"
#include "key_sort.h"
#include "stage.h"
#include "wire.h"

#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "common/int.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include <math.h>

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
PG_FUNCTION_INFO_V1(stage_time_to_jsonb);

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
stage_label_of(const StageList *sl, int s)
{
	return PointerGetDatum(cstring_to_text_with_len(sl->label[s], sl->len[s]));
}

static Datum
stage_label(const JourneyView *v, int s)
{
	return stage_label_of(&v->stages, s);
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

	/* the last touch is all it reads (see j_header in journey.c) */
	jview_init_header(&v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), ST_TYPE);
	if (v.ntouches == 0)
		PG_RETURN_NULL();
	jview_check_touch(&v, v.ntouches - 1);
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

/*
 * stage_time_to_jsonb(st [, as_of]): {"stage_list": [...], "current_stage",
 * "durations": [{"stage", "seconds", "visits", "first_entered"}, ...] in
 * lifecycle order, "visits": [{"stage", "entered_at", "left_at",
 * "seconds"}, ...] in time order}: the rows of stage_durations and
 * stage_timeline with durations in seconds and times in UTC.
 */
Datum
stage_time_to_jsonb(PG_FUNCTION_ARGS)
{
	JourneyView v;
	Points		p;
	Visit	   *visits;
	bool		has_close = PG_NARGS() > 1;
	TimestampTz close = has_close ? PG_GETARG_TIMESTAMPTZ(1) : 0;
	int64		total[CJ_MAX_STAGES];
	int32		count[CJ_MAX_STAGES];
	TimestampTz first[CJ_MAX_STAGES];
	StringInfoData buf;
	int32		n,
				i;
	int			s;
	bool		any = false;

	st_view(fcinfo, 0, &v);
	if (has_close)
		check_as_of(&v, close);
	points_from_view(&v, &p, false, 0, 0);
	visits = palloc(Max(p.n, 1) * sizeof(Visit));
	n = build_visits(&p, visits, has_close, close);

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"stage_list\": [");
	for (s = 0; s < v.stages.n; s++)
	{
		if (s > 0)
			appendStringInfoString(&buf, ", ");
		cj_json_label(&buf, v.stages.label[s], v.stages.len[s]);
	}
	appendStringInfoString(&buf, "], \"current_stage\": ");
	if (v.ntouches == 0)
		appendStringInfoString(&buf, "null");
	else
	{
		s = jview_stage(&v, v.ntouches - 1);
		cj_json_label(&buf, v.stages.label[s], v.stages.len[s]);
	}

	memset(total, 0, sizeof(total));
	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++)
	{
		s = visits[i].stage;
		if (count[s]++ == 0)
			first[s] = visits[i].entered;
		total[s] += visits[i].end - visits[i].entered;
	}
	appendStringInfoString(&buf, ", \"durations\": [");
	for (s = 0; s < v.stages.n; s++)
	{
		if (count[s] == 0)
			continue;
		appendStringInfoString(&buf, any ? ", {\"stage\": " : "{\"stage\": ");
		any = true;
		cj_json_label(&buf, v.stages.label[s], v.stages.len[s]);
		appendStringInfoString(&buf, ", \"seconds\": ");
		cj_json_double(&buf, (double) total[s] / 1e6);
		appendStringInfo(&buf, ", \"visits\": %d, \"first_entered\": \"", count[s]);
		cj_append_time(&buf, first[s]);
		appendStringInfoString(&buf, "\"}");
	}
	appendStringInfoString(&buf, "], \"visits\": [");
	for (i = 0; i < n; i++)
	{
		CJ_CHECK_EVERY(i);
		appendStringInfoString(&buf, i > 0 ? ", {\"stage\": " : "{\"stage\": ");
		s = visits[i].stage;
		cj_json_label(&buf, v.stages.label[s], v.stages.len[s]);
		appendStringInfoString(&buf, ", \"entered_at\": \"");
		cj_append_time(&buf, visits[i].entered);
		appendStringInfoString(&buf, "\", \"left_at\": ");
		if (visits[i].last)
			appendStringInfoString(&buf, "null");
		else
		{
			appendStringInfoChar(&buf, '"');
			cj_append_time(&buf, visits[i].end);
			appendStringInfoChar(&buf, '"');
		}
		appendStringInfoString(&buf, ", \"seconds\": ");
		cj_json_double(&buf, (double) (visits[i].end - visits[i].entered) / 1e6);
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_DATUM(cj_jsonb_of(&buf));
}

/* ---- journey_stage_stats: per-stage duration statistics across journeys ---- */

/*
 * The state is the shared per-customer state (agg.h) with one record per
 * (customer, visited stage): time = the customer's total time in the stage
 * in microseconds, mask = its visits, stage = the stage.  Combine,
 * serialize and deserialize are the shared ones; the final function sorts
 * each stage's durations (without touching the state) for exact
 * percentiles.
 */
static void
stage_stats_check_record(WireReader *w, const void *params, const CjEvent *e, int32 i)
{
	if (e->ts < 0 || e->mask == 0 || e->mask > PG_INT32_MAX ||
		e->channel >= 0 || e->event >= 0 || e->value >= 0)
		wire_error(w, psprintf("Record %d is not a (duration >= 0, visits >= 1, stage) record.", i + 1));
}

static const AggOps stage_stats_ops = {
	.state_name = "journey_stage_stats state",
	.version = 1,
	.stages = NULL,
	.check_record = stage_stats_check_record,
};

PG_FUNCTION_INFO_V1(journey_stage_stats_transfn);
PG_FUNCTION_INFO_V1(journey_stage_stats_combine);
PG_FUNCTION_INFO_V1(journey_stage_stats_deserialize);
PG_FUNCTION_INFO_V1(journey_stage_stats_finalfn);

/*
 * journey_stage_stats(j [, as_of]): add one customer's time in each stage
 * it visited (the last period counting zero, or closed at as_of).  NULL
 * journeys are skipped; every journey of a group needs the same stage list.
 */
Datum
journey_stage_stats_transfn(PG_FUNCTION_ARGS)
{
	CustomerState *state;
	EventBuffer *b;
	JourneyView v;
	Points		p;
	Visit	   *visits;
	int64		total[CJ_MAX_STAGES];
	int64		count[CJ_MAX_STAGES];
	bool		has_close = PG_NARGS() > 2;
	TimestampTz close = 0;
	int32		n,
				i;
	int			s;

	if (PG_ARGISNULL(1) || (has_close && PG_ARGISNULL(2)))
	{
		(void) agg_context(fcinfo, "journey_stage_stats_transfn");
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	state = agg_state_arg(fcinfo, &stage_stats_ops, false);
	b = state->buf;
	jview_init(&v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1)), "journey");
	if (b->stages == NULL)
		b->stages = agg_intern_stages(fcinfo, agg_cache(fcinfo), &v.stages);
	else if (!stagelist_equal(b->stages, &v.stages))
		stage_list_mismatch("journeys of one journey_stage_stats group", b->stages, &v.stages);
	if (has_close)
	{
		close = PG_GETARG_TIMESTAMPTZ(2);
		if (TIMESTAMP_NOT_FINITE(close))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("as_of must be finite"),
					 errhint("Pass a time at or after the last touch, such as now(), or omit as_of.")));
		check_as_of(&v, close);
	}
	points_from_view(&v, &p, false, 0, 0);
	visits = palloc(Max(p.n, 1) * sizeof(Visit));
	n = build_visits(&p, visits, has_close, close);
	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++)
	{
		s = visits[i].stage;
		if (count[s]++ == 0)
			total[s] = 0;
		total[s] += visits[i].end - visits[i].entered;
	}
	for (s = 0; s < v.stages.n; s++)
		if (count[s] > 0)
			evbuf_append(b, total[s], (uint64) count[s], s, -1, -1, (Datum) 0, false);
	PG_RETURN_POINTER(state);
}

/* combine function of journey_stage_stats */
Datum
journey_stage_stats_combine(PG_FUNCTION_ARGS)
{
	return agg_state_combine(fcinfo, &stage_stats_ops);
}

/* deserialize function of journey_stage_stats */
Datum
journey_stage_stats_deserialize(PG_FUNCTION_ARGS)
{
	return agg_state_deserialize(fcinfo, &stage_stats_ops);
}

/* percentile_cont over sorted values: interpolated, rounded to the microsecond */
static int64
sorted_percentile(const int64 *v, int64 n, double fraction)
{
	double		pos = fraction * (n - 1);
	int64		lo = (int64) floor(pos);
	int64		hi = (int64) ceil(pos);

	if (lo == hi)
		return v[lo];
	return v[lo] + (int64) rint((double) (v[hi] - v[lo]) * (pos - lo));
}

/*
 * Final function of journey_stage_stats: one stage_duration_stats per
 * visited stage, in the stage list's order: (stage, customers, visits,
 * total, mean, median, p90); percentiles as percentile_cont computes them.
 * NULL for no journeys.
 */
Datum
journey_stage_stats_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState *state = agg_state_final(fcinfo, "journey_stage_stats_finalfn");
	EventBuffer *b;
	Oid			elemtype;
	TupleDesc	tupdesc;
	int64		count[CJ_MAX_STAGES];
	int64		visits[CJ_MAX_STAGES];
	int64		total[CJ_MAX_STAGES];
	int64		fill[CJ_MAX_STAGES];
	int64	   *values[CJ_MAX_STAGES];
	Datum		elems[CJ_MAX_STAGES];
	int			nelems = 0;
	int32		i;
	int			s;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (state == NULL || state->buf->stages == NULL || state->buf->n == 0)
		PG_RETURN_NULL();
	b = state->buf;
	elemtype = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	if (!OidIsValid(elemtype))
		elog(ERROR, "journey_stage_stats must return an array of a composite type");
	tupdesc = lookup_rowtype_tupdesc_copy(elemtype, -1);
	tupdesc = BlessTupleDesc(tupdesc);

	memset(count, 0, sizeof(count));
	memset(visits, 0, sizeof(visits));
	memset(total, 0, sizeof(total));
	for (i = 0; i < b->n; i++)
	{
		const CjEvent *e = &b->ev[i];

		CJ_CHECK_EVERY(i);
		count[e->stage]++;
		visits[e->stage] += (int64) e->mask;
		if (pg_add_s64_overflow(total[e->stage], e->ts, &total[e->stage]))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("total time in stage out of range"),
					 errdetail("The total time of the customers in stage %s exceeds 2^63 - 1 microseconds.",
							   pnstrdup(b->stages->label[e->stage], b->stages->len[e->stage]))));
	}
	for (s = 0; s < b->stages->n; s++)
	{
		values[s] = count[s] > 0 ? palloc(count[s] * sizeof(int64)) : NULL;
		fill[s] = 0;
	}
	for (i = 0; i < b->n; i++)
	{
		CJ_CHECK_EVERY(i);
		values[b->ev[i].stage][fill[b->ev[i].stage]++] = b->ev[i].ts;
	}
	for (s = 0; s < b->stages->n; s++)
	{
		Datum		d[7];
		bool		nulls[7] = {false, false, false, false, false, false, false};

		if (count[s] == 0)
			continue;
		CHECK_FOR_INTERRUPTS();
		key_sort_int64(values[s], count[s]);
		d[0] = stage_label_of(b->stages, s);
		d[1] = Int64GetDatum(count[s]);
		d[2] = Int64GetDatum(visits[s]);
		d[3] = IntervalPGetDatum(usec_interval(total[s]));
		d[4] = IntervalPGetDatum(usec_interval((int64) rint((double) total[s] / (double) count[s])));
		d[5] = IntervalPGetDatum(usec_interval(sorted_percentile(values[s], count[s], 0.5)));
		d[6] = IntervalPGetDatum(usec_interval(sorted_percentile(values[s], count[s], 0.9)));
		elems[nelems++] = HeapTupleGetDatum(heap_form_tuple(tupdesc, d, nulls));
		pfree(values[s]);
	}
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, nelems, elemtype, typlen, typbyval, typalign));
}
