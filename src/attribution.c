/*-------------------------------------------------------------------------
 *
 * attribution.c
 *		The attribution accumulator and its binary form.
 *
 * One Attr is both an aggregate's state and a decoded attribution value.
 * Channels are ids of a label dictionary (the query's, shared by all
 * groups); written out, a value carries its own labels, sorted by their
 * bytes, so equal values are equal byte for byte and nothing stored
 * depends on a dictionary id.
 *
 * Binary form (the stored varlena payload, send/recv, serialize; numbers
 * in network order):
 *	the spec (attr_spec_write, attribution_spec.c), int64 conversions, float8 revenue, int64 none_conversions,
 *	float8 none_revenue, int32 nlabels, labels (int32 length, bytes),
 *	then for a rule-based model float8 conversions, float8 revenue per
 *	label, or for a data-driven model int32 npaths and per path: int32 len,
 *	int32 label[len], int64 conversions, int64 nulls, float8 revenue,
 *	paths in lexicographic order of their labels.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "attribution.h"

#include "common/hashfn.h"
#include "common/int.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"

#include <math.h>

Attr *
attr_create(MemoryContext mcxt, LabelDict *dict)
{
	Attr	   *a = MemoryContextAllocZero(mcxt, sizeof(Attr));
	MemoryContext old = MemoryContextSwitchTo(mcxt);

	a->mcxt = mcxt;
	a->dict = dict;
	idmap_init(&a->chmap, 8);
	MemoryContextSwitchTo(old);
	a->bytes = sizeof(Attr);
	return a;
}

void
attr_set_spec(Attr *a, const AttrSpec *spec)
{
	if (!a->have_spec)
	{
		attr_spec_copy(a->mcxt, &a->spec, spec);
		a->have_spec = true;
	}
	else if (!attr_spec_equal(&a->spec, spec))
		attr_spec_mismatch(&a->spec, spec);
}

static void
account(Attr *a, Size more)
{
	a->bytes += more;
	if (a->bytes > CJ_MAX_JOURNEY_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("attribution state is too large"),
				 errdetail("An attribution state holds at most %d MB.",
						   (int) (CJ_MAX_JOURNEY_BYTES / (1024 * 1024))),
				 errhint("Roll up fewer rows at once, or group rare channels together.")));
}

static void
add_conversions(int64 *total, int64 n)
{
	if (pg_add_s64_overflow(*total, n, total))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("attribution conversion count is out of range")));
}

static void
add_revenue(double *total, double r)
{
	*total += r;
	if (!isfinite(*total))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("attribution revenue total is out of range")));
}

/* credit conv conversions and rev revenue to a channel (rule-based) */
void
attr_add_credit(Attr *a, int32 channel, double conv, double rev)
{
	MemoryContext old = MemoryContextSwitchTo(a->mcxt);
	int32		slot = idmap_add(&a->chmap, channel);

	if (slot >= a->ccap)
	{
		int32		cap = Max(8, a->ccap * 2);

		account(a, (Size) (cap - a->ccap) * 2 * sizeof(double));
		a->cconv = a->cconv ? repalloc(a->cconv, cap * sizeof(double)) : palloc(cap * sizeof(double));
		a->crev = a->crev ? repalloc(a->crev, cap * sizeof(double)) : palloc(cap * sizeof(double));
		memset(a->cconv + a->ccap, 0, (cap - a->ccap) * sizeof(double));
		memset(a->crev + a->ccap, 0, (cap - a->ccap) * sizeof(double));
		a->ccap = cap;
	}
	MemoryContextSwitchTo(old);
	a->cconv[slot] += conv;
	a->crev[slot] += rev;
	if (!isfinite(a->crev[slot]) || !isfinite(a->cconv[slot]))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("attribution credit is out of range")));
}

void
attr_add_none(Attr *a, int64 conv, double revenue)
{
	add_conversions(&a->none_conv, conv);
	add_revenue(&a->none_rev, revenue);
}

