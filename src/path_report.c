/*-------------------------------------------------------------------------
 *
 * path_report.c
 *		The path_report type: its in-memory form, stored form, text and
 *		binary I/O, jsonb form, and the aggregates that build and merge it
 *		(path_report_agg, rollup).
 *
 * In memory a report is a hash table of distinct paths (label ids of a
 * dictionary, PATH_ELISION for an elided stretch) with their counts.
 * Merging adds counts path by path, so it is exact and associative; top-N
 * and "(other)" bucketing happen only when the report is read.
 *
 * Stored form (after the varlena header; native byte order, read with
 * memcpy): uint8 version, uint8 align, uint16 reserved (0), int32 nlabels,
 * int32 npaths, then the labels (int32 length, bytes) in strictly
 * increasing byte order, then the paths (int64 count, int32 length, int32
 * label indexes, -1 for an elision) in strictly increasing path order.
 * Path order compares element by element, labels by bytes, an elision
 * after every label, and a prefix before its extensions (the order of
 * text[] under COLLATE "C").  Every label is used.  So equal reports have
 * equal bytes.
 *
 * Text form: align '|' then path=count entries, e.g.
 *		left | ["home"]=1 ["home","search","product"]=2 ["home",NULL,"cart"]=1
 * Labels are double-quoted with \" and \\ as the only escapes; NULL is an
 * elision.  Input accepts entries in any order and rejects duplicates;
 * output is canonical (path order).
 *
 * Binary form (send/recv, and the aggregate's serialize/deserialize):
 * uint8 version, uint8 align, int32 nlabels, the labels (int32 length,
 * bytes), int32 npaths, then per path int64 count, int32 length and int32
 * label indexes (-1 for an elision).  Read through a WireReader, exactly as
 * strict as the text input.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "agg.h"
#include "path_report.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/json.h"

PG_FUNCTION_INFO_V1(path_report_in);
PG_FUNCTION_INFO_V1(path_report_out);
PG_FUNCTION_INFO_V1(path_report_recv);
PG_FUNCTION_INFO_V1(path_report_send);
PG_FUNCTION_INFO_V1(path_report_to_jsonb);
PG_FUNCTION_INFO_V1(path_report_transfn);
PG_FUNCTION_INFO_V1(path_report_rollup_transfn);
PG_FUNCTION_INFO_V1(path_report_combine);
PG_FUNCTION_INFO_V1(path_report_serialize);
PG_FUNCTION_INFO_V1(path_report_deserialize);
PG_FUNCTION_INFO_V1(path_report_finalfn);

#define PR_VERSION		1
#define PR_TYPE			"path_report"
#define PR_HEADER		12

/* bytes a path takes in the stored form */
#define PATH_STORED_BYTES(len)	(12 + 4 * (int64) (len))

/* ---- the in-memory report ---- */

/* An empty report in mcxt whose labels are ids of dict. */
PathReport *
path_report_create(MemoryContext mcxt, LabelDict *dict, int align)
{
	PathReport *r = MemoryContextAllocZero(mcxt, sizeof(PathReport));

	r->mcxt = mcxt;
	r->dict = dict;
	r->align = align;
	return r;
}

static uint32
path_hash(const int32 *ids, int32 len)
{
	return hash_bytes((const unsigned char *) ids, len * sizeof(int32));
}

pg_attribute_noreturn()
static void
too_many_paths(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("path report has too many distinct paths"),
			 errdetail("A path report holds at most %d distinct paths.", PATH_REPORT_MAX_PATHS),
			 errhint("Limit the paths with max_steps, or group rarer labels before aggregating.")));
}

pg_attribute_noreturn()
static void
too_large(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("path report is too large"),
			 errdetail("A path report may take at most " INT64_FORMAT " bytes.", PATH_REPORT_MAX_BYTES),
			 errhint("Limit the paths with max_steps before aggregating.")));
}

/* (Re)build the hash table with room for at least need paths. */
static void
rebuild_slots(PathReport *r, int64 need)
{
	uint32		nslots = 64;
	int32		i;

	while ((int64) nslots < need * 2)
		nslots *= 2;
	if (r->slots != NULL)
		pfree(r->slots);
	r->slots = MemoryContextAllocHuge(r->mcxt, (Size) nslots * sizeof(int32));
	memset(r->slots, 0xff, (Size) nslots * sizeof(int32));
	r->nslots = nslots;
	for (i = 0; i < r->npaths; i++)
	{
		uint32		h = r->paths[i].hash & (nslots - 1);

		while (r->slots[h] >= 0)
			h = (h + 1) & (nslots - 1);
		r->slots[h] = i;
	}
}

