/*-------------------------------------------------------------------------
 *
 * response_variants.c
 *		A/B/n tests: response_variants (per-variant counts), its aggregate,
 *		the per-variant comparison with a control and the overall
 *		chi-square test.
 *
 * A response_variants value is a varlena: header, version byte, three
 * reserved zero bytes, the number of variants, four reserved zero bytes,
 * then per variant (in bytewise label order) rows, responders, label
 * offset and length, then the label bytes.  As with response_state the
 * transition and combine functions update their first argument in place;
 * a new label makes a new, larger value (rare: once per variant).
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "labels.h"
#include "response.h"
#include "stats.h"
#include "wire.h"

#include <math.h>

#include "access/htup_details.h"
#include "common/int.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(response_variants_in);
PG_FUNCTION_INFO_V1(response_variants_out);
PG_FUNCTION_INFO_V1(response_variants_recv);
PG_FUNCTION_INFO_V1(response_variants_send);
PG_FUNCTION_INFO_V1(response_variants_transfn);
PG_FUNCTION_INFO_V1(response_variants_combine);
PG_FUNCTION_INFO_V1(response_ab_test);
PG_FUNCTION_INFO_V1(response_ab_chi2);
PG_FUNCTION_INFO_V1(response_variant_state);
PG_FUNCTION_INFO_V1(response_variants_to_jsonb);

#define RV_TYPE "response_variants"
#define RV_VERSION 1

/* Variants in one value. */
#define CJ_MAX_VARIANTS 1000

typedef struct VariantEntry
{
	int64		n;
	int64		responders;
	uint32		off;			/* into the label area */
	uint32		len;
} VariantEntry;

typedef struct ResponseVariants
{
	int32		vl_len_;
	uint8		version;
	uint8		reserved[3];
	int32		count;
	int32		reserved2;
	VariantEntry e[FLEXIBLE_ARRAY_MEMBER];
} ResponseVariants;

#define RV_LABELS(rv)	((char *) &(rv)->e[(rv)->count])
#define RV_LABEL(rv, i) (RV_LABELS(rv) + (rv)->e[i].off)
#define PG_GETARG_RV(n) rv_checked(PG_DETOAST_DATUM(PG_GETARG_DATUM(n)))

/* One variant while building a value. */
typedef struct VariantItem
{
	const char *label;
	int			len;
	int64		n;
	int64		responders;
} VariantItem;

static int
label_order(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

static void
rv_check_label_len(int len)
{
	if (len > CJ_MAX_LABEL_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("variant label is too long"),
				 errdetail("A variant label may be at most %d bytes; this one has %d.",
						   CJ_MAX_LABEL_BYTES, len)));
}

static void
rv_check_count(int count)
{
	if (count > CJ_MAX_VARIANTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many variants"),
				 errdetail("A response_variants value holds at most %d variants.",
						   CJ_MAX_VARIANTS)));
}

pg_attribute_noreturn()
static void
rv_corrupt(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("corrupt %s value", RV_TYPE),
			 errdetail_internal("%s", detail)));
}

/*
 * A stored value, checked as rv_build lays it out before anything reads
 * it: its fixed part, every entry and every label within its size, the
 * counts as rv_from_items allows them, labels in strict order (rv_find
 * searches them by halves).  A damaged value is an error, never a read
 * outside it.  O(count), with count at most CJ_MAX_VARIANTS.
 */
static ResponseVariants *
rv_checked(struct varlena *datum)
{
	ResponseVariants *rv = (ResponseVariants *) datum;
	Size		size = VARSIZE(datum);
	Size		labels;
	int			i;

	if (size < offsetof(ResponseVariants, e))
		rv_corrupt("value too short");
	if (rv->version != RV_VERSION)
		rv_corrupt("unknown format version");
	if (rv->count < 0 || rv->count > CJ_MAX_VARIANTS ||
		(size - offsetof(ResponseVariants, e)) / sizeof(VariantEntry) < (Size) rv->count)
		rv_corrupt("variant count out of range");
	labels = size - offsetof(ResponseVariants, e) - rv->count * sizeof(VariantEntry);
	for (i = 0; i < rv->count; i++)
	{
		const VariantEntry *e = &rv->e[i];

		if (e->len > CJ_MAX_LABEL_BYTES || e->off > labels || e->len > labels - e->off)
			rv_corrupt("label out of range");
		if (e->n < 1 || e->responders < 0 || e->responders > e->n)
			rv_corrupt("counts out of range");
		if (i > 0 && label_order(RV_LABEL(rv, i - 1), rv->e[i - 1].len,
								 RV_LABEL(rv, i), e->len) >= 0)
			rv_corrupt("variants out of order");
	}
	return rv;
}

