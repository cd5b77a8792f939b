/*-------------------------------------------------------------------------
 *
 * labels.h
 *		Label dictionary: channel and event texts stored once, used by id.
 *
 * An aggregate keeps one dictionary per query (in fn_extra), shared by the
 * states of all groups, so a customer's state holds only small integers.
 * Ids are dense, 0-based and in order of first interning; -1 means NULL.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_LABELS_H
#define CJ_LABELS_H

#include "cjourney.h"

typedef struct LabelDict
{
	MemoryContext mcxt;
	int32		n;				/* labels interned */
	int32		cap;
	const char **str;			/* str[id], NUL-terminated */
	int32	   *len;
	uint32	   *hash;
	int32	   *slots;			/* open addressing; -1 = empty */
	uint32		nslots;			/* power of two */
	char	   *arena;			/* current block for label bytes */
	Size		arena_free;
	Size		bytes;			/* memory held, within cjourney.max_label_memory */
} LabelDict;

extern LabelDict *labeldict_create(MemoryContext mcxt);
extern int32 labeldict_intern(LabelDict *d, const char *s, int len);
extern int	label_cmp(const LabelDict *d, int32 a, const LabelDict *e, int32 b);
extern void label_check(const char *s, int len, bool from_text);

#endif							/* CJ_LABELS_H */