/*
 * Add count to the path ids[0..len-1], inserting it if new.  Returns true
 * when the path was already in the report.
 */
bool
path_report_add(PathReport *r, const int32 *ids, int32 len, int64 count)
{
	uint32		hash = path_hash(ids, len);
	uint32		h;
	int32		k;
	PathEntry  *e;

	Assert(len >= 1 && count > 0);
	if (pg_add_s64_overflow(r->total, count, &r->total))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("path report count out of range")));
	if (r->nslots == 0 || (int64) (r->npaths + 1) * 2 > r->nslots)
		rebuild_slots(r, Max((int64) r->npaths + 1, (int64) r->npaths * 2));
	for (h = hash & (r->nslots - 1); (k = r->slots[h]) >= 0; h = (h + 1) & (r->nslots - 1))
	{
		e = &r->paths[k];
		if (e->hash == hash && e->len == len &&
			memcmp(PATH_ELEMS(r, e), ids, len * sizeof(int32)) == 0)
		{
			e->count += count;	/* cannot overflow: bounded by total */
			return true;
		}
	}
	if (r->npaths >= PATH_REPORT_MAX_PATHS)
		too_many_paths();
	if (r->nids + len > PATH_REPORT_MAX_BYTES / 4)
		too_large();
	if (r->npaths == r->cap)
	{
		r->cap = Max(16, r->cap * 2);
		r->paths = r->paths
			? repalloc_huge(r->paths, (Size) r->cap * sizeof(PathEntry))
			: MemoryContextAllocHuge(r->mcxt, (Size) r->cap * sizeof(PathEntry));
	}
	if (r->nids + len > r->idcap)
	{
		int64		cap = Max(64, r->idcap);

		while (cap < r->nids + len)
			cap *= 2;
		r->ids = r->ids
			? repalloc_huge(r->ids, (Size) cap * sizeof(int32))
			: MemoryContextAllocHuge(r->mcxt, (Size) cap * sizeof(int32));
		r->idcap = cap;
	}
	e = &r->paths[r->npaths];
	e->count = count;
	e->off = r->nids;
	e->len = len;
	e->hash = hash;
	memcpy(r->ids + r->nids, ids, len * sizeof(int32));
	r->nids += len;
	r->slots[h] = r->npaths++;
	r->canonical = false;
	return false;
}

/* Add every path of src to dst; labels are re-interned when the dictionaries differ. */
void
path_report_merge(PathReport *dst, const PathReport *src)
{
	int32	   *map = NULL;
	int32	   *buf = NULL;
	int32		buflen = 0;
	int32		i,
				k;

	if (dst->align != src->align)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine a %s-aligned path report with a %s-aligned one",
						path_align_name(dst->align), path_align_name(src->align)),
				 errhint("Build every report with the same align argument.")));
	if (src->dict != dst->dict)
	{
		map = palloc(Max(src->dict->n, 1) * sizeof(int32));
		memset(map, 0xff, Max(src->dict->n, 1) * sizeof(int32));
	}
	for (i = 0; i < src->npaths; i++)
	{
		const PathEntry *e = &src->paths[i];
		const int32 *ids = PATH_ELEMS(src, e);

		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		if (map != NULL)
		{
			if (e->len > buflen)
			{
				buflen = Max(e->len, buflen * 2);
				buf = buf ? repalloc_huge(buf, (Size) buflen * sizeof(int32))
					: palloc_extended((Size) buflen * sizeof(int32), MCXT_ALLOC_HUGE);
			}
			for (k = 0; k < e->len; k++)
			{
				int32		id = ids[k];

				if (id >= 0)
				{
					if (map[id] < 0)
						map[id] = labeldict_intern(dst->dict, src->dict->str[id],
												   src->dict->len[id]);
					id = map[id];
				}
				buf[k] = id;
			}
			ids = buf;
		}
		(void) path_report_add(dst, ids, e->len, e->count);
	}
	if (map != NULL)
		pfree(map);
	if (buf != NULL)
		pfree(buf);
}

/* ---- canonical order ---- */

/* A report's labels in byte order and its paths in path order. */
typedef struct Canon
{
	int32		nlabels;
	int32	   *label;			/* dictionary id of rank k */
	int32	   *ranked;			/* ids[] as ranks; PATH_ELISION stays -1 */
	int32	   *order;			/* paths by path order */
} Canon;

