/*-------------------------------------------------------------------------
 *
 * journey_step.c
 *		The stored-journey step syntax (see journey_step.h): parse step
 *		texts, bind them to a journey's labels and stages, and compute the
 *		step mask of each touch.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "journey_format.h"
#include "journey_step.h"
#include "stage.h"

#include "catalog/pg_type.h"
#include "parser/scansup.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#define STEP_HINT \
	"A step is alternatives separated by |, each one of: label (event or stage label), " \
	"event = label, stage = label, channel = label, stage >= label (also >, <, <=), or *; " \
	"quote a label with spaces or | = < > \" in double quotes, doubling a \" inside."

/* A step's text being parsed. */
typedef struct StepLexer
{
	const char *fn;
	const char *text;			/* NUL-terminated copy of the step */
	int			len;
	int			pos;
	int			step;			/* 0-based */
} StepLexer;

pg_attribute_noreturn()
static void
step_error(StepLexer *lx, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s step %d is invalid: \"%s\"", lx->fn, lx->step + 1, lx->text),
			 errdetail("%s at byte %d.", what, lx->pos + 1),
			 errhint(STEP_HINT)));
}

static void
skip_space(StepLexer *lx)
{
	while (lx->pos < lx->len && scanner_isspace(lx->text[lx->pos]))
		lx->pos++;
}

static bool
is_bare_char(char c)
{
	return !scanner_isspace(c) && c != '|' && c != '=' && c != '<' && c != '>' &&
		c != '"' && c != '\0';
}

/*
 * Read one label at pos: a bare word or a double-quoted string.  *quoted
 * tells which; the result is palloc'd and NUL-terminated.
 */
static char *
read_label(StepLexer *lx, int *lenp, bool *quoted)
{
	StringInfoData out;

	initStringInfo(&out);
	*quoted = false;
	if (lx->pos < lx->len && lx->text[lx->pos] == '"')
	{
		int			start = lx->pos;

		*quoted = true;
		lx->pos++;
		for (;;)
		{
			if (lx->pos >= lx->len)
			{
				lx->pos = start;
				step_error(lx, "Unterminated quoted label");
			}
			if (lx->text[lx->pos] == '"')
			{
				if (lx->pos + 1 < lx->len && lx->text[lx->pos + 1] == '"')
				{
					appendStringInfoChar(&out, '"');
					lx->pos += 2;
					continue;
				}
				lx->pos++;
				break;
			}
			appendStringInfoChar(&out, lx->text[lx->pos]);
			lx->pos++;
		}
	}
	else
	{
		while (lx->pos < lx->len && is_bare_char(lx->text[lx->pos]))
			appendStringInfoChar(&out, lx->text[lx->pos++]);
		if (out.len == 0)
		{
			if (lx->pos >= lx->len)
				step_error(lx, "Expected a label, found the end of the step");
			step_error(lx, psprintf("Expected a label, found \"%c\"", lx->text[lx->pos]));
		}
	}
	*lenp = out.len;
	return out.data;
}

/* An operator at pos, or JSK_ANY when there is none; advances past it. */
static JourneyStepKind
read_operator(StepLexer *lx)
{
	const char *s = lx->text + lx->pos;
	int			left = lx->len - lx->pos;

	if (left >= 2 && s[0] == '<' && s[1] == '=')
	{
		lx->pos += 2;
		return JSK_STAGE_LE;
	}
	if (left >= 2 && s[0] == '>' && s[1] == '=')
	{
		lx->pos += 2;
		return JSK_STAGE_GE;
	}
	if (left >= 1 && s[0] == '<')
	{
		lx->pos++;
		return JSK_STAGE_LT;
	}
	if (left >= 1 && s[0] == '>')
	{
		lx->pos++;
		return JSK_STAGE_GT;
	}
	if (left >= 1 && s[0] == '=')
	{
		lx->pos++;
		return JSK_LABEL;		/* "equals": the field decides the kind */
	}
	return JSK_ANY;
}

