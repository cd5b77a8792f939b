/*-------------------------------------------------------------------------
 *
 * attribution.h
 *		Multi-touch attribution: models, the combinable state, and the walk
 *		that splits each conversion's credit among the touches before it.
 *
 * Rule-based models (first touch ... W-shaped) split each conversion at
 * once, so their state keeps only credit totals per channel.  Data-driven
 * models (Markov removal effect, Shapley value) need every customer's path,
 * converting or not, so their state keeps the multiset of distinct paths
 * and computes credits when read.  Both kinds roll up exactly: totals add,
 * path counts add.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_ATTRIBUTION_H
#define CJ_ATTRIBUTION_H

#include "cjourney.h"
#include "attribution_spec.h"
#include "event_buffer.h"
#include "labels.h"

#include "lib/stringinfo.h"

/* Distinct channels the Markov model solves for (a dense n x n system). */
#define ATTR_MAX_MARKOV_CHANNELS	1000

/* Distinct channels in one converting path for the exact Shapley value. */
#define ATTR_MAX_SHAPLEY_CHANNELS	20

/* Work of one Shapley value, in steps of about a nanosecond (attribution_shapley.c). */
#define ATTR_MAX_SHAPLEY_STEPS		2000000000

/* flags of an AttrTouch */
#define ATTR_CONVERTS	0x01
#define ATTR_LEAD		0x02
#define ATTR_OPP		0x04

/* One row of a customer, in time order, as the walk sees it. */
typedef struct AttrTouch
{
	TimestampTz ts;
	int32		channel;		/* id in the state's dictionary; -1 = none */
	uint8		flags;
	double		revenue;		/* of a converting row */
} AttrTouch;

/* A distinct path of the data-driven models, with its counts. */
typedef struct AttrPath
{
	uint32		hash;
	int32		len;
	int64		conv;			/* conversions that followed this path */
	int64		nulls;			/* journeys that ended without converting */
	double		revenue;
	int32		ch[FLEXIBLE_ARRAY_MEMBER];	/* channel ids */
} AttrPath;

/* The accumulator: a decoded attribution value, or an aggregate state. */
typedef struct Attr
{
	MemoryContext mcxt;
	AttrSpec	spec;
	bool		have_spec;
	LabelDict  *dict;			/* channel labels by id */
	int64		conversions;	/* all conversions, the (none) ones included */
	double		revenue;
	int64		none_conv;		/* conversions with no touch before them */
	double		none_rev;
	/* rule-based: credit per channel, slot = chmap(dict id) */
	IdMap		chmap;
	double	   *cconv;
	double	   *crev;
	int32		ccap;
	/* data-driven: distinct paths in an open-addressing table */
	AttrPath  **paths;
	int32		npaths;
	int32	   *slots;
	uint32		nslots;
	Size		bytes;			/* memory held, for the state limit */
} Attr;

/* attribution.c */
extern Attr *attr_create(MemoryContext mcxt, LabelDict *dict);
extern void attr_set_spec(Attr *a, const AttrSpec *spec);
extern void attr_add_credit(Attr *a, int32 channel, double conv, double rev);
extern void attr_add_path(Attr *a, const int32 *ch, int32 len, int64 conv, int64 nulls,
						  double revenue);
extern void attr_add_none(Attr *a, int64 conv, double revenue);
extern void attr_merge(Attr *dst, const Attr *src);
extern AttrPath *attr_find_path(const Attr *a, const int32 *ch, int32 len);
extern void attr_write(StringInfo buf, const Attr *a, int flavour);
extern Attr *attr_read(WireReader *w, MemoryContext mcxt, LabelDict *dict, int flavour);
extern bytea *attr_encode(const Attr *a);
extern Attr *attr_decode(const struct varlena *v, MemoryContext mcxt, LabelDict *dict);

/* attribution_text.c */
extern Datum attr_text_in(const char *str, LabelDict *dict, MemoryContext mcxt);
extern char *attr_text_out(const Attr *a);

/* attribution_walk.c */
extern void attr_walk(Attr *a, const AttrTouch *t, int32 n);
extern void attr_credit(Attr *a, const int32 *ch, const TimestampTz *ts, const uint8 *flags,
						int32 k, TimestampTz at, int64 conv, double revenue);

/* attribution_markov.c, attribution_shapley.c: credit per channel slot */
typedef struct AttrCredits
{
	int32		n;				/* channels */
	int32	   *channel;		/* dict ids */
	double	   *conv;
	double	   *rev;
	double	   *removal;		/* markov: removal effect, else NULL */
} AttrCredits;

extern void attr_markov(const Attr *a, AttrCredits *out);
extern void attr_shapley(const Attr *a, AttrCredits *out);

#endif							/* CJ_ATTRIBUTION_H */