typedef struct CanonSort
{
	const PathReport *r;
	const int32 *ranked;
	const LabelDict *dict;
} CanonSort;

static int
label_rank_cmp(const void *a, const void *b, void *arg)
{
	const LabelDict *d = arg;

	return label_cmp(d, *(const int32 *) a, d, *(const int32 *) b);
}

/* path order over ranks: elements compared with the elision last, then length */
static int
ranked_cmp(const int32 *a, int32 la, const int32 *b, int32 lb)
{
	int32		k;

	for (k = 0; k < la && k < lb; k++)
	{
		uint32		x = (uint32) a[k];	/* -1 becomes the largest */
		uint32		y = (uint32) b[k];

		if (x != y)
			return x < y ? -1 : 1;
	}
	return (la > lb) - (la < lb);
}

static int
path_order_cmp(const void *a, const void *b, void *arg)
{
	const CanonSort *cs = arg;
	const PathEntry *x = &cs->r->paths[*(const int32 *) a];
	const PathEntry *y = &cs->r->paths[*(const int32 *) b];

	return ranked_cmp(cs->ranked + x->off, x->len, cs->ranked + y->off, y->len);
}

/* The canonical order of r (a report read from storage is in it already). */
static void
canon_build(const PathReport *r, Canon *c)
{
	int32		i;
	int64		j;

	c->order = palloc_extended(Max(r->npaths, 1) * sizeof(int32), MCXT_ALLOC_HUGE);
	for (i = 0; i < r->npaths; i++)
		c->order[i] = i;
	if (r->canonical)
	{
		c->nlabels = r->dict->n;
		c->label = palloc(Max(c->nlabels, 1) * sizeof(int32));
		for (i = 0; i < c->nlabels; i++)
			c->label[i] = i;
		c->ranked = r->ids;
		return;
	}
	{
		IdMap		map;
		int32	   *rank;
		CanonSort	cs;

		/* the labels used, by first use, then sorted by bytes */
		idmap_init(&map, 64);
		c->ranked = palloc_extended(Max(r->nids, 1) * sizeof(int32), MCXT_ALLOC_HUGE);
		for (j = 0; j < r->nids; j++)
			c->ranked[j] = r->ids[j] >= 0 ? idmap_add(&map, r->ids[j]) : PATH_ELISION;
		c->nlabels = map.n;
		c->label = palloc(Max(map.n, 1) * sizeof(int32));
		memcpy(c->label, map.ids, map.n * sizeof(int32));
		qsort_arg(c->label, map.n, sizeof(int32), label_rank_cmp, r->dict);
		/* local id -> rank */
		rank = palloc(Max(map.n, 1) * sizeof(int32));
		for (i = 0; i < map.n; i++)
			rank[idmap_add(&map, c->label[i])] = i;
		for (j = 0; j < r->nids; j++)
			if (c->ranked[j] >= 0)
				c->ranked[j] = rank[c->ranked[j]];
		idmap_free(&map);
		pfree(rank);
		cs.r = r;
		cs.ranked = c->ranked;
		cs.dict = r->dict;
		qsort_arg(c->order, r->npaths, sizeof(int32), path_order_cmp, &cs);
	}
}

/* ---- stored form ---- */

/* The stored form of r, canonical; r is not changed. */
struct varlena *
path_report_encode(PathReport *r)
{
	Canon		c;
	int64		size = VARHDRSZ + PR_HEADER;
	struct varlena *v;
	char	   *p;
	int32		i;

	canon_build(r, &c);
	for (i = 0; i < c.nlabels; i++)
		size += 4 + r->dict->len[c.label[i]];
	for (i = 0; i < r->npaths; i++)
		size += PATH_STORED_BYTES(r->paths[i].len);
	if (size > PATH_REPORT_MAX_BYTES)
		too_large();
	v = palloc0(size);
	SET_VARSIZE(v, size);
	p = VARDATA(v);
	p[0] = PR_VERSION;
	p[1] = (char) r->align;
	memcpy(p + 4, &c.nlabels, 4);
	memcpy(p + 8, &r->npaths, 4);
	p += PR_HEADER;
	for (i = 0; i < c.nlabels; i++)
	{
		int32		len = r->dict->len[c.label[i]];

		memcpy(p, &len, 4);
		memcpy(p + 4, r->dict->str[c.label[i]], len);
		p += 4 + len;
	}
	for (i = 0; i < r->npaths; i++)
	{
		const PathEntry *e = &r->paths[c.order[i]];

		memcpy(p, &e->count, 8);
		memcpy(p + 8, &e->len, 4);
		memcpy(p + 12, c.ranked + e->off, 4 * (Size) e->len);
		p += PATH_STORED_BYTES(e->len);
	}
	Assert(p == (char *) v + size);
	return v;
}

