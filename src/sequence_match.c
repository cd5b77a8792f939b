/*-------------------------------------------------------------------------
 *
 * sequence_match.c
 *		ClickHouse sequence patterns: parser and matcher (see
 *		sequence_match.h for the grammar and the contract).
 *
 * The search is ClickHouse's backtrackingMatch, state for state: a state
 * is (action, event, base); stars and satisfied gates push a frame that
 * resumes at the next event; a (?N) or . that consumes the last event ends
 * the search with the trailing rule (the remaining actions must all be .*,
 * <, <= or >=0 gates).  What differs is that a state proved to fail (the
 * search backtracked past it without a match) is remembered, so it fails
 * at once when met again: the subtree below a state depends only on the
 * state, never on the frames beneath it, so the first match found, and so
 * every result, is unchanged.  Gates skip forward by binary search where
 * ClickHouse steps one event at a time; the states skipped have no
 * alternatives of their own.
 *
 * Two refinements keep the number of remembered states small:
 *	- only branching states (stars and gates) are remembered; a (?N) or .
 *	  has one successor, which is remembered instead;
 *	- a >= or > gate that holds at an event holds at every later one, so
 *	  the state is remembered without its base; a < or <= gate is
 *	  remembered with the latest time limit proved to fail (a smaller
 *	  limit tries a prefix of the same probes).
 * sequence_match_events must find the longest partial chain too, so there
 * each dead end remembers how many (?N) items its subtree reached, and is
 * explored again when that could beat the longest chain so far.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "sequence_match.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#define PATTERN_HINT \
	"A pattern is a sequence of (?N) (condition N), . (one event), .* (any events) and " \
	"(?t<=N), (?t<N), (?t>=N), (?t>N), (?t==N) (time gates), with no spaces."

/* ---- parser ---- */

typedef struct PatternLexer
{
	const char *s;
	int			len;
	int			pos;
} PatternLexer;

static bool
lex_match(PatternLexer *lx, const char *tok)
{
	int			l = strlen(tok);

	if (lx->pos + l <= lx->len && memcmp(lx->s + lx->pos, tok, l) == 0)
	{
		lx->pos += l;
		return true;
	}
	return false;
}

/* ClickHouse's message: what, the rest of the pattern quoted, the position */
static char *
lex_detail(PatternLexer *lx, const char *what)
{
	int			rest = lx->len - lx->pos;
	int			clip = pg_mbcliplen(lx->s + lx->pos, rest, Min(rest, 40));

	return psprintf("%s '%.*s%s' at position %d.", what, clip, lx->s + lx->pos,
					clip < rest ? "..." : "", lx->pos);
}

/*
 * A number: "+"? digit+.  Returns 0 on success, else the SQLSTATE of the
 * error with *detail set.
 */
static int
lex_number(PatternLexer *lx, uint64 *value, char **detail)
{
	bool		sign = false;
	int			digits = 0;
	uint64		v = 0;
	int			start = lx->pos;

	if (lx->pos < lx->len && lx->s[lx->pos] == '+')
	{
		sign = true;
		lx->pos++;
	}
	while (lx->pos < lx->len && lx->s[lx->pos] >= '0' && lx->s[lx->pos] <= '9')
	{
		int			d = lx->s[lx->pos] - '0';

		if (v > (PG_UINT64_MAX - d) / 10)
		{
			lx->pos = start;
			*detail = lex_detail(lx, "Could not parse number (it is beyond 18446744073709551615)");
			return ERRCODE_INVALID_REGULAR_EXPRESSION;
		}
		v = v * 10 + d;
		lx->pos++;
		digits++;
	}
	if (digits == 0)
	{
		if (sign)
		{
			lx->pos = start;
			*detail = lex_detail(lx, "A sign without digits is not a number");
			return ERRCODE_INVALID_PARAMETER_VALUE;
		}
		*detail = lex_detail(lx, "Could not parse number");
		return ERRCODE_INVALID_REGULAR_EXPRESSION;
	}
	*value = v;
	return 0;
}