/* A value from items sorted by label (duplicates are the caller's concern). */
static ResponseVariants *
rv_build(const VariantItem *items, int count)
{
	Size		labels = 0,
				size;
	ResponseVariants *rv;
	uint32		off = 0;
	int			i;

	rv_check_count(count);
	for (i = 0; i < count; i++)
		labels += items[i].len;
	size = offsetof(ResponseVariants, e) + count * sizeof(VariantEntry) + labels;
	rv = palloc0(size);
	SET_VARSIZE(rv, size);
	rv->version = RV_VERSION;
	rv->count = count;
	for (i = 0; i < count; i++)
	{
		rv->e[i].n = items[i].n;
		rv->e[i].responders = items[i].responders;
		rv->e[i].off = off;
		rv->e[i].len = items[i].len;
		off += items[i].len;
	}
	for (i = 0; i < count; i++)
		memcpy(RV_LABEL(rv, i), items[i].label, items[i].len);
	return rv;
}

static void
rv_invalid(bool from_text, const char *detail)
{
	if (from_text)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", RV_TYPE),
				 errdetail_internal("%s", detail)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary representation of type %s", RV_TYPE),
			 errdetail_internal("%s", detail)));
}

/* Check items (from text or binary input) and build the value. */
static ResponseVariants *
rv_from_items(VariantItem *items, int count, bool from_text)
{
	int			i;

	rv_check_count(count);
	for (i = 0; i < count; i++)
	{
		rv_check_label_len(items[i].len);
		if (items[i].n < 1 || items[i].responders < 0 || items[i].responders > items[i].n)
			rv_invalid(from_text, psprintf("Variant %d needs at least one row and between 0 and its rows responders.", i + 1));
		if (i > 0)
		{
			int			c = label_order(items[i - 1].label, items[i - 1].len,
										items[i].label, items[i].len);

			if (c == 0)
				rv_invalid(from_text, psprintf("Variant \"%s\" appears twice.", pnstrdup(items[i].label, items[i].len)));
			if (c > 0 && !from_text)
				rv_invalid(false, "Variants are not in label order.");
		}
	}
	return rv_build(items, count);
}

static int
item_cmp(const void *a, const void *b)
{
	const VariantItem *x = a,
			   *y = b;

	return label_order(x->label, x->len, y->label, y->len);
}

/* --- text I/O ------------------------------------------------------- */

static void
rv_syntax(const char *input, const char *p, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", RV_TYPE, input),
			 errdetail("Expected %s at character %d.", what, (int) (p - input) + 1)));
}

static const char *
rv_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int64
rv_int64(const char *input, const char **pp)
{
	const char *p = *pp;
	int64		v = 0;

	if (*p < '0' || *p > '9')
		rv_syntax(input, p, "a count (digits)");
	while (*p >= '0' && *p <= '9')
	{
		if (pg_mul_s64_overflow(v, 10, &v) || pg_add_s64_overflow(v, *p - '0', &v))
			rv_syntax(input, p, "a count below 2^63");
		p++;
	}
	*pp = p;
	return v;
}

/*
 * Text form: {"label": rows/responders, ...}; labels in double quotes with
 * backslash escaping " and \.  Output lists variants in bytewise label
 * order; input may list them in any order.
 */
