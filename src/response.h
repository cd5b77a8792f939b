/*-------------------------------------------------------------------------
 *
 * response.h
 *		response_state: the combinable state of the segment response
 *		aggregates (treatment vs control counts and value moments).
 *
 * A varlena of fixed size: header, version byte, three reserved zero
 * bytes, then per arm (treated, control) the rows counted for the binary
 * outcome, the responders among them, and the count, mean and sum of
 * squared deviations (M2) of the continuous outcome.  Counts are exact
 * 64-bit integers; mean and M2 are doubles updated by Welford's method and
 * merged by Chan et al.'s formula.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_RESPONSE_H
#define CJ_RESPONSE_H

#include "cjourney.h"

#include "fmgr.h"

#define RESPONSE_STATE_VERSION	1

typedef struct ResponseArm
{
	int64		n;				/* rows with a non-NULL responded */
	int64		responders;		/* of those, responded = true */
	int64		value_n;		/* rows with a non-NULL value */
	double		mean;			/* mean of the values (0 when none) */
	double		m2;				/* sum of squared deviations from the mean */
} ResponseArm;

typedef struct ResponseState
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		version;
	uint8		reserved[3];	/* must be zero */
	ResponseArm treated;
	ResponseArm control;
} ResponseState;

#define DatumGetResponseState(d)	((ResponseState *) PG_DETOAST_DATUM(d))
#define PG_GETARG_RESPONSE_STATE(n) DatumGetResponseState(PG_GETARG_DATUM(n))

/* Two-proportion comparison of a state; a false has_* means SQL NULL. */
typedef struct BinaryStats
{
	bool		has_t,
				has_c,
				has_cmp,
				has_lift,
				has_z;
	double		t_rate,
				c_rate,
				diff,
				lift,
				ci_low,
				ci_high,
				z,
				p;
} BinaryStats;

extern void response_binary_stats(const ResponseState *st, double level, BinaryStats *s);

/* (double) (x * y - u * v), exact before the one rounding. */
extern double response_cross_diff(int64 x, int64 y, int64 u, int64 v);

/* A zeroed state, allocated in the current memory context. */
extern ResponseState *response_state_new(void);

/* Error out (22P02 from text, 22P03 from binary) unless st is valid. */
extern void response_state_check(const ResponseState *st, bool from_text);

/* Raise 22023 unless 0 < value < 1; name is the parameter's name. */
extern void response_check_unit(double value, const char *name);

#endif							/* CJ_RESPONSE_H */