/* Parse one step's alternatives into alts (appending); returns the new count. */
static int
parse_step(StepLexer *lx, JourneyStepAlt **alts, int nalts, int *cap)
{
	for (;;)
	{
		JourneyStepAlt a;
		char	   *word;
		int			wlen;
		bool		quoted;
		int			word_pos;

		memset(&a, 0, sizeof(a));
		a.step = lx->step;
		skip_space(lx);
		word_pos = lx->pos;
		if (lx->pos < lx->len && lx->text[lx->pos] == '*' &&
			(lx->pos + 1 >= lx->len || !is_bare_char(lx->text[lx->pos + 1])))
		{
			lx->pos++;
			a.kind = JSK_ANY;
		}
		else
		{
			word = read_label(lx, &wlen, &quoted);
			skip_space(lx);
			if (!quoted && lx->pos < lx->len &&
				(lx->text[lx->pos] == '=' || lx->text[lx->pos] == '<' ||
				 lx->text[lx->pos] == '>'))
			{
				int			op_pos = lx->pos;
				JourneyStepKind op = read_operator(lx);
				bool		is_event = strcmp(word, "event") == 0;
				bool		is_stage = strcmp(word, "stage") == 0;
				bool		is_channel = strcmp(word, "channel") == 0;

				if (!is_event && !is_stage && !is_channel)
				{
					lx->pos = word_pos;
					step_error(lx, psprintf("Unknown field \"%s\" (expected event, stage or channel)",
											word));
				}
				if (op != JSK_LABEL && !is_stage)
				{
					lx->pos = op_pos;
					step_error(lx, psprintf("Only stage can be compared with < <= > >=, not %s",
											word));
				}
				if (op == JSK_LABEL)
					a.kind = is_event ? JSK_EVENT : is_stage ? JSK_STAGE : JSK_CHANNEL;
				else
					a.kind = op;
				skip_space(lx);
				word = read_label(lx, &wlen, &quoted);
			}
			else
				a.kind = JSK_LABEL;
			a.label = word;
			a.len = wlen;
		}
		skip_space(lx);
		if (*cap <= nalts)
		{
			*cap *= 2;
			*alts = repalloc(*alts, *cap * sizeof(JourneyStepAlt));
		}
		(*alts)[nalts++] = a;
		if (lx->pos >= lx->len)
			return nalts;
		if (lx->text[lx->pos] != '|')
		{
			if (lx->text[lx->pos] == '=' || lx->text[lx->pos] == '<' ||
				lx->text[lx->pos] == '>')
				step_error(lx, psprintf("Unexpected operator \"%c\" (a quoted label is not a field)",
										lx->text[lx->pos]));
			step_error(lx, "Expected | or the end of the step (quote labels with spaces)");
		}
		lx->pos++;
	}
}

/* Empty steps for nsteps steps, within JOURNEY_MAX_STEPS. */
static JourneySteps *
steps_new(int nsteps, const char *fn)
{
	JourneySteps *js;

	if (nsteps > JOURNEY_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s has too many steps", fn),
				 errdetail("At most %d steps are allowed; this call has %d.",
						   JOURNEY_MAX_STEPS, nsteps)));
	js = palloc0(sizeof(JourneySteps));
	js->nsteps = nsteps;
	return js;
}

JourneySteps *
journey_steps_parse(const Datum *values, const bool *nulls, int nsteps, const char *fn)
{
	JourneySteps *js = steps_new(nsteps, fn);
	int			cap = Max(nsteps, 4);
	int			k;

	js->alts = palloc(cap * sizeof(JourneyStepAlt));
	for (k = 0; k < nsteps; k++)
	{
		StepLexer	lx;
		text	   *t;

		if (nulls != NULL && nulls[k])
			continue;
		t = DatumGetTextPP(values[k]);
		lx.fn = fn;
		lx.len = VARSIZE_ANY_EXHDR(t);
		lx.text = text_to_cstring(t);
		lx.pos = 0;
		lx.step = k;
		if ((int) strlen(lx.text) != lx.len)
		{
			lx.pos = strlen(lx.text);
			step_error(&lx, "Unexpected NUL character");
		}
		js->nalts = parse_step(&lx, &js->alts, js->nalts, &cap);
	}
	return js;
}