Datum
response_variants_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	const char *p = rv_ws(input);
	VariantItem *items;
	int			count = 0,
				cap = 8;
	ResponseVariants *rv;

	items = palloc(cap * sizeof(VariantItem));
	if (*p != '{')
		rv_syntax(input, p, "\"{\"");
	p = rv_ws(p + 1);
	if (*p != '}')
	{
		for (;;)
		{
			StringInfoData lab;

			if (*p != '"')
				rv_syntax(input, p, "a double-quoted variant label");
			p++;
			initStringInfo(&lab);
			while (*p != '"')
			{
				if (*p == '\0')
					rv_syntax(input, p, "a closing double quote");
				if (*p == '\\')
				{
					p++;
					if (*p == '\0')
						rv_syntax(input, p, "a character after the backslash");
				}
				appendStringInfoChar(&lab, *p++);
			}
			p = rv_ws(p + 1);
			if (*p != ':')
				rv_syntax(input, p, "\":\"");
			p = rv_ws(p + 1);
			if (count == cap)
			{
				cap *= 2;
				items = repalloc(items, cap * sizeof(VariantItem));
			}
			rv_check_label_len(lab.len);
			rv_check_count(count + 1);
			items[count].label = lab.data;
			items[count].len = lab.len;
			items[count].n = rv_int64(input, &p);
			p = rv_ws(p);
			if (*p != '/')
				rv_syntax(input, p, "\"/\"");
			p = rv_ws(p + 1);
			items[count].responders = rv_int64(input, &p);
			count++;
			p = rv_ws(p);
			if (*p == ',')
			{
				p = rv_ws(p + 1);
				continue;
			}
			break;
		}
		if (*p != '}')
			rv_syntax(input, p, "\",\" or \"}\"");
	}
	p = rv_ws(p + 1);
	if (*p != '\0')
		rv_syntax(input, p, "end of input");
	qsort(items, count, sizeof(VariantItem), item_cmp);
	rv = rv_from_items(items, count, true);
	PG_RETURN_POINTER(rv);
}