pg_attribute_noreturn()
static void
corrupt(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("corrupt %s value", PR_TYPE),
			 errdetail_internal("%s", what)));
}

/*
 * A stored value as a report in the current context, every field checked;
 * its own dictionary holds the labels in byte order, so label ids are ranks
 * and paths[] is in path order (canonical).  No hash table is built.
 */
PathReport *
path_report_decode(const struct varlena *v)
{
	const char *p = VARDATA_ANY(v);
	const char *end = p + VARSIZE_ANY_EXHDR(v);
	PathReport *r;
	int32		nlabels,
				npaths,
				i,
				k;
	bool	   *used;

	if (end - p < PR_HEADER || p[0] != PR_VERSION || (p[1] != PATH_ALIGN_LEFT && p[1] != PATH_ALIGN_RIGHT) ||
		p[2] != 0 || p[3] != 0)
		corrupt("bad header");
	memcpy(&nlabels, p + 4, 4);
	memcpy(&npaths, p + 8, 4);
	if (nlabels < 0 || npaths < 0 || npaths > PATH_REPORT_MAX_PATHS ||
		(int64) nlabels * 4 > end - p || (int64) npaths * 16 > end - p)
		corrupt("bad counts");
	r = path_report_create(CurrentMemoryContext, labeldict_create(CurrentMemoryContext), p[1]);
	p += PR_HEADER;
	for (i = 0; i < nlabels; i++)
	{
		int32		len;

		if (end - p < 4)
			corrupt("truncated label");
		memcpy(&len, p, 4);
		if (len < 0 || len > CJ_MAX_LABEL_BYTES || end - p - 4 < len)
			corrupt("bad label length");
		if (memchr(p + 4, '\0', len) != NULL)
			corrupt("label with a zero byte");
		if (labeldict_intern(r->dict, p + 4, len) != i ||
			(i > 0 && label_cmp(r->dict, i - 1, r->dict, i) >= 0))
			corrupt("labels out of order");
		p += 4 + len;
	}
	r->cap = Max(npaths, 1);
	r->paths = palloc_extended(r->cap * sizeof(PathEntry), MCXT_ALLOC_HUGE);
	r->idcap = Max((end - p) / 4, 1);
	r->ids = palloc_extended(r->idcap * sizeof(int32), MCXT_ALLOC_HUGE);
	used = palloc0(Max(nlabels, 1) * sizeof(bool));
	for (i = 0; i < npaths; i++)
	{
		PathEntry  *e = &r->paths[i];

		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		if (end - p < 12)
			corrupt("truncated path");
		memcpy(&e->count, p, 8);
		memcpy(&e->len, p + 8, 4);
		if (e->count <= 0 || e->len < 1 || e->len > PATH_MAX_ELEMENTS ||
			(end - p - 12) / 4 < e->len)
			corrupt("bad path count or length");
		e->off = r->nids;
		memcpy(r->ids + r->nids, p + 12, 4 * (Size) e->len);
		for (k = 0; k < e->len; k++)
		{
			int32		id = r->ids[r->nids + k];

			if (id < PATH_ELISION || id >= nlabels)
				corrupt("bad label index");
			if (id >= 0)
				used[id] = true;
		}
		e->hash = path_hash(r->ids + r->nids, e->len);
		r->nids += e->len;
		if (i > 0 && ranked_cmp(PATH_ELEMS(r, e - 1), e[-1].len, PATH_ELEMS(r, e), e->len) >= 0)
			corrupt("paths out of order");
		if (pg_add_s64_overflow(r->total, e->count, &r->total))
			corrupt("counts overflow");
		p += PATH_STORED_BYTES(e->len);
	}
	r->npaths = npaths;
	if (p != end)
		corrupt("trailing bytes");
	for (i = 0; i < nlabels; i++)
		if (!used[i])
			corrupt("unused label");
	pfree(used);
	r->canonical = true;
	return r;
}

/* ---- names ---- */

const char *
path_align_name(int align)
{
	return align == PATH_ALIGN_RIGHT ? "right" : "left";
}

