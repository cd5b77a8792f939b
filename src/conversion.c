/*-------------------------------------------------------------------------
 *
 * conversion.c
 *		Touches before conversion, time to conversion and conversion paths.
 *
 * The state is the shared per-customer state (agg.h).  conversion_path
 * keeps one customer's rows in its EventBuffer: time, a conversion flag
 * (mask bit 0) and the channel label.  The aggregates that need no channel
 * keep only time and flag, packed one int64 per row (touch_times.h): a
 * quarter of the memory, and no label dictionary.
 * Results depend only on the multiset of rows (the buffers are put in
 * canonical order where order matters), so neither input order nor
 * parallel splits change a result.
 *
 * A conversion is a row whose converted flag is true; the first conversion
 * is at the earliest such time T.  "Before" is strictly before: touches at
 * the same instant as T are not counted.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "agg.h"
#include "event_buffer.h"
#include "journey_format.h"
#include "journey_step.h"
#include "touch_times.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(conversion_transfn);
PG_FUNCTION_INFO_V1(conversion_combine);
PG_FUNCTION_INFO_V1(conversion_serialize);
PG_FUNCTION_INFO_V1(conversion_deserialize);
PG_FUNCTION_INFO_V1(touches_before_conversion_finalfn);
PG_FUNCTION_INFO_V1(touches_before_each_conversion_finalfn);
PG_FUNCTION_INFO_V1(time_to_conversion_finalfn);
PG_FUNCTION_INFO_V1(conversion_path_finalfn);
PG_FUNCTION_INFO_V1(journey_conversion_path);
PG_FUNCTION_INFO_V1(journey_touches_before_conversion);
PG_FUNCTION_INFO_V1(journey_path_before);
PG_FUNCTION_INFO_V1(journey_touches_before);
PG_FUNCTION_INFO_V1(journey_touches_before_each);
PG_FUNCTION_INFO_V1(journey_time_to);

/*
 * Version 2 of the wire format: the shared layout (agg.h), whose
 * AGG_WIRE_EVENTS flag says a conversion_path state follows.
 */
#define CONV_STATE_VERSION	2
#define CONV_WIRE_COLLAPSE	0x02	/* flag: collapse */
#define CONVERTED			UINT64CONST(1)

/* What every row of one group must repeat. */
typedef struct ConvParams
{
	int64		lookback;		/* microseconds; 0 = none */
	int32		max_len;		/* conversion_path: keep the last max_len; 0 = all */
	bool		collapse;		/* conversion_path: merge consecutive repeats */
} ConvParams;

static const StageList conv_stages = {1, false, {"touch"}, {5}};

static bool
conv_params_equal(const void *a, const void *b)
{
	const ConvParams *x = a;
	const ConvParams *y = b;

	return x->lookback == y->lookback && x->collapse == y->collapse &&
		x->max_len == y->max_len;
}

static uint8
conv_params_flags(const void *p)
{
	return ((const ConvParams *) p)->collapse ? CONV_WIRE_COLLAPSE : 0;
}

static void
conv_params_write(StringInfo buf, const void *p)
{
	const ConvParams *c = p;

	pq_sendint64(buf, c->lookback);
	pq_sendint32(buf, c->max_len);
}

/* lookback goes with touch times only, collapse and max_length with paths */
static void
conv_params_read(WireReader *w, uint8 flags, void *p)
{
	ConvParams *c = p;
	bool		with_channel = (flags & AGG_WIRE_EVENTS) != 0;

	c->lookback = wire_int64(w);
	c->max_len = wire_int32(w);
	c->collapse = (flags & CONV_WIRE_COLLAPSE) != 0;
	if (c->lookback < 0 || c->max_len < 0 ||
		(with_channel ? c->lookback != 0 : (c->collapse || c->max_len != 0)))
		wire_error(w, "The parameters are invalid.");
}

pg_attribute_noreturn()
static void
conv_params_mismatch(const void *a, const void *b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the lookback, collapse and max_length arguments must be the same for every row"),
			 errhint("Pass constants.")));
}

/* a conversion_path record is a time, a flag and a channel */
static void
conv_check_record(WireReader *w, const void *params, const CjEvent *e, int32 i)
{
	if (e->mask > CONVERTED || e->stage != 0 || e->event != -1 || e->value != -1)
		wire_error(w, psprintf("Touch %d has fields a conversion state does not use.", i + 1));
}

