/*-------------------------------------------------------------------------
 *
 * agg.h
 *		Per-customer aggregate states: one customer's rows kept as records,
 *		plus the parameters every row repeats, parsed once per group.
 *
 * window_funnel, the conversion aggregates, attribution_agg over rows and
 * journey_agg all keep the same state: an CustomerState.  Each analysis
 * describes itself with an AggOps table (its state's name, its stage list,
 * how to compare, copy, write and read its parameters), keeps its own
 * transition parsing and final walk, and lets this module do the rest:
 * combine (all four NULL cases, deep copy of an adopted state),
 * serialize and deserialize (one versioned, checked wire format).
 *
 * Records are an EventBuffer (time, mask, stage, labels, value), or, for
 * analyses that need only a time and a flag, packed TouchTimes (one int64
 * per row).  Either way they are put in canonical order before a walk, so
 * neither input order nor the split among parallel workers changes a
 * result.
 *
 * Wire format: version byte (ops->version), flag byte (AGG_WIRE_*, plus
 * the analysis's own bits), the parameters (unless AGG_WIRE_NO_PARAMS),
 * then the records (an EventBuffer in its compact state form,
 * event_buffer_state.c, when AGG_WIRE_EVENTS, else TouchTimes).  Combine
 * merges two states' records in one pass, both being in canonical order.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_AGG_H
#define CJ_AGG_H

#include "cjourney.h"
#include "event_buffer.h"
#include "labels.h"
#include "stage.h"
#include "touch_times.h"
#include "wire.h"

#include "fmgr.h"

/* generic bits of the flag byte; the analysis owns AGG_WIRE_PARAM_BITS */
#define AGG_WIRE_EVENTS		0x01	/* records are an EventBuffer, else TouchTimes */
#define AGG_WIRE_PARAM_BITS	0x7E
#define AGG_WIRE_NO_PARAMS	0x80	/* no row set the parameters yet */

/* What an aggregate support function keeps in fn_extra for the query. */
typedef struct AggCache
{
	LabelDict  *dict;			/* labels of every state of the query */
	EnumStageMap *map;			/* for anyenum stage arguments */
	TextStageMap *tmap;			/* for text stage arguments and their stage list */
	int			nlists;			/* stage lists seen, interned */
	int			listcap;
	StageList **lists;
	void	   *args;			/* the analysis's parsed constant arguments */
	struct JourneyStepsCache *steps;	/* its step argument, parsed */
} AggCache;

/* How one analysis's state differs from the others. */
typedef struct AggOps
{
	const char *state_name;		/* "window_funnel state", for errors */
	uint8		version;		/* of the wire format */
	const StageList *stages;	/* records' stage list; NULL: taken from rows */
	Size		params_size;	/* 0: the analysis has no parameters */
	uint8		param_bits;		/* flag bits params_flags may set */
	bool		(*params_equal) (const void *a, const void *b);
	/* deep copy into mcxt; NULL means a plain memcpy suffices */
	void		(*params_copy) (MemoryContext mcxt, void *dst, const void *src);
	uint8		(*params_flags) (const void *p);
	void		(*params_write) (StringInfo buf, const void *p);
	/* read and check the parameters; flags is the whole flag byte */
	void		(*params_read) (WireReader *w, uint8 flags, void *p);
	pg_attribute_noreturn()
	void		(*params_mismatch) (const void *a, const void *b);
	/*
	 * the flag bit (of param_bits) that says the records' times are the
	 * user's bigint, any int64, not timestamptz within cjourney's range; 0
	 * when the analysis takes only timestamptz
	 */
	uint8		int_time_bit;
	/* check one record read from the wire (NULL: any record) */
	void		(*check_record) (WireReader *w, const void *params, const CjEvent *e,
								 int32 i);
} AggOps;

/* The state of a per-customer aggregate. */
typedef struct CustomerState
{
	const AggOps *ops;
	EventBuffer *buf;			/* records, unless packed */
	TouchTimes	times;			/* packed records (time, flag) */
	bool		packed;
	bool		have_params;

	/*
	 * Set by deserialize: the context the state was read into, which only
	 * combine sees.  Combine adopts such a state as a group's first when it
	 * is its own aggregate context, and frees it once merged.
	 */
	MemoryContext wire_cxt;
	/* ops->params_size bytes of parameters follow, then the EventBuffer */
} CustomerState;

#define CUSTOMER_STATE_HEADER	MAXALIGN(sizeof(CustomerState))
#define AGG_PARAMS(s)		((void *) ((char *) (s) + CUSTOMER_STATE_HEADER))

/* number of records of a state */
#define AGG_NRECORDS(s)		((s)->packed ? (s)->times.n : (s)->buf->n)

/* the state of journey_agg, stage_time_agg and rollup(stage_time) */
extern const AggOps journey_agg_ops;

extern MemoryContext agg_context(FunctionCallInfo fcinfo, const char *fn);
extern AggCache *agg_cache(FunctionCallInfo fcinfo);
extern const StageList *agg_intern_stages(FunctionCallInfo fcinfo, AggCache *cache,
										  const StageList *sl);

extern CustomerState *agg_state_create(FunctionCallInfo fcinfo, MemoryContext mcxt,
								  const AggOps *ops, bool packed, int32 cap);
extern CustomerState *agg_state_arg(FunctionCallInfo fcinfo, const AggOps *ops, bool packed);
extern void agg_state_set_params_slow(CustomerState *s, MemoryContext mcxt,
									  const void *params);

/*
 * Give the state its parameters (deep-copied into mcxt) or check that they
 * equal the ones it has.  Called once per row: parameters equal byte for
 * byte to the state's are equal, so the common case costs one memcmp.
 */
static inline void
agg_state_set_params(CustomerState *s, MemoryContext mcxt, const void *params)
{
	if (likely(s->have_params) &&
		memcmp(AGG_PARAMS(s), params, s->ops->params_size) == 0)
		return;
	agg_state_set_params_slow(s, mcxt, params);
}
extern CustomerState *agg_state_final(FunctionCallInfo fcinfo, const char *fn);

extern Datum agg_state_combine(FunctionCallInfo fcinfo, const AggOps *ops);
extern Datum agg_state_serialize(FunctionCallInfo fcinfo);
extern Datum agg_state_deserialize(FunctionCallInfo fcinfo, const AggOps *ops);

#endif							/* CJ_AGG_H */
