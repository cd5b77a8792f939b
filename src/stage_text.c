/*-------------------------------------------------------------------------
 *
 * stage_text.c
 *		Stages as text: a stage column of type text (varchar) with the stage
 *		order named once per call.
 *
 * The order is one text argument, read once per query and kept in
 * fn_extra: either a stage list 'subscriber<lead<mql<sql<customer' (labels
 * separated by '<', spaces around them ignored) or the name of an enum type
 * ('stage', 'crm.lifecycle') whose labels in sort order are the list.  An
 * optional suffix '; unknown=error|skip|null' says what a row whose label
 * is not in the list does: error (the default) names the label and the
 * list; skip leaves the row out; null reads its stage as NULL (which the
 * per-customer aggregates skip, as they skip NULL stages).  Labels match
 * exactly, case included: 'Lead' is not 'lead'.
 *
 * Per row the label is found with a one-entry cache (CRM rows of one
 * customer repeat a stage) and a binary search over the sorted labels.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "stage.h"

#include "catalog/pg_type.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

static const char *const unknown_names[] = {"error", "skip", "null"};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

pg_attribute_noreturn()
static void
bad_stage_list(const char *spec, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid stage list \"%s\"", spec),
			 errdetail_internal("%s", detail),
			 errhint("Name the stages in order, such as 'subscriber<lead<mql<sql<opportunity<customer', "
					 "or an enum type, optionally followed by '; unknown=skip' or '; unknown=null'.")));
}

/* sort ordinals by label bytes */
static const StageList *sort_list;

static int
cmp_label(const char *a, int la, const char *b, int lb)
{
	int			c = memcmp(a, b, Min(la, lb));

	if (c != 0)
		return c;
	return (la > lb) - (la < lb);
}

static int
cmp_ordinal(const void *a, const void *b)
{
	int			x = *(const uint8 *) a;
	int			y = *(const uint8 *) b;

	return cmp_label(sort_list->label[x], sort_list->len[x],
					 sort_list->label[y], sort_list->len[y]);
}

/* Parse spec (NUL-terminated) into m, allocating in mcxt. */
static void
parse_stage_list(TextStageMap *m, const char *spec, MemoryContext mcxt)
{
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	char	   *list = pstrdup(spec);
	char	   *opts = strchr(list, ';');
	StageList  *sl = palloc0(sizeof(StageList));
	int			i;

	m->on_unknown = STAGE_UNKNOWN_ERROR;
	if (opts != NULL)
	{
		char	   *p = opts + 1;
		char	   *e;

		*opts = '\0';
		while (is_space(*p))
			p++;
		e = p + strlen(p);
		while (e > p && is_space(e[-1]))
			*--e = '\0';
		if (strncmp(p, "unknown", 7) != 0)
			bad_stage_list(spec, "The only option after ';' is unknown=error, unknown=skip or unknown=null.");
		p += 7;
		while (is_space(*p))
			p++;
		if (*p++ != '=')
			bad_stage_list(spec, "The only option after ';' is unknown=error, unknown=skip or unknown=null.");
		while (is_space(*p))
			p++;
		for (i = 0; i < lengthof(unknown_names); i++)
			if (strcmp(p, unknown_names[i]) == 0)
				break;
		if (i == lengthof(unknown_names))
			bad_stage_list(spec, psprintf("unknown=%s is not one of error, skip, null.", p));
		m->on_unknown = (StageUnknown) i;
	}

	if (strchr(list, '<') == NULL)
	{
		/* an enum type name */
		Oid			typid;
		int32		typmod;
		char	   *name = list;
		char	   *e;

		while (is_space(*name))
			name++;
		e = name + strlen(name);
		while (e > name && is_space(e[-1]))
			*--e = '\0';
		if (*name == '\0')
			bad_stage_list(spec, "The stage list is empty.");
		parseTypeString(name, &typid, &typmod, true);
		if (!OidIsValid(typid) || !type_is_enum(typid))
			bad_stage_list(spec, psprintf("\"%s\" has no '<' and is not an enum type.", name));
		{
			EnumStageMap *em = NULL;

			em = enum_stage_map_of_type(mcxt, typid);
			sl = (StageList *) em->stages;
		}
	}
	else
	{
		char	   *p = list;

		for (;;)
		{
			char	   *start,
					   *end,
					   *next = strchr(p, '<');

			if (next != NULL)
				*next = '\0';
			start = p;
			while (is_space(*start))
				start++;
			end = start + strlen(start);
			while (end > start && is_space(end[-1]))
				end--;
			*end = '\0';
			switch (stagelist_add_label(sl, start, (int) (end - start)))
			{
				case STAGE_LABEL_OK:
					break;
				case STAGE_LABEL_EMPTY:
					bad_stage_list(spec, psprintf("Stage %d is empty.", sl->n + 1));
				case STAGE_LABEL_TOO_LONG:
					bad_stage_list(spec, psprintf("Stage \"%s\" has %d bytes; stage labels have 1 to %d.",
												  start, (int) (end - start), NAMEDATALEN - 1));
				case STAGE_LABEL_DUPLICATE:
					bad_stage_list(spec, psprintf("Stage \"%s\" appears twice.", start));
				case STAGE_LABEL_TOO_MANY:
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("stage list has too many stages"),
							 errdetail("A stage list holds at most %d stages.", CJ_MAX_STAGES)));
			}
			if (next == NULL)
				break;
			p = next + 1;
		}
		stagelist_finish(sl);
	}
	m->stages = sl;
	for (i = 0; i < sl->n; i++)
		m->sorted[i] = (uint8) i;
	sort_list = sl;
	qsort(m->sorted, sl->n, sizeof(uint8), cmp_ordinal);
	m->last = -1;
	MemoryContextSwitchTo(old);
}

