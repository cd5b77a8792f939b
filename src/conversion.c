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

static int64
lookback_usec(Interval *iv)
{
	int64		days = (int64) iv->month * DAYS_PER_MONTH + iv->day;
	int64		w;

	if (days > PG_INT64_MAX / USECS_PER_DAY / 2 || days < 0 ||
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
		params.max_len = PG_GETARG_INT32(5);
		if (params.max_len < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_length must be zero (no limit) or positive, not %d", params.max_len)));
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
		if (TOUCH_FLAGGED(tt->touch[i]) && (!found || tt->touch[i] < first))
		{
			first = tt->touch[i];
			found = true;
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
		if (tt->touch[i] < hi && tt->touch[i] >= lo)
			n++;
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
 * touches_before_each_conversion: for each distinct conversion time, in
 * order, the touches strictly before it and since the previous conversion
 * time.  Non-converting touches at a conversion's instant count toward the
 * next conversion.  NULL when the customer never converted.
 */
Datum
touches_before_each_conversion_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState   *state = final_state(fcinfo, "touches_before_each_conversion", false);
	const int64 *touch;
	Datum	   *elems;
	int32		nt,
				n = 0,
				i = 0,
				count = 0;

	if (state == NULL)
		PG_RETURN_NULL();
	touchtimes_sort(&state->times);
	touch = state->times.touch;
	nt = state->times.n;
	elems = palloc(nt * sizeof(Datum));
	while (i < nt)
	{
		TimestampTz t = TOUCH_TIME(touch[i]);
		bool		converts = false;
		int32		others = 0;

		/* one instant at a time */
		for (; i < nt && TOUCH_TIME(touch[i]) == t; i++)
		{
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
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, INT4OID, 4, true, TYPALIGN_INT));
}

/* time_to_conversion: first touch to first conversion; NULL if none */
Datum
time_to_conversion_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState   *state = final_state(fcinfo, "time_to_conversion", false);
	TimestampTz t;
	int64		first,
				usec;
	int32		i;
	Interval   *iv;

	if (state == NULL || !first_conversion_time(&state->times, &t))
		PG_RETURN_NULL();
	first = state->times.touch[0];
	for (i = 1; i < state->times.n; i++)
		first = Min(first, state->times.touch[i]);
	usec = t - TOUCH_TIME(first);
	iv = palloc0(sizeof(Interval));
	iv->day = (int32) (usec / USECS_PER_DAY);
	iv->time = usec % USECS_PER_DAY;
	PG_RETURN_INTERVAL_P(iv);
}

/*
 * The path before the first conversion of a buffer in canonical order:
 * channels of the touches strictly before it, NULL channels skipped,
 * consecutive repeats merged when collapse, the last max_len kept; NULL
 * when no touch converts.  The walk of conversion_path over rows and over
 * stored journeys alike.
 */
static ArrayType *
path_before_first(EventBuffer *b, bool collapse, int32 max_len)
{
	Datum	   *elems = palloc(Max(b->n, 1) * sizeof(Datum));
	const LabelDict *dict = b->dict;
	int32		c,
				k = 0,
				i,
				from;

	evbuf_sort(b);
	for (c = 0; c < b->n && !(b->ev[c].mask & CONVERTED); c++)
		;
	if (c == b->n)
		return NULL;
	/* label ids of the touches with a channel; repeats merged on request */
	for (i = 0; i < b->n && b->ev[i].ts < b->ev[c].ts; i++)
	{
		int32		id = b->ev[i].channel;

		CJ_CHECK_EVERY(i);
		if (id < 0)
			continue;
		if (collapse && k > 0 && DatumGetInt32(elems[k - 1]) == id)
			continue;
		elems[k++] = Int32GetDatum(id);
	}
	from = (max_len > 0 && k > max_len) ? k - max_len : 0;
	for (i = from; i < k; i++)
	{
		int32		id = DatumGetInt32(elems[i]);

		elems[i - from] = PointerGetDatum(cstring_to_text_with_len(dict->str[id], dict->len[id]));
	}
	return construct_array(elems, k - from, TEXTOID, -1, false, TYPALIGN_INT);
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
	path = path_before_first(state->buf, p->collapse, p->max_len);
	if (path == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(path);
}

/*
 * A stored journey's touches for the conversion walks: the touches in
 * canonical order, those whose event equals the conversion event flagged.
 * The buffer's order is kept (flags are set after decoding).
 */
static EventBuffer *
journey_conversion_touches(FunctionCallInfo fcinfo)
{
	EventBuffer *b = journey_arg_touches(fcinfo, 0);
	text	   *event = PG_GETARG_TEXT_PP(1);
	int32		id = labeldict_intern(b->dict, VARDATA_ANY(event), VARSIZE_ANY_EXHDR(event));
	int32		i;

	for (i = 0; i < b->n; i++)
		b->ev[i].mask = (b->ev[i].event == id) ? CONVERTED : 0;
	return b;
}

/*
 * journey_conversion_path(journey, conversion_event [, collapse, max_length]):
 * the path of a stored journey, a conversion being a touch with that event.
 */
Datum
journey_conversion_path(PG_FUNCTION_ARGS)
{
	bool		collapse = PG_NARGS() > 2 ? PG_GETARG_BOOL(2) : false;
	int32		max_len = PG_NARGS() > 3 ? PG_GETARG_INT32(3) : 0;
	ArrayType  *path;

	if (max_len < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_length must be zero (no limit) or positive, not %d", max_len)));
	path = path_before_first(journey_conversion_touches(fcinfo), collapse, max_len);
	if (path == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(path);
}

/* The conversion event journey_touches_before_conversion last matched. */
typedef struct ConversionEventCache
{
	MemoryContext cxt;			/* holds event and js; replaced on a miss */
	char	   *event;
	int			len;
	JourneySteps *js;			/* one step: event = the conversion event */
} ConversionEventCache;

/*
 * journey_touches_before_conversion(journey, conversion_event): only the
 * times and which touches convert are read, so the journey is decoded with
 * a step mask (journey_steps_decode), no label interned.
 */
Datum
journey_touches_before_conversion(PG_FUNCTION_ARGS)
{
	ConversionEventCache *c = fcinfo->flinfo->fn_extra;
	text	   *event = PG_GETARG_TEXT_PP(1);
	int			len = VARSIZE_ANY_EXHDR(event);
	EventBuffer *b;
	TouchTimes	tt;
	int32		i,
				n;

	if (c == NULL)
		fcinfo->flinfo->fn_extra = c =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ConversionEventCache));
	if (c->js == NULL || c->len != len || memcmp(c->event, VARDATA_ANY(event), len) != 0)
	{
		/* a context per entry, as in journey_steps_cached */
		MemoryContext cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt,
												  "cjourney conversion event",
												  ALLOCSET_SMALL_SIZES);
		MemoryContext old = MemoryContextSwitchTo(cxt);
		char	   *copy = palloc(Max(len, 1));
		JourneySteps *js;

		memcpy(copy, VARDATA_ANY(event), len);
		js = journey_steps_one(JSK_EVENT, copy, len);
		MemoryContextSwitchTo(old);
		if (c->cxt)
			MemoryContextDelete(c->cxt);
		c->cxt = cxt;
		c->event = copy;
		c->len = len;
		c->js = js;
	}
	b = journey_steps_decode(c->js, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)),
							 CurrentMemoryContext, NULL);
	touchtimes_init(&tt, CurrentMemoryContext, b->n);
	for (i = 0; i < b->n; i++)
		tt.touch[i] = TOUCH_PACK(b->ev[i].ts, b->ev[i].mask != 0);
	tt.n = b->n;
	if ((n = touches_before_first(&tt, 0)) < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(n);
}
