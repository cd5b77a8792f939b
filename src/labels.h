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

#include "lib/stringinfo.h"

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
extern int	label_id_qsort_cmp(const void *x, const void *y, void *dict);
extern void label_check(const char *s, int len, bool from_text);

/* A label in double quotes, '"' and '\\' escaped with a backslash. */
extern void label_append_quoted(StringInfo buf, const char *s, int len);

/*
 * The id in dst of label id of src: itself when they are one dictionary,
 * -1 (NULL) stays -1.  States of one query can come from different
 * dictionaries: a parallel worker's, or the one of a deserialize function.
 */
static inline int32
labeldict_translate(LabelDict *dst, const LabelDict *src, int32 id)
{
	if (dst == src || id < 0)
		return id;
	return labeldict_intern(dst, src->str[id], src->len[id]);
}

/*
 * Dense local ids for the dictionary ids a value uses, in order of first
 * use: a value written out carries only its own labels.
 */
typedef struct IdMap
{
	int32	   *ids;			/* dictionary id of local id k */
	int32		n;
	int32	   *slots;			/* open addressing over ids; -1 = empty */
	uint32		mask;
} IdMap;

extern void idmap_init(IdMap *m, int32 expected);
extern int32 idmap_add(IdMap *m, int32 id);
extern void idmap_free(IdMap *m);

#endif							/* CJ_LABELS_H */