Datum
response_variants_out(PG_FUNCTION_ARGS)
{
	ResponseVariants *rv = PG_GETARG_RV(0);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < rv->count; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		label_append_quoted(&buf, RV_LABEL(rv, i), rv->e[i].len);
		appendStringInfo(&buf, ": " INT64_FORMAT "/" INT64_FORMAT,
						 rv->e[i].n, rv->e[i].responders);
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

/* --- binary I/O: version byte, int32 count, per variant int32 length,
 * label bytes (client encoding), int64 rows, int64 responders --------- */

Datum
response_variants_recv(PG_FUNCTION_ARGS)
{
	WireReader	w;
	VariantItem *items;
	int32		count,
				i;

	wire_reader_init(&w, (StringInfo) PG_GETARG_POINTER(0), RV_TYPE);
	wire_version(&w, RV_VERSION);
	count = wire_int32(&w);
	if (count < 0)
		wire_error(&w, "The number of variants is negative.");
	rv_check_count(count);
	items = palloc(Max(count, 1) * sizeof(VariantItem));
	for (i = 0; i < count; i++)
	{
		items[i].label = wire_text(&w, WIRE_CLIENT, &items[i].len);
		items[i].n = wire_int64(&w);
		items[i].responders = wire_int64(&w);
	}
	wire_end(&w);
	PG_RETURN_POINTER(rv_from_items(items, count, false));
}

Datum
response_variants_send(PG_FUNCTION_ARGS)
{
	ResponseVariants *rv = PG_GETARG_RV(0);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, RV_VERSION);
	pq_sendint32(&buf, rv->count);
	for (i = 0; i < rv->count; i++)
	{
		wire_put_text(&buf, RV_LABEL(rv, i), rv->e[i].len, WIRE_CLIENT);
		pq_sendint64(&buf, rv->e[i].n);
		pq_sendint64(&buf, rv->e[i].responders);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* --- aggregate ------------------------------------------------------ */

static void
rv_require_agg(FunctionCallInfo fcinfo, const char *fn)
{
	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", fn)));
}

/* Index of a label, or -(insertion point) - 1. */
static int
rv_find(const ResponseVariants *rv, const char *s, int len)
{
	int			lo = 0,
				hi = rv->count - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = label_order(RV_LABEL(rv, mid), rv->e[mid].len, s, len);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -lo - 1;
}

static void
rv_items_of(const ResponseVariants *rv, VariantItem *items)
{
	int			i;

	for (i = 0; i < rv->count; i++)
	{
		items[i].label = RV_LABEL(rv, i);
		items[i].len = rv->e[i].len;
		items[i].n = rv->e[i].n;
		items[i].responders = rv->e[i].responders;
	}
}

/* response_variants_agg(variant, responded) */
Datum
response_variants_transfn(PG_FUNCTION_ARGS)
{
	ResponseVariants *rv;
	text	   *label;
	const char *s;
	int			len,
				i;

	rv_require_agg(fcinfo, "response_variants_transfn");
	rv = PG_ARGISNULL(0) ? NULL : (ResponseVariants *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (rv == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(rv);
	}
	label = PG_GETARG_TEXT_PP(1);
	s = VARDATA_ANY(label);
	len = VARSIZE_ANY_EXHDR(label);
	i = rv ? rv_find(rv, s, len) : -1;
	if (i >= 0)
	{
		rv->e[i].n++;
		rv->e[i].responders += PG_GETARG_BOOL(2) ? 1 : 0;
		PG_RETURN_POINTER(rv);
	}
	else
	{
		/* a new variant: a new value with it inserted in order */
		int			count = rv ? rv->count : 0;
		int			at = -i - 1;
		VariantItem *items = palloc((count + 1) * sizeof(VariantItem));

		rv_check_label_len(len);
		if (rv)
			rv_items_of(rv, items);
		memmove(&items[at + 1], &items[at], (count - at) * sizeof(VariantItem));
		items[at].label = s;
		items[at].len = len;
		items[at].n = 1;
		items[at].responders = PG_GETARG_BOOL(2) ? 1 : 0;
		PG_RETURN_POINTER(rv_build(items, count + 1));
	}
}

static void
rv_add(int64 *a, int64 b)
{
	if (pg_add_s64_overflow(*a, b, a))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("response counts out of range"),
				 errdetail("A combined count would exceed 2^63 - 1.")));
}

/*
 * Combine function of response_variants_agg and transition function of
 * rollup(response_variants): adds value 2 into value 1.
 */
Datum
response_variants_combine(PG_FUNCTION_ARGS)
{
	ResponseVariants *a,
			   *b;
	VariantItem *items;
	int			i,
				j,
				k;
	bool		subset = true;

	rv_require_agg(fcinfo, "response_variants_combine");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = PG_GETARG_RV(1);
	if (PG_ARGISNULL(0))
	{
		a = palloc(VARSIZE(b));
		memcpy(a, b, VARSIZE(b));
		PG_RETURN_POINTER(a);
	}
	a = (ResponseVariants *) PG_GETARG_POINTER(0);
	for (j = 0; j < b->count && subset; j++)
		subset = rv_find(a, RV_LABEL(b, j), b->e[j].len) >= 0;
	if (subset)
	{
		for (j = 0; j < b->count; j++)
		{
			i = rv_find(a, RV_LABEL(b, j), b->e[j].len);
			rv_add(&a->e[i].n, b->e[j].n);
			rv_add(&a->e[i].responders, b->e[j].responders);
		}
		PG_RETURN_POINTER(a);
	}
	/* merge two sorted lists */
	items = palloc((a->count + b->count) * sizeof(VariantItem));
	i = j = k = 0;
	while (i < a->count || j < b->count)
	{
		int			c;

		if (i == a->count)
			c = 1;
		else if (j == b->count)
			c = -1;
		else
			c = label_order(RV_LABEL(a, i), a->e[i].len, RV_LABEL(b, j), b->e[j].len);
		if (c <= 0)
		{
			items[k].label = RV_LABEL(a, i);
			items[k].len = a->e[i].len;
			items[k].n = a->e[i].n;
			items[k].responders = a->e[i].responders;
			if (c == 0)
			{
				rv_add(&items[k].n, b->e[j].n);
				rv_add(&items[k].responders, b->e[j].responders);
				j++;
			}
			i++;
		}
		else
		{
			items[k].label = RV_LABEL(b, j);
			items[k].len = b->e[j].len;
			items[k].n = b->e[j].n;
			items[k].responders = b->e[j].responders;
			j++;
		}
		k++;
	}
	PG_RETURN_POINTER(rv_build(items, k));
}

/* --- analyses ------------------------------------------------------- */

/* A response_state with one variant as treated and another as control. */
static ResponseState *
rv_pair_state(const ResponseVariants *rv, int v, int c)
{
	ResponseState *st = response_state_new();

	if (v >= 0)
	{
		st->treated.n = rv->e[v].n;
		st->treated.responders = rv->e[v].responders;
	}
	if (c >= 0)
	{
		st->control.n = rv->e[c].n;
		st->control.responders = rv->e[c].responders;
	}
	return st;
}

/* variants listed in an error detail at most */
#define RV_LIST_IN_ERROR	20

/*
 * The index of a variant named by an argument ("what" says which); a label
 * that is not among the variants is an error listing the ones there are,
 * since a comparison with a missing variant would be silently empty.
 */
static int
rv_find_arg(const ResponseVariants *rv, text *label, const char *what)
{
	int			i = rv_find(rv, VARDATA_ANY(label), VARSIZE_ANY_EXHDR(label));
	StringInfoData seen;

	if (i >= 0)
		return i;
	initStringInfo(&seen);
	for (i = 0; i < rv->count && i < RV_LIST_IN_ERROR; i++)
	{
		if (i > 0)
			appendStringInfoString(&seen, ", ");
		appendStringInfoChar(&seen, '"');
		appendBinaryStringInfo(&seen, RV_LABEL(rv, i), rv->e[i].len);
		appendStringInfoChar(&seen, '"');
	}
	if (rv->count > RV_LIST_IN_ERROR)
		appendStringInfo(&seen, " and %d more", rv->count - RV_LIST_IN_ERROR);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s variant \"%s\" is not among the variants", what, text_to_cstring(label)),
			 rv->count > 0 ? errdetail("The variants are %s.", seen.data)
			 : errdetail("The value has no variant."),
			 errhint("Labels are compared exactly, case included.")));
	return -1;					/* keep the compiler quiet */
}

