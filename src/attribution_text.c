/*-------------------------------------------------------------------------
 *
 * attribution_text.c
 *		Text form of the attribution type.
 *
 *	attribution := spec '|' totals '|' { entry }
 *	spec    := model { key '=' value }		(as attribution_model() prints it)
 *	totals  := 'conversions=' int 'revenue=' num 'none=' int '/' num
 *	entry   := label '=' num '/' num			(rule-based: credit per channel)
 *	         | '[' label { ',' label } ']' '=' int '/' int '/' num
 *	                                            (data-driven: path, conversions,
 *	                                             journeys without one, revenue)
 *
 * Labels are double-quoted with backslash escapes; times in the spec are
 * microseconds; numbers print as the shortest text that reads back
 * exactly, so x::text::attribution = x.  Input accepts entries in any
 * order and rejects duplicates; output is canonical.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "attribution.h"

#include "common/int.h"
#include "common/shortest_dec.h"
#include "common/string.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include <math.h>

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
			 errmsg("invalid input syntax for type attribution: \"%.100s%s\"", in->input,
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
expect(TextIn *in, const char *s)
{
	skip_space(in);
	if (strncmp(in->p, s, strlen(s)) != 0)
		syntax(in, psprintf("Expected \"%s\".", s));
	in->p += strlen(s);
}

static bool
peek(TextIn *in, char c)
{
	skip_space(in);
	return *in->p == c;
}

/* a double-quoted label, unescaped and checked */
static char *
read_label(TextIn *in, int *lenp)
{
	StringInfoData s;

	skip_space(in);
	if (*in->p != '"')
		syntax(in, "Expected a double-quoted label.");
	initStringInfo(&s);
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
		appendStringInfoChar(&s, *in->p);
	}
	in->p++;
	label_check(s.data, s.len, true);
	*lenp = s.len;
	return s.data;
}

static int64
read_int(TextIn *in)
{
	char	   *end;
	int64		v;

	skip_space(in);
	if (!(*in->p >= '0' && *in->p <= '9'))
		syntax(in, "Expected a non-negative integer.");
	errno = 0;
	v = strtoi64(in->p, &end, 10);
	if (errno != 0)
		syntax(in, "An integer is out of range.");
	in->p = end;
	return v;
}

static double
read_num(TextIn *in)
{
	char	   *end;
	double		v;

	skip_space(in);
	if (!((*in->p >= '0' && *in->p <= '9') || *in->p == '-' || *in->p == '.'))
		syntax(in, "Expected a number.");
	errno = 0;
	v = strtod(in->p, &end);
	/* ERANGE with a finite result is an underflow to a subnormal: exact enough, and the output may print one */
	if (end == in->p || !isfinite(v) || (errno != 0 && errno != ERANGE))
		syntax(in, "A number is invalid or out of range.");
	in->p = end;
	return v;
}

static void
read_spec(TextIn *in, AttrSpec *spec)
{
	const char *w;
	int			kind,
				i;

	skip_space(in);
	for (w = in->p; (*in->p >= 'a' && *in->p <= 'z') || *in->p == '_'; in->p++)
		;
	kind = attr_kind_from_name(w, in->p - w);
	if (kind < 0)
		syntax(in, "Expected a model name.");
	memset(spec, 0, sizeof(*spec));
	spec->kind = (AttrKind) kind;
	while (!peek(in, '|'))
	{
		int			len;

		if (strncmp(in->p, "lookback=", 9) == 0)
		{
			in->p += 9;
			spec->lookback = read_int(in);
		}
		else if (strncmp(in->p, "half_life=", 10) == 0)
		{
			in->p += 10;
			spec->half_life = read_int(in);
		}
		else if (strncmp(in->p, "direct=", 7) == 0)
		{
			in->p += 7;
			spec->direct = read_label(in, &len);
		}
		else if (strncmp(in->p, "lead_stage=", 11) == 0)
		{
			in->p += 11;
			spec->lead_stage = read_label(in, &len);
		}
		else if (strncmp(in->p, "opportunity_stage=", 18) == 0)
		{
			in->p += 18;
			spec->opp_stage = read_label(in, &len);
		}
		else if (strncmp(in->p, "weights=", 8) == 0)
		{
			in->p += 8;
			for (i = 0; i < 4; i++)
			{
				spec->w[i] = read_num(in);
				if (*in->p != '/')
					break;
				in->p++;
			}
		}
		else
			syntax(in, "Expected a model option or \"|\".");
	}
	in->p++;
	attr_spec_check(spec);
}

