/*-------------------------------------------------------------------------
 *
 * funnel_walk.c
 *		The deepest funnel level in one customer's rows, with ClickHouse
 *		windowFunnel semantics or Doris window_funnel semantics.
 *
 * ClickHouse modes (default, strict_deduplication, strict_order,
 * strict_increase, strict_once, allow_reentry): every (row, matched step)
 * pair is visited in (time, step) order.  A step-1 pair opens a chain; a
 * step-k pair extends a chain that reached step k-1 when it lies within the
 * window of that chain's first step (inclusive).  The result is the deepest
 * step any chain reached.
 *
 * ClickHouse keeps one chain per step, so under strict_increase a later
 * step-1 can overwrite a chain that was still needed (ClickHouse issue
 * 52844).  Here each step keeps the chains no other chain dominates (a
 * later first step and an earlier last step are both better), so the
 * result is the longest chain over all starts; where ClickHouse is right,
 * the two agree.
 *
 * Doris modes (deduplication, fixed, increase), as in Doris 2.1 and 3.0
 * ("V1", row based): every step-1 row starts a chain that takes, for each
 * next step, the first later row matching it; the chain ends when that row
 * is outside the window, when (increase) its time is not later than the
 * previous step's, when (deduplication) a row in between matches an
 * already used step, or when (fixed) it is not the very next row.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "funnel_walk.h"

#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"

static const struct
{
	const char *name;
	uint32		bit;
}			mode_names[] =
{
	{"default", 0},
	{"strict_deduplication", FM_STRICT_DEDUP},
	{"strict_order", FM_STRICT_ORDER},
	{"strict_increase", FM_STRICT_INCREASE},
	{"strict_once", FM_STRICT_ONCE},
	{"allow_reentry", FM_ALLOW_REENTRY},
	{"first_step_start", FM_FIRST_START},
	{"latest_step_start", FM_LATEST_START},
	{"unordered", FM_UNORDERED},
	{"deduplication", FM_DORIS_DEDUP},
	{"fixed", FM_DORIS_FIXED},
	{"increase", FM_DORIS_INCREASE},
};

#define VALID_MODES "default, strict_deduplication, strict_order, strict_increase, strict_once, allow_reentry (ClickHouse); deduplication, fixed, increase (Doris); unordered; and the step-time rules latest_step_start, first_step_start"

/*
 * Parse a comma-separated list of modes (case-insensitive, spaces allowed);
 * an empty list is the default mode.
 */
uint32
funnel_parse_modes(const char *modes)
{
	uint32		bits = 0;
	const char *p = modes;

	while (*p != '\0')
	{
		const char *start,
				   *end;
		int			len,
					i;
		bool		found = false;

		while (*p == ' ' || *p == '\t')
			p++;
		start = p;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		len = (int) (end - start);
		if (*p == ',')
			p++;
		if (len == 0)
			continue;
		for (i = 0; i < lengthof(mode_names); i++)
			if (strlen(mode_names[i].name) == (size_t) len &&
				pg_strncasecmp(start, mode_names[i].name, len) == 0)
			{
				bits |= mode_names[i].bit;
				found = true;
				break;
			}
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown window_funnel mode \"%.*s\"", len, start),
					 errdetail("Valid modes: %s.", VALID_MODES),
					 (len == 6 && pg_strncasecmp(start, "strict", 6) == 0) ?
					 errhint("The ClickHouse mode \"strict\" is now called \"strict_deduplication\".") :
					 errhint("Combine modes with commas, for example 'strict_order, allow_reentry'.")));
	}
	if ((bits & FM_ALLOW_REENTRY) && !(bits & FM_STRICT_ORDER))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel mode allow_reentry needs strict_order"),
				 errhint("Use 'strict_order, allow_reentry'.")));
	if ((bits & FM_FIRST_START) && (bits & FM_LATEST_START))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel step-time rules first_step_start and latest_step_start exclude each other")));
	if ((bits & FM_FIRST_START) && (bits & ~(FM_FIRST_START | FM_STRICT_INCREASE)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel step-time rule first_step_start applies to the default and strict_increase modes only"),
				 errhint("The Doris modes already take the first step-1 row that reaches the deepest step; the other ClickHouse modes keep latest_step_start.")));
	if ((bits & FM_UNORDERED) && (bits & ~FM_UNORDERED))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel mode unordered combines with no other mode")));
	if ((bits & FM_DORIS_ANY) && (bits & ~(FM_DORIS_ANY | FM_LATEST_START)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel cannot combine ClickHouse and Doris modes"),
				 errdetail("Valid modes: %s.", VALID_MODES)));
	return bits;
}