static void
grow_slots(Attr *a)
{
	uint32		n = a->nslots ? a->nslots * 2 : 64;
	int32	   *slots = MemoryContextAlloc(a->mcxt, n * sizeof(int32));
	int32		i;

	account(a, (Size) (n - a->nslots) * sizeof(int32));
	memset(slots, 0xff, n * sizeof(int32));
	for (i = 0; i < a->npaths; i++)
	{
		uint32		h = a->paths[i]->hash & (n - 1);

		while (slots[h] >= 0)
			h = (h + 1) & (n - 1);
		slots[h] = i;
	}
	if (a->slots)
		pfree(a->slots);
	a->slots = slots;
	a->nslots = n;
	if (a->paths == NULL)
		a->paths = MemoryContextAlloc(a->mcxt, n / 2 * sizeof(AttrPath *));
	else
		a->paths = repalloc_huge(a->paths, (Size) n / 2 * sizeof(AttrPath *));
	account(a, (Size) (n / 4) * sizeof(AttrPath *));
}

/* add counts to a path (data-driven), creating it when new */
void
attr_add_path(Attr *a, const int32 *ch, int32 len, int64 conv, int64 nulls, double revenue)
{
	uint32		h = hash_bytes((const unsigned char *) ch, len * sizeof(int32));
	uint32		i;
	AttrPath   *p;

	if ((uint32) (a->npaths + 1) * 2 > a->nslots)
		grow_slots(a);
	for (i = h & (a->nslots - 1); a->slots[i] >= 0; i = (i + 1) & (a->nslots - 1))
	{
		p = a->paths[a->slots[i]];
		if (p->hash == h && p->len == len && memcmp(p->ch, ch, len * sizeof(int32)) == 0)
			break;
	}
	if (a->slots[i] < 0)
	{
		account(a, offsetof(AttrPath, ch) + len * sizeof(int32));
		p = MemoryContextAllocZero(a->mcxt, offsetof(AttrPath, ch) + len * sizeof(int32));
		p->hash = h;
		p->len = len;
		memcpy(p->ch, ch, len * sizeof(int32));
		a->slots[i] = a->npaths;
		a->paths[a->npaths++] = p;
	}
	else
		p = a->paths[a->slots[i]];
	add_conversions(&p->conv, conv);
	add_conversions(&p->nulls, nulls);
	add_revenue(&p->revenue, revenue);
}

/* the path with these channels, or NULL */
AttrPath *
attr_find_path(const Attr *a, const int32 *ch, int32 len)
{
	uint32		h = hash_bytes((const unsigned char *) ch, len * sizeof(int32));
	uint32		i;

	if (a->nslots == 0)
		return NULL;
	for (i = h & (a->nslots - 1); a->slots[i] >= 0; i = (i + 1) & (a->nslots - 1))
	{
		AttrPath   *p = a->paths[a->slots[i]];

		if (p->hash == h && p->len == len && memcmp(p->ch, ch, len * sizeof(int32)) == 0)
			return p;
	}
	return NULL;
}

/* dst += src */
void
attr_merge(Attr *dst, const Attr *src)
{
	int32		i;

	if (!src->have_spec)
		return;
	attr_set_spec(dst, &src->spec);
	add_conversions(&dst->conversions, src->conversions);
	add_revenue(&dst->revenue, src->revenue);
	attr_add_none(dst, src->none_conv, src->none_rev);
	for (i = 0; i < src->chmap.n; i++)
		attr_add_credit(dst, labeldict_translate(dst->dict, src->dict, src->chmap.ids[i]),
						src->cconv[i], src->crev[i]);
	for (i = 0; i < src->npaths; i++)
	{
		const AttrPath *p = src->paths[i];
		int32	   *ch = (int32 *) p->ch;
		int32		j;

		CHECK_FOR_INTERRUPTS();
		if (dst->dict != src->dict)
		{
			ch = palloc(p->len * sizeof(int32));
			for (j = 0; j < p->len; j++)
				ch[j] = labeldict_translate(dst->dict, src->dict, p->ch[j]);
		}
		attr_add_path(dst, ch, p->len, p->conv, p->nulls, p->revenue);
		if (ch != p->ch)
			pfree(ch);
	}
}

/* ---- binary form ---- */

static int
local_path_cmp(const void *x, const void *y)
{
	const int32 *p = *(int32 *const *) x;
	const int32 *q = *(int32 *const *) y;
	int32		i;

	CJ_SORT_TICK();
	/* p[0], q[0] are lengths */
	for (i = 1; i <= p[0] && i <= q[0]; i++)
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
	return (p[0] > q[0]) - (p[0] < q[0]);
}