static const AggOps conv_ops = {
	.state_name = "conversion state",
	.version = CONV_STATE_VERSION,
	.stages = &conv_stages,
	.params_size = sizeof(ConvParams),
	.param_bits = CONV_WIRE_COLLAPSE,
	.params_equal = conv_params_equal,
	.params_flags = conv_params_flags,
	.params_write = conv_params_write,
	.params_read = conv_params_read,
	.params_mismatch = conv_params_mismatch,
	.check_record = conv_check_record,
};

/* conversion_path's max_length, rows and journey forms alike */
static int32
check_max_length(int32 max_len)
{
	if (max_len < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_length must be zero (no limit) or positive, not %d", max_len)));
	return max_len;
}

static int64
lookback_usec(Interval *iv)
{
	int64		days = (int64) iv->month * DAYS_PER_MONTH + iv->day;
	int64		w = 0;

	/* months count as 30 days and the parts add up, as in interval comparison */
	if (days > PG_INT64_MAX / USECS_PER_DAY / 2 || days < PG_INT64_MIN / USECS_PER_DAY / 2 ||
		pg_add_s64_overflow(days * USECS_PER_DAY, iv->time, &w))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lookback window is out of range")));
	if (w <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lookback window must be positive"),
				 errhint("Pass an interval such as '30 days'.")));
	return w;
}

/*
 * Transition function of every conversion aggregate.  Arguments, after the
 * state: (occurred_at, converted [, lookback interval]) or (occurred_at,
 * channel, converted [, collapse, max_length]).
 */
Datum
conversion_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "conversion_transfn");
	CustomerState   *state = PG_ARGISNULL(0) ? NULL : (CustomerState *) PG_GETARG_POINTER(0);
	ConvParams	params = {0};
	bool		with_channel = false;
	int			conv_arg;
	bool		converted;
	TimestampTz ts;

	/* a text third argument (the channel) means conversion_path */
	if (state != NULL)
		with_channel = !state->packed;
	else if (PG_NARGS() > 3)
	{
		Oid			argtype = get_fn_expr_argtype(fcinfo->flinfo, 2);

		if (!OidIsValid(argtype))
			elog(ERROR, "could not determine the argument types of conversion_transfn");
		with_channel = argtype == TEXTOID;
	}
	conv_arg = with_channel ? 3 : 2;

	if (!with_channel && PG_NARGS() > 3)
	{
		if (PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lookback window must not be NULL")));
		params.lookback = lookback_usec(PG_GETARG_INTERVAL_P(3));
	}
	if (with_channel && PG_NARGS() > 4)
	{
		if (PG_ARGISNULL(4) || PG_ARGISNULL(5))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("collapse and max_length must not be NULL")));
		params.collapse = PG_GETARG_BOOL(4);
		params.max_len = check_max_length(PG_GETARG_INT32(5));
	}
	if (state == NULL)
		state = agg_state_create(fcinfo, aggcxt, &conv_ops, !with_channel, 0);
	agg_state_set_params(state, aggcxt, &params);

	/* no time: skipped; for paths, no channel: skipped unless it converts */
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	ts = PG_GETARG_TIMESTAMPTZ(1);
	if (unlikely(!CJ_TIME_IN_RANGE(ts)))
		cj_check_time(ts);
	converted = !PG_ARGISNULL(conv_arg) && PG_GETARG_BOOL(conv_arg);
	if (state->packed)
		touchtimes_append(&state->times, TOUCH_PACK(ts, converted));
	else
	{
		LabelDict  *dict = state->buf->dict;
		int32		channel = -1;

		if (!PG_ARGISNULL(2))
		{
			text	   *t = PG_GETARG_TEXT_PP(2);

			label_check(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), true);
			channel = labeldict_intern(dict, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		}
		evbuf_append(state->buf, ts, converted ? CONVERTED : 0, 0, channel, -1, (Datum) 0, false);
	}
	PG_RETURN_POINTER(state);
}

Datum
conversion_combine(PG_FUNCTION_ARGS)
{
	return agg_state_combine(fcinfo, &conv_ops);
}

Datum
conversion_serialize(PG_FUNCTION_ARGS)
{
	return agg_state_serialize(fcinfo);
}

Datum
conversion_deserialize(PG_FUNCTION_ARGS)
{
	return agg_state_deserialize(fcinfo, &conv_ops);
}

/* The state a final function reads, or NULL for no rows. */
static CustomerState *
final_state(FunctionCallInfo fcinfo, const char *fn, bool with_channel)
{
	CustomerState   *state = agg_state_final(fcinfo, fn);

	if (state != NULL && state->packed == with_channel)
		elog(ERROR, "%s got a conversion state of the wrong kind", fn);
	return state;
}

