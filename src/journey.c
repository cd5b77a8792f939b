/*-------------------------------------------------------------------------
 *
 * journey.c
 *		The journey type: one customer's touches in time order.
 *
 * I/O, comparison and hashing (shared with touchpoint, which has the same
 * stored form), and the accessors.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "event_buffer.h"
#include "journey_format.h"
#include "journey_text.h"
#include "stage.h"
#include "wire.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#define J_TYPE "journey"

PG_FUNCTION_INFO_V1(journey_in);
PG_FUNCTION_INFO_V1(journey_out);
PG_FUNCTION_INFO_V1(journey_recv);
PG_FUNCTION_INFO_V1(journey_send);
PG_FUNCTION_INFO_V1(journey_cmp);
PG_FUNCTION_INFO_V1(journey_eq);
PG_FUNCTION_INFO_V1(journey_ne);
PG_FUNCTION_INFO_V1(journey_lt);
PG_FUNCTION_INFO_V1(journey_le);
PG_FUNCTION_INFO_V1(journey_gt);
PG_FUNCTION_INFO_V1(journey_ge);
PG_FUNCTION_INFO_V1(journey_hash);
PG_FUNCTION_INFO_V1(journey_hash_extended);
PG_FUNCTION_INFO_V1(journey_length);
PG_FUNCTION_INFO_V1(journey_first);
PG_FUNCTION_INFO_V1(journey_last);
PG_FUNCTION_INFO_V1(journey_start);
PG_FUNCTION_INFO_V1(journey_end);
PG_FUNCTION_INFO_V1(journey_duration);
PG_FUNCTION_INFO_V1(journey_stage_list);
PG_FUNCTION_INFO_V1(journey_stages);
PG_FUNCTION_INFO_V1(journey_furthest_stage);
PG_FUNCTION_INFO_V1(journey_stage_at);
PG_FUNCTION_INFO_V1(journey_touchpoints);
PG_FUNCTION_INFO_V1(journey_slice);
PG_FUNCTION_INFO_V1(journey_merge);
PG_FUNCTION_INFO_V1(journey_reached);
PG_FUNCTION_INFO_V1(journey_stage_reached_by);
PG_FUNCTION_INFO_V1(journey_to_jsonb);

static void
j_view(FunctionCallInfo fcinfo, int argno, JourneyView *v)
{
	jview_init(v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(argno)), J_TYPE);
}

/*
 * The header of a journey argument, for the accessors that read only it
 * and the touches they check (jview_init_header): a dashboard that reads
 * journey_length or journey_end of every stored journey does not pay for a
 * check of every touch.
 */
static void
j_header(FunctionCallInfo fcinfo, int argno, JourneyView *v)
{
	jview_init_header(v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(argno)), J_TYPE);
}

/* journey from text */
Datum
journey_in(PG_FUNCTION_ARGS)
{
	EventBuffer *b = journey_parse(PG_GETARG_CSTRING(0), TEXT_JOURNEY, J_TYPE);

	PG_RETURN_POINTER(journey_encode(b));
}

/* journey to its canonical text */
Datum
journey_out(PG_FUNCTION_ARGS)
{
	JourneyView v;

	j_view(fcinfo, 0, &v);
	PG_RETURN_CSTRING(journey_print(&v, TEXT_JOURNEY));
}

/* journey from the binary wire format (see evbuf_write) */
Datum
journey_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	EventBuffer *b = evbuf_read(msg, CurrentMemoryContext,
								labeldict_create(CurrentMemoryContext),
								EVBUF_WIRE_CLIENT, J_TYPE);
	WireReader	w;
	int32		i;

	wire_reader_init(&w, msg, J_TYPE);
	if (b->stages == NULL)
		wire_error(&w, "A journey needs a stage list.");
	for (i = 0; i < b->n; i++)
		if (b->ev[i].mask != 0)
			wire_error(&w, psprintf("Touch %d has flags set; journeys carry none.", i + 1));
	wire_end(&w);
	PG_RETURN_POINTER(journey_encode(b));
}