void
attr_write(StringInfo buf, const Attr *a, int flavour)
{
	IdMap		used;
	int32	   *sorted;
	int32	   *local;			/* local index of a used-map slot */
	int32		i,
				j;
	bool		data = ATTR_DATA_DRIVEN(a->spec.kind);

	Assert(a->have_spec);
	attr_spec_write(buf, &a->spec, flavour);
	pq_sendint64(buf, a->conversions);
	pq_sendfloat8(buf, a->revenue);
	pq_sendint64(buf, a->none_conv);
	pq_sendfloat8(buf, a->none_rev);

	/* the labels in use, sorted; local[] numbers them in that order */
	idmap_init(&used, 16);
	if (!data)
		for (i = 0; i < a->chmap.n; i++)
			(void) idmap_add(&used, a->chmap.ids[i]);
	for (i = 0; i < a->npaths; i++)
		for (j = 0; j < a->paths[i]->len; j++)
			(void) idmap_add(&used, a->paths[i]->ch[j]);
	sorted = palloc(Max(used.n, 1) * sizeof(int32));
	memcpy(sorted, used.ids, used.n * sizeof(int32));
	qsort_arg(sorted, used.n, sizeof(int32), label_id_qsort_cmp, a->dict);
	local = palloc(Max(used.n, 1) * sizeof(int32));
	for (i = 0; i < used.n; i++)
		local[idmap_add(&used, sorted[i])] = i;

	pq_sendint32(buf, used.n);
	for (i = 0; i < used.n; i++)
		wire_put_text(buf, a->dict->str[sorted[i]], a->dict->len[sorted[i]], flavour);
	if (!data)
	{
		for (i = 0; i < used.n; i++)
		{
			/* the chmap slot of the i-th label */
			int32		slot = idmap_add((IdMap *) &a->chmap, sorted[i]);

			pq_sendfloat8(buf, a->cconv[slot]);
			pq_sendfloat8(buf, a->crev[slot]);
		}
	}
	else
	{
		int32	  **order = palloc(Max(a->npaths, 1) * sizeof(int32 *));

		for (i = 0; i < a->npaths; i++)
		{
			const AttrPath *p = a->paths[i];
			int32	   *lp = palloc((p->len + 2) * sizeof(int32));

			CHECK_FOR_INTERRUPTS();
			lp[0] = p->len;
			for (j = 0; j < p->len; j++)
				lp[j + 1] = local[idmap_add(&used, p->ch[j])];
			lp[p->len + 1] = i;
			order[i] = lp;
		}
		qsort(order, a->npaths, sizeof(int32 *), local_path_cmp);
		pq_sendint32(buf, a->npaths);
		for (i = 0; i < a->npaths; i++)
		{
			int32	   *lp = order[i];
			const AttrPath *p = a->paths[lp[lp[0] + 1]];

			pq_sendint32(buf, p->len);
			for (j = 1; j <= p->len; j++)
				pq_sendint32(buf, lp[j]);
			pq_sendint64(buf, p->conv);
			pq_sendint64(buf, p->nulls);
			pq_sendfloat8(buf, p->revenue);
			pfree(lp);
		}
		pfree(order);
	}
	pfree(sorted);
	pfree(local);
	idmap_free(&used);
}

static int64
read_count(WireReader *w)
{
	int64		n = wire_int64(w);

	if (n < 0)
		wire_error(w, "A count is negative.");
	return n;
}

/*
 * Read a value written by attr_write into a new Attr in mcxt, interning
 * its labels into dict.  Everything is checked; the caller checks that
 * the message has no trailing bytes.
 */