/* response_variant_state(variants, variant, control) */
Datum
response_variant_state(PG_FUNCTION_ARGS)
{
	ResponseVariants *rv = PG_GETARG_RV(0);

	PG_RETURN_POINTER(rv_pair_state(rv, rv_find_arg(rv, PG_GETARG_TEXT_PP(1), "treated"),
									rv_find_arg(rv, PG_GETARG_TEXT_PP(2), "control")));
}

/* One output row of response_ab_test. */
typedef struct AbRow
{
	int			idx;			/* variant index */
	bool		compared;		/* not the control, and a control exists */
	BinaryStats s;
	double		p_adj;
} AbRow;

typedef struct AbResult
{
	ResponseVariants *rv;
	AbRow	   *rows;
} AbResult;

static int
abrow_p_cmp(const void *a, const void *b)
{
	const AbRow *x = *(AbRow *const *) a,
			   *y = *(AbRow *const *) b;

	if (x->s.p < y->s.p)
		return -1;
	if (x->s.p > y->s.p)
		return 1;
	return x->idx - y->idx;
}

/* Holm's step-down adjustment of the p-values of rows[0..m-1]. */
static void
holm_adjust(AbRow **sorted, int m)
{
	double		running = 0.0;
	int			i;

	qsort(sorted, m, sizeof(AbRow *), abrow_p_cmp);
	for (i = 0; i < m; i++)
	{
		double		adj = Min(1.0, (double) (m - i) * sorted[i]->s.p);

		running = Max(running, adj);
		sorted[i]->p_adj = running;
	}
}

/*
 * response_ab_test(variants, control, correction, level): one row per
 * variant, the control first, then the others in label order, each
 * compared with the control as segment_response does.  correction 'holm'
 * adjusts the p-values of the non-control variants (Holm's step-down);
 * 'none' repeats them.
 */