/* 'left' or 'right' (any case); 22023 otherwise. */
int
path_align_parse(const char *fn, const char *s, int len)
{
	if (len == 4 && pg_strncasecmp(s, "left", 4) == 0)
		return PATH_ALIGN_LEFT;
	if (len == 5 && pg_strncasecmp(s, "right", 5) == 0)
		return PATH_ALIGN_RIGHT;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s align \"%s\" is not valid", fn, pnstrdup(s, len)),
			 errhint("Valid alignments are 'left' (steps 1, 2, 3, ...) and 'right' (steps ..., -1, 0).")));
}

/*
 * A label double-quoted, with \" and \\ escaped.
 * XXX: the attribution text form quotes labels the same way; fold both into
 * labels.c once the shared quoting lands there.
 */
void
path_append_quoted(StringInfo buf, const char *s, int len)
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

/* ---- text I/O ---- */

typedef struct TextIn
{
	const char *input;
	const char *p;
} TextIn;

pg_attribute_noreturn()
static void
syntax(TextIn *in, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%.100s%s\"", PR_TYPE, in->input,
					strlen(in->input) > 100 ? "..." : ""),
			 errdetail_internal("%s At offset %d.", detail, (int) (in->p - in->input))));
}

static void
skip_space(TextIn *in)
{
	while (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r')
		in->p++;
}

static void
expect(TextIn *in, char c)
{
	skip_space(in);
	if (*in->p != c)
		syntax(in, psprintf("Expected \"%c\".", c));
	in->p++;
}

/* a double-quoted label (unescaped, checked) or NULL; returns its id or PATH_ELISION */
static int32
read_element(TextIn *in, LabelDict *dict, StringInfo s)
{
	skip_space(in);
	if (pg_strncasecmp(in->p, "NULL", 4) == 0)
	{
		in->p += 4;
		return PATH_ELISION;
	}
	if (*in->p != '"')
		syntax(in, "Expected a double-quoted label or NULL.");
	resetStringInfo(s);
	for (in->p++; *in->p != '"'; in->p++)
	{
		if (*in->p == '\0')
			syntax(in, "A label is not closed.");
		if (*in->p == '\\')
		{
			in->p++;
			if (*in->p != '"' && *in->p != '\\')
				syntax(in, "Only \\\" and \\\\ are escapes in a label.");
		}
		appendStringInfoChar(s, *in->p);
	}
	in->p++;
	label_check(s->data, s->len, true);
	return labeldict_intern(dict, s->data, s->len);
}

static int64
read_count(TextIn *in)
{
	char	   *end;
	int64		v;

	skip_space(in);
	if (!(*in->p >= '0' && *in->p <= '9'))
		syntax(in, "Expected a positive count.");
	errno = 0;
	v = strtoi64(in->p, &end, 10);
	if (errno != 0)
		syntax(in, "A count is out of range.");
	if (v <= 0)
		syntax(in, "A count must be positive.");
	in->p = end;
	return v;
}

Datum
path_report_in(PG_FUNCTION_ARGS)
{
	TextIn		in = {PG_GETARG_CSTRING(0), PG_GETARG_CSTRING(0)};
	PathReport *r;
	const char *w;
	int			align;
	int32	   *ids;
	int32		idcap = 16;
	StringInfoData s;

	skip_space(&in);
	for (w = in.p; (*in.p >= 'a' && *in.p <= 'z') || (*in.p >= 'A' && *in.p <= 'Z'); in.p++)
		;
	if (in.p == w || !((in.p - w == 4 && pg_strncasecmp(w, "left", 4) == 0) ||
					   (in.p - w == 5 && pg_strncasecmp(w, "right", 5) == 0)))
		syntax(&in, "Expected the alignment, left or right.");
	align = path_align_parse(PR_TYPE, w, in.p - w);
	expect(&in, '|');
	r = path_report_create(CurrentMemoryContext, labeldict_create(CurrentMemoryContext), align);
	ids = palloc(idcap * sizeof(int32));
	initStringInfo(&s);
	for (;;)
	{
		int32		n = 0;
		int64		count;

		skip_space(&in);
		if (*in.p == '\0')
			break;
		expect(&in, '[');
		do
		{
			if (n == idcap)
			{
				if (idcap >= PATH_MAX_ELEMENTS)
					syntax(&in, psprintf("A path has more than %d elements.", PATH_MAX_ELEMENTS));
				idcap = Min(idcap * 2, PATH_MAX_ELEMENTS);
				ids = repalloc(ids, idcap * sizeof(int32));
			}
			ids[n++] = read_element(&in, r->dict, &s);
			skip_space(&in);
		} while (*in.p == ',' && in.p++);
		expect(&in, ']');
		expect(&in, '=');
		count = read_count(&in);
		if (path_report_add(r, ids, n, count))
			syntax(&in, "A path appears twice.");
		CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_POINTER(path_report_encode(r));
}

/* "path" as text: [label,...] with NULL for an elision */
static void
append_path(StringInfo buf, const PathReport *r, const PathEntry *e)
{
	const int32 *ids = PATH_ELEMS(r, e);
	int32		k;

	appendStringInfoChar(buf, '[');
	for (k = 0; k < e->len; k++)
	{
		if (k > 0)
			appendStringInfoChar(buf, ',');
		if (ids[k] < 0)
			appendStringInfoString(buf, "NULL");
		else
			path_append_quoted(buf, r->dict->str[ids[k]], r->dict->len[ids[k]]);
	}
	appendStringInfoChar(buf, ']');
}

Datum
path_report_out(PG_FUNCTION_ARGS)
{
	PathReport *r = path_report_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)));
	StringInfoData buf;
	int32		i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s |", path_align_name(r->align));
	for (i = 0; i < r->npaths; i++)
	{
		appendStringInfoChar(&buf, ' ');
		append_path(&buf, r, &r->paths[i]);
		appendStringInfo(&buf, "=" INT64_FORMAT, r->paths[i].count);
	}
	PG_RETURN_CSTRING(buf.data);
}

