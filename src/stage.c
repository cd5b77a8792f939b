/*-------------------------------------------------------------------------
 *
 * stage.c
 *		Stage lists and the mapping from enum values to stage ordinals.
 *
 * Any enum can serve as a lifecycle: its labels in enum sort order are the
 * stage list.  Values keep the labels, never the enum's OID, so they
 * survive dump and restore into a database where the OIDs differ.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "stage.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

static const char *const default_labels[] = {
	"awareness", "consideration", "decision", "retention", "advocacy"
};

static StageList default_list;
static bool default_ready = false;

/* The built-in lifecycle, awareness < consideration < ... < advocacy. */
const StageList *
stagelist_default(void)
{
	if (!default_ready)
	{
		int			i;

		default_list.n = lengthof(default_labels);
		for (i = 0; i < default_list.n; i++)
		{
			default_list.label[i] = default_labels[i];
			default_list.len[i] = (uint8) strlen(default_labels[i]);
		}
		default_list.is_default = true;
		default_ready = true;
	}
	return &default_list;
}

/* The length rule alone: a stage label has 1 to NAMEDATALEN - 1 bytes. */
StageLabelProblem
stage_label_check(int len)
{
	if (len >= NAMEDATALEN)
		return STAGE_LABEL_TOO_LONG;
	if (len <= 0)
		return STAGE_LABEL_EMPTY;
	return STAGE_LABEL_OK;
}

/*
 * Append a label to a list being built, unless it cannot join: every
 * reader of a stage list (text, binary, stored) checks with this, and
 * raises the problem in its own words.  The label is kept by pointer.
 * Call stagelist_finish once all labels are in.
 */
StageLabelProblem
stagelist_add_label(StageList *sl, const char *label, int len)
{
	StageLabelProblem problem = stage_label_check(len);

	if (problem != STAGE_LABEL_OK)
		return problem;
	if (stagelist_find(sl, label, len) >= 0)
		return STAGE_LABEL_DUPLICATE;
	if (sl->n >= CJ_MAX_STAGES)
		return STAGE_LABEL_TOO_MANY;
	sl->label[sl->n] = label;
	sl->len[sl->n] = (uint8) len;
	sl->n++;
	return STAGE_LABEL_OK;
}

/* Set is_default after the labels of a list were filled in. */
void
stagelist_finish(StageList *sl)
{
	const StageList *d = stagelist_default();
	int			i;

	sl->is_default = false;
	if (sl->n != d->n)
		return;
	for (i = 0; i < sl->n; i++)
		if (sl->len[i] != d->len[i] ||
			memcmp(sl->label[i], d->label[i], sl->len[i]) != 0)
			return;
	sl->is_default = true;
}

/* Total order on stage lists: by length, then label by label, bytewise. */
int
stagelist_cmp(const StageList *a, const StageList *b)
{
	int			i;

	if (a == b)
		return 0;
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (i = 0; i < a->n; i++)
	{
		int			m = Min(a->len[i], b->len[i]);
		int			c = memcmp(a->label[i], b->label[i], m);

		if (c != 0)
			return c < 0 ? -1 : 1;
		if (a->len[i] != b->len[i])
			return a->len[i] < b->len[i] ? -1 : 1;
	}
	return 0;
}

bool
stagelist_equal(const StageList *a, const StageList *b)
{
	return stagelist_cmp(a, b) == 0;
}

/* Ordinal of a label in the list, or -1. */
int
stagelist_find(const StageList *sl, const char *label, int len)
{
	int			i;

	for (i = 0; i < sl->n; i++)
		if (sl->len[i] == len && memcmp(sl->label[i], label, len) == 0)
			return i;
	return -1;
}

