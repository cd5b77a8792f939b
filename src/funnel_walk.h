/*-------------------------------------------------------------------------
 *
 * funnel_walk.h
 *		The funnel walk: the deepest chain of steps in one customer's rows.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_FUNNEL_WALK_H
#define CJ_FUNNEL_WALK_H

#include "cjourney.h"

#include "fmgr.h"
#include "journey_step.h"

/* Steps in one funnel: a row's matched steps are one uint64 mask. */
#define FUNNEL_MAX_STEPS		64

/* Chains ending at one instant kept at one step under strict_once. */
#define FUNNEL_MAX_CHAINS		10000

/* Chains one walk may make (they are indexed by int32). */
#define FUNNEL_MAX_ALL_CHAINS	(256 * 1024 * 1024)

/* mode bits */
#define FM_STRICT_DEDUP		0x0001	/* ClickHouse strict_deduplication */
#define FM_STRICT_ORDER		0x0002	/* ClickHouse strict_order */
#define FM_STRICT_INCREASE	0x0004	/* ClickHouse strict_increase */
#define FM_STRICT_ONCE		0x0008	/* ClickHouse strict_once */
#define FM_ALLOW_REENTRY	0x0010	/* ClickHouse allow_reentry */
#define FM_FIRST_START		0x0020	/* step times from the first step-1 row */
#define FM_LATEST_START		0x0040	/* step times from the latest (default) */
#define FM_UNORDERED		0x0080	/* steps in any order within the window */
#define FM_DORIS_DEDUP		0x0100	/* Doris deduplication */
#define FM_DORIS_FIXED		0x0200	/* Doris fixed */
#define FM_DORIS_INCREASE	0x0400	/* Doris increase */
#define FM_DORIS_ANY		(FM_DORIS_DEDUP | FM_DORIS_FIXED | FM_DORIS_INCREASE)

/* One row: its time and the steps it matches (bit k-1 for step k). */
typedef TimedMask FunnelRow;

extern uint32 funnel_parse_modes(const char *modes);
extern bool funnel_keeps_unmatched(uint32 modes);

/*
 * The steps a funnel of these modes reaches no level without: step 1 (bit
 * 0) in every mode of a chain; none for an unordered funnel, whose level
 * counts whichever steps matched.
 */
static inline uint64
funnel_required_steps(uint32 modes)
{
	return (modes & FM_UNORDERED) ? 0 : UINT64CONST(1);
}

extern int	funnel_walk(FunnelRow *rows, int32 n, int nsteps, int64 window,
						uint32 modes, int64 *times);

/*
 * The same; rowidx, when given, gets for each step of the reported chain the
 * index (into rows as passed, before sorting) of the row that filled it.
 * Not for unordered funnels (their steps are no chain).
 */
extern int	funnel_walk_rows(FunnelRow *rows, int32 n, int nsteps, int64 window,
							 uint32 modes, int64 *times, int32 *rowidx);

/*
 * The exclusion funnel (funnel_options.c): the deepest level over chains
 * with no excluded row strictly between their from_step and to_step times
 * (1-based); -1 when every chain reaching from_step is void.  Rows carry
 * the exclusion as bit 63 of their mask (so at most 63 steps).
 */
#define FUNNEL_EXCLUDED_BIT	(UINT64CONST(1) << 63)
/* The mode text a function of this query parsed last, and its bits. */
typedef struct ModeCache
{
	char	   *text;
	int			len;
	uint32		bits;
} ModeCache;

extern uint32 funnel_mode_cached(ModeCache *mc, MemoryContext mcxt, text *mode);

/*
 * What the funnels over stored journeys (journey_funnel, funnel_report_agg
 * over journeys) keep for the query in fn_extra: the steps and the mode as
 * last parsed (again only when a row passes other ones).
 */
typedef struct JourneyFunnelArgs
{
	JourneyStepsCache steps;
	ModeCache	mode;
} JourneyFunnelArgs;

/* the funnel of js's steps over one stored journey (funnel.c) */
extern int	journey_funnel_walk(FunctionCallInfo fcinfo, JourneyFunnelArgs *args,
								JourneySteps *js, const struct varlena *datum,
								int warg, int marg, int64 *times);

#endif							/* CJ_FUNNEL_WALK_H */