/* ---- binary I/O ---- */

/*
 * The binary form of r: canonical for send, in the report's own order
 * (labels by first use) for the aggregate's serialize.
 */
static void
report_write(StringInfo buf, PathReport *r, int flavour, bool canonical)
{
	int32		i,
				k;

	pq_sendbyte(buf, PR_VERSION);
	pq_sendbyte(buf, (uint8) r->align);
	if (canonical)
	{
		Canon		c;

		canon_build(r, &c);
		pq_sendint32(buf, c.nlabels);
		for (i = 0; i < c.nlabels; i++)
			wire_put_text(buf, r->dict->str[c.label[i]], r->dict->len[c.label[i]], flavour);
		pq_sendint32(buf, r->npaths);
		for (i = 0; i < r->npaths; i++)
		{
			const PathEntry *e = &r->paths[c.order[i]];

			pq_sendint64(buf, e->count);
			pq_sendint32(buf, e->len);
			for (k = 0; k < e->len; k++)
				pq_sendint32(buf, c.ranked[e->off + k]);
		}
	}
	else
	{
		IdMap		map;
		int64		j;
		int32	   *local = palloc_extended(Max(r->nids, 1) * sizeof(int32), MCXT_ALLOC_HUGE);

		idmap_init(&map, 64);
		for (j = 0; j < r->nids; j++)
			local[j] = idmap_add(&map, r->ids[j]);
		pq_sendint32(buf, map.n);
		for (i = 0; i < map.n; i++)
			wire_put_text(buf, r->dict->str[map.ids[i]], r->dict->len[map.ids[i]], flavour);
		pq_sendint32(buf, r->npaths);
		for (i = 0; i < r->npaths; i++)
		{
			const PathEntry *e = &r->paths[i];

			if ((i & 0xFFFF) == 0xFFFF)
				CHECK_FOR_INTERRUPTS();
			pq_sendint64(buf, e->count);
			pq_sendint32(buf, e->len);
			for (k = 0; k < e->len; k++)
				pq_sendint32(buf, local[e->off + k]);
		}
		idmap_free(&map);
		pfree(local);
	}
}

/*
 * Read a binary report into mcxt, labels interned into dict.  Paths may
 * come in any order; duplicate labels or paths, unused labels, bad indexes
 * and truncation are 22P03, sizes beyond the limits 54000.
 */
