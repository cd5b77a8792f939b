/*-------------------------------------------------------------------------
 *
 * event_buffer.h
 *		One customer's rows as small fixed-size records: the shared state of
 *		every per-customer aggregate, and the in-memory form of a journey.
 *
 * Records are appended in any order, sorted by time with a tie-break on
 * content (never on arrival order or on dictionary ids), merged when
 * partial states combine, and written to and read from a versioned wire
 * format that both the aggregates' serialize/deserialize and the binary
 * send/recv of the types use.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_EVENT_BUFFER_H
#define CJ_EVENT_BUFFER_H

#include "cjourney.h"
#include "labels.h"
#include "stage.h"
#include "wire.h"

#include "lib/stringinfo.h"

typedef struct CjEvent
{
	TimestampTz ts;
	uint64		mask;			/* analysis bits (funnel steps, flags); 0 in journeys */
	int32		stage;			/* ordinal in the buffer's stage list */
	int32		channel;		/* label id, -1 for NULL */
	int32		event;			/* label id, -1 for NULL */
	int32		value;			/* index into values[], -1 for none */
} CjEvent;

/*
 * A record as the walks over times and step masks alone see it (funnels):
 * ts is a timestamptz or the user's bigint time.
 */
typedef struct TimedMask
{
	int64		ts;
	uint64		mask;
} TimedMask;

typedef struct EventBuffer
{
	MemoryContext mcxt;			/* where records and values live */
	const StageList *stages;	/* NULL until known (touchpoint input) */
	LabelDict  *dict;			/* label ids of channel and event */
	CjEvent    *ev;
	int32		n;
	int32		cap;
	Datum	   *values;			/* numeric datums, in mcxt */
	int32		nvalues;
	int32		valcap;
	Size		value_bytes;
	bool		sorted;			/* ev[] is in canonical order */
} EventBuffer;

/* wire-format flavours */
#define EVBUF_WIRE_INTERNAL	WIRE_INTERNAL
#define EVBUF_WIRE_CLIENT	WIRE_CLIENT

extern void evbuf_init(EventBuffer *b, MemoryContext mcxt, const StageList *stages,
					   LabelDict *dict);
extern void evbuf_free_records(EventBuffer *b);
extern EventBuffer *evbuf_create(MemoryContext mcxt, const StageList *stages,
								 LabelDict *dict);
extern void evbuf_reserve(EventBuffer *b, int32 extra);
extern void evbuf_append(EventBuffer *b, TimestampTz ts, uint64 mask, int32 stage,
						 int32 channel, int32 event, Datum value, bool has_value);
extern void evbuf_merge(EventBuffer *dst, const EventBuffer *src);
extern void evbuf_merge_last(EventBuffer *dst, const EventBuffer *src);
extern EventBuffer *evbuf_copy(MemoryContext mcxt, const EventBuffer *src);
extern void evbuf_sort(EventBuffer *b);
extern int	evbuf_event_cmp(const EventBuffer *ba, const CjEvent *a,
							const EventBuffer *bb, const CjEvent *b);
extern void evbuf_write(StringInfo buf, const EventBuffer *b, int flavour);
extern EventBuffer *evbuf_read(StringInfo msg, MemoryContext mcxt, LabelDict *dict,
							   int flavour, const char *type_name);
extern int	value_cmp(Datum a, Datum b);
extern int32 *evbuf_local_labels(const EventBuffer *b, IdMap *m);
extern void evbuf_write_value(StringInfo buf, Datum value);
extern int32 evbuf_read_value(WireReader *w, EventBuffer *b);

/* the compact form of an aggregate's records between backends */
extern void evbuf_write_state(StringInfo buf, EventBuffer *b, const StageList *known);
extern void evbuf_read_state(WireReader *w, EventBuffer *b, const StageList *known,
							 bool int_times);


#endif							/* CJ_EVENT_BUFFER_H */