bool
seq_parse(const char *pattern, int len, int nconds, SeqPattern *out, int *sqlstate,
		  char **detail)
{
	PatternLexer lx = {pattern, len, 0};
	SeqAction  *acts = palloc((Min(len, SEQ_MAX_ACTIONS) + 1) * sizeof(SeqAction));
	int			n = 0;
	int			code;

	memset(out, 0, sizeof(*out));
	acts[n].type = SA_STAR;
	acts[n].cond = 0;
	acts[n++].duration = 0;
	while (lx.pos < lx.len)
	{
		SeqAction	a = {0};

		if (n >= SEQ_MAX_ACTIONS)
		{
			*sqlstate = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			*detail = psprintf("A pattern has at most %d items.", SEQ_MAX_ACTIONS - 1);
			return false;
		}
		if (lex_match(&lx, "(?"))
		{
			if (lex_match(&lx, "t"))
			{
				uint8		prev = acts[n - 1].type;

				if (lex_match(&lx, "<="))
					a.type = SA_LE;
				else if (lex_match(&lx, "<"))
					a.type = SA_LT;
				else if (lex_match(&lx, ">="))
					a.type = SA_GE;
				else if (lex_match(&lx, ">"))
					a.type = SA_GT;
				else if (lex_match(&lx, "=="))
					a.type = SA_EQ;
				else
				{
					*sqlstate = ERRCODE_INVALID_REGULAR_EXPRESSION;
					*detail = lex_detail(&lx, "Unknown time condition");
					return false;
				}
				if ((code = lex_number(&lx, &a.duration, detail)) != 0)
				{
					*sqlstate = code;
					return false;
				}
				if (prev != SA_EVENT && prev != SA_ANY && prev != SA_STAR)
				{
					*sqlstate = ERRCODE_INVALID_PARAMETER_VALUE;
					*detail = psprintf("Temporal condition should be preceded by an event condition (at position %d).",
									   lx.pos);
					return false;
				}
				out->has_time = true;
			}
			else
			{
				uint64		num;
				int			limit = nconds >= 0 ? nconds : SEQ_MAX_CONDITIONS;

				if ((code = lex_number(&lx, &num, detail)) != 0)
				{
					*sqlstate = code;
					return false;
				}
				if (num == 0 || num > (uint64) limit)
				{
					*sqlstate = ERRCODE_INVALID_PARAMETER_VALUE;
					*detail = psprintf("Event number " UINT64_FORMAT " is out of range: the call has %d condition%s, numbered from 1 (at position %d).",
									   num, limit, limit == 1 ? "" : "s", lx.pos);
					return false;
				}
				a.type = SA_EVENT;
				a.cond = (int16) (num - 1);
				out->nevents++;
				out->cond_mask |= UINT64CONST(1) << a.cond;
				out->max_cond = Max(out->max_cond, (int) num);
			}
			if (!lex_match(&lx, ")"))
			{
				*sqlstate = ERRCODE_INVALID_REGULAR_EXPRESSION;
				*detail = lex_detail(&lx, "Expected closing parenthesis, found");
				return false;
			}
		}
		else if (lex_match(&lx, ".*"))
			a.type = SA_STAR;
		else if (lex_match(&lx, "."))
			a.type = SA_ANY;
		else
		{
			*sqlstate = ERRCODE_INVALID_REGULAR_EXPRESSION;
			*detail = lex_detail(&lx, "Could not parse pattern, unexpected starting symbol");
			return false;
		}
		acts[n++] = a;
	}
	out->nactions = n;
	out->actions = acts;
	return true;
}

void
seq_parse_or_error(const char *fn, const char *pattern, int len, int nconds, SeqPattern *out)
{
	int			sqlstate;
	char	   *detail;

	if (!seq_parse(pattern, len, nconds, out, &sqlstate, &detail))
	{
		/* the pattern as written, clipped to 200 bytes */
		int			clip = pg_mbcliplen(pattern, len, Min(len, 200));
		char	   *shown = psprintf("%.*s%s", clip, pattern, clip < len ? "..." : "");

		ereport(ERROR,
				(errcode(sqlstate),
				 sqlstate == ERRCODE_INVALID_REGULAR_EXPRESSION
				 ? errmsg("%s pattern is malformed: \"%s\"", fn, shown)
				 : sqlstate == ERRCODE_PROGRAM_LIMIT_EXCEEDED
				 ? errmsg("%s pattern is too long: \"%s\"", fn, shown)
				 : errmsg("%s pattern is invalid: \"%s\"", fn, shown),
				 errdetail("%s", detail),
				 errhint(PATTERN_HINT)));
	}
}