/* Add to js an alternative of step k: kind with a copy of label. */
static void
steps_add_alt(JourneySteps *js, int k, JourneyStepKind kind, const char *label, int len)
{
	JourneyStepAlt *a = &js->alts[js->nalts++];

	Assert(kind != JSK_ANY);
	memset(a, 0, sizeof(JourneyStepAlt));
	a->kind = kind;
	a->step = k;
	a->len = len;
	a->label = palloc(len + 1);
	memcpy(a->label, label, len);
	a->label[len] = '\0';
}

JourneySteps *
journey_steps_labels(const Datum *values, const bool *nulls, int nsteps, const char *fn)
{
	JourneySteps *js = steps_new(nsteps, fn);
	int			k;

	js->alts = palloc(Max(nsteps, 1) * sizeof(JourneyStepAlt));
	for (k = 0; k < nsteps; k++)
	{
		text	   *t;

		if (nulls != NULL && nulls[k])
			continue;
		t = DatumGetTextPP(values[k]);
		steps_add_alt(js, k, JSK_LABEL, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	return js;
}

JourneySteps *
journey_steps_one(JourneyStepKind kind, const char *label, int len)
{
	JourneySteps *js = steps_new(1, "journey_steps_one");

	js->alts = palloc(sizeof(JourneyStepAlt));
	steps_add_alt(js, 0, kind, label, len);
	return js;
}

/* steps as text[]: parsed with the syntax, or as plain labels */
static JourneySteps *
steps_from_array(ArrayType *arr, const char *fn, int min_steps, bool labels_only)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s steps must be a one-dimensional array", fn)));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n < min_steps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs at least %d step%s", fn, min_steps, min_steps == 1 ? "" : "s")));
	return labels_only ? journey_steps_labels(elems, nulls, n, fn)
		: journey_steps_parse(elems, nulls, n, fn);
}

/*
 * The cached steps when the argument's bytes (data, len) are the ones
 * parsed last; else parse() of a copy into a new entry.  The copy is the
 * bytes behind a 4-byte varlena header when text (a text datum for the
 * parser, whatever header the argument had), else the bytes as they are (a
 * whole array).  Each parse lives in a memory context of its own, dropped
 * with the entry it replaces, so that steps changing from row to row (a
 * column, a join) do not pile up in fn_mcxt for the rest of the query; and
 * an entry is replaced only once the new text parsed.
 */
typedef JourneySteps *(*StepsParseFn) (void *copy, void *arg);

static JourneySteps *
steps_cache_lookup(JourneyStepsCache *cache, MemoryContext mcxt, const char *data,
				   Size len, bool text, StepsParseFn parse, void *arg)
{
	if (cache->js == NULL || cache->len != len || memcmp(cache->key, data, len) != 0)
	{
		/*
		 * Parsed in a context of the current one (freed with it if the
		 * parse fails, even when the error is caught), moved under mcxt
		 * once it succeeded.
		 */
		MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "cjourney steps",
												  ALLOCSET_SMALL_SIZES);
		MemoryContext old = MemoryContextSwitchTo(cxt);
		int			hdr = text ? VARHDRSZ : 0;
		char	   *copy = palloc(Max(len + hdr, 1));
		JourneySteps *js;

		if (text)
			SET_VARSIZE(copy, len + VARHDRSZ);
		memcpy(copy + hdr, data, len);
		js = parse(copy, arg);
		MemoryContextSwitchTo(old);
		MemoryContextSetParent(cxt, mcxt);
		if (cache->cxt)
			MemoryContextDelete(cache->cxt);
		cache->cxt = cxt;
		cache->key = copy + hdr;
		cache->len = len;
		cache->js = js;
	}
	return cache->js;
}

