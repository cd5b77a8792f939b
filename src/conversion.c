/*-------------------------------------------------------------------------
 *
 * conversion.c
 *		Touches before conversion, time to conversion and conversion paths.
 *
 * One customer's rows go to an EventBuffer: time, a conversion flag (mask
 * bit 0) and the channel label.  Records are put in canonical order before
 * the walk, so neither input order nor parallel splits change a result.
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

#include "catalog/pg_type.h"
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

#define CONV_STATE_VERSION	1
#define CONVERTED			UINT64CONST(1)

typedef struct ConvState
{
	EventBuffer *buf;
	int64		lookback;		/* microseconds; 0 = none */
	bool		collapse;		/* conversion_path: merge consecutive repeats */
	int32		max_len;		/* conversion_path: keep the last max_len; 0 = all */
	bool		have_params;
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

	if (days > PG_INT64_MAX / USECS_PER_DAY / 2 || days < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lookback window is out of range")));
	w = days * USECS_PER_DAY + iv->time;
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
	ConvState  *state = PG_ARGISNULL(0) ? NULL : (ConvState *) PG_GETARG_POINTER(0);
	bool		with_channel = get_fn_expr_argtype(fcinfo->flinfo, 2) == TEXTOID;
	int			conv_arg = with_channel ? 3 : 2;
	int64		lookback = 0;
	bool		collapse = false;
	int32		max_len = 0;
	int32		channel = -1;
	AggCache   *cache = agg_cache(fcinfo);

	if (!with_channel && PG_NARGS() > 3)
	{
		if (PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lookback window must not be NULL")));
		lookback = lookback_usec(PG_GETARG_INTERVAL_P(3));
	}
	if (with_channel && PG_NARGS() > 4)
	{
		if (PG_ARGISNULL(4) || PG_ARGISNULL(5))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("collapse and max_length must not be NULL")));
		collapse = PG_GETARG_BOOL(4);
		max_len = PG_GETARG_INT32(5);
		if (max_len < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_length must be zero (no limit) or positive, not %d", max_len)));
	}
	if (state == NULL)
	{
		state = MemoryContextAllocZero(aggcxt, sizeof(ConvState));
		state->buf = evbuf_create(aggcxt, conv_stages(), cache->dict);
	}
	if (!state->have_params)
	{
		state->lookback = lookback;
		state->collapse = collapse;
		state->max_len = max_len;
		state->have_params = true;
	}
	else if (state->lookback != lookback || state->collapse != collapse || state->max_len != max_len)
		params_mismatch();

	/* no time: skipped; for paths, no channel: skipped unless it converts */
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	if (with_channel && !PG_ARGISNULL(2))
	{
		text	   *t = PG_GETARG_TEXT_PP(2);

		label_check(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), true);
		channel = labeldict_intern(cache->dict, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	cj_check_time(PG_GETARG_TIMESTAMPTZ(1));
	evbuf_append(state->buf, PG_GETARG_TIMESTAMPTZ(1),
				 (!PG_ARGISNULL(conv_arg) && PG_GETARG_BOOL(conv_arg)) ? CONVERTED : 0,
				 0, channel, -1, (Datum) 0, false);
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
	{
		s1 = MemoryContextAllocZero(aggcxt, sizeof(ConvState));
		*s1 = *s2;
		s1->buf = evbuf_create(aggcxt, conv_stages(), agg_cache(fcinfo)->dict);
	}
	else if (s2->have_params)
	{
		if (!s1->have_params)
		{
			s1->lookback = s2->lookback;
			s1->collapse = s2->collapse;
			s1->max_len = s2->max_len;
			s1->have_params = true;
		}
		else if (s1->lookback != s2->lookback || s1->collapse != s2->collapse ||
				 s1->max_len != s2->max_len)
			params_mismatch();
	}
	evbuf_merge(s1->buf, s2->buf);
	PG_RETURN_POINTER(s1);
}

Datum
conversion_serialize(PG_FUNCTION_ARGS)
{
	ConvState  *state = (ConvState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	(void) agg_context(fcinfo, "conversion_serialize");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, CONV_STATE_VERSION);
	pq_sendbyte(&buf, (state->have_params ? 1 : 0) | (state->collapse ? 2 : 0));
	pq_sendint64(&buf, state->lookback);
	pq_sendint32(&buf, state->max_len);
	evbuf_write(&buf, state->buf, EVBUF_WIRE_INTERNAL);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
conversion_deserialize(PG_FUNCTION_ARGS)
{
	StringInfoData msg;
	ConvState  *state = palloc0(sizeof(ConvState));
	int			flags;

	(void) agg_context(fcinfo, "conversion_deserialize");
	cj_bytea_message(PG_GETARG_BYTEA_PP(0), &msg);
	if (msg.len < 14 || pq_getmsgbyte(&msg) != CONV_STATE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary representation of type %s", "conversion state")));
	flags = pq_getmsgbyte(&msg);
	state->have_params = (flags & 1) != 0;
	state->collapse = (flags & 2) != 0;
	state->lookback = pq_getmsgint64(&msg);
	state->max_len = pq_getmsgint(&msg, 4);
	if ((flags & ~3) != 0 || state->lookback < 0 || state->max_len < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary representation of type %s", "conversion state")));
	state->buf = evbuf_read(&msg, CurrentMemoryContext, agg_cache(fcinfo)->dict,
							EVBUF_WIRE_INTERNAL, "conversion state");
	if (msg.cursor != msg.len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary representation of type %s", "conversion state"),
				 errdetail("The value has trailing bytes.")));
	PG_RETURN_POINTER(state);
}

/* The sorted buffer of the state, or NULL for no rows. */
static EventBuffer *
final_buffer(FunctionCallInfo fcinfo, const char *fn, ConvState **statep)
{
	ConvState  *state;

	(void) agg_context(fcinfo, fn);
	if (PG_ARGISNULL(0))
		return NULL;
	state = (ConvState *) PG_GETARG_POINTER(0);
	if (state->buf->n == 0)
		return NULL;
	evbuf_sort(state->buf);
	*statep = state;
	return state->buf;
}

/* index of the first converting record, or -1 */
static int32
first_conversion(const EventBuffer *b)
{
	int32		i;

	for (i = 0; i < b->n; i++)
		if (b->ev[i].mask & CONVERTED)
			return i;
	return -1;
}

/* records strictly before time t (and, with a lookback, at or after t - lookback) */
static int32
count_before(const EventBuffer *b, TimestampTz t, int64 lookback)
{
	int32		i,
				n = 0;

	for (i = 0; i < b->n && b->ev[i].ts < t; i++)
		if (lookback == 0 || b->ev[i].ts >= t - lookback)
			n++;
	return n;
}

/* touches_before_conversion: NULL when the customer never converted */
Datum
touches_before_conversion_finalfn(PG_FUNCTION_ARGS)
{
	ConvState  *state = NULL;
	EventBuffer *b = final_buffer(fcinfo, "touches_before_conversion", &state);
	int32		c;

	if (b == NULL || (c = first_conversion(b)) < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(count_before(b, b->ev[c].ts, state->lookback));
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
	ConvState  *state = NULL;
	EventBuffer *b = final_buffer(fcinfo, "touches_before_each_conversion", &state);
	Datum	   *elems;
	int32		n = 0,
				i = 0,
				count = 0;

	if (b == NULL)
		PG_RETURN_NULL();
	elems = palloc(Max(b->n, 1) * sizeof(Datum));
	while (i < b->n)
	{
		TimestampTz t = b->ev[i].ts;
		bool		converts = false;
		int32		others = 0;

		/* one instant at a time */
		for (; i < b->n && b->ev[i].ts == t; i++)
		{
			if (b->ev[i].mask & CONVERTED)
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
	ConvState  *state = NULL;
	EventBuffer *b = final_buffer(fcinfo, "time_to_conversion", &state);
	int32		c;
	int64		usec;
	Interval   *iv;

	if (b == NULL || (c = first_conversion(b)) < 0)
		PG_RETURN_NULL();
	usec = b->ev[c].ts - b->ev[0].ts;
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

/* conversion_path: channels before the first conversion; NULL if none */
Datum
conversion_path_finalfn(PG_FUNCTION_ARGS)
{
	ConvState  *state = NULL;
	EventBuffer *b = final_buffer(fcinfo, "conversion_path", &state);
	int32		c,
				i;
	int32	   *ids;

	if (b == NULL || (c = first_conversion(b)) < 0)
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