/* ---- rows ---- */

static int
seq_row_cmp(const void *x, const void *y)
{
	const SeqRow *a = x;
	const SeqRow *b = y;

	CJ_SORT_TICK();
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return seq_mask_tie_cmp(a->mask, b->mask);
}

void
seq_sort_rows(SeqRow *rows, int32 n)
{
	int32		i;

	for (i = 1; i < n; i++)
		if (seq_row_cmp(&rows[i - 1], &rows[i]) > 0)
			break;
	if (i < n)
		qsort(rows, n, sizeof(SeqRow), seq_row_cmp);
}

/* ---- the gate-free match: ClickHouse's automaton ---- */

static bool
seq_match_automaton(const SeqPattern *p, const SeqRow *rows, int32 n)
{
	int			nstates = 1;
	int16	   *cond;			/* transition out of state: -2 none, -1 any, else cond */
	bool	   *kleene;
	bool	   *active;
	bool	   *next;
	int			a,
				s;
	int32		i;
	int			nactive = 1;

	cond = palloc((p->nactions + 1) * sizeof(int16));
	kleene = palloc0((p->nactions + 1) * sizeof(bool));
	active = palloc0((p->nactions + 1) * sizeof(bool));
	next = palloc0((p->nactions + 1) * sizeof(bool));
	cond[0] = -2;
	kleene[0] = true;			/* the implicit .* */
	for (a = 1; a < p->nactions; a++)
	{
		const SeqAction *act = &p->actions[a];

		if (act->type == SA_EVENT || act->type == SA_ANY)
		{
			cond[nstates - 1] = act->type == SA_EVENT ? act->cond : -1;
			cond[nstates] = -2;
			nstates++;
		}
		else if (act->type == SA_STAR)
			kleene[nstates - 1] = true;
	}
	active[0] = true;
	for (i = 0; i < n && nactive > 0 && !active[nstates - 1]; i++)
	{
		bool	   *t;

		CJ_CHECK_EVERY(i);
		nactive = 0;
		memset(next, 0, nstates * sizeof(bool));
		for (s = 0; s < nstates; s++)
		{
			if (!active[s])
				continue;
			if (cond[s] == -1 ||
				(cond[s] >= 0 && (rows[i].mask & (UINT64CONST(1) << cond[s]))))
			{
				next[s + 1] = true;
				nactive++;
			}
			if (kleene[s])
			{
				next[s] = true;
				nactive++;
			}
		}
		t = active;
		active = next;
		next = t;
	}
	return active[nstates - 1];
}

/* ---- the backtracking search with remembered dead ends ---- */

typedef struct SeqFrame
{
	int32		a;
	int32		e;
	int32		b;
} SeqFrame;

typedef struct SeqTrail
{
	uint64		key;
	int64		val;			/* the limit (< and <= gates), else 0 */
	int32		depth;			/* frames on the stack when entered */
	int32		m;				/* (?N) items reached below (events search) */
} SeqTrail;

typedef struct SeqSearch
{
	const SeqPattern *p;
	const SeqRow *rows;
	int32		n;
	bool		track;			/* sequence_match_events: keep chains */
	int		   *kcount;			/* (?N) items before each action */
	uint64	   *dur;			/* durations in the rows' unit, saturated */
	/* remembered dead ends: open addressing, key 0 = empty */
	uint64	   *keys;
	int64	   *vals;
	uint32		memo_cap;
	uint32		memo_n;
	int64		visits;
	SeqFrame   *stack;
	int32		nstack;
	int32		stackcap;
	SeqTrail   *trail;
	int32		ntrail;
	int32		trailcap;
	int64	   *chain;			/* times of the (?N) items on the current path */
	int64	   *best;			/* the longest chain found */
	int			best_len;
} SeqSearch;

#define SEQ_MEMO_INITIAL	32		/* a power of 2 */

#define SEQ_KEY(a, e, b)	(((uint64) (a) << 48) | ((uint64) ((e) + 1) << 24) | (uint64) ((b) + 1))