typedef struct ArrayParseArgs
{
	const char *fn;
	int			min_steps;
	bool		labels_only;
} ArrayParseArgs;

static JourneySteps *
parse_array_copy(void *copy, void *arg)
{
	ArrayParseArgs *a = arg;

	return steps_from_array((ArrayType *) copy, a->fn, a->min_steps, a->labels_only);
}

JourneySteps *
journey_steps_cached(JourneyStepsCache *cache, MemoryContext mcxt, ArrayType *arr,
					 const char *fn, int min_steps, bool labels_only)
{
	ArrayParseArgs a = {fn, min_steps, labels_only};

	/* a detoasted array has a 4-byte header: its bytes are its content */
	return steps_cache_lookup(cache, mcxt, (const char *) arr, VARSIZE(arr), false,
							  parse_array_copy, &a);
}

typedef struct TextParseArgs
{
	const char *fn;
	JourneyStepKind kind;		/* JSK_ANY: the step syntax */
} TextParseArgs;

static JourneySteps *
parse_text_copy(void *copy, void *arg)
{
	TextParseArgs *a = arg;
	text	   *t = (text *) copy;
	Datum		d = PointerGetDatum(t);
	bool		isnull = false;

	if (a->kind != JSK_ANY)
		return journey_steps_one(a->kind, VARDATA(t), VARSIZE(t) - VARHDRSZ);
	return journey_steps_parse(&d, &isnull, 1, a->fn);
}

JourneySteps *
journey_step_cached(JourneyStepsCache *cache, MemoryContext mcxt, text *step, const char *fn)
{
	TextParseArgs a = {fn, JSK_ANY};

	return steps_cache_lookup(cache, mcxt, VARDATA_ANY(step), VARSIZE_ANY_EXHDR(step), true,
							  parse_text_copy, &a);
}

JourneySteps *
journey_event_step_cached(JourneyStepsCache *cache, MemoryContext mcxt, text *event)
{
	TextParseArgs a = {NULL, JSK_EVENT};

	return steps_cache_lookup(cache, mcxt, VARDATA_ANY(event), VARSIZE_ANY_EXHDR(event), true,
							  parse_text_copy, &a);
}

/* Add alt's step to the masks of the stages of sl it matches. */
static void
alt_stage_masks(const JourneyStepAlt *alt, const StageList *sl, uint64 *stage_mask)
{
	uint64		bit = UINT64CONST(1) << alt->step;
	int			own = (alt->kind == JSK_ANY) ? -1 : stagelist_find(sl, alt->label, alt->len);
	int			s;

	for (s = 0; s < sl->n; s++)
	{
		bool		hit;

		switch (alt->kind)
		{
			case JSK_ANY:
				hit = true;
				break;
			case JSK_LABEL:
			case JSK_STAGE:
				hit = own == s;
				break;
			case JSK_STAGE_LT:
				hit = own >= 0 && s < own;
				break;
			case JSK_STAGE_LE:
				hit = own >= 0 && s <= own;
				break;
			case JSK_STAGE_GT:
				hit = own >= 0 && s > own;
				break;
			case JSK_STAGE_GE:
				hit = own >= 0 && s >= own;
				break;
			default:
				hit = false;
		}
		if (hit)
			stage_mask[s] |= bit;
	}
}

/*
 * The slot of a label's text: its length and its first, middle and last
 * bytes (cheap, per label of every journey; labels that differ only
 * elsewhere share a chain, which costs comparisons, not answers).
 */