static PathReport *
report_read(StringInfo msg, MemoryContext mcxt, LabelDict *dict, int flavour,
			const char *type_name)
{
	WireReader	w;
	PathReport *r;
	int32		nlabels,
				npaths,
				i,
				k;
	uint8		align;
	int32	   *label;
	bool	   *used;
	int32	   *ids = NULL;
	int32		idcap = 0;
	IdMap		seen;

	wire_reader_init(&w, msg, type_name);
	wire_version(&w, PR_VERSION);
	align = wire_byte(&w);
	if (align != PATH_ALIGN_LEFT && align != PATH_ALIGN_RIGHT)
		wire_error(&w, "Unknown alignment.");
	nlabels = wire_int32(&w);
	if (nlabels < 0)
		wire_error(&w, "Negative label count.");
	/* each label takes at least its 4-byte length */
	wire_need(&w, (int64) nlabels * 4);
	r = path_report_create(mcxt, dict, align);
	label = palloc(Max(nlabels, 1) * sizeof(int32));
	idmap_init(&seen, Min(nlabels, 1024));
	for (i = 0; i < nlabels; i++)
	{
		int			len;
		char	   *s = wire_text(&w, flavour, &len);

		if (len > CJ_MAX_LABEL_BYTES)
			wire_limit(&w, psprintf("A label may be at most %d bytes; this one has %d.",
									CJ_MAX_LABEL_BYTES, len));
		label[i] = labeldict_intern(dict, s, len);
		if (idmap_add(&seen, label[i]) != i)
			wire_error(&w, "A label appears twice.");
		pfree(s);
	}
	idmap_free(&seen);
	npaths = wire_int32(&w);
	if (npaths < 0)
		wire_error(&w, "Negative path count.");
	if (npaths > PATH_REPORT_MAX_PATHS)
		wire_limit(&w, psprintf("A path report holds at most %d distinct paths.", PATH_REPORT_MAX_PATHS));
	used = palloc0(Max(nlabels, 1) * sizeof(bool));
	for (i = 0; i < npaths; i++)
	{
		int64		count;
		int32		len;

		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		count = wire_int64(&w);
		len = wire_int32(&w);
		if (count <= 0)
			wire_error(&w, "A path count is not positive.");
		if (len < 1)
			wire_error(&w, "A path is empty.");
		if (len > PATH_MAX_ELEMENTS)
			wire_limit(&w, psprintf("A path has at most %d elements.", PATH_MAX_ELEMENTS));
		wire_need(&w, (int64) len * 4);
		if (len > idcap)
		{
			idcap = Max(len, idcap * 2);
			ids = ids ? repalloc(ids, idcap * sizeof(int32)) : palloc(idcap * sizeof(int32));
		}
		for (k = 0; k < len; k++)
		{
			int32		x = wire_int32(&w);

			if (x < PATH_ELISION || x >= nlabels)
				wire_error(&w, "A label index is out of range.");
			if (x >= 0)
			{
				used[x] = true;
				x = label[x];
			}
			ids[k] = x;
		}
		if (path_report_add(r, ids, len, count))
			wire_error(&w, "A path appears twice.");
	}
	for (i = 0; i < nlabels; i++)
		if (!used[i])
			wire_error(&w, "A label is not used by any path.");
	wire_end(&w);
	pfree(used);
	pfree(label);
	if (ids != NULL)
		pfree(ids);
	return r;
}

Datum
path_report_recv(PG_FUNCTION_ARGS)
{
	PathReport *r = report_read((StringInfo) PG_GETARG_POINTER(0), CurrentMemoryContext,
								labeldict_create(CurrentMemoryContext), WIRE_CLIENT, PR_TYPE);

	PG_RETURN_POINTER(path_report_encode(r));
}

Datum
path_report_send(PG_FUNCTION_ARGS)
{
	PathReport *r = path_report_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)));
	StringInfoData buf;

	pq_begintypsend(&buf);
	report_write(&buf, r, WIRE_CLIENT, true);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- jsonb ---- */

static int
by_count_then_path(const void *a, const void *b, void *arg)
{
	const PathReport *r = arg;
	const PathEntry *x = &r->paths[*(const int32 *) a];
	const PathEntry *y = &r->paths[*(const int32 *) b];

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	/* a decoded report is in path order already */
	return (*(const int32 *) a > *(const int32 *) b) - (*(const int32 *) a < *(const int32 *) b);
}

/*
 * path_report as jsonb: {"align": "left", "total": N, "distinct_paths": K,
 * "paths": [{"path": [...], "count": c}, ...]} with the most frequent path
 * first (ties in path order) and null for an elision.
 */
