/*-------------------------------------------------------------------------
 *
 * labels.c
 *		Label dictionary: an open-addressing hash of byte strings; the
 *		quoted text form of a label; dense local ids (IdMap).
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "labels.h"

#include "mb/pg_wchar.h"

#define ARENA_BLOCK		8192

/* Count n more bytes of d's memory; 54000 past cjourney.max_label_memory. */
static void
labeldict_charge(LabelDict *d, Size n)
{
	if (d->bytes + n > (Size) cj_max_label_memory * 1024)
		cj_memory_exceeded("label dictionary of one query", "cjourney.max_label_memory",
						   cj_max_label_memory,
						   "Raise cjourney.max_label_memory, or map rare labels to a common one, for example with CASE, before aggregating.");
	d->bytes += n;
}

/*
 * The hash of a label: eight bytes at a time, then a 64-bit finalizer
 * (murmur3's fmix64).  Interning hashes every label of every stored journey
 * read, and CRM labels are short, so this runs several times faster than
 * hash_bytes' byte-oriented mixing on them.  The hash never leaves the
 * dictionary (it is not stored or sent), so it may change between releases.
 */
static inline uint32
label_hash(const char *s, int len)
{
	uint64		h = (uint64) len * UINT64CONST(0x9E3779B97F4A7C15);
	uint64		w;

	for (; len >= 8; s += 8, len -= 8)
	{
		memcpy(&w, s, 8);
		h = (h ^ w) * UINT64CONST(0xFF51AFD7ED558CCD);
		h ^= h >> 29;
	}
	if (len > 0)
	{
		w = 0;
		memcpy(&w, s, len);
		h = (h ^ w) * UINT64CONST(0xC4CEB9FE1A85EC53);
	}
	h ^= h >> 33;
	h *= UINT64CONST(0xFF51AFD7ED558CCD);
	h ^= h >> 33;
	h *= UINT64CONST(0xC4CEB9FE1A85EC53);
	h ^= h >> 33;
	return (uint32) h;
}

/* An empty dictionary allocated in mcxt. */
LabelDict *
labeldict_create(MemoryContext mcxt)
{
	LabelDict  *d = MemoryContextAllocZero(mcxt, sizeof(LabelDict));

	d->mcxt = mcxt;
	d->cap = 16;
	d->str = MemoryContextAlloc(mcxt, d->cap * sizeof(char *));
	d->len = MemoryContextAlloc(mcxt, d->cap * sizeof(int32));
	d->hash = MemoryContextAlloc(mcxt, d->cap * sizeof(uint32));
	d->nslots = 32;
	d->slots = MemoryContextAlloc(mcxt, d->nslots * sizeof(int32));
	memset(d->slots, 0xff, d->nslots * sizeof(int32));
	d->bytes = sizeof(LabelDict) + d->cap * (sizeof(char *) + sizeof(int32) + sizeof(uint32)) +
		d->nslots * sizeof(int32);
	return d;
}

/*
 * Validate one label: length limit, and (for labels read from a value rather
 * than a text datum) valid encoding without NUL bytes.
 */
void
label_check(const char *s, int len, bool from_text)
{
	if (len > CJ_MAX_LABEL_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("channel or event label is too long"),
				 errdetail("A label may be at most %d bytes; this one has %d.",
						   CJ_MAX_LABEL_BYTES, len)));
	if (!from_text)
		(void) pg_verify_mbstr(GetDatabaseEncoding(), s, len, false);
}

static void
labeldict_grow_slots(LabelDict *d)
{
	uint32		nslots = d->nslots * 2;
	int32	   *slots;
	int32		i;

	labeldict_charge(d, nslots * sizeof(int32));
	slots = MemoryContextAlloc(d->mcxt, nslots * sizeof(int32));
	memset(slots, 0xff, nslots * sizeof(int32));
	for (i = 0; i < d->n; i++)
	{
		uint32		h = d->hash[i] & (nslots - 1);

		while (slots[h] >= 0)
			h = (h + 1) & (nslots - 1);
		slots[h] = i;
	}
	pfree(d->slots);
	d->bytes -= d->nslots * sizeof(int32);
	d->slots = slots;
	d->nslots = nslots;
}

static const char *
labeldict_store(LabelDict *d, const char *s, int len)
{
	char	   *p;

	if ((Size) len + 1 > d->arena_free)
	{
		Size		sz = Max(ARENA_BLOCK, (Size) len + 1);

		labeldict_charge(d, sz);
		d->arena = MemoryContextAlloc(d->mcxt, sz);
		d->arena_free = sz;
	}
	p = d->arena;
	memcpy(p, s, len);
	p[len] = '\0';
	d->arena += len + 1;
	d->arena_free -= len + 1;
	return p;
}