/* Deep copy, with NUL-terminated labels, into mcxt. */
StageList *
stagelist_copy(MemoryContext mcxt, const StageList *sl)
{
	StageList  *copy = MemoryContextAlloc(mcxt, sizeof(StageList));
	int			i;

	copy->n = sl->n;
	copy->is_default = sl->is_default;
	for (i = 0; i < sl->n; i++)
	{
		char	   *s = MemoryContextAlloc(mcxt, sl->len[i] + 1);

		memcpy(s, sl->label[i], sl->len[i]);
		s[sl->len[i]] = '\0';
		copy->label[i] = s;
		copy->len[i] = sl->len[i];
	}
	return copy;
}

/* "awareness < consideration < ..." for error details. */
char *
stagelist_describe(const StageList *sl)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < sl->n; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, " < ");
		appendBinaryStringInfo(&buf, sl->label[i], sl->len[i]);
	}
	return buf.data;
}

typedef struct EnumEntry
{
	Oid			oid;
	float4		sortorder;
	const char *label;
} EnumEntry;

static int
enum_entry_by_sortorder(const void *a, const void *b)
{
	float4		x = ((const EnumEntry *) a)->sortorder;
	float4		y = ((const EnumEntry *) b)->sortorder;

	return (x < y) ? -1 : (x > y) ? 1 : 0;
}

static int
oid_cmp_local(const void *a, const void *b)
{
	Oid			x = *(const Oid *) a;
	Oid			y = *(const Oid *) b;

	return (x < y) ? -1 : (x > y) ? 1 : 0;
}

/* Read the labels of an enum type from pg_enum, in sort order, into mcxt. */
static EnumStageMap *
build_enum_stage_map(MemoryContext mcxt, Oid enumtypid)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	EnumEntry  *entries;
	int			n = 0,
				cap = 16,
				i;
	EnumStageMap *map;
	MemoryContext old = MemoryContextSwitchTo(mcxt);

	entries = palloc(cap * sizeof(EnumEntry));
	ScanKeyInit(&key, Anum_pg_enum_enumtypid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(enumtypid));
	rel = table_open(EnumRelationId, AccessShareLock);
	scan = systable_beginscan(rel, EnumTypIdLabelIndexId, true, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_enum en = (Form_pg_enum) GETSTRUCT(tup);

		if (n >= CJ_MAX_STAGES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("enum type %s has too many labels to be used as stages",
							format_type_be(enumtypid)),
					 errdetail("A stage list holds at most %d stages.", CJ_MAX_STAGES)));
		if (n >= cap)
		{
			cap *= 2;
			entries = repalloc(entries, cap * sizeof(EnumEntry));
		}
		entries[n].oid = en->oid;
		entries[n].sortorder = en->enumsortorder;
		entries[n].label = pstrdup(NameStr(en->enumlabel));
		n++;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("enum type %s has no labels", format_type_be(enumtypid)),
				 errhint("Add the lifecycle stages to the enum, in order.")));

	qsort(entries, n, sizeof(EnumEntry), enum_entry_by_sortorder);

	map = palloc0(sizeof(EnumStageMap));
	map->enumtypid = enumtypid;
	map->n = n;
	map->stages = palloc0(sizeof(StageList));
	map->stages->n = n;
	map->oids = palloc(n * sizeof(Oid));
	map->ordinals = palloc(n * sizeof(uint8));
	for (i = 0; i < n; i++)
	{
		map->stages->label[i] = entries[i].label;
		map->stages->len[i] = (uint8) strlen(entries[i].label);
		map->oids[i] = entries[i].oid;
	}
	stagelist_finish(map->stages);

	/* oids sorted for lookup; find each one's ordinal */
	qsort(map->oids, n, sizeof(Oid), oid_cmp_local);
	for (i = 0; i < n; i++)
	{
		int			j;

		for (j = 0; j < n; j++)
			if (entries[j].oid == map->oids[i])
				break;
		map->ordinals[i] = (uint8) j;
	}
	map->last_oid = InvalidOid;
	MemoryContextSwitchTo(old);
	pfree(entries);
	return map;
}

/* The stage map of an enum type, built in mcxt (for stage-list texts). */
EnumStageMap *
enum_stage_map_of_type(MemoryContext mcxt, Oid enumtypid)
{
	return build_enum_stage_map(mcxt, enumtypid);
}

