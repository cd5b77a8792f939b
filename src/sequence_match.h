/*-------------------------------------------------------------------------
 *
 * sequence_match.h
 *		ClickHouse sequence patterns: the parser and the matcher behind
 *		sequence_match, sequence_count, sequence_match_events and their
 *		journey forms.
 *
 * Grammar (exactly ClickHouse's; no white space anywhere):
 *	pattern := item*
 *	item    := "(?" number ")"			condition number, 1..conditions
 *			 | "(?t" op number ")"		time gate, op one of <= < >= > ==
 *			 | ".*"						any number of events (lazy)
 *			 | "."						exactly one event
 *	number  := "+"? digit+
 * An implicit ".*" precedes the pattern.  A gate must follow an event
 * item, "." or ".*" (the implicit one counts).
 *
 * Matching follows ClickHouse's backtracking search step for step (the
 * order in which starts, stars and gate probes are tried, the base a gate
 * measures from, the trailing-gate and end-of-events rules), so the first
 * match found, the count of non-overlapping matches and the span each
 * consumes are ClickHouse's.  Instead of ClickHouse's 1,000,000-iteration
 * cap the search remembers the states it has proved dead ends (a state is
 * the pattern position, the event and, for gates, the gate's base), which
 * makes it polynomial; SEQ_MAX_VISITS search steps or SEQ_MAX_MEMO dead
 * ends in one group raise 54000.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_SEQUENCE_MATCH_H
#define CJ_SEQUENCE_MATCH_H

#include "cjourney.h"
#include "event_buffer.h"

/* conditions of one call: a row's true conditions are one uint64 mask */
#define SEQ_MAX_CONDITIONS	64

/* items of one pattern (the implicit leading .* included) */
#define SEQ_MAX_ACTIONS		4096

/* search steps and remembered dead ends per group (54000 beyond) */
#define SEQ_MAX_VISITS		(64 * 1024 * 1024)
#define SEQ_MAX_MEMO		(4 * 1024 * 1024)

typedef enum SeqActionType
{
	SA_EVENT,					/* (?N) */
	SA_ANY,						/* . */
	SA_STAR,					/* .* */
	SA_LE,						/* (?t<=N) */
	SA_LT,						/* (?t<N) */
	SA_GE,						/* (?t>=N) */
	SA_GT,						/* (?t>N) */
	SA_EQ						/* (?t==N) */
} SeqActionType;

typedef struct SeqAction
{
	uint8		type;			/* SeqActionType */
	int16		cond;			/* SA_EVENT: 0-based condition */
	uint64		duration;		/* gates: N in the pattern's unit */
} SeqAction;

typedef struct SeqPattern
{
	int			nactions;
	SeqAction  *actions;		/* actions[0] is the implicit .* */
	bool		has_time;		/* any gate */
	int			nevents;		/* number of (?N) items */
	uint64		cond_mask;		/* conditions the pattern refers to */
	int			max_cond;		/* largest condition number used (1-based), 0 none */
} SeqPattern;

/*
 * One row of the sequence: its time and its true conditions, as a stored
 * journey decodes straight to (journey_steps_decode_timed).
 */
typedef TimedMask SeqRow;

/*
 * Parse a pattern for nconds conditions (nconds < 0: do not check
 * condition numbers against a count).  On error returns false with
 * *sqlstate (ERRCODE_INVALID_REGULAR_EXPRESSION for a malformed pattern,
 * ERRCODE_INVALID_PARAMETER_VALUE for a well-formed but invalid one) and
 * *detail (a sentence, with the 0-based position as ClickHouse reports it).
 */
extern bool seq_parse(const char *pattern, int len, int nconds, SeqPattern *out,
					  int *sqlstate, char **detail);

/* Parse or raise the error; fn names the SQL function. */
extern void seq_parse_or_error(const char *fn, const char *pattern, int len, int nconds,
							   SeqPattern *out);

/* Rows in time order; rows at one instant by their conditions, true first. */
extern void seq_sort_rows(SeqRow *rows, int32 n);

/* rule T: a < b when at the lowest condition where they differ a is true */
static inline int
seq_mask_tie_cmp(uint64 a, uint64 b)
{
	uint64		low;

	if (a == b)
		return 0;
	low = (a ^ b) & (~(a ^ b) + 1);
	return (a & low) ? -1 : 1;
}

/*
 * The searches, over rows sorted by seq_sort_rows that all have a true
 * condition; unit scales pattern durations to the rows' time unit
 * (1,000,000 for timestamptz, 1 for bigint).
 */
extern bool seq_match(const SeqPattern *p, const SeqRow *rows, int32 n, int64 unit);
extern int64 seq_count(const SeqPattern *p, const SeqRow *rows, int32 n, int64 unit);

/*
 * The times of the rows the (?N) items consumed in the first chain the
 * search found among those that reached the most (?N) items: the first
 * match's chain, or when nothing matches the longest partial chain; when
 * gates or stars follow the last (?N) item, a chain that reached it but
 * failed the trailing gate can come before the match (ClickHouse does the
 * same).  Returns how many times were written (p->nevents at most).
 */
extern int	seq_match_events(const SeqPattern *p, const SeqRow *rows, int32 n, int64 unit,
							 int64 *times);

#endif							/* CJ_SEQUENCE_MATCH_H */