static inline uint32
memo_hash(uint64 k)
{
	k ^= k >> 33;
	k *= UINT64CONST(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= UINT64CONST(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return (uint32) k;
}

pg_attribute_noreturn()
static void
search_limit(const char *what, int64 limit)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("sequence pattern search is too large for one group"),
			 errdetail("The search may take at most " INT64_FORMAT " %s per group.", limit, what),
			 errhint("Split the group (for example by session), or use a pattern with fewer .* and gates.")));
}

/* the slot of key, or of the empty slot where it would go */
static inline uint32
memo_slot(const SeqSearch *s, uint64 key)
{
	uint32		mask = s->memo_cap - 1;
	uint32		i = memo_hash(key) & mask;

	while (s->keys[i] != 0 && s->keys[i] != key)
		i = (i + 1) & mask;
	return i;
}

static void
memo_grow(SeqSearch *s)
{
	uint64	   *oldk = s->keys;
	int64	   *oldv = s->vals;
	uint32		oldcap = s->memo_cap;
	uint32		i;

	/*
	 * Small at first: the search runs once per customer, most of whom have
	 * a few rows and so a few dead ends, and a first table of 1024 entries
	 * (16 kB, zeroed, beyond AllocSet's chunk limit: a malloc and a free)
	 * cost more than the whole match of such a customer.
	 */
	s->memo_cap = oldcap ? oldcap * 2 : SEQ_MEMO_INITIAL;
	s->keys = MemoryContextAllocHuge(CurrentMemoryContext, (Size) s->memo_cap * sizeof(uint64));
	memset(s->keys, 0, (Size) s->memo_cap * sizeof(uint64));
	s->vals = MemoryContextAllocHuge(CurrentMemoryContext, (Size) s->memo_cap * sizeof(int64));
	for (i = 0; i < oldcap; i++)
		if (oldk[i] != 0)
		{
			uint32		j = memo_slot(s, oldk[i]);

			s->keys[j] = oldk[i];
			s->vals[j] = oldv[i];
		}
	if (oldk)
	{
		pfree(oldk);
		pfree(oldv);
	}
}

/* remember that the trail entry t failed */
static void
memo_fail(SeqSearch *s, const SeqTrail *t)
{
	uint32		i;
	int64		v = s->track ? t->m : t->val;

	if (s->memo_n * 2 >= s->memo_cap)
	{
		if (s->memo_n >= SEQ_MAX_MEMO)
			search_limit("remembered dead ends", SEQ_MAX_MEMO);
		memo_grow(s);
	}
	i = memo_slot(s, t->key);
	if (s->keys[i] == 0)
	{
		s->keys[i] = t->key;
		s->vals[i] = v;
		s->memo_n++;
	}
	else if (v > s->vals[i])
		s->vals[i] = v;
}

/*
 * Is the state known to fail?  For the events search a dead end whose
 * subtree reached more (?N) items than the longest chain so far is
 * explored again (it holds that chain).
 */
static inline bool
memo_failed(SeqSearch *s, uint64 key, int64 val)
{
	uint32		i;

	if (s->memo_n == 0)
		return false;
	i = memo_slot(s, key);
	if (s->keys[i] == 0)
		return false;
	if (s->track)
	{
		if (s->vals[i] > s->best_len)
			return false;
		if (s->ntrail > 0 && s->trail[s->ntrail - 1].m < s->vals[i])
			s->trail[s->ntrail - 1].m = (int32) s->vals[i];
		return true;
	}
	return val <= s->vals[i];
}

static inline void
trail_push(SeqSearch *s, uint64 key, int64 val, int32 m)
{
	SeqTrail   *t;

	if (s->ntrail >= s->trailcap)
	{
		s->trailcap *= 2;
		s->trail = repalloc_huge(s->trail, (Size) s->trailcap * sizeof(SeqTrail));
	}
	t = &s->trail[s->ntrail++];
	t->key = key;
	t->val = val;
	t->depth = s->nstack;
	t->m = m;
}