/*
 * The stage map of the enum type of argument argno, kept in *cache (which
 * lives in the caller's fn_extra).
 */
EnumStageMap *
enum_stage_map(FunctionCallInfo fcinfo, int argno, EnumStageMap **cache)
{
	EnumStageMap *map = *cache;
	Oid			typid;

	/* a call site's argument type never changes: look it up once */
	if (map != NULL)
		return map;
	typid = get_fn_expr_argtype(fcinfo->flinfo, argno);
	if (!OidIsValid(typid) || !type_is_enum(typid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not determine the enum type of the stage argument")));
	map = build_enum_stage_map(fcinfo->flinfo->fn_mcxt, typid);
	*cache = map;
	return map;
}

/* Ordinal of an enum value; values added after the map was built are an error. */
int
enum_stage_ordinal(EnumStageMap *map, Oid value)
{
	int			lo = 0,
				hi = map->n - 1;

	if (value == map->last_oid)
		return map->last_ordinal;
	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (map->oids[mid] == value)
		{
			map->last_oid = value;
			map->last_ordinal = map->ordinals[mid];
			return map->last_ordinal;
		}
		if (map->oids[mid] < value)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("enum value %u is not a label of %s", value,
					format_type_be(map->enumtypid)),
			 errhint("Labels added to the enum during this query cannot be used in it.")));
	return -1;					/* keep compiler quiet */
}

typedef struct EnumLabelCache
{
	Oid			oid;
	char		label[NAMEDATALEN];
} EnumLabelCache;

/* The label of one enum value, with a one-entry cache in fn_extra. */
const char *
enum_value_label(FunctionCallInfo fcinfo, Oid value)
{
	EnumLabelCache *cache = (EnumLabelCache *) fcinfo->flinfo->fn_extra;
	HeapTuple	tup;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
									   sizeof(EnumLabelCache));
		fcinfo->flinfo->fn_extra = cache;
	}
	if (cache->oid == value && OidIsValid(value))
		return cache->label;

	tup = SearchSysCache1(ENUMOID, ObjectIdGetDatum(value));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid internal value for enum: %u", value)));
	strlcpy(cache->label, NameStr(((Form_pg_enum) GETSTRUCT(tup))->enumlabel),
			NAMEDATALEN);
	cache->oid = value;
	ReleaseSysCache(tup);
	return cache->label;
}

/*
 * Ordinal, in a value's stage list, of the stage argument argno: an enum
 * value or (0.2.0) a text label, matched exactly; an error (22P02) when the
 * label is not in the list.  Uses fn_extra for enums.
 */
int
stage_arg_ordinal(FunctionCallInfo fcinfo, const StageList *sl, int argno)
{
	const char *label;
	int			len;
	int			ordinal;

	if (get_fn_expr_argtype(fcinfo->flinfo, argno) == TEXTOID)
	{
		text	   *t = PG_GETARG_TEXT_PP(argno);

		label = VARDATA_ANY(t);
		len = VARSIZE_ANY_EXHDR(t);
		ordinal = stagelist_find(sl, label, len);
		if (ordinal < 0)
			stage_text_unknown(label, len, sl, false);
		return ordinal;
	}
	label = enum_value_label(fcinfo, PG_GETARG_OID(argno));
	ordinal = stagelist_find(sl, label, strlen(label));
	if (ordinal < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("stage \"%s\" is not in the stage list of the value", label),
				 errdetail("The stage list is: %s.", stagelist_describe(sl)),
				 errhint("Compare values with stages of the enum they were built from.")));
	return ordinal;
}

/* Error for values of different stage lists in one group ("what" names them). */
void
stage_list_mismatch(const char *what, const StageList *a, const StageList *b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must share a stage list", what),
			 errdetail("The stage lists are: %s, and: %s.",
					   stagelist_describe(a), stagelist_describe(b)),
			 errhint("Build each group from values of one stage enum.")));
}