static inline int
label_slot(const char *label, int len)
{
	uint32		h = (uint32) len * 31;

	if (len > 0)
		h += (uint32) (unsigned char) label[0] * 7 + (unsigned char) label[len - 1] +
			(uint32) (unsigned char) label[len / 2] * 131;
	return (int) ((h ^ (h >> 6)) & (JOURNEY_LABEL_SLOTS - 1));
}

/* the entry of x for a label's text, or -1 */
static inline int
label_find(const JourneyStepLabels *x, const char *label, int len)
{
	int			k;

	for (k = x->slot[label_slot(label, len)]; k >= 0; k = x->e[k].next)
		if (x->e[k].len == len && memcmp(x->e[k].label, label, len) == 0)
			break;
	return k;
}

/* js's event and channel labels, indexed, in the memory of js */
static JourneyStepLabels *
steps_label_index(JourneySteps *js)
{
	MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(js));
	JourneyStepLabels *x;
	int			a,
				k;

	x = palloc(offsetof(JourneyStepLabels, e) + Max(js->nalts, 1) * sizeof(JourneyStepLabel));
	MemoryContextSwitchTo(old);
	for (k = 0; k < JOURNEY_LABEL_SLOTS; k++)
		x->slot[k] = -1;
	x->n = 0;
	for (a = 0; a < js->nalts; a++)
	{
		const JourneyStepAlt *alt = &js->alts[a];
		uint64		bit = UINT64CONST(1) << alt->step;
		bool		as_channel = (alt->kind == JSK_CHANNEL);

		if (alt->kind != JSK_LABEL && alt->kind != JSK_EVENT && !as_channel)
			continue;
		k = label_find(x, alt->label, alt->len);
		if (k < 0)
		{
			int			h = label_slot(alt->label, alt->len);

			k = x->n++;
			x->e[k].label = alt->label;
			x->e[k].len = alt->len;
			x->e[k].event = x->e[k].channel = 0;
			x->e[k].next = x->slot[h];
			x->slot[h] = k;
		}
		if (as_channel)
			x->e[k].channel |= bit;
		else
			x->e[k].event |= bit;
	}
	return x;
}

/*
 * The steps' masks for a view's stages and labels (a JViewMaskFn): labels
 * found by their bytes in the steps' label index; the stage masks of the
 * built-in lifecycle are kept with the steps.
 */
static void
steps_view_masks(const JourneyView *v, void *arg, JViewMasks *m)
{
	JourneySteps *js = arg;
	const JourneyStepLabels *x;
	int			a,
				l;

	if (v->stages.is_default && js->default_masks_valid)
		memcpy(m->stage, js->default_stage_mask, v->stages.n * sizeof(uint64));
	else
	{
		for (a = 0; a < js->nalts; a++)
			alt_stage_masks(&js->alts[a], &v->stages, m->stage);
		if (v->stages.is_default)
		{
			memcpy(js->default_stage_mask, m->stage, v->stages.n * sizeof(uint64));
			js->default_masks_valid = true;
		}
	}
	if (js->labels == NULL)
		js->labels = steps_label_index(js);
	x = js->labels;
	if (x->n == 0)
		return;
	for (l = 0; l < v->nlabels; l++)
	{
		int			k = label_find(x, v->label[l], v->label_len[l]);

		if (k >= 0)
		{
			m->event[l + 1] |= x->e[k].event;
			m->channel[l + 1] |= x->e[k].channel;
		}
	}
}

EventBuffer *
journey_steps_decode(JourneySteps *js, const struct varlena *datum, MemoryContext mcxt,
					 JourneyView *view, uint64 required)
{
	JourneyView own;

	return jview_decode_masks(datum, "journey", mcxt, steps_view_masks, js,
							  view ? view : &own, required);
}

int32
journey_steps_decode_timed(JourneySteps *js, const struct varlena *datum,
						   bool keep_unmatched, uint64 required, TimedMask **out)
{
	JourneyView v;

	return jview_decode_timed_masks(datum, "journey", steps_view_masks, js, &v,
									keep_unmatched, required, out);
}