/* The earliest converting touch time; false if no touch converts. */
static bool
first_conversion_time(const TouchTimes *tt, TimestampTz *t)
{
	int64		first = 0;
	bool		found = false;
	int32		i;

	for (i = 0; i < tt->n; i++)
	{
		CJ_CHECK_EVERY(i);
		if (TOUCH_FLAGGED(tt->touch[i]) && (!found || tt->touch[i] < first))
		{
			first = tt->touch[i];
			found = true;
		}
	}
	*t = TOUCH_TIME(first);
	return found;
}

/*
 * Touches in [t - lookback, t) where t is the first conversion (a window
 * reaching before year 1 takes all); -1 when no touch converts.  The walk of
 * touches_before_conversion over rows and over stored journeys alike.
 */
static int32
touches_before_first(const TouchTimes *tt, int64 lookback)
{
	TimestampTz t;
	int64		lo,
				hi;
	int32		i,
				n = 0;

	if (!first_conversion_time(tt, &t))
		return -1;
	hi = TOUCH_PACK(t, false);
	lo = (lookback > 0 && lookback <= t - CJ_MIN_TIME)
		? TOUCH_PACK(t - lookback, false) : PG_INT64_MIN;
	for (i = 0; i < tt->n; i++)
	{
		CJ_CHECK_EVERY(i);
		if (tt->touch[i] < hi && tt->touch[i] >= lo)
			n++;
	}
	return n;
}

/* touches_before_conversion: NULL when the customer never converted */
Datum
touches_before_conversion_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState   *state = final_state(fcinfo, "touches_before_conversion", false);
	int32		n;

	if (state == NULL ||
		(n = touches_before_first(&state->times,
								  ((ConvParams *) AGG_PARAMS(state))->lookback)) < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(n);
}

/*
 * For each distinct conversion time, in order, the touches strictly before
 * it and since the previous conversion time; non-converting touches at a
 * conversion's instant count toward the next conversion.  NULL when no
 * touch converts.  The walk of touches_before_each_conversion over rows and
 * over stored journeys alike.
 */
static ArrayType *
touches_before_each(TouchTimes *tt)
{
	const int64 *touch;
	Datum	   *elems;
	int32		nt,
				n = 0,
				i = 0,
				count = 0;

	touchtimes_sort(tt);
	touch = tt->touch;
	nt = tt->n;
	elems = palloc(Max(nt, 1) * sizeof(Datum));
	while (i < nt)
	{
		TimestampTz t = TOUCH_TIME(touch[i]);
		bool		converts = false;
		int32		others = 0;

		/* one instant at a time */
		for (; i < nt && TOUCH_TIME(touch[i]) == t; i++)
		{
			CJ_CHECK_EVERY(i);
			if (TOUCH_FLAGGED(touch[i]))
				converts = true;
			else
				others++;
		}
		if (converts)
		{
			elems[n++] = Int32GetDatum(count);
			count = others;
		}
		else
			count += others;
	}
	if (n == 0)
		return NULL;
	return construct_array(elems, n, INT4OID, 4, true, TYPALIGN_INT);
}

/* touches_before_each_conversion: NULL when the customer never converted */
Datum
touches_before_each_conversion_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState   *state = final_state(fcinfo, "touches_before_each_conversion", false);
	ArrayType  *arr;

	if (state == NULL || (arr = touches_before_each(&state->times)) == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(arr);
}

/*
 * First touch to first conversion, or NULL when no touch converts: the walk
 * of time_to_conversion over rows and over stored journeys alike.
 */
static Interval *
time_to_first(const TouchTimes *tt)
{
	TimestampTz t;
	int64		first,
				usec;
	int32		i;
	Interval   *iv;

	if (!first_conversion_time(tt, &t))
		return NULL;
	first = tt->touch[0];
	for (i = 1; i < tt->n; i++)
	{
		CJ_CHECK_EVERY(i);
		first = Min(first, tt->touch[i]);
	}
	usec = t - TOUCH_TIME(first);
	iv = palloc0(sizeof(Interval));
	iv->day = (int32) (usec / USECS_PER_DAY);
	iv->time = usec % USECS_PER_DAY;
	return iv;
}

/* time_to_conversion: first touch to first conversion; NULL if none */
Datum
time_to_conversion_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState   *state = final_state(fcinfo, "time_to_conversion", false);
	Interval   *iv;

	if (state == NULL || (iv = time_to_first(&state->times)) == NULL)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(iv);
}

/* One touch of a path: its time and channel label id. */
typedef struct PathTouch
{
	TimestampTz ts;
	int32		channel;
} PathTouch;

