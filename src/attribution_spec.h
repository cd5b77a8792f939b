/*-------------------------------------------------------------------------
 *
 * attribution_spec.h
 *		An attribution model and its parameters (AttrSpec): parsing from
 *		the SQL arguments, checking, comparing, printing, and its binary
 *		form, shared by the attribution value and every attribution state.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_ATTRIBUTION_SPEC_H
#define CJ_ATTRIBUTION_SPEC_H

#include "cjourney.h"
#include "wire.h"

#include "lib/stringinfo.h"

typedef enum AttrKind
{
	ATTR_FIRST_TOUCH,
	ATTR_LAST_TOUCH,
	ATTR_LAST_NON_DIRECT,
	ATTR_LINEAR,
	ATTR_TIME_DECAY,
	ATTR_POSITION_BASED,
	ATTR_W_SHAPED,
	ATTR_MARKOV,
	ATTR_SHAPLEY,
	ATTR_NKINDS
} AttrKind;

#define ATTR_DATA_DRIVEN(kind)	((kind) >= ATTR_MARKOV)

/* A model and its parameters; two states combine only if these are equal. */
typedef struct AttrSpec
{
	AttrKind	kind;
	int64		lookback;		/* microseconds; 0 = every touch of the cycle */
	int64		half_life;		/* time_decay, microseconds; else 0 */
	double		w[4];			/* position_based: first, middle, last;
								 * w_shaped: first, lead, opportunity, others */
	char	   *direct;			/* last_non_direct: the direct channel */
	char	   *lead_stage;		/* w_shaped on journeys: milestone stages */
	char	   *opp_stage;
} AttrSpec;

extern void attr_spec_parse(AttrSpec *spec, text *model, text *options, bool journey);
extern void attr_spec_check(const AttrSpec *spec);
extern bool attr_spec_equal(const AttrSpec *a, const AttrSpec *b);
extern void attr_spec_copy(MemoryContext mcxt, AttrSpec *dst, const AttrSpec *src);
extern const char *attr_kind_name(AttrKind kind);
extern int	attr_kind_from_name(const char *s, int len);
extern void attr_spec_text(StringInfo buf, const AttrSpec *spec);
extern void attr_spec_write(StringInfo buf, const AttrSpec *spec, int flavour);
extern void attr_spec_read(WireReader *w, int flavour, AttrSpec *spec);
pg_attribute_noreturn()
extern void attr_spec_mismatch(const AttrSpec *a, const AttrSpec *b);

#endif							/* CJ_ATTRIBUTION_SPEC_H */