Attr *
attr_read(WireReader *w, MemoryContext mcxt, LabelDict *dict, int flavour)
{
	Attr	   *a = attr_create(mcxt, dict);
	AttrSpec	spec;
	int32		nlabels,
				i,
				j;
	int32	   *ids;
	bool	   *used;
	int64		conv_sum = 0;
	int32	   *prev = NULL;
	int32		prev_len = 0;

	attr_spec_read(w, flavour, &spec);
	attr_set_spec(a, &spec);

	a->conversions = read_count(w);
	a->revenue = wire_float8(w);
	a->none_conv = read_count(w);
	a->none_rev = wire_float8(w);
	if (a->none_conv > a->conversions)
		wire_error(w, "More conversions without a touch than conversions.");

	nlabels = wire_int32(w);
	if (nlabels < 0)
		wire_error(w, "The label count is negative.");
	if (nlabels > CJ_MAX_LABELS)
		wire_limit(w, psprintf("An attribution holds at most %d distinct channels; this one has %d.",
								CJ_MAX_LABELS, nlabels));
	wire_need(w, (int64) nlabels * 4);
	ids = palloc(Max(nlabels, 1) * sizeof(int32));
	used = palloc0(Max(nlabels, 1) * sizeof(bool));
	for (i = 0; i < nlabels; i++)
	{
		int			len;
		char	   *s = wire_text(w, flavour, &len);

		label_check(s, len, true);
		ids[i] = labeldict_intern(dict, s, len);
		if (i > 0 && label_cmp(dict, ids[i - 1], dict, ids[i]) >= 0)
			wire_error(w, "Labels are not in canonical order.");
	}
	if (!ATTR_DATA_DRIVEN(spec.kind))
	{
		wire_need(w, (int64) nlabels * 16);
		for (i = 0; i < nlabels; i++)
		{
			double		c = wire_float8(w);
			double		r = wire_float8(w);

			attr_add_credit(a, ids[i], c, r);
		}
		return a;
	}

	{
		int32		npaths = wire_int32(w);

		if (npaths < 0)
			wire_error(w, "The path count is negative.");
		wire_need(w, (int64) npaths * 28);
		for (i = 0; i < npaths; i++)
		{
			int32		len = wire_int32(w);
			int32	   *ch;
			int64		c,
						nulls;
			double		r;
			int			cmp = 0;

			CHECK_FOR_INTERRUPTS();
			if (len < 1 || len > CJ_MAX_TOUCHES)
				wire_error(w, "A path length is out of range.");
			wire_need(w, (int64) len * 4 + 24);
			ch = palloc(len * sizeof(int32));
			for (j = 0; j < len; j++)
			{
				int32		k = wire_int32(w);

				if (k < 0 || k >= nlabels)
					wire_error(w, "A path refers to a label that does not exist.");
				used[k] = true;
				ch[j] = k;
				if (cmp == 0 && prev != NULL && j < prev_len)
					cmp = (k > prev[j]) - (k < prev[j]);
			}
			if (prev != NULL && (cmp < 0 || (cmp == 0 && len <= prev_len)))
				wire_error(w, "Paths are not in canonical order.");
			c = read_count(w);
			nulls = read_count(w);
			r = wire_float8(w);
			if (c == 0 && nulls == 0)
				wire_error(w, "A path has no journeys.");
			if (pg_add_s64_overflow(conv_sum, c, &conv_sum))
				wire_error(w, "The conversion counts overflow.");
			if (prev)
				pfree(prev);
			prev = palloc(len * sizeof(int32));
			memcpy(prev, ch, len * sizeof(int32));
			prev_len = len;
			for (j = 0; j < len; j++)
				ch[j] = ids[ch[j]];
			attr_add_path(a, ch, len, c, nulls, r);
			pfree(ch);
		}
		for (i = 0; i < nlabels; i++)
			if (!used[i])
				wire_error(w, "A label is not used by any path.");
		if (pg_add_s64_overflow(conv_sum, a->none_conv, &conv_sum) || conv_sum != a->conversions)
			wire_error(w, "The path conversions do not add up to the total.");
	}
	return a;
}

/* the stored form: a varlena around the internal-flavour binary form */
bytea *
attr_encode(const Attr *a)
{
	StringInfoData buf;
	bytea	   *result;

	initStringInfo(&buf);
	appendStringInfoSpaces(&buf, VARHDRSZ);
	attr_write(&buf, a, WIRE_INTERNAL);
	if ((Size) buf.len > CJ_MAX_JOURNEY_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("attribution value is too large"),
				 errdetail("An attribution value holds at most %d MB.",
						   (int) (CJ_MAX_JOURNEY_BYTES / (1024 * 1024)))));
	result = (bytea *) buf.data;
	SET_VARSIZE(result, buf.len);
	return result;
}

Attr *
attr_decode(const struct varlena *v, MemoryContext mcxt, LabelDict *dict)
{
	StringInfoData msg;
	WireReader	w;
	Attr	   *a;

	cj_bytea_message((bytea *) v, &msg);
	wire_reader_init(&w, &msg, "attribution");
	a = attr_read(&w, mcxt, dict, WIRE_INTERNAL);
	/* a stored value: trailing bytes mean corruption, not bad input */
	if (wire_remaining(&w) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid attribution value"),
				 errdetail("The value has trailing bytes.")));
	return a;
}
