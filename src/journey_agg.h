/*-------------------------------------------------------------------------
 *
 * journey_agg.h
 *		Shared plumbing of the per-customer aggregates whose state is an
 *		EventBuffer (journey_agg, stage_time_agg, rollup(stage_time)).
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_JOURNEY_AGG_H
#define CJ_JOURNEY_AGG_H

#include "cjourney.h"
#include "labels.h"
#include "stage.h"

#include "fmgr.h"

/* What an aggregate support function keeps in fn_extra for the query. */
typedef struct AggCache
{
	LabelDict  *dict;
	EnumStageMap *map;			/* for anyenum stage arguments */
	int			nlists;			/* stage lists seen, interned */
	int			listcap;
	StageList **lists;
	char	   *mode_text;		/* window_funnel: last mode text parsed */
	int			mode_len;
	uint32		mode_bits;
	void	   *attr_spec;		/* attribution: last model and options parsed */
} AggCache;

extern MemoryContext agg_context(FunctionCallInfo fcinfo, const char *fn);
extern AggCache *agg_cache(FunctionCallInfo fcinfo);
extern const StageList *agg_intern_stages(FunctionCallInfo fcinfo, AggCache *cache,
										  const StageList *sl);
pg_attribute_noreturn()
extern void stage_list_mismatch(const char *what, const StageList *a, const StageList *b);

#endif							/* CJ_JOURNEY_AGG_H */
