/*-------------------------------------------------------------------------
 *
 * touchpoint.c
 *		The touchpoint type: one interaction of a customer.
 *
 * A touchpoint is stored as a journey of exactly one touch (see
 * journey_format.c), so it shares the journey's encoding, comparison and
 * hashing; only its text form differs (no braces).
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "event_buffer.h"
#include "journey_format.h"
#include "journey_text.h"
#include "stage.h"
#include "wire.h"

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#define TP_TYPE "touchpoint"

PG_FUNCTION_INFO_V1(touchpoint_in);
PG_FUNCTION_INFO_V1(touchpoint_out);
PG_FUNCTION_INFO_V1(touchpoint_recv);
PG_FUNCTION_INFO_V1(touchpoint_send);
PG_FUNCTION_INFO_V1(touchpoint_make);
PG_FUNCTION_INFO_V1(touchpoint_occurred_at);
PG_FUNCTION_INFO_V1(touchpoint_stage);
PG_FUNCTION_INFO_V1(touchpoint_channel);
PG_FUNCTION_INFO_V1(touchpoint_event);
PG_FUNCTION_INFO_V1(touchpoint_value);
PG_FUNCTION_INFO_V1(touchpoint_to_jsonb);

static void
tp_view(FunctionCallInfo fcinfo, int argno, JourneyView *v)
{
	jview_init(v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(argno)), TP_TYPE);
	if (v->ntouches != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt touchpoint value"),
				 errdetail_internal("A touchpoint holds %d touches.", v->ntouches)));
}

/* touchpoint from text */
Datum
touchpoint_in(PG_FUNCTION_ARGS)
{
	EventBuffer *b = journey_parse(PG_GETARG_CSTRING(0), TEXT_TOUCHPOINT, TP_TYPE);

	PG_RETURN_POINTER(journey_encode(b));
}

/* touchpoint to its canonical text */
Datum
touchpoint_out(PG_FUNCTION_ARGS)
{
	JourneyView v;

	tp_view(fcinfo, 0, &v);
	PG_RETURN_CSTRING(journey_print(&v, TEXT_TOUCHPOINT));
}

/* touchpoint from the binary wire format (that of journey, one touch) */
Datum
touchpoint_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	EventBuffer *b = evbuf_read(msg, CurrentMemoryContext,
								labeldict_create(CurrentMemoryContext),
								EVBUF_WIRE_CLIENT, TP_TYPE);

	WireReader	w;

	wire_reader_init(&w, msg, TP_TYPE);
	if (b->n != 1 || b->ev[0].mask != 0 || wire_remaining(&w) != 0)
		wire_error(&w, "A touchpoint holds exactly one touch, with no flags and no trailing bytes.");
	PG_RETURN_POINTER(journey_encode(b));
}

/* touchpoint to the binary wire format */
Datum
touchpoint_send(PG_FUNCTION_ARGS)
{
	JourneyView v;
	StringInfoData buf;
	EventBuffer *b;

	tp_view(fcinfo, 0, &v);
	b = jview_to_buffer(&v, CurrentMemoryContext,
						labeldict_create(CurrentMemoryContext), 0, 1);
	pq_begintypsend(&buf);
	evbuf_write(&buf, b, EVBUF_WIRE_CLIENT);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

typedef struct TouchpointMakeCache
{
	EnumStageMap *map;
} TouchpointMakeCache;

/*
 * touchpoint(occurred_at, stage, channel, event, value): NULL when
 * occurred_at or stage is NULL; channel, event and value may be NULL.
 */
Datum
touchpoint_make(PG_FUNCTION_ARGS)
{
	TouchpointMakeCache *cache = fcinfo->flinfo->fn_extra;
	EnumStageMap *map;
	EventBuffer *b;
	TimestampTz ts;
	int32		channel = -1,
				event = -1;
	bool		has_value = !PG_ARGISNULL(4);

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (cache == NULL)
		cache = fcinfo->flinfo->fn_extra =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(TouchpointMakeCache));
	map = enum_stage_map(fcinfo, 1, &cache->map);
	ts = PG_GETARG_TIMESTAMPTZ(0);
	cj_check_time(ts);
	b = evbuf_create(CurrentMemoryContext, map->stages,
					 labeldict_create(CurrentMemoryContext));
	if (!PG_ARGISNULL(2))
	{
		text	   *t = PG_GETARG_TEXT_PP(2);

		label_check(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), true);
		channel = labeldict_intern(b->dict, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	if (!PG_ARGISNULL(3))
	{
		text	   *t = PG_GETARG_TEXT_PP(3);

		label_check(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), true);
		event = labeldict_intern(b->dict, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	if (has_value)
		cj_check_value(PG_GETARG_DATUM(4));
	evbuf_append(b, ts, 0, enum_stage_ordinal(map, PG_GETARG_OID(1)),
				 channel, event, has_value ? NumericGetDatum(PG_GETARG_NUMERIC(4)) : (Datum) 0,
				 has_value);
	PG_RETURN_POINTER(journey_encode(b));
}

/* occurred_at of a touchpoint */
Datum
touchpoint_occurred_at(PG_FUNCTION_ARGS)
{
	JourneyView v;

	tp_view(fcinfo, 0, &v);
	PG_RETURN_TIMESTAMPTZ(jview_time(&v, 0));
}

/* stage label of a touchpoint */
Datum
touchpoint_stage(PG_FUNCTION_ARGS)
{
	JourneyView v;
	int			s;

	tp_view(fcinfo, 0, &v);
	s = jview_stage(&v, 0);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(v.stages.label[s], v.stages.len[s]));
}

/* channel of a touchpoint, or NULL */
Datum
touchpoint_channel(PG_FUNCTION_ARGS)
{
	JourneyView v;
	JTouch		t;

	tp_view(fcinfo, 0, &v);
	jview_touch(&v, 0, &t);
	if (t.channel < 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(jview_label_text(&v, t.channel));
}

/* event of a touchpoint, or NULL */
Datum
touchpoint_event(PG_FUNCTION_ARGS)
{
	JourneyView v;
	JTouch		t;

	tp_view(fcinfo, 0, &v);
	jview_touch(&v, 0, &t);
	if (t.event < 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(jview_label_text(&v, t.event));
}

/* value of a touchpoint, or NULL */
Datum
touchpoint_value(PG_FUNCTION_ARGS)
{
	JourneyView v;
	JTouch		t;

	tp_view(fcinfo, 0, &v);
	jview_touch(&v, 0, &t);
	if (t.value < 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(jview_value(&v, t.value));
}

/* touchpoint as jsonb */
Datum
touchpoint_to_jsonb(PG_FUNCTION_ARGS)
{
	JourneyView v;

	tp_view(fcinfo, 0, &v);
	PG_RETURN_DATUM(journey_view_to_jsonb(&v, true));
}