Datum
attr_text_in(const char *str, LabelDict *dict, MemoryContext mcxt)
{
	TextIn		in = {str, str};
	AttrSpec	spec;
	Attr	   *a = attr_create(mcxt, dict);
	int64		conv_sum = 0,
				none_conv;
	double		none_rev;
	int32	   *ch = palloc(16 * sizeof(int32));
	int32		chcap = 16;

	read_spec(&in, &spec);
	attr_set_spec(a, &spec);
	expect(&in, "conversions=");
	a->conversions = read_int(&in);
	expect(&in, "revenue=");
	a->revenue = read_num(&in);
	expect(&in, "none=");
	none_conv = read_int(&in);
	expect(&in, "/");
	none_rev = read_num(&in);
	attr_add_none(a, none_conv, none_rev);
	if (none_conv > a->conversions)
		syntax(&in, "More conversions without a touch than conversions.");
	expect(&in, "|");

	while (!peek(&in, '\0'))
	{
		int			len;
		char	   *s;

		if (!ATTR_DATA_DRIVEN(spec.kind))
		{
			double		c,
						r;
			int32		before = a->chmap.n;

			s = read_label(&in, &len);
			expect(&in, "=");
			c = read_num(&in);
			expect(&in, "/");
			r = read_num(&in);
			attr_add_credit(a, labeldict_intern(dict, s, len), c, r);
			if (a->chmap.n == before)
				syntax(&in, "A channel appears twice.");
		}
		else
		{
			int32		k = 0;
			int64		c,
						nulls;
			double		r;

			expect(&in, "[");
			do
			{
				if (k == chcap)
				{
					if (chcap >= CJ_MAX_TOUCHES)
						syntax(&in, "A path is too long.");
					chcap *= 2;
					ch = repalloc(ch, chcap * sizeof(int32));
				}
				s = read_label(&in, &len);
				ch[k++] = labeldict_intern(dict, s, len);
			} while (peek(&in, ',') && in.p++);
			expect(&in, "]");
			expect(&in, "=");
			c = read_int(&in);
			expect(&in, "/");
			nulls = read_int(&in);
			expect(&in, "/");
			r = read_num(&in);
			if (c == 0 && nulls == 0)
				syntax(&in, "A path has no journeys.");
			if (attr_find_path(a, ch, k) != NULL)
				syntax(&in, "A path appears twice.");
			if (pg_add_s64_overflow(conv_sum, c, &conv_sum))
				syntax(&in, "The conversion counts overflow.");
			attr_add_path(a, ch, k, c, nulls, r);
		}
	}
	if (ATTR_DATA_DRIVEN(spec.kind) &&
		(pg_add_s64_overflow(conv_sum, a->none_conv, &conv_sum) || conv_sum != a->conversions))
		syntax(&in, "The path conversions do not add up to the total.");
	return PointerGetDatum(attr_encode(a));
}

static void
append_num(StringInfo buf, double d)
{
	char		num[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(d, num);
	appendStringInfoString(buf, num);
}

/* qsort_arg comparator: paths in the order of their labels (arg: the dictionary) */
static int
path_by_labels(const void *x, const void *y, void *dict)
{
	const LabelDict *d = (const LabelDict *) dict;
	const AttrPath *p = *(AttrPath *const *) x;
	const AttrPath *q = *(AttrPath *const *) y;
	int32		i;

	CJ_SORT_TICK();
	for (i = 0; i < p->len && i < q->len; i++)
	{
		int			c = label_cmp(d, p->ch[i], d, q->ch[i]);

		if (c != 0)
			return c;
	}
	return (p->len > q->len) - (p->len < q->len);
}

char *
attr_text_out(const Attr *a)
{
	StringInfoData buf;
	int32		i,
				j;

	initStringInfo(&buf);
	attr_spec_text(&buf, &a->spec);
	appendStringInfo(&buf, " | conversions=" INT64_FORMAT " revenue=", a->conversions);
	append_num(&buf, a->revenue);
	appendStringInfo(&buf, " none=" INT64_FORMAT "/", a->none_conv);
	append_num(&buf, a->none_rev);
	appendStringInfoString(&buf, " |");
	if (!ATTR_DATA_DRIVEN(a->spec.kind))
	{
		/* (label id, slot) pairs in label order */
		int32	   *order = palloc(Max(a->chmap.n, 1) * 2 * sizeof(int32));

		for (i = 0; i < a->chmap.n; i++)
		{
			order[2 * i] = a->chmap.ids[i];
			order[2 * i + 1] = i;
		}
		qsort_arg(order, a->chmap.n, 2 * sizeof(int32), label_id_qsort_cmp, a->dict);
		for (i = 0; i < a->chmap.n; i++)
		{
			int32		id = order[2 * i],
						slot = order[2 * i + 1];

			appendStringInfoChar(&buf, ' ');
			label_append_quoted(&buf, a->dict->str[id], a->dict->len[id]);
			appendStringInfoChar(&buf, '=');
			append_num(&buf, a->cconv[slot]);
			appendStringInfoChar(&buf, '/');
			append_num(&buf, a->crev[slot]);
		}
	}
	else
	{
		AttrPath  **order = palloc(Max(a->npaths, 1) * sizeof(AttrPath *));

		if (a->npaths > 0)		/* paths is NULL until the first one */
			memcpy(order, a->paths, a->npaths * sizeof(AttrPath *));
		qsort_arg(order, a->npaths, sizeof(AttrPath *), path_by_labels, a->dict);
		for (i = 0; i < a->npaths; i++)
		{
			const AttrPath *p = order[i];

			appendStringInfoString(&buf, " [");
			for (j = 0; j < p->len; j++)
			{
				if (j > 0)
					appendStringInfoChar(&buf, ',');
				label_append_quoted(&buf, a->dict->str[p->ch[j]], a->dict->len[p->ch[j]]);
			}
			appendStringInfo(&buf, "]=" INT64_FORMAT "/" INT64_FORMAT "/", p->conv, p->nulls);
			append_num(&buf, p->revenue);
		}
	}
	return buf.data;
}
