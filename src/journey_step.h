/*-------------------------------------------------------------------------
 *
 * journey_step.h
 *		The stored-journey step syntax: which touches of a journey a step
 *		text matches.  Shared by every journey_* form that takes steps
 *		(sequence conditions, next-node events, funnels, anchors, and from
 *		0.3.0 conversions, retention and attribution).
 *
 * A step is one text value: alternatives separated by '|', any of which
 * may match a touch:
 *
 *	alt   := label				the touch's event or stage label equals label
 *								(the 0.1.0 meaning of journey_funnel's steps)
 *		   | event = label		the touch's event label
 *		   | stage = label		the touch's stage label
 *		   | channel = label	the touch's channel label
 *		   | stage >= label		(also > < <=) the touch's stage is at/after
 *								label in the journey's stage order; a label
 *								that is not one of the journey's stages
 *								matches nothing
 *		   | *					any touch
 *	label := bare word (no white space, no | = < > " characters)
 *		   | "double quoted", with "" standing for one "
 *
 * White space around tokens is ignored; the keywords event, stage and
 * channel are lower case and are keywords only before an operator (a step
 * 'stage' alone is the label stage).  A NULL step matches no touch.  Bad
 * step text is ERROR 22023 naming the step and the 1-based byte position,
 * with a hint listing the forms.  At most JOURNEY_MAX_STEPS steps (54000).
 *
 * Use:
 *		JourneySteps *js = journey_steps_cached(&cache, fn_mcxt, arr, "journey_x", 1, false);
 *		EventBuffer  *b = journey_steps_decode(js, datum, CurrentMemoryContext, NULL, 0);
 *		b->ev[i].mask						-- bit k: step k matches touch i
 *
 * Parsing depends only on the texts (a parsed JourneySteps is kept for the
 * query); matching compares each alternative with the journey's own labels
 * and stage list, so one JourneySteps serves journeys of any stage list.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_JOURNEY_STEP_H
#define CJ_JOURNEY_STEP_H

#include "cjourney.h"
#include "event_buffer.h"

#include "utils/array.h"

/* steps in one call: a touch's matched steps are one uint64 mask */
#define JOURNEY_MAX_STEPS	64

typedef enum JourneyStepKind
{
	JSK_ANY,					/* * */
	JSK_LABEL,					/* event or stage label */
	JSK_EVENT,					/* event = */
	JSK_STAGE,					/* stage = */
	JSK_CHANNEL,				/* channel = */
	JSK_STAGE_LT,				/* stage < */
	JSK_STAGE_LE,				/* stage <= */
	JSK_STAGE_GT,				/* stage > */
	JSK_STAGE_GE				/* stage >= */
} JourneyStepKind;

/* One alternative of one step. */
typedef struct JourneyStepAlt
{
	JourneyStepKind kind;
	int			step;			/* 0-based step it belongs to */
	char	   *label;			/* unquoted, NUL-terminated; NULL for * */
	int			len;
} JourneyStepAlt;

/*
 * The steps' event and channel labels, found by a label's bytes: one entry
 * per distinct text with the steps it matches as an event and as a
 * channel, chained from a small hash of length and end bytes.  Built on
 * first use (journey_steps_decode), so that matching a journey's ~15 labels
 * is a probe each instead of a comparison with every alternative.
 */
#define JOURNEY_LABEL_SLOTS	64

typedef struct JourneyStepLabel
{
	const char *label;
	int			len;
	int			next;			/* next entry of the slot, -1 at the end */
	uint64		event;			/* steps it matches as an event */
	uint64		channel;		/* steps it matches as a channel */
} JourneyStepLabel;

typedef struct JourneyStepLabels
{
	int			slot[JOURNEY_LABEL_SLOTS];	/* first entry, -1 for none */
	int			n;
	JourneyStepLabel e[FLEXIBLE_ARRAY_MEMBER];
} JourneyStepLabels;

typedef struct JourneySteps
{
	int			nsteps;
	int			nalts;
	JourneyStepAlt *alts;
	JourneyStepLabels *labels;	/* NULL until first needed */
	/* the stage masks over the built-in lifecycle, for journey_steps_decode */
	bool		default_masks_valid;
	uint64		default_stage_mask[CJ_MAX_STAGES];
} JourneySteps;

/*
 * A parsed steps argument kept for the query (in a function's fn_extra
 * state): parsed again only when a row passes different steps.
 */
typedef struct JourneyStepsCache
{
	MemoryContext cxt;			/* holds key and js; replaced on a miss */
	char	   *key;			/* content of the argument parsed */
	Size		len;
	JourneySteps *js;
} JourneyStepsCache;

/*
 * Parse nsteps step texts (nulls[k]: step k is NULL and matches nothing),
 * in the current memory context.  fn names the SQL function for errors.
 */
extern JourneySteps *journey_steps_parse(const Datum *values, const bool *nulls,
										 int nsteps, const char *fn);

/*
 * journey_funnel's steps (0.1.0): step k matches a touch whose event or
 * stage label is the text, with no syntax; nulls as above.
 */
extern JourneySteps *journey_steps_labels(const Datum *values, const bool *nulls,
										  int nsteps, const char *fn);

/* One step of one alternative of kind (not JSK_ANY) with that label. */
extern JourneySteps *journey_steps_one(JourneyStepKind kind, const char *label, int len);

/*
 * The steps of a text[] argument (errors for a multi-dimensional array,
 * fewer than min_steps or more than JOURNEY_MAX_STEPS steps) through a cache
 * living in mcxt (the function's fn_mcxt); labels_only: journey_steps_labels,
 * else the syntax.
 */
extern JourneySteps *journey_steps_cached(JourneyStepsCache *cache, MemoryContext mcxt,
										  ArrayType *arr, const char *fn, int min_steps,
										  bool labels_only);

/*
 * One step text (the step syntax: a one-step JourneySteps) through a cache
 * as above; the conversion forms' step argument.
 */
extern JourneySteps *journey_step_cached(JourneyStepsCache *cache, MemoryContext mcxt,
										 text *step, const char *fn);

/* One event label (journey_steps_one(JSK_EVENT, ...)) through a cache. */
extern JourneySteps *journey_event_step_cached(JourneyStepsCache *cache, MemoryContext mcxt,
											   text *event);

/*
 * A stored journey's touches with each touch's mask set to the steps it
 * matches, labels matched by their bytes, not interned (jview_decode_masks:
 * the buffer has no dictionary; channel and event index view's labels, and
 * view may be NULL when the caller reads neither).  No records when a bit
 * of required is on no stage or label of the journey.
 */
struct JourneyView;
extern EventBuffer *journey_steps_decode(JourneySteps *js, const struct varlena *datum,
										 MemoryContext mcxt, struct JourneyView *view,
										 uint64 required);

/*
 * The same touches as times and masks alone, in canonical order, left out
 * when they match no step unless keep_unmatched; *out is palloc'd and the
 * count returned.  For the walks that read nothing else (funnels,
 * sequences, retention, touches before a conversion).  None at all when a
 * bit of required (the steps the walk cannot do without) is on no stage or
 * label of the journey (jview_decode_timed_masks).
 */
extern int32 journey_steps_decode_timed(JourneySteps *js, const struct varlena *datum,
										bool keep_unmatched, uint64 required,
										TimedMask **out);

#endif							/* CJ_JOURNEY_STEP_H */
