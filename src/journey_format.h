/*-------------------------------------------------------------------------
 *
 * journey_format.h
 *		The stored form of journey and touchpoint values, and a read-only
 *		view over it.
 *
 * A touchpoint is stored exactly like a journey of one touch, and a
 * stage_time like a journey without labels or values whose (time, stage)
 * pairs are distinct (JF_NO_LABELS).  The encoding
 * is canonical: equal content gives equal bytes, so equality and hashing
 * are bytewise.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_JOURNEY_FORMAT_H
#define CJ_JOURNEY_FORMAT_H

#include "cjourney.h"
#include "event_buffer.h"
#include "stage.h"

#define JOURNEY_FORMAT_VERSION	1

/* flag bits of the stored form */
#define JF_DEFAULT_STAGES	0x01	/* stage list is the built-in lifecycle */
#define JF_WIDE_LABELS		0x02	/* label ids take 2 bytes, else 1 */
#define JF_UNIT_MASK		0x0C	/* time unit of deltas: */
#define JF_UNIT_USEC		0x00
#define JF_UNIT_MSEC		0x04
#define JF_UNIT_SEC			0x08
#define JF_WIDE_TIME		0x10	/* deltas take 8 bytes, else 4 */
#define JF_NO_LABELS		0x20	/* stage_time: records are time and stage only */
#define JF_KNOWN_FLAGS		0x3F

typedef struct JourneyView
{
	const char *type_name;		/* for error messages */
	uint8		flags;
	int32		ntouches;
	int32		nlabels;
	int32		nvalues;
	TimestampTz t0;
	int64		unit;			/* microseconds per delta unit */
	int			tw;				/* bytes per time delta */
	int			iw;				/* bytes per label id */
	int			recsize;
	StageList	stages;			/* labels point into the datum */
	const char **label;			/* label[i], not NUL-terminated */
	int32	   *label_len;
	const unsigned char *touches;
	int32	   *value_touch;	/* touch index of each value, increasing */
	const char **value_ptr;		/* numeric payload (no varlena header) */
	int32	   *value_len;
} JourneyView;

typedef struct JTouch
{
	TimestampTz ts;
	int			stage;
	int32		channel;		/* view label index, -1 NULL */
	int32		event;
	int32		value;			/* view value index, -1 none */
} JTouch;

extern void jview_init(JourneyView *v, const struct varlena *datum,
					   const char *type_name);
extern void jview_touch(const JourneyView *v, int32 i, JTouch *t);
extern TimestampTz jview_time(const JourneyView *v, int32 i);
extern int	jview_stage(const JourneyView *v, int32 i);
extern Datum jview_value(const JourneyView *v, int32 vi);
extern text *jview_label_text(const JourneyView *v, int32 li);
extern int	jview_cmp(const JourneyView *a, const JourneyView *b);
extern int	jview_touch_cmp(const JourneyView *a, int32 i,
							const JourneyView *b, int32 j);
extern struct varlena *journey_encode(EventBuffer *b);
extern struct varlena *stage_time_encode(EventBuffer *b);
extern EventBuffer *journey_arg_touches(FunctionCallInfo fcinfo, int argno);
extern EventBuffer *jview_to_buffer(const JourneyView *v, MemoryContext mcxt,
									LabelDict *dict, int32 from, int32 to);
extern EventBuffer *jview_decode(const struct varlena *datum, const char *type_name,
								 MemoryContext mcxt, LabelDict *dict);

/*
 * What a touch of a view matches, from the view's own labels: a touch's
 * mask is stage[its stage] | event[its event] | channel[its channel], the
 * label arrays indexed by stored label id (0: NULL, i + 1: label i).  The
 * filling function gets the arrays zeroed (stage for the view's stages).
 */
typedef struct JViewMasks
{
	uint64		stage[CJ_MAX_STAGES];
	uint64	   *event;
	uint64	   *channel;
} JViewMasks;

typedef void (*JViewMaskFn) (const JourneyView *v, void *arg, JViewMasks *m);

extern EventBuffer *jview_decode_masks(const struct varlena *datum, const char *type_name,
									   MemoryContext mcxt, JViewMaskFn fill, void *arg,
									   JourneyView *view, uint64 required);
extern int32 jview_decode_timed_masks(const struct varlena *datum, const char *type_name,
									  JViewMaskFn fill, void *arg, JourneyView *view,
									  bool keep_unmatched, uint64 required, TimedMask **out);
extern void jview_init_header(JourneyView *v, const struct varlena *datum,
							  const char *type_name);
extern void jview_check_touch(const JourneyView *v, int32 i);

#endif							/* CJ_JOURNEY_FORMAT_H */