/* Do rows that match no step matter (strict_order, Doris fixed)? */
bool
funnel_keeps_unmatched(uint32 modes)
{
	return (modes & (FM_STRICT_ORDER | FM_DORIS_FIXED)) != 0;
}

/* t is within the window of a chain that started at first (t >= first) */
static inline bool
in_window(int64 first, int64 t, int64 window)
{
	return (uint64) t - (uint64) first <= (uint64) window;
}

/* ------------------------------------------------------------------------
 * ClickHouse semantics
 * ------------------------------------------------------------------------
 */

typedef struct Pair
{
	int64		ts;
	int32		step;			/* 0-based; -1 for a row matching no step */
	int32		row;
} Pair;

typedef struct Chain
{
	int64		first;			/* time of step 1 */
	int64		last;			/* time of the chain's last step */
	int32		parent;			/* chain it extended, -1 at step 1 */
	int32		row;			/* row of its last step */
} Chain;

typedef struct Level
{
	int32	   *idx;			/* chains that may still be extended */
	int32		n;
	int32		cap;
	int64		last;			/* time of the chains added last (n > 0) */
} Level;

typedef struct Walk
{
	Chain	   *chains;
	int32		nchains;
	int32		cap;
	Level		levels[FUNNEL_MAX_STEPS];
	bool		set[FUNNEL_MAX_STEPS];	/* ever reached */
	int32		first_reached[FUNNEL_MAX_STEPS];	/* first chain reaching it */
	int			nsteps;
	int64		window;
	uint32		modes;
} Walk;

static int
pair_cmp(const void *a, const void *b)
{
	const Pair *x = a;
	const Pair *y = b;

	CJ_SORT_TICK();
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->step != y->step)
		return x->step < y->step ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

static int32
new_chain(Walk *w, int64 first, int64 last, int32 parent, int32 row)
{
	if (w->nchains >= w->cap)
	{
		if (w->cap >= FUNNEL_MAX_ALL_CHAINS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("window_funnel made too many chains"),
					 errdetail("One group may make at most %d chains.", FUNNEL_MAX_ALL_CHAINS),
					 errhint("Use a shorter window or fewer rows per customer.")));
		w->cap = Min(Max(64, w->cap * 2), FUNNEL_MAX_ALL_CHAINS);
		w->chains = w->chains ? repalloc_huge(w->chains, (Size) w->cap * sizeof(Chain))
			: palloc((Size) w->cap * sizeof(Chain));
	}
	w->chains[w->nchains].first = first;
	w->chains[w->nchains].last = last;
	w->chains[w->nchains].parent = parent;
	w->chains[w->nchains].row = row;
	return w->nchains++;
}

static void
level_push(Level *l, int32 c)
{
	if (l->n >= l->cap)
	{
		l->cap = Max(4, l->cap * 2);
		l->idx = l->idx ? repalloc(l->idx, l->cap * sizeof(int32))
			: palloc(l->cap * sizeof(int32));
	}
	l->idx[l->n++] = c;
}

/*
 * Of a level's chains, all ending before the time of the chain about to be
 * added, keep only the one extend() would pick from them: the latest start
 * (the first such in the list on a tie).  Whatever the later time, that one
 * is in the window whenever another is, and is preferred to it.
 */
static void
level_keep_latest(Walk *w, Level *l)
{
	int32		best = l->idx[0],
				i;

	for (i = 1; i < l->n; i++)
		if (w->chains[l->idx[i]].first > w->chains[best].first)
			best = l->idx[i];
	l->idx[0] = best;
	l->n = 1;
}

/*
 * Keep chain c at level k unless a kept chain dominates it, dropping the
 * chains that can no longer win.  Chains are added in time order, c at the
 * current time t.  Without strict_increase only the first time matters, so
 * one chain per level is kept (as ClickHouse does).  With it, the kept
 * chains have increasing first and last times, and only two can still be
 * picked: the back one, and at t, while the back one ends at t and cannot
 * be extended yet, the one before it.  strict_once keeps every chain ending
 * at t, since which rows a chain used at t decides what can extend it, and
 * of the chains ending before t the latest start.  So a level holds at most
 * two chains, or under strict_once one plus those ending at t.
 */