/* time, then the channel's label bytes (qsort_arg over a view's labels) */
static int
path_touch_cmp(const void *a, const void *b, void *arg)
{
	const PathTouch *x = a;
	const PathTouch *y = b;
	const JourneyView *v = arg;
	int			c;

	CJ_SORT_TICK();
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	c = memcmp(v->label[x->channel], v->label[y->channel],
			   Min(v->label_len[x->channel], v->label_len[y->channel]));
	if (c != 0)
		return c < 0 ? -1 : 1;
	return (v->label_len[x->channel] < v->label_len[y->channel]) ? -1 :
		(v->label_len[x->channel] > v->label_len[y->channel]) ? 1 : 0;
}

/*
 * The path before the first conversion: channels of the touches strictly
 * before it in time order, NULL channels skipped, consecutive repeats
 * merged when collapse, the last max_len kept; NULL when no touch converts.
 * The walk of conversion_path over rows and over stored journeys alike.
 * Channel ids name labels of dict, or for a stored journey's buffer
 * (journey_steps_decode) labels of view.  Touches of one instant come in
 * channel order: the rows' canonical order puts them so, and a journey's
 * order (stage first) is re-sorted here, so both forms give the same path.
 */
static ArrayType *
path_before_first(EventBuffer *b, bool collapse, int32 max_len,
				  const LabelDict *dict, const JourneyView *view)
{
	PathTouch  *p = palloc(Max(b->n, 1) * sizeof(PathTouch));
	Datum	   *elems;
	int32		c,
				k = 0,
				m = 0,
				i,
				from;

	if (view == NULL)
		evbuf_sort(b);
	for (c = 0; c < b->n && !(b->ev[c].mask & CONVERTED); c++)
		CJ_CHECK_EVERY(c);
	if (c == b->n)
		return NULL;
	for (i = 0; i < b->n && b->ev[i].ts < b->ev[c].ts; i++)
	{
		CJ_CHECK_EVERY(i);
		if (b->ev[i].channel < 0)
			continue;
		p[k].ts = b->ev[i].ts;
		p[k].channel = b->ev[i].channel;
		k++;
	}
	if (view != NULL)
		qsort_arg(p, k, sizeof(PathTouch), path_touch_cmp, (void *) view);
	/* repeats merged on request: equal ids are equal labels in both forms */
	for (i = 0; i < k; i++)
	{
		if (collapse && m > 0 && p[m - 1].channel == p[i].channel)
			continue;
		p[m++] = p[i];
	}
	from = (max_len > 0 && m > max_len) ? m - max_len : 0;
	elems = palloc(Max(m - from, 1) * sizeof(Datum));
	for (i = from; i < m; i++)
	{
		int32		id = p[i].channel;

		CJ_CHECK_EVERY(i);
		elems[i - from] = PointerGetDatum(view != NULL ? jview_label_text(view, id)
										  : cstring_to_text_with_len(dict->str[id], dict->len[id]));
	}
	return construct_array(elems, m - from, TEXTOID, -1, false, TYPALIGN_INT);
}

/* conversion_path: channels before the first conversion; NULL if none */
Datum
conversion_path_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState   *state = final_state(fcinfo, "conversion_path", true);
	ConvParams *p;
	ArrayType  *path;

	if (state == NULL)
		PG_RETURN_NULL();
	p = AGG_PARAMS(state);
	path = path_before_first(state->buf, p->collapse, p->max_len, state->buf->dict, NULL);
	if (path == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(path);
}

/*
 * The stored-journey forms.  Argument 1 names the conversion: an event
 * label (the 0.1.0 forms, journey_*_conversion*) or a step in the journey
 * step syntax (0.3.0: journey_touches_before, journey_path_before, ...).
 * The journey is decoded with a step mask (journey_steps_decode, or
 * journey_steps_decode_timed where times and masks are all a walk reads:
 * no label interned); mask bit 0 (CONVERTED) marks the touches that
 * convert, and the touches are in the journey's canonical order.  This is
 * the step, parsed once per query.
 */
static JourneySteps *
journey_conversion_step(FunctionCallInfo fcinfo, const char *fn)
{
	JourneyStepsCache *c = fcinfo->flinfo->fn_extra;
	text	   *step = PG_GETARG_TEXT_PP(1);

	if (c == NULL)
		fcinfo->flinfo->fn_extra = c =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(JourneyStepsCache));
	return (fn == NULL) ? journey_event_step_cached(c, fcinfo->flinfo->fn_mcxt, step)
		: journey_step_cached(c, fcinfo->flinfo->fn_mcxt, step, fn);
}