/*
 * The map of the stage-list argument argno (NULL is an error), kept in
 * *cache in fn_extra; parsed again only when the argument changes.
 */
TextStageMap *
text_stage_map(FunctionCallInfo fcinfo, int argno, TextStageMap **cache)
{
	TextStageMap *m = *cache;
	text	   *spec;
	int			len;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the stage list must not be NULL"),
				 errhint("Name the stages in order, such as 'subscriber<lead<mql<sql<opportunity<customer'.")));
	spec = PG_GETARG_TEXT_PP(argno);
	len = VARSIZE_ANY_EXHDR(spec);
	if (m != NULL && m->speclen == len && memcmp(m->spec, VARDATA_ANY(spec), len) == 0)
		return m;
	if (m == NULL)
	{
		m = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(TextStageMap));
		*cache = m;
	}
	m->spec = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len + 1);
	memcpy(m->spec, VARDATA_ANY(spec), len);
	m->spec[len] = '\0';
	if (memchr(m->spec, '\0', len) != NULL)
		bad_stage_list("", "The stage list contains a zero byte.");
	parse_stage_list(m, m->spec, fcinfo->flinfo->fn_mcxt);
	m->speclen = len;
	return m;
}

/*
 * Ordinal of label in the map's list; -1 when it is not there and the map
 * says skip or null; otherwise an error naming the label and the list.
 */
int
text_stage_ordinal(TextStageMap *m, const char *label, int len)
{
	const StageList *sl = m->stages;
	int			lo = 0,
				hi = sl->n - 1;

	if (m->last >= 0 && sl->len[m->last] == len &&
		memcmp(sl->label[m->last], label, len) == 0)
		return m->last;
	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			o = m->sorted[mid];
		int			c = cmp_label(sl->label[o], sl->len[o], label, len);

		if (c == 0)
		{
			m->last = o;
			return o;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	if (m->on_unknown != STAGE_UNKNOWN_ERROR)
		return -1;
	stage_text_unknown(label, len, sl, true);
	return -1;					/* keep compiler quiet */
}

/* Error (22P02) for a text stage label not in a stage list. */
void
stage_text_unknown(const char *label, int len, const StageList *sl, bool list_arg)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("stage \"%.*s\" is not in the stage list", len, label),
			 errdetail("The stage list is: %s. Labels match exactly, case included.",
					   stagelist_describe(sl)),
			 list_arg ?
			 errhint("Add the label to the stage list, map it in SQL (CASE, lower()), or skip such rows: "
					 "end the stage list with '; unknown=skip' (or '; unknown=null').") :
			 errhint("Pass a label of the value's stage list, or filter the rows first.")));
}