static void
level_add(Walk *w, int k, int32 c)
{
	Level	   *l = &w->levels[k];
	Chain	   *nc = &w->chains[c];

	if (!w->set[k])
	{
		w->set[k] = true;
		w->first_reached[k] = c;
	}
	if (w->modes & FM_STRICT_ONCE)
	{
		if (l->n > 1 && l->last < nc->last)
			level_keep_latest(w, l);
		if (l->n >= FUNNEL_MAX_CHAINS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("window_funnel strict_once has too many open chains"),
					 errdetail("At most %d chains can end at one instant at one step.",
							   FUNNEL_MAX_CHAINS),
					 errhint("Use a shorter window or fewer rows per customer at one instant.")));
		level_push(l, c);
		l->last = nc->last;
		return;
	}
	if (l->n > 0)
	{
		Chain	   *back = &w->chains[l->idx[l->n - 1]];

		if (!(w->modes & FM_STRICT_INCREASE))
		{
			if (back->first <= nc->first)
				l->idx[l->n - 1] = c;
			return;
		}
		if (back->first >= nc->first)
			return;
		if (back->last == nc->last)
		{
			l->idx[l->n - 1] = c;
			return;
		}
		/* back ends before t: the chains before it can no longer win */
		l->idx[0] = l->idx[l->n - 1];
		l->n = 1;
	}
	level_push(l, c);
}

/* Does the path of chain c use row r at time t? */
static bool
path_uses_row(const Walk *w, int32 c, int32 r, int64 t)
{
	while (c >= 0 && w->chains[c].last == t)
	{
		if (w->chains[c].row == r)
			return true;
		c = w->chains[c].parent;
	}
	return false;
}

/* Extend the chains at step k-1 with the pair (t, k, r). */
static void
extend(Walk *w, int k, int64 t, int32 r)
{
	Level	   *prev = &w->levels[k - 1];
	int32		i,
				keep;

	/* chains out of the window can never be extended again */
	for (i = 0, keep = 0; i < prev->n; i++)
		if (in_window(w->chains[prev->idx[i]].first, t, w->window))
			prev->idx[keep++] = prev->idx[i];
	prev->n = keep;

	if (w->modes & FM_STRICT_ONCE)
	{
		/*
		 * A chain that ended before t used no row at t, so among those only
		 * the latest start matters; chains ending at t are kept apart, as
		 * the rows they used at t decide what may extend them.
		 */
		int32		n = prev->n;
		int32		best = -1;

		for (i = 0; i < n; i++)
		{
			int32		c = prev->idx[i];
			Chain		ch = w->chains[c];

			if ((i & 0x3FF) == 0x3FF)
				CHECK_FOR_INTERRUPTS();
			if (ch.last < t)
			{
				if (best < 0 || ch.first > w->chains[best].first)
					best = c;
				continue;
			}
			if ((w->modes & FM_STRICT_INCREASE) || path_uses_row(w, c, r, t))
				continue;
			level_add(w, k, new_chain(w, ch.first, t, c, r));
		}
		if (best >= 0)
			level_add(w, k, new_chain(w, w->chains[best].first, t, best, r));
		return;
	}

	/* the best chain: the latest start (among those ending before t) */
	for (i = prev->n - 1; i >= 0; i--)
	{
		Chain		ch = w->chains[prev->idx[i]];

		if ((w->modes & FM_STRICT_INCREASE) && !(ch.last < t))
			continue;
		level_add(w, k, new_chain(w, ch.first, t, prev->idx[i], r));
		return;
	}
}

static int
deepest(const Walk *w)
{
	int			k;

	for (k = w->nsteps; k > 0; k--)
		if (w->set[k - 1])
			return k;
	return 0;
}