/* journey to the binary wire format */
Datum
journey_send(PG_FUNCTION_ARGS)
{
	JourneyView v;
	StringInfoData buf;
	EventBuffer *b;

	j_view(fcinfo, 0, &v);
	b = jview_to_buffer(&v, CurrentMemoryContext,
						labeldict_create(CurrentMemoryContext), 0, v.ntouches);
	pq_begintypsend(&buf);
	evbuf_write(&buf, b, EVBUF_WIRE_CLIENT);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * Comparison, shared by journey and touchpoint.  Equality is bytewise
 * because the stored form is canonical; the order is jview_cmp's.
 */
static int
cmp_args(FunctionCallInfo fcinfo)
{
	/*
	 * Sorts call this millions of times in one memory context: work in a
	 * context of our own, reset on every call.
	 */
	MemoryContext cxt = (MemoryContext) fcinfo->flinfo->fn_extra;
	MemoryContext old;
	struct varlena *a;
	struct varlena *b;
	JourneyView va,
				vb;
	int			result;

	if (cxt == NULL)
	{
		cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "cjourney comparison",
									ALLOCSET_SMALL_SIZES);
		fcinfo->flinfo->fn_extra = cxt;
	}
	MemoryContextReset(cxt);
	old = MemoryContextSwitchTo(cxt);
	a = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0));
	b = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1));
	if (VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0)
		result = 0;
	else
	{
		jview_init(&va, a, J_TYPE);
		jview_init(&vb, b, J_TYPE);
		result = jview_cmp(&va, &vb);
	}
	MemoryContextSwitchTo(old);
	return result;
}

static bool
bytes_equal(FunctionCallInfo fcinfo)
{
	struct varlena *a = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0));
	struct varlena *b = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1));

	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/* btree support: -1, 0 or 1 */
Datum
journey_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(cmp_args(fcinfo));
}

Datum
journey_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(bytes_equal(fcinfo));
}

Datum
journey_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!bytes_equal(fcinfo));
}

Datum
journey_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cmp_args(fcinfo) < 0);
}

Datum
journey_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cmp_args(fcinfo) <= 0);
}

Datum
journey_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cmp_args(fcinfo) > 0);
}

Datum
journey_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cmp_args(fcinfo) >= 0);
}

/* hash of the canonical bytes */
Datum
journey_hash(PG_FUNCTION_ARGS)
{
	struct varlena *a = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0));

	return hash_any((const unsigned char *) VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a));
}

Datum
journey_hash_extended(PG_FUNCTION_ARGS)
{
	struct varlena *a = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0));

	return hash_any_extended((const unsigned char *) VARDATA_ANY(a),
							 VARSIZE_ANY_EXHDR(a), PG_GETARG_INT64(1));
}

/* number of touches */
Datum
journey_length(PG_FUNCTION_ARGS)
{
	JourneyView v;

	j_header(fcinfo, 0, &v);
	PG_RETURN_INT32(v.ntouches);
}

static Datum
touch_as_touchpoint(const JourneyView *v, int32 i)
{
	EventBuffer *b = jview_to_buffer(v, CurrentMemoryContext,
									 labeldict_create(CurrentMemoryContext), i, i + 1);

	return PointerGetDatum(journey_encode(b));
}