/* The journey's touches, whole, with their masks. */
static EventBuffer *
journey_conversion_touches(FunctionCallInfo fcinfo, const char *fn, JourneyView *view)
{
	return journey_steps_decode(journey_conversion_step(fcinfo, fn),
								PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)),
								CurrentMemoryContext, view, 0);
}

/*
 * The same touches as times and masks alone (every touch kept), for the
 * walks that read nothing else: decoded straight from the stored records.
 */
static int32
journey_conversion_timed(FunctionCallInfo fcinfo, const char *fn, TimedMask **rows)
{
	/* none when no touch can convert: every such walk then answers NULL */
	return journey_steps_decode_timed(journey_conversion_step(fcinfo, fn),
									  PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), true,
									  CONVERTED, rows);
}

/* The same touches packed for the walks that need no channel. */
static void
journey_conversion_times(FunctionCallInfo fcinfo, const char *fn, TouchTimes *tt)
{
	TimedMask  *rows;
	int32		n = journey_conversion_timed(fcinfo, fn, &rows);
	int32		i;

	touchtimes_init(tt, CurrentMemoryContext, n);
	for (i = 0; i < n; i++)
	{
		CJ_CHECK_EVERY(i);
		tt->touch[i] = TOUCH_PACK(rows[i].ts, (rows[i].mask & CONVERTED) != 0);
	}
	tt->n = n;
}

/* (journey, conversion [, collapse, max_length]): the path before it */
static Datum
journey_path_walk(FunctionCallInfo fcinfo, const char *fn)
{
	bool		collapse = PG_NARGS() > 2 ? PG_GETARG_BOOL(2) : false;
	int32		max_len = check_max_length(PG_NARGS() > 3 ? PG_GETARG_INT32(3) : 0);
	JourneyView view;
	EventBuffer *b = journey_conversion_touches(fcinfo, fn, &view);
	ArrayType  *path = path_before_first(b, collapse, max_len, NULL, &view);

	if (path == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(path);
}

/* journey_conversion_path(journey, conversion_event [, collapse, max_length]) */
Datum
journey_conversion_path(PG_FUNCTION_ARGS)
{
	return journey_path_walk(fcinfo, NULL);
}

/* journey_path_before(journey, step [, collapse, max_length]) */
Datum
journey_path_before(PG_FUNCTION_ARGS)
{
	return journey_path_walk(fcinfo, "journey_path_before");
}

/*
 * (journey, conversion [, lookback]): touches before the first conversion.
 * touches_before_first's count, read off the journey's touches in time
 * order: those of the instants before the first converting touch, from the
 * first one within the lookback window.
 */
static Datum
journey_touches_walk(FunctionCallInfo fcinfo, const char *fn)
{
	int64		lookback = PG_NARGS() > 2 ? lookback_usec(PG_GETARG_INTERVAL_P(2)) : 0;
	TimedMask  *rows;
	int32		n = journey_conversion_timed(fcinfo, fn, &rows);
	TimestampTz t;
	int32		c,
				end,
				from = 0;

	for (c = 0; c < n && !(rows[c].mask & CONVERTED); c++)
		CJ_CHECK_EVERY(c);
	if (c == n)
		PG_RETURN_NULL();
	t = rows[c].ts;
	for (end = c; end > 0 && rows[end - 1].ts == t; end--)
		CJ_CHECK_EVERY(end);
	if (lookback > 0 && lookback <= t - CJ_MIN_TIME)
		for (; from < end && rows[from].ts < t - lookback; from++)
			CJ_CHECK_EVERY(from);
	PG_RETURN_INT32(end - from);
}

/* journey_touches_before_conversion(journey, conversion_event) */
Datum
journey_touches_before_conversion(PG_FUNCTION_ARGS)
{
	return journey_touches_walk(fcinfo, NULL);
}

/* journey_touches_before(journey, step [, lookback]) */
Datum
journey_touches_before(PG_FUNCTION_ARGS)
{
	return journey_touches_walk(fcinfo, "journey_touches_before");
}

/* journey_touches_before_each(journey, step) */
Datum
journey_touches_before_each(PG_FUNCTION_ARGS)
{
	TouchTimes	tt;
	ArrayType  *arr;

	journey_conversion_times(fcinfo, "journey_touches_before_each", &tt);
	if ((arr = touches_before_each(&tt)) == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(arr);
}

/* journey_time_to(journey, step): first touch to the first matching touch */
Datum
journey_time_to(PG_FUNCTION_ARGS)
{
	TouchTimes	tt;
	Interval   *iv;

	journey_conversion_times(fcinfo, "journey_time_to", &tt);
	if ((iv = time_to_first(&tt)) == NULL)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(iv);
}