Datum
response_ab_test(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	AbResult   *res;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		ResponseVariants *rv;
		text	   *ctl;
		char	   *corr;
		double		level;
		int			c,
					i,
					k,
					m;
		TupleDesc	tupdesc;
		AbRow	  **sorted;
		bool		holm;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		rv = PG_GETARG_RV(0);
		ctl = PG_GETARG_TEXT_PP(1);
		corr = text_to_cstring(PG_GETARG_TEXT_PP(2));
		level = PG_GETARG_FLOAT8(3);
		response_check_unit(level, "level");
		if (strcmp(corr, "none") == 0)
			holm = false;
		else if (strcmp(corr, "holm") == 0)
			holm = true;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown p-value correction \"%s\"", corr),
					 errhint("Use 'none' or 'holm'.")));
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		funcctx->tuple_desc = BlessTupleDesc(tupdesc);

		c = rv_find_arg(rv, ctl, "control");
		res = palloc(sizeof(AbResult));
		res->rv = rv;
		res->rows = palloc0(Max(rv->count, 1) * sizeof(AbRow));
		sorted = palloc(Max(rv->count, 1) * sizeof(AbRow *));
		k = 0;
		if (c >= 0)
			res->rows[k++].idx = c;
		for (i = 0; i < rv->count; i++)
			if (i != c)
				res->rows[k++].idx = i;
		m = 0;
		for (i = 0; i < k; i++)
		{
			AbRow	   *r = &res->rows[i];

			response_binary_stats(rv_pair_state(rv, r->idx, r->idx == c ? -1 : c),
								  level, &r->s);
			r->compared = r->s.has_cmp;
			if (r->s.has_z)
			{
				r->p_adj = r->s.p;
				sorted[m++] = r;
			}
		}
		if (holm && m > 0)
			holm_adjust(sorted, m);
		funcctx->user_fctx = res;
		funcctx->max_calls = k;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	res = (AbResult *) funcctx->user_fctx;
	if (funcctx->call_cntr < funcctx->max_calls)
	{
		ResponseVariants *rv = res->rv;
		AbRow	   *r = &res->rows[funcctx->call_cntr];
		Datum		v[11];
		bool		nul[11];

		memset(nul, 0, sizeof(nul));
		v[0] = PointerGetDatum(cstring_to_text_with_len(RV_LABEL(rv, r->idx), rv->e[r->idx].len));
		v[1] = Int64GetDatum(rv->e[r->idx].n);
		v[2] = Int64GetDatum(rv->e[r->idx].responders);
		v[3] = Float8GetDatum(r->s.t_rate);
		v[4] = Float8GetDatum(r->s.diff);
		nul[4] = !r->s.has_cmp;
		v[5] = Float8GetDatum(r->s.lift);
		nul[5] = !r->s.has_lift;
		v[6] = Float8GetDatum(r->s.ci_low);
		nul[6] = !r->s.has_cmp;
		v[7] = Float8GetDatum(r->s.ci_high);
		nul[7] = !r->s.has_cmp;
		v[8] = Float8GetDatum(r->s.z);
		nul[8] = !r->s.has_z;
		v[9] = Float8GetDatum(r->s.p);
		nul[9] = !r->s.has_z;
		v[10] = Float8GetDatum(r->p_adj);
		nul[10] = !r->s.has_z;
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, v, nul)));
	}
	SRF_RETURN_DONE(funcctx);
}

/*
 * response_ab_chi2(variants): Pearson's chi-square test of independence of
 * variant and response (k x 2 table, no continuity correction).  Row i
 * contributes (x_i N - n_i X)^2 / (n_i X (N - X)), numerators exact.
 */
Datum
response_ab_chi2(PG_FUNCTION_ARGS)
{
	ResponseVariants *rv = PG_GETARG_RV(0);
	TupleDesc	tupdesc;
	Datum		v[3];
	bool		nul[3] = {true, true, true};
	int64		n = 0,
				x = 0;
	int			i;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	for (i = 0; i < rv->count; i++)
	{
		rv_add(&n, rv->e[i].n);
		rv_add(&x, rv->e[i].responders);
	}
	v[0] = v[1] = v[2] = (Datum) 0;
	if (rv->count >= 2 && x > 0 && x < n)
	{
		double		chi2 = 0.0;
		double		df = rv->count - 1;

		for (i = 0; i < rv->count; i++)
		{
			double		num = response_cross_diff(rv->e[i].responders, n, rv->e[i].n, x);

			chi2 += num * num / ((double) rv->e[i].n * (double) x * (double) (n - x));
		}
		v[0] = Float8GetDatum(chi2);
		v[1] = Int32GetDatum(rv->count - 1);
		v[2] = Float8GetDatum(cj_chi2_sf(chi2, df));
		nul[0] = nul[1] = nul[2] = false;
	}
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, v, nul));
}

/*
 * response_variants_to_jsonb(rv): {"variants": [{"variant", "n",
 * "responders", "rate"}, ...]} in the value's label order; rate is null
 * for a variant without rows.
 */
Datum
response_variants_to_jsonb(PG_FUNCTION_ARGS)
{
	ResponseVariants *rv = PG_GETARG_RV(0);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"variants\": [");
	for (i = 0; i < rv->count; i++)
	{
		appendStringInfoString(&buf, i > 0 ? ", {\"variant\": " : "{\"variant\": ");
		cj_json_label(&buf, RV_LABEL(rv, i), rv->e[i].len);
		appendStringInfo(&buf, ", \"n\": " INT64_FORMAT ", \"responders\": " INT64_FORMAT ", \"rate\": ",
						 rv->e[i].n, rv->e[i].responders);
		if (rv->e[i].n > 0)
			cj_json_double(&buf, (double) rv->e[i].responders / (double) rv->e[i].n);
		else
			appendStringInfoString(&buf, "null");
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_DATUM(cj_jsonb_of(&buf));
}