/* first index in sorted ts[0..n) with ts >= t (strict: > t) */
static int32
lower_bound(const int64 *ts, int32 n, int64 t, bool strict)
{
	int32		lo = 0,
				hi = n;

	while (lo < hi)
	{
		int32		mid = lo + (hi - lo) / 2;

		if (ts[mid] < t || (strict && ts[mid] == t))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The first_step_start rule: the step times of the chain to the deepest
 * level (level) from the earliest step-1 pair that reaches it, each later
 * step at the earliest pair of that step at or after the previous step
 * (strictly after under strict_increase) and within the window of the
 * start.  In these two modes the earliest next step never loses a chain,
 * so the greedy chain from a start reaches the level whenever any chain
 * from it does.  pairs are sorted by (time, step).
 */
static void
first_start_times(const Pair *pairs, int32 npairs, int nsteps, int level, int64 window,
				  uint32 modes, int64 *times, int32 *rowidx)
{
	int64	   *ts[FUNNEL_MAX_STEPS];
	int32	   *rw[FUNNEL_MAX_STEPS];
	int32		nts[FUNNEL_MAX_STEPS];
	bool		strict = (modes & FM_STRICT_INCREASE) != 0;
	int32		i,
				s;
	int			k;

	memset(nts, 0, sizeof(nts));
	for (i = 0; i < npairs; i++)
		if (pairs[i].step >= 0 && pairs[i].step < level)
			nts[pairs[i].step]++;
	for (k = 0; k < level; k++)
	{
		ts[k] = palloc_extended((Size) Max(nts[k], 1) * sizeof(int64), MCXT_ALLOC_HUGE);
		rw[k] = palloc_extended((Size) Max(nts[k], 1) * sizeof(int32), MCXT_ALLOC_HUGE);
		nts[k] = 0;
	}
	for (i = 0; i < npairs; i++)
		if (pairs[i].step >= 0 && pairs[i].step < level)
		{
			rw[pairs[i].step][nts[pairs[i].step]] = pairs[i].row;
			ts[pairs[i].step][nts[pairs[i].step]++] = pairs[i].ts;
		}
	for (s = 0; s < nts[0]; s++)
	{
		int64		start = ts[0][s];

		CJ_CHECK_EVERY(s);
		times[0] = start;
		if (rowidx)
			rowidx[0] = rw[0][s];
		for (k = 1; k < level; k++)
		{
			int32		j = lower_bound(ts[k], nts[k], times[k - 1], strict);

			if (j >= nts[k] || !in_window(start, ts[k][j], window))
				break;
			times[k] = ts[k][j];
			if (rowidx)
				rowidx[k] = rw[k][j];
		}
		if (k == level)
			break;
	}
	for (k = 0; k < level; k++)
	{
		pfree(ts[k]);
		pfree(rw[k]);
	}
}

static int
walk_clickhouse(FunnelRow *rows, int32 n, int nsteps, int64 window, uint32 modes,
				int64 *times, int32 *rowidx)
{
	Walk		w;
	Pair	   *pairs;
	int32		npairs = 0,
				i;
	bool		started = false;
	int			result = -1;

	memset(&w, 0, sizeof(w));
	w.nsteps = nsteps;
	w.window = window;
	w.modes = modes;

	/* (row, step) pairs, and (row, -1) for unmatched rows under strict_order */
	for (i = 0; i < n; i++)
		npairs += rows[i].mask ? pg_popcount64(rows[i].mask) : 1;
	pairs = palloc_extended((Size) Max(npairs, 1) * sizeof(Pair), MCXT_ALLOC_HUGE);
	npairs = 0;
	for (i = 0; i < n; i++)
	{
		uint64		m = rows[i].mask;
		int			k;

		if (m == 0)
		{
			if (modes & FM_STRICT_ORDER)
			{
				pairs[npairs].ts = rows[i].ts;
				pairs[npairs].step = -1;
				pairs[npairs++].row = i;
			}
			continue;
		}
		for (k = 0; k < nsteps; k++)
			if (m & (UINT64CONST(1) << k))
			{
				pairs[npairs].ts = rows[i].ts;
				pairs[npairs].step = k;
				pairs[npairs++].row = i;
			}
	}
	if (npairs == 0)
		return 0;
	/* one step: any matching row reaches it (no window needed) */
	if (nsteps == 1 && !(modes & FM_STRICT_ORDER))
	{
		for (i = 0; i < npairs; i++)
			if (pairs[i].step == 0)
			{
				if (times)
					times[0] = pairs[i].ts;
				if (rowidx)
					rowidx[0] = pairs[i].row;
				return 1;
			}
		return 0;
	}
	qsort(pairs, npairs, sizeof(Pair), pair_cmp);

	for (i = 0; i < npairs && result < 0; i++)
	{
		int64		t = pairs[i].ts;
		int			k = pairs[i].step;

		if ((i & 0x3FFF) == 0x3FFF)
			CHECK_FOR_INTERRUPTS();
		if (k < 0)
		{
			if (started)
				break;
			continue;
		}
		if (k == 0)
		{
			level_add(&w, 0, new_chain(&w, t, t, -1, pairs[i].row));
			started = true;
		}
		else if ((modes & FM_STRICT_DEDUP) && w.set[k])
			break;
		else if ((modes & FM_STRICT_ORDER) && started && !w.set[k - 1])
		{
			if (modes & FM_ALLOW_REENTRY)
				continue;
			for (result = 0; result < nsteps && w.set[result]; result++)
				;
		}
		else if (w.set[k - 1])
		{
			extend(&w, k, t, pairs[i].row);
			if (k + 1 == nsteps && w.set[k])
				result = nsteps;
		}
	}
	if (result < 0)
		result = deepest(&w);

	/* step times of the first chain that reached the result */
	if (times && result > 0 && (modes & FM_FIRST_START))
		first_start_times(pairs, npairs, nsteps, result, window, modes, times, rowidx);
	else if (times && result > 0)
	{
		int32		c = w.first_reached[result - 1];
		int			k;

		for (k = result - 1; k >= 0; k--)
		{
			times[k] = w.chains[c].last;
			if (rowidx)
				rowidx[k] = w.chains[c].row;
			c = w.chains[c].parent;
		}
	}
	return result;
}

/* ------------------------------------------------------------------------
 * Doris semantics (row based)
 * ------------------------------------------------------------------------
 */

static int
walk_doris(FunnelRow *rows, int32 n, int nsteps, int64 window, uint32 modes,
		   int64 *times)
{
	int			best = 0;
	int64		path[FUNNEL_MAX_STEPS];
	int32		s;

	for (s = 0; s < n && best < nsteps; s++)
	{
		int			level = 1;
		int32		prev = s;
		uint64		used = 1;

		if (!(rows[s].mask & 1))
			continue;
		CHECK_FOR_INTERRUPTS();
		path[0] = rows[s].ts;
		while (level < nsteps)
		{
			uint64		want = UINT64CONST(1) << level;
			int32		j;

			/* the first later row matching the next step */
			if (modes & FM_DORIS_FIXED)
				j = (prev + 1 < n && (rows[prev + 1].mask & want)) ? prev + 1 : -1;
			else
			{
				for (j = prev + 1; j < n && !(rows[j].mask & want); j++)
					;
				if (j >= n)
					j = -1;
			}
			if (j < 0 || !in_window(rows[s].ts, rows[j].ts, window))
				break;
			if ((modes & FM_DORIS_INCREASE) && !(rows[j].ts > rows[prev].ts))
				break;
			if (modes & FM_DORIS_DEDUP)
			{
				int32		m;

				for (m = prev + 1; m < j; m++)
					if (rows[m].mask & used)
						break;
				if (m < j)
					break;
			}
			path[level] = rows[j].ts;
			used |= want;
			prev = j;
			level++;
		}
		if (level > best)
		{
			best = level;
			if (times)
				memcpy(times, path, level * sizeof(int64));
		}
	}
	return best;
}

static int
row_cmp_doris(const void *a, const void *b)
{
	const FunnelRow *x = a;
	const FunnelRow *y = b;
	int			lx,
				ly;

	CJ_SORT_TICK();
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	/* at one instant, the row matching the earliest step first */
	lx = x->mask ? pg_rightmost_one_pos64(x->mask) : FUNNEL_MAX_STEPS;
	ly = y->mask ? pg_rightmost_one_pos64(y->mask) : FUNNEL_MAX_STEPS;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return (x->mask > y->mask) - (x->mask < y->mask);
}

/*
 * The unordered funnel: for each row matching a step, the number of
 * distinct steps matched by rows in [its time, its time + window]; the
 * level is the largest such number.  One row may fill several steps.
 */
static int
walk_unordered(FunnelRow *rows, int32 n, int nsteps, int64 window)
{
	int64	   *ts;
	uint64	   *mask;
	int32		m = 0,
				i,
				j = 0,
				k;
	int32		cnt[FUNNEL_MAX_STEPS];
	int			distinct = 0,
				best = 0;

	ts = palloc(Max(n, 1) * sizeof(int64));
	mask = palloc(Max(n, 1) * sizeof(uint64));
	qsort(rows, n, sizeof(FunnelRow), row_cmp_doris);
	for (i = 0; i < n; i++)
		if (rows[i].mask != 0)
		{
			ts[m] = rows[i].ts;
			mask[m++] = rows[i].mask;
		}
	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < m && best < nsteps; i++)
	{
		CJ_CHECK_EVERY(i);
		/* add the rows up to ts[i] + window */
		for (; j < m && in_window(ts[i], ts[j], window); j++)
			for (k = 0; k < nsteps; k++)
				if ((mask[j] & (UINT64CONST(1) << k)) && cnt[k]++ == 0)
					distinct++;
		best = Max(best, distinct);
		/* drop row i: the next start is later or equal */
		for (k = 0; k < nsteps; k++)
			if ((mask[i] & (UINT64CONST(1) << k)) && --cnt[k] == 0)
				distinct--;
	}
	return best;
}

/*
 * The deepest step reached (0..nsteps) in rows (any order; sorted here);
 * times, when given, gets the time of each step of the chosen chain, and
 * rowidx the index of its row in rows as passed (ClickHouse modes only).
 */
/*
 * The level alone in the default mode, without pairs or chains: ClickHouse's
 * own walk (windowFunnel keeps, per step, the start time of the latest chain
 * to reach it; starts only grow, so the latest is the one to keep).  The
 * (row, step) pairs at one instant are taken in step order, whichever row
 * they come from, as walk_clickhouse's sort puts them, so the rows of an
 * instant act through the union of their masks.  Rows must be in time
 * order; -1 when they are not (the caller takes the general walk).
 */
static int
walk_default_level(const FunnelRow *rows, int32 n, int nsteps, int64 window)
{
	int64		first[FUNNEL_MAX_STEPS];
	bool		set[FUNNEL_MAX_STEPS];
	int32		i = 0;
	int			k;

	memset(set, 0, nsteps * sizeof(bool));
	while (i < n)
	{
		int64		t = rows[i].ts;
		uint64		m = 0;

		if ((i & 0x3FFF) == 0x3FFF)
			CHECK_FOR_INTERRUPTS();
		if (i > 0 && t < rows[i - 1].ts)
			return -1;
		do
			m |= rows[i].mask;
		while (++i < n && rows[i].ts == t);
		if (m & 1)
		{
			first[0] = t;
			set[0] = true;
		}
		for (k = 1; k < nsteps; k++)
			if ((m & (UINT64CONST(1) << k)) && set[k - 1] && in_window(first[k - 1], t, window))
			{
				first[k] = first[k - 1];
				set[k] = true;
				if (k + 1 == nsteps)
					return nsteps;
			}
	}
	for (k = nsteps; k > 0; k--)
		if (set[k - 1])
			return k;
	return 0;
}

int
funnel_walk_rows(FunnelRow *rows, int32 n, int nsteps, int64 window, uint32 modes,
				 int64 *times, int32 *rowidx)
{
	if (n == 0)
		return 0;
	/* the commonest question (a dashboard's level counts) on its own path */
	if (times == NULL && rowidx == NULL &&
		(modes & ~(FM_FIRST_START | FM_LATEST_START)) == 0)
	{
		int			level = walk_default_level(rows, n, nsteps, window);

		if (level >= 0)
			return level;
	}
	if (modes & FM_UNORDERED)
	{
		if (times || rowidx)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("an unordered funnel has no step times"),
					 errdetail("Its steps may come in any order, so they form no chain."),
					 errhint("Use window_funnel for the level of an unordered funnel.")));
		return walk_unordered(rows, n, nsteps, window);
	}
	if (modes & FM_DORIS_ANY)
	{
		if (rowidx)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("this funnel function takes the ClickHouse modes, not the Doris ones")));
		qsort(rows, n, sizeof(FunnelRow), row_cmp_doris);
		return walk_doris(rows, n, nsteps, window, modes, times);
	}
	return walk_clickhouse(rows, n, nsteps, window, modes, times, rowidx);
}

int
funnel_walk(FunnelRow *rows, int32 n, int nsteps, int64 window, uint32 modes,
			int64 *times)
{
	return funnel_walk_rows(rows, n, nsteps, window, modes, times, NULL);
}