static inline void
frame_push(SeqSearch *s, int32 a, int32 e, int32 b)
{
	SeqFrame   *f;

	if (s->nstack >= s->stackcap)
	{
		s->stackcap *= 2;
		s->stack = repalloc_huge(s->stack, (Size) s->stackcap * sizeof(SeqFrame));
	}
	f = &s->stack[s->nstack++];
	f->a = a;
	f->e = e;
	f->b = b;
}

/* entries entered with more than depth frames on the stack failed */
static inline void
trail_unwind(SeqSearch *s, int32 depth)
{
	while (s->ntrail > 0 && s->trail[s->ntrail - 1].depth > depth)
	{
		SeqTrail   *t = &s->trail[--s->ntrail];

		memo_fail(s, t);
		if (s->ntrail > 0 && s->trail[s->ntrail - 1].m < t->m)
			s->trail[s->ntrail - 1].m = t->m;
	}
}

/* t + d, saturated at PG_INT64_MAX; *over when the true sum is beyond it */
static inline int64
time_add(int64 t, uint64 d, bool *over)
{
	uint64		room = (uint64) PG_INT64_MAX - (uint64) t;

	*over = d > room;
	return *over ? PG_INT64_MAX : (int64) ((uint64) t + d);
}

/* first index in [from, n) whose time is >= t */
static inline int32
lower_bound(const SeqRow *rows, int32 from, int32 n, int64 t)
{
	int32		lo = from,
				hi = n;

	while (lo < hi)
	{
		int32		mid = lo + (hi - lo) / 2;

		if (rows[mid].ts < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
search_init(SeqSearch *s, const SeqPattern *p, const SeqRow *rows, int32 n, int64 unit,
			bool track)
{
	int			a,
				k = 0;

	/* events and bases are packed in 24 bits of a state's key */
	if (n >= (1 << 24) - 2)
		search_limit("rows", (1 << 24) - 3);
	memset(s, 0, sizeof(*s));
	s->p = p;
	s->rows = rows;
	s->n = n;
	s->track = track;
	s->kcount = palloc((p->nactions + 1) * sizeof(int));
	s->dur = palloc((p->nactions + 1) * sizeof(uint64));
	for (a = 0; a < p->nactions; a++)
	{
		uint64		d = p->actions[a].duration;

		s->kcount[a] = k;
		if (p->actions[a].type == SA_EVENT)
			k++;
		s->dur[a] = (unit > 1 && d > PG_UINT64_MAX / (uint64) unit) ? PG_UINT64_MAX : d * (uint64) unit;
	}
	s->kcount[p->nactions] = k;
	s->stackcap = 64;
	s->stack = palloc(s->stackcap * sizeof(SeqFrame));
	s->trailcap = 64;
	s->trail = palloc(s->trailcap * sizeof(SeqTrail));
	s->chain = palloc0((k + 1) * sizeof(int64));
	s->best = palloc0((k + 1) * sizeof(int64));
}

static inline bool
trailing_skippable(const SeqAction *act)
{
	return act->type == SA_STAR || act->type == SA_LE || act->type == SA_LT ||
		(act->type == SA_GE && act->duration == 0);
}

static inline void
note_reached(SeqSearch *s, int a)
{
	int			k = s->kcount[a];

	if (s->ntrail > 0 && s->trail[s->ntrail - 1].m < k)
		s->trail[s->ntrail - 1].m = k;
	if (k > s->best_len)
	{
		memcpy(s->best, s->chain, k * sizeof(int64));
		s->best_len = k;
	}
}

/*
 * One ClickHouse backtrackingMatch from event *pos: true when the pattern
 * matches; *pos is left where ClickHouse leaves its event iterator (after
 * the match, or one past the start when the match consumed nothing).
 */
static bool
search_run(SeqSearch *s, int32 *pos)
{
	const SeqPattern *p = s->p;
	const SeqRow *rows = s->rows;
	const int32 n = s->n;
	const int	A = p->nactions;
	int32		begin = *pos;
	int32		a = 0,
				e = begin,
				b = begin;
	bool		matched;

	s->nstack = 0;
	s->ntrail = 0;
	while (a < A && e < n)
	{
		const SeqAction *act = &p->actions[a];
		uint64		key;
		int64		val = 0;
		bool		over;

		if (++s->visits > SEQ_MAX_VISITS)
			search_limit("steps", SEQ_MAX_VISITS);
		CJ_CHECK_EVERY(s->visits);
		if (s->track)
			note_reached(s, a);

		switch (act->type)
		{
			case SA_EVENT:
				if ((rows[e].mask & (UINT64CONST(1) << act->cond)) == 0)
					goto fail;
				if (s->track)
					s->chain[s->kcount[a]] = rows[e].ts;
				b = e;
				a++;
				e++;
				continue;
			case SA_ANY:
				b = e;
				a++;
				e++;
				continue;
			case SA_STAR:
				key = SEQ_KEY(a, e, -1);
				break;
			case SA_LE:
			case SA_LT:
				if (act->type == SA_LT && s->dur[a] == 0)
					goto fail;
				val = time_add(rows[b].ts, act->type == SA_LT ? s->dur[a] - 1 : s->dur[a], &over);
				if (rows[e].ts > val)
					goto fail;
				key = s->track ? SEQ_KEY(a, e, b) : SEQ_KEY(a, e, -1);
				if (s->track)
					val = 0;
				break;
			case SA_GE:
			case SA_GT:
			case SA_EQ:
				{
					uint64		d = s->dur[a];
					int64		target;

					if (act->type == SA_GT)
					{
						if (d == PG_UINT64_MAX)
							goto fail;
						d++;
					}
					target = time_add(rows[b].ts, d, &over);
					if (over)
						goto fail;
					e = lower_bound(rows, e, n, target);
					if (e >= n || (act->type == SA_EQ && rows[e].ts != target))
					{
						/* ClickHouse steps to the end, then backtracks */
						e = n - 1;
						goto fail;
					}
					key = act->type == SA_EQ ? SEQ_KEY(a, e, b) : SEQ_KEY(a, e, -1);
					break;
				}
			default:
				elog(ERROR, "unknown sequence pattern action %d", act->type);
		}
		/* a branching state: a star or a gate that holds at e */
		if (memo_failed(s, key, val))
			goto fail;
		trail_push(s, key, val, s->kcount[a]);
		frame_push(s, a, e, b);
		b = e;
		a++;
		continue;

fail:
		/* ClickHouse's do_backtrack: resume the newest frame with an event left */
		for (;;)
		{
			SeqFrame	f;

			if (s->nstack == 0)
			{
				trail_unwind(s, -1);
				e = n;
				goto done;
			}
			f = s->stack[--s->nstack];
			trail_unwind(s, s->nstack);
			a = f.a;
			e = f.e + 1;
			b = f.b;
			if (e < n)
				break;
		}
	}
done:
	if (s->track)
		note_reached(s, a);
	if (a == A)
		matched = true;
	else
	{
		/* the actions left may all match nothing: .*, <, <=, >=0 */
		while (a < A && trailing_skippable(&p->actions[a]))
			a++;
		matched = (a == A);
	}
	if (e == begin)
		e++;
	*pos = e;
	return matched;
}

bool
seq_match(const SeqPattern *p, const SeqRow *rows, int32 n, int64 unit)
{
	SeqSearch	s;
	int32		pos = 0;

	if (!p->has_time)
		return seq_match_automaton(p, rows, n);
	search_init(&s, p, rows, n, unit, false);
	return search_run(&s, &pos);
}

int64
seq_count(const SeqPattern *p, const SeqRow *rows, int32 n, int64 unit)
{
	SeqSearch	s;
	int32		pos = 0;
	int64		count = 0;

	search_init(&s, p, rows, n, unit, false);
	while (pos < n && search_run(&s, &pos))
		count++;
	return count;
}

int
seq_match_events(const SeqPattern *p, const SeqRow *rows, int32 n, int64 unit, int64 *times)
{
	SeqSearch	s;
	int32		pos = 0;

	/*
	 * The first chain found that reached the most (?N) items, as ClickHouse
	 * reports it: for a match, the match's own chain, except that when gates
	 * or stars follow the last (?N) an earlier chain that reached it but
	 * failed there comes first.
	 */
	search_init(&s, p, rows, n, unit, true);
	(void) search_run(&s, &pos);
	memcpy(times, s.best, s.best_len * sizeof(int64));
	return s.best_len;
}
