/*-------------------------------------------------------------------------
 *
 * conversion.c
 *		Touches before conversion, time to conversion and conversion paths.
 *
 * conversion_path keeps one customer's rows in an EventBuffer: time, a
 * conversion flag (mask bit 0) and the channel label.  The aggregates that
 * need no channel keep only time and flag, packed one int64 per row
 * (touch_times.h): a quarter of the memory, and no label dictionary.
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
#include "event_buffer.h"
#include "journey_agg.h"
#include "journey_format.h"
#include "touch_times.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
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

/* version 2: a flag byte says which of the two states follows */
#define CONV_STATE_VERSION	2
#define CONV_WIRE_CHANNEL	1	/* flag: a conversion_path state */
#define CONV_WIRE_COLLAPSE	2	/* flag: collapse */
#define CONVERTED			UINT64CONST(1)

/*
 * conversion_path needs channels and keeps an EventBuffer; the other
 * aggregates need only time and flag and keep packed TouchTimes.  The
 * struct stays small (it is touched once per row, next to the hash table
 * entry); the touches live in their own array.
 */
typedef struct ConvState
{
	TouchTimes	times;			/* not conversion_path: time and flag */
	EventBuffer *buf;			/* conversion_path: flag in mask bit 0, channel */
	int64		lookback;		/* microseconds; 0 = none */
	int32		max_len;		/* conversion_path: keep the last max_len; 0 = all */
	bool		collapse;		/* conversion_path: merge consecutive repeats */
	bool		with_channel;	/* conversion_path: buf is used, not times */
} ConvState;

static const StageList *
conv_stages(void)
{
	static StageList sl = {1, false, {"touch"}, {5}};

	return &sl;
}

static void
params_mismatch(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the lookback, collapse and max_length arguments must be the same for every row"),
			 errhint("Pass constants.")));
}

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

/* An empty state in mcxt with the parameters of proto, room for n touches. */
static ConvState *
conv_state_create(MemoryContext mcxt, FunctionCallInfo fcinfo, const ConvState *proto, int32 n)
{
	ConvState  *state = MemoryContextAllocZero(mcxt, sizeof(ConvState));

	state->lookback = proto->lookback;
	state->max_len = proto->max_len;
	state->collapse = proto->collapse;
	state->with_channel = proto->with_channel;
	if (state->with_channel)
		state->buf = evbuf_create(mcxt, conv_stages(), agg_cache(fcinfo)->dict);
	else
		touchtimes_init(&state->times, mcxt, n);
	return state;
}