/* first touch as a touchpoint, NULL for an empty journey */
Datum
journey_first(PG_FUNCTION_ARGS)
{
	JourneyView v;

	j_view(fcinfo, 0, &v);
	if (v.ntouches == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(touch_as_touchpoint(&v, 0));
}

/* last touch as a touchpoint */
Datum
journey_last(PG_FUNCTION_ARGS)
{
	JourneyView v;

	j_view(fcinfo, 0, &v);
	if (v.ntouches == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(touch_as_touchpoint(&v, v.ntouches - 1));
}

/* time of the first touch */
Datum
journey_start(PG_FUNCTION_ARGS)
{
	JourneyView v;

	j_header(fcinfo, 0, &v);
	if (v.ntouches == 0)
		PG_RETURN_NULL();
	jview_check_touch(&v, 0);
	PG_RETURN_TIMESTAMPTZ(jview_time(&v, 0));
}

/* time of the last touch */
Datum
journey_end(PG_FUNCTION_ARGS)
{
	JourneyView v;

	j_header(fcinfo, 0, &v);
	if (v.ntouches == 0)
		PG_RETURN_NULL();
	jview_check_touch(&v, v.ntouches - 1);
	PG_RETURN_TIMESTAMPTZ(jview_time(&v, v.ntouches - 1));
}

/* last touch time minus first, as an interval of days and time */
Datum
journey_duration(PG_FUNCTION_ARGS)
{
	JourneyView v;
	Interval   *result;
	int64		usec;

	/* every touch checked: the two read must also be in order */
	j_view(fcinfo, 0, &v);
	if (v.ntouches == 0)
		PG_RETURN_NULL();
	usec = jview_time(&v, v.ntouches - 1) - jview_time(&v, 0);
	result = palloc0(sizeof(Interval));
	result->day = (int32) (usec / USECS_PER_DAY);
	result->time = usec % USECS_PER_DAY;
	PG_RETURN_INTERVAL_P(result);
}

static ArrayType *
stage_array(const StageList *sl, const bool *include)
{
	Datum	   *elems = palloc(sl->n * sizeof(Datum));
	int			n = 0,
				i;

	for (i = 0; i < sl->n; i++)
		if (include == NULL || include[i])
			elems[n++] = PointerGetDatum(cstring_to_text_with_len(sl->label[i], sl->len[i]));
	return construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT);
}

/* the stage list the journey carries, in lifecycle order */
Datum
journey_stage_list(PG_FUNCTION_ARGS)
{
	JourneyView v;

	j_view(fcinfo, 0, &v);
	PG_RETURN_ARRAYTYPE_P(stage_array(&v.stages, NULL));
}

static void
stages_touched(const JourneyView *v, bool *reached)
{
	int32		i;

	memset(reached, 0, CJ_MAX_STAGES * sizeof(bool));
	for (i = 0; i < v->ntouches; i++)
		reached[jview_stage(v, i)] = true;
}

/* distinct stages touched, in lifecycle order */
Datum
journey_stages(PG_FUNCTION_ARGS)
{
	JourneyView v;
	bool		reached[CJ_MAX_STAGES];

	j_view(fcinfo, 0, &v);
	stages_touched(&v, reached);
	PG_RETURN_ARRAYTYPE_P(stage_array(&v.stages, reached));
}

/* the latest stage in lifecycle order that the journey touched */
Datum
journey_furthest_stage(PG_FUNCTION_ARGS)
{
	JourneyView v;
	int32		i;
	int			best = -1;

	j_view(fcinfo, 0, &v);
	for (i = 0; i < v.ntouches; i++)
		best = Max(best, jview_stage(&v, i));
	if (best < 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(v.stages.label[best], v.stages.len[best]));
}

/* number of touches at or before t (binary search on sorted times) */
static int32
touches_upto(const JourneyView *v, TimestampTz t)
{
	int32		lo = 0,
				hi = v->ntouches;

	while (lo < hi)
	{
		int32		mid = lo + (hi - lo) / 2;

		if (jview_time(v, mid) <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* number of touches strictly before t */
static int32
touches_before(const JourneyView *v, TimestampTz t)
{
	int32		lo = 0,
				hi = v->ntouches;

	while (lo < hi)
	{
		int32		mid = lo + (hi - lo) / 2;

		if (jview_time(v, mid) < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Stage in force at time t: that of the last touch at or before t (of the
 * last in canonical order among touches at t); NULL before the first touch.
 */
Datum
journey_stage_at(PG_FUNCTION_ARGS)
{
	JourneyView v;
	int32		k;
	int			s;

	j_view(fcinfo, 0, &v);
	k = touches_upto(&v, PG_GETARG_TIMESTAMPTZ(1));
	if (k == 0)
		PG_RETURN_NULL();
	s = jview_stage(&v, k - 1);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(v.stages.label[s], v.stages.len[s]));
}

typedef struct TouchpointsState
{
	JourneyView v;
	int32		next;
} TouchpointsState;

/* the touches as rows (occurred_at, stage, channel, event, value) */
Datum
journey_touchpoints(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	TouchpointsState *st;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		TupleDesc	tupdesc;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		funcctx->tuple_desc = BlessTupleDesc(tupdesc);
		st = palloc0(sizeof(TouchpointsState));
		jview_init(&st->v, PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0)), J_TYPE);
		funcctx->user_fctx = st;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	st = funcctx->user_fctx;
	if (st->next < st->v.ntouches)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		JTouch		t;

		jview_touch(&st->v, st->next++, &t);
		values[0] = TimestampTzGetDatum(t.ts);
		values[1] = PointerGetDatum(cstring_to_text_with_len(st->v.stages.label[t.stage],
															 st->v.stages.len[t.stage]));
		if (t.channel < 0)
			nulls[2] = true;
		else
			values[2] = PointerGetDatum(jview_label_text(&st->v, t.channel));
		if (t.event < 0)
			nulls[3] = true;
		else
			values[3] = PointerGetDatum(jview_label_text(&st->v, t.event));
		if (t.value < 0)
			nulls[4] = true;
		else
			values[4] = jview_value(&st->v, t.value);
		SRF_RETURN_NEXT(funcctx,
						HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
	}
	SRF_RETURN_DONE(funcctx);
}

/*
 * Touches with from <= occurred_at < to; a NULL bound is unbounded.  The
 * result keeps the stage list and may be empty.
 */
Datum
journey_slice(PG_FUNCTION_ARGS)
{
	JourneyView v;
	int32		lo,
				hi;
	EventBuffer *b;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	j_view(fcinfo, 0, &v);
	lo = PG_ARGISNULL(1) ? 0 : touches_before(&v, PG_GETARG_TIMESTAMPTZ(1));
	hi = PG_ARGISNULL(2) ? v.ntouches : touches_before(&v, PG_GETARG_TIMESTAMPTZ(2));
	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2) &&
		PG_GETARG_TIMESTAMPTZ(2) < PG_GETARG_TIMESTAMPTZ(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("slice end is before its start"),
				 errhint("Pass the earlier time first; the slice is [start, end).")));
	b = jview_to_buffer(&v, CurrentMemoryContext,
						labeldict_create(CurrentMemoryContext), lo, Max(lo, hi));
	PG_RETURN_POINTER(journey_encode(b));
}

/*
 * All touches of both journeys (a multiset union), which must share a
 * stage list: journey_agg over two row sets merged equals journey_agg over
 * their union.
 */
Datum
journey_merge(PG_FUNCTION_ARGS)
{
	JourneyView a,
				b;
	LabelDict  *dict = labeldict_create(CurrentMemoryContext);
	EventBuffer *ba,
			   *bb;

	j_view(fcinfo, 0, &a);
	j_view(fcinfo, 1, &b);
	if (!stagelist_equal(&a.stages, &b.stages))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge journeys with different stage lists"),
				 errdetail("The stage lists are: %s, and: %s.",
						   stagelist_describe(&a.stages), stagelist_describe(&b.stages)),
				 errhint("Merge journeys built from the same stage enum.")));
	ba = jview_to_buffer(&a, CurrentMemoryContext, dict, 0, a.ntouches);
	bb = jview_to_buffer(&b, CurrentMemoryContext, dict, 0, b.ntouches);
	evbuf_merge_last(ba, bb);
	PG_RETURN_POINTER(journey_encode(ba));
}

static bool
reached_stage(FunctionCallInfo fcinfo, int jarg, int sarg)
{
	JourneyView v;
	int			s;
	int32		i;

	j_view(fcinfo, jarg, &v);
	s = stage_arg_ordinal(fcinfo, &v.stages, sarg);
	for (i = 0; i < v.ntouches; i++)
		if (jview_stage(&v, i) == s)
			return true;
	return false;
}

/* journey @> stage: some touch is in that stage */
Datum
journey_reached(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(reached_stage(fcinfo, 0, 1));
}

/* stage <@ journey */
Datum
journey_stage_reached_by(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(reached_stage(fcinfo, 1, 0));
}

/* journey as jsonb: {"stages": [...], "touches": [{...}, ...]} */
Datum
journey_to_jsonb(PG_FUNCTION_ARGS)
{
	JourneyView v;

	j_view(fcinfo, 0, &v);
	PG_RETURN_DATUM(journey_view_to_jsonb(&v, false));
}