Datum
path_report_to_jsonb(PG_FUNCTION_ARGS)
{
	PathReport *r = path_report_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)));
	StringInfoData buf;
	int32	   *order = palloc(Max(r->npaths, 1) * sizeof(int32));
	int32		i,
				k;

	for (i = 0; i < r->npaths; i++)
		order[i] = i;
	qsort_arg(order, r->npaths, sizeof(int32), by_count_then_path, r);
	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"align\": \"%s\", \"total\": " INT64_FORMAT ", \"distinct_paths\": %d, \"paths\": [",
					 path_align_name(r->align), r->total, r->npaths);
	for (i = 0; i < r->npaths; i++)
	{
		const PathEntry *e = &r->paths[order[i]];
		const int32 *ids = PATH_ELEMS(r, e);

		if ((i & 0xFFF) == 0xFFF)
			CHECK_FOR_INTERRUPTS();
		appendStringInfoString(&buf, i > 0 ? ", {\"path\": [" : "{\"path\": [");
		for (k = 0; k < e->len; k++)
		{
			if (k > 0)
				appendStringInfoString(&buf, ", ");
			if (ids[k] < 0)
				appendStringInfoString(&buf, "null");
			else
				escape_json(&buf, r->dict->str[ids[k]]);
		}
		appendStringInfo(&buf, "], \"count\": " INT64_FORMAT "}", e->count);
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* ---- aggregates ---- */

/*
 * path_report_agg(path text[] [, align text]): count one path.  NULL and
 * empty paths are skipped; a NULL element is an elision.
 */
Datum
path_report_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "path_report_agg");
	PathReport *r = PG_ARGISNULL(0) ? NULL : (PathReport *) PG_GETARG_POINTER(0);
	int			align = PATH_ALIGN_LEFT;
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int32	   *ids;
	int			n,
				k;

	if (PG_NARGS() > 2)
	{
		text	   *t;

		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("path_report_agg align must not be NULL"),
					 errhint("Valid alignments are 'left' and 'right'.")));
		t = PG_GETARG_TEXT_PP(2);
		align = path_align_parse("path_report_agg", VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	if (r == NULL)
		r = path_report_create(aggcxt, agg_cache(fcinfo)->dict, align);
	else if (r->align != align)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("path_report_agg align must be the same for every row"),
				 errhint("Pass a constant.")));
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(r);
	arr = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("path_report_agg takes a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		PG_RETURN_POINTER(r);
	if (n > PATH_MAX_ELEMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("path has too many elements"),
				 errdetail("A path may have at most %d elements; this one has %d.",
						   PATH_MAX_ELEMENTS, n)));
	ids = palloc(n * sizeof(int32));
	for (k = 0; k < n; k++)
	{
		text	   *t;

		if (nulls[k])
		{
			ids[k] = PATH_ELISION;
			continue;
		}
		t = DatumGetTextPP(elems[k]);
		label_check(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), true);
		ids[k] = labeldict_intern(r->dict, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	(void) path_report_add(r, ids, n, 1);
	pfree(ids);
	pfree(elems);
	pfree(nulls);
	PG_RETURN_POINTER(r);
}

/* rollup(path_report): add a stored report */
Datum
path_report_rollup_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "rollup");
	PathReport *r = PG_ARGISNULL(0) ? NULL : (PathReport *) PG_GETARG_POINTER(0);
	PathReport *src;

	if (PG_ARGISNULL(1))
	{
		if (r == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(r);
	}
	src = path_report_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1)));
	if (r == NULL)
		r = path_report_create(aggcxt, agg_cache(fcinfo)->dict, src->align);
	path_report_merge(r, src);
	PG_RETURN_POINTER(r);
}

/* Merge two partial states; an adopted state is deep-copied into the aggregate context. */
Datum
path_report_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "path_report_combine");
	PathReport *s1 = PG_ARGISNULL(0) ? NULL : (PathReport *) PG_GETARG_POINTER(0);
	PathReport *s2 = PG_ARGISNULL(1) ? NULL : (PathReport *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
		s1 = path_report_create(aggcxt, agg_cache(fcinfo)->dict, s2->align);
	path_report_merge(s1, s2);
	PG_RETURN_POINTER(s1);
}

Datum
path_report_serialize(PG_FUNCTION_ARGS)
{
	PathReport *r = (PathReport *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	(void) agg_context(fcinfo, "path_report_serialize");
	pq_begintypsend(&buf);
	report_write(&buf, r, WIRE_INTERNAL, false);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
path_report_deserialize(PG_FUNCTION_ARGS)
{
	StringInfoData msg;

	(void) agg_context(fcinfo, "path_report_deserialize");
	cj_bytea_message(PG_GETARG_BYTEA_PP(0), &msg);
	PG_RETURN_POINTER(report_read(&msg, CurrentMemoryContext, agg_cache(fcinfo)->dict,
								  WIRE_INTERNAL, "path_report state"));
}

/* the report; NULL when no path was counted */
Datum
path_report_finalfn(PG_FUNCTION_ARGS)
{
	PathReport *r;

	(void) agg_context(fcinfo, "path_report_finalfn");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	r = (PathReport *) PG_GETARG_POINTER(0);
	if (r->npaths == 0)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(path_report_encode(r));
}