/* Id of a label, adding it if new.  The caller has checked the label. */
int32
labeldict_intern(LabelDict *d, const char *s, int len)
{
	uint32		hv = label_hash(s, len);
	uint32		h = hv & (d->nslots - 1);
	int32		id;

	while ((id = d->slots[h]) >= 0)
	{
		if (d->hash[id] == hv && d->len[id] == len &&
			memcmp(d->str[id], s, len) == 0)
			return id;
		h = (h + 1) & (d->nslots - 1);
	}

	if (d->n >= CJ_MAX_QUERY_LABELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct channel and event labels in one query"),
				 errdetail("One aggregate keeps at most %d distinct labels per query.",
						   CJ_MAX_QUERY_LABELS),
				 errhint("Map rare labels to a common one, for example with CASE, before aggregating.")));
	if (d->n >= d->cap)
	{
		labeldict_charge(d, d->cap * (sizeof(char *) + sizeof(int32) + sizeof(uint32)));
		d->cap *= 2;
		d->str = repalloc(d->str, d->cap * sizeof(char *));
		d->len = repalloc(d->len, d->cap * sizeof(int32));
		d->hash = repalloc(d->hash, d->cap * sizeof(uint32));
	}
	id = d->n++;
	d->str[id] = labeldict_store(d, s, len);
	d->len[id] = len;
	d->hash[id] = hv;
	d->slots[h] = id;
	if ((uint32) d->n * 2 > d->nslots)
		labeldict_grow_slots(d);
	return id;
}

/* Bytewise order of two labels, possibly of different dictionaries; NULL first. */
int
label_cmp(const LabelDict *d, int32 a, const LabelDict *e, int32 b)
{
	int			c;

	if (a < 0 || b < 0)
		return (a < 0) ? ((b < 0) ? 0 : -1) : 1;
	if (d == e && a == b)
		return 0;
	c = memcmp(d->str[a], e->str[b], Min(d->len[a], e->len[b]));
	if (c != 0)
		return c < 0 ? -1 : 1;
	return (d->len[a] < e->len[b]) ? -1 : (d->len[a] > e->len[b]) ? 1 : 0;
}

/*
 * qsort_arg comparator: label ids of the dictionary passed as the argument
 * (or records that start with one) in the order of their labels.
 */
int
label_id_qsort_cmp(const void *x, const void *y, void *dict)
{
	const LabelDict *d = (const LabelDict *) dict;

	CJ_SORT_TICK();
	return label_cmp(d, *(const int32 *) x, d, *(const int32 *) y);
}

/* A label in double quotes, '"' and '\\' escaped with a backslash. */
void
label_append_quoted(StringInfo buf, const char *s, int len)
{
	int			i;

	appendStringInfoChar(buf, '"');
	for (i = 0; i < len; i++)
	{
		if (s[i] == '"' || s[i] == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, s[i]);
	}
	appendStringInfoChar(buf, '"');
}

/* An empty map sized for about `expected` distinct ids. */
void
idmap_init(IdMap *m, int32 expected)
{
	uint32		size = 16;

	while (size < (uint32) expected * 2)
		size *= 2;
	m->n = 0;
	m->mask = size - 1;
	m->ids = palloc(size / 2 * sizeof(int32));
	m->slots = palloc(size * sizeof(int32));
	memset(m->slots, 0xff, size * sizeof(int32));
}

/* Local id of a dictionary id, assigning the next one if new; -1 stays -1. */
int32
idmap_add(IdMap *m, int32 id)
{
	uint32		h;
	int32		k;

	if (id < 0)
		return -1;
	h = ((uint32) id * 0x9E3779B1U) & m->mask;
	while ((k = m->slots[h]) >= 0)
	{
		if (m->ids[k] == id)
			return k;
		h = (h + 1) & m->mask;
	}
	if ((uint32) (m->n + 1) * 2 > m->mask + 1)
	{
		/* grow: rehash every id */
		IdMap		bigger;
		int32		i;

		idmap_init(&bigger, (m->mask + 1));
		for (i = 0; i < m->n; i++)
			(void) idmap_add(&bigger, m->ids[i]);
		idmap_free(m);
		*m = bigger;
		return idmap_add(m, id);
	}
	m->ids[m->n] = id;
	m->slots[h] = m->n;
	return m->n++;
}

/* Release the map's arrays. */
void
idmap_free(IdMap *m)
{
	pfree(m->ids);
	pfree(m->slots);
}