static bool
conv_params_equal(const ConvState *a, const ConvState *b)
{
	return a->with_channel == b->with_channel && a->lookback == b->lookback &&
		a->collapse == b->collapse && a->max_len == b->max_len;
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
	ConvState  *state = PG_ARGISNULL(0) ? NULL : (ConvState *) PG_GETARG_POINTER(0);
	ConvState	params = {0};
	int			conv_arg;
	bool		converted;
	TimestampTz ts;

	/* a text third argument (the channel) means conversion_path */
	if (state != NULL)
		params.with_channel = state->with_channel;
	else if (PG_NARGS() > 3)
	{
		Oid			argtype = get_fn_expr_argtype(fcinfo->flinfo, 2);

		if (!OidIsValid(argtype))
			elog(ERROR, "could not determine the argument types of conversion_transfn");
		params.with_channel = argtype == TEXTOID;
	}
	conv_arg = params.with_channel ? 3 : 2;

	if (!params.with_channel && PG_NARGS() > 3)
	{
		if (PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lookback window must not be NULL")));
		params.lookback = lookback_usec(PG_GETARG_INTERVAL_P(3));
	}
	if (params.with_channel && PG_NARGS() > 4)
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
		state = conv_state_create(aggcxt, fcinfo, &params, 0);
	else if (!conv_params_equal(state, &params))
		params_mismatch();

	/* no time: skipped; for paths, no channel: skipped unless it converts */
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	ts = PG_GETARG_TIMESTAMPTZ(1);
	if (unlikely(!CJ_TIME_IN_RANGE(ts)))
		cj_check_time(ts);
	converted = !PG_ARGISNULL(conv_arg) && PG_GETARG_BOOL(conv_arg);
	if (!state->with_channel)
	{
		touchtimes_append(&state->times, TOUCH_PACK(ts, converted));
		PG_RETURN_POINTER(state);
	}
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
	MemoryContext aggcxt = agg_context(fcinfo, "conversion_combine");
	ConvState  *s1 = PG_ARGISNULL(0) ? NULL : (ConvState *) PG_GETARG_POINTER(0);
	ConvState  *s2 = PG_ARGISNULL(1) ? NULL : (ConvState *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
		s1 = conv_state_create(aggcxt, fcinfo, s2, s2->times.n);
	else if (!conv_params_equal(s1, s2))
	{
		if (s1->with_channel != s2->with_channel)
			elog(ERROR, "conversion states of different kinds cannot be combined");
		params_mismatch();
	}
	if (s1->with_channel)
		evbuf_merge(s1->buf, s2->buf);
	else
		touchtimes_merge(&s1->times, &s2->times);
	PG_RETURN_POINTER(s1);
}

/*
 * Wire format: version, flags (CONV_WIRE_*), lookback, max_length, then the
 * EventBuffer of a conversion_path state or the TouchTimes of the others.
 */
Datum
conversion_serialize(PG_FUNCTION_ARGS)
{
	ConvState  *state = (ConvState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	(void) agg_context(fcinfo, "conversion_serialize");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, CONV_STATE_VERSION);
	pq_sendbyte(&buf, (state->with_channel ? CONV_WIRE_CHANNEL : 0) |
				(state->collapse ? CONV_WIRE_COLLAPSE : 0));
	pq_sendint64(&buf, state->lookback);
	pq_sendint32(&buf, state->max_len);
	if (state->with_channel)
		evbuf_write(&buf, state->buf, EVBUF_WIRE_INTERNAL);
	else
		touchtimes_write(&buf, &state->times);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

pg_attribute_noreturn()
static void
conv_wire_error(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary representation of type %s", "conversion state"),
			 errdetail_internal("%s", detail)));
}

Datum
conversion_deserialize(PG_FUNCTION_ARGS)
{
	StringInfoData msg;
	ConvState  *state = palloc0(sizeof(ConvState));
	int			flags;
	int32		i;

	(void) agg_context(fcinfo, "conversion_deserialize");
	cj_bytea_message(PG_GETARG_BYTEA_PP(0), &msg);
	if (msg.len < 14)
		conv_wire_error("The value is truncated.");
	if (pq_getmsgbyte(&msg) != CONV_STATE_VERSION)
		conv_wire_error("Unknown format version.");
	flags = pq_getmsgbyte(&msg);
	state->with_channel = (flags & CONV_WIRE_CHANNEL) != 0;
	state->collapse = (flags & CONV_WIRE_COLLAPSE) != 0;
	state->lookback = pq_getmsgint64(&msg);
	state->max_len = (int32) pq_getmsgint(&msg, 4);
	if ((flags & ~(CONV_WIRE_CHANNEL | CONV_WIRE_COLLAPSE)) != 0 ||
		state->lookback < 0 || state->max_len < 0 ||
		(state->with_channel ? state->lookback != 0
		 : (state->collapse || state->max_len != 0)))
		conv_wire_error("The parameters are invalid.");
	if (state->with_channel)
	{
		state->buf = evbuf_read(&msg, CurrentMemoryContext, agg_cache(fcinfo)->dict,
								EVBUF_WIRE_INTERNAL, "conversion state");
		/* a conversion_path record is a time, a flag and a channel */
		for (i = 0; i < state->buf->n; i++)
		{
			const CjEvent *e = &state->buf->ev[i];

			if (e->mask > CONVERTED || e->stage != 0 || e->event != -1 || e->value != -1)
				conv_wire_error(psprintf("Touch %d has fields a conversion state does not use.", i + 1));
		}
	}
	else
	{
		WireReader	w;

		wire_reader_init(&w, &msg, "conversion state");
		touchtimes_read(&w, &state->times, CurrentMemoryContext);
	}
	if (msg.cursor != msg.len)
		conv_wire_error("The value has trailing bytes.");
	PG_RETURN_POINTER(state);
}

/* The state a final function reads, or NULL for no rows. */
static ConvState *
final_state(FunctionCallInfo fcinfo, const char *fn, bool with_channel)
{
	ConvState  *state;

	(void) agg_context(fcinfo, fn);
	if (PG_ARGISNULL(0))
		return NULL;
	state = (ConvState *) PG_GETARG_POINTER(0);
	if (state->with_channel != with_channel)
		elog(ERROR, "%s got a conversion state of the wrong kind", fn);
	if ((with_channel ? state->buf->n : state->times.n) == 0)
		return NULL;
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

/* touches_before_conversion: NULL when the customer never converted */
Datum
touches_before_conversion_finalfn(PG_FUNCTION_ARGS)
{
	ConvState  *state = final_state(fcinfo, "touches_before_conversion", false);
	TimestampTz t;
	int64		lo,
				hi;
	int32		i,
				n = 0;

	if (state == NULL || !first_conversion_time(&state->times, &t))
		PG_RETURN_NULL();
	/* touches in [t - lookback, t); a window reaching before year 1 takes all */
	hi = TOUCH_PACK(t, false);
	lo = (state->lookback > 0 && state->lookback <= t - CJ_MIN_TIME)
		? TOUCH_PACK(t - state->lookback, false) : PG_INT64_MIN;
	for (i = 0; i < state->times.n; i++)
		if (state->times.touch[i] < hi && state->times.touch[i] >= lo)
			n++;
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
	ConvState  *state = final_state(fcinfo, "touches_before_each_conversion", false);
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
	ConvState  *state = final_state(fcinfo, "time_to_conversion", false);
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
 * The path: channels of touches before t in order, NULL channels skipped,
 * consecutive repeats merged when collapse, the last max_len kept.
 */
static ArrayType *
build_path(int32 n, const int32 *ids, const LabelDict *dict, const char *const *strs,
		   const int32 *lens, bool collapse, int32 max_len)
{
	Datum	   *elems = palloc(Max(n, 1) * sizeof(Datum));
	int32		k = 0,
				i,
				from;

	/* label ids of the touches with a channel; repeats merged on request */
	for (i = 0; i < n; i++)
	{
		if (ids[i] < 0)
			continue;
		if (collapse && k > 0 && DatumGetInt32(elems[k - 1]) == ids[i])
			continue;
		elems[k++] = Int32GetDatum(ids[i]);
	}
	from = (max_len > 0 && k > max_len) ? k - max_len : 0;
	for (i = from; i < k; i++)
	{
		int32		id = DatumGetInt32(elems[i]);

		elems[i - from] = PointerGetDatum(dict
										  ? cstring_to_text_with_len(dict->str[id], dict->len[id])
										  : cstring_to_text_with_len(strs[id], lens[id]));
	}
	return construct_array(elems, k - from, TEXTOID, -1, false, TYPALIGN_INT);
}

/* index of the first converting record of a sorted buffer, or -1 */
static int32
first_conversion(const EventBuffer *b)
{
	int32		i;

	for (i = 0; i < b->n; i++)
		if (b->ev[i].mask & CONVERTED)
			return i;
	return -1;
}

/* conversion_path: channels before the first conversion; NULL if none */
Datum
conversion_path_finalfn(PG_FUNCTION_ARGS)
{
	ConvState  *state = final_state(fcinfo, "conversion_path", true);
	EventBuffer *b;
	int32		c,
				i;
	int32	   *ids;

	if (state == NULL)
		PG_RETURN_NULL();
	b = state->buf;
	evbuf_sort(b);
	if ((c = first_conversion(b)) < 0)
		PG_RETURN_NULL();
	ids = palloc(Max(b->n, 1) * sizeof(int32));
	for (i = 0; i < b->n && b->ev[i].ts < b->ev[c].ts; i++)
		ids[i] = b->ev[i].channel;
	PG_RETURN_ARRAYTYPE_P(build_path(i, ids, b->dict, NULL, NULL, state->collapse, state->max_len));
}

/* index of the first touch whose event equals the conversion event, or -1 */
static int32
journey_first_conversion(const JourneyView *v, text *event)
{
	int32		i;
	int			len = VARSIZE_ANY_EXHDR(event);

	for (i = 0; i < v->ntouches; i++)
	{
		JTouch		t;

		jview_touch(v, i, &t);
		if (t.event >= 0 && v->label_len[t.event] == len &&
			memcmp(v->label[t.event], VARDATA_ANY(event), len) == 0)
			return i;
	}
	return -1;
}

/*
 * journey_conversion_path(journey, conversion_event [, collapse, max_length]):
 * the path of a stored journey, a conversion being a touch with that event.
 */
Datum
journey_conversion_path(PG_FUNCTION_ARGS)
{
	JourneyView v;
	int32		c,
				i;
	int32	   *ids;
	bool		collapse = PG_NARGS() > 2 ? PG_GETARG_BOOL(2) : false;
	int32		max_len = PG_NARGS() > 3 ? PG_GETARG_INT32(3) : 0;

	if (max_len < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_length must be zero (no limit) or positive, not %d", max_len)));
	jview_init(&v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), "journey");
	c = journey_first_conversion(&v, PG_GETARG_TEXT_PP(1));
	if (c < 0)
		PG_RETURN_NULL();
	ids = palloc(Max(v.ntouches, 1) * sizeof(int32));
	for (i = 0; i < c && jview_time(&v, i) < jview_time(&v, c); i++)
	{
		JTouch		t;

		jview_touch(&v, i, &t);
		ids[i] = t.channel;
	}
	PG_RETURN_ARRAYTYPE_P(build_path(i, ids, NULL, v.label, v.label_len, collapse, max_len));
}

/* journey_touches_before_conversion(journey, conversion_event) */
Datum
journey_touches_before_conversion(PG_FUNCTION_ARGS)
{
	JourneyView v;
	int32		c,
				i;

	jview_init(&v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), "journey");
	c = journey_first_conversion(&v, PG_GETARG_TEXT_PP(1));
	if (c < 0)
		PG_RETURN_NULL();
	for (i = 0; i < c && jview_time(&v, i) < jview_time(&v, c); i++)
		;
	PG_RETURN_INT32(i);
}
