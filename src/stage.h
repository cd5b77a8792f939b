/*-------------------------------------------------------------------------
 *
 * stage.h
 *		Stage lists: the ordered labels of a lifecycle enum.
 *
 * Every value that holds stages (touchpoint, journey, aggregate states)
 * carries its stage list, so it can be read back without a catalog lookup.
 * Stage ordinals are 0-based positions in that list.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_STAGE_H
#define CJ_STAGE_H

#include "cjourney.h"

#include "fmgr.h"

typedef struct StageList
{
	int			n;				/* number of stages, 1..CJ_MAX_STAGES */
	bool		is_default;		/* equal to the built-in lifecycle */
	const char *label[CJ_MAX_STAGES];	/* not necessarily NUL-terminated */
	uint8		len[CJ_MAX_STAGES];
} StageList;

/*
 * Maps the values of one enum type to ordinals of its stage list; cached
 * in fn_extra by functions that take anyenum arguments.
 */
typedef struct EnumStageMap
{
	Oid			enumtypid;
	int			n;
	Oid		   *oids;			/* sorted, for binary search */
	uint8	   *ordinals;		/* ordinal of oids[i] */
	Oid			last_oid;		/* one-entry lookup cache */
	int			last_ordinal;
	StageList  *stages;
} EnumStageMap;

/* Why a label cannot join a stage list; see stagelist_add_label. */
typedef enum StageLabelProblem
{
	STAGE_LABEL_OK,
	STAGE_LABEL_TOO_LONG,		/* NAMEDATALEN bytes or more */
	STAGE_LABEL_EMPTY,
	STAGE_LABEL_DUPLICATE,		/* already in the list */
	STAGE_LABEL_TOO_MANY		/* the list holds CJ_MAX_STAGES already */
} StageLabelProblem;

extern const StageList *stagelist_default(void);
extern StageLabelProblem stage_label_check(int len);
extern StageLabelProblem stagelist_add_label(StageList *sl, const char *label, int len);
extern bool stagelist_equal(const StageList *a, const StageList *b);
extern int	stagelist_cmp(const StageList *a, const StageList *b);
extern int	stagelist_find(const StageList *sl, const char *label, int len);
extern StageList *stagelist_copy(MemoryContext mcxt, const StageList *sl);
extern void stagelist_finish(StageList *sl);
extern char *stagelist_describe(const StageList *sl);
pg_attribute_noreturn()
extern void stage_list_mismatch(const char *what, const StageList *a, const StageList *b);

/* What a text stage not in the stage list does (stage_text.c). */
typedef enum StageUnknown
{
	STAGE_UNKNOWN_ERROR,		/* 22P02 naming the label and the list */
	STAGE_UNKNOWN_SKIP,			/* leave the row out */
	STAGE_UNKNOWN_NULL			/* read the stage as NULL */
} StageUnknown;

/*
 * A stage-list text argument ('lead<mql<sql; unknown=skip' or an enum type
 * name) parsed once per query; cached in fn_extra.
 */
typedef struct TextStageMap
{
	char	   *spec;			/* the argument as given, NUL-terminated */
	int			speclen;
	StageList  *stages;
	StageUnknown on_unknown;
	int			last;			/* ordinal of the last label found, -1 none */
	uint8		sorted[CJ_MAX_STAGES];	/* ordinals in label byte order */
} TextStageMap;

extern TextStageMap *text_stage_map(FunctionCallInfo fcinfo, int argno, TextStageMap **cache);
extern int	text_stage_ordinal(TextStageMap *m, const char *label, int len);
pg_attribute_noreturn()
extern void stage_text_unknown(const char *label, int len, const StageList *sl, bool list_arg);

extern EnumStageMap *enum_stage_map(FunctionCallInfo fcinfo, int argno,
									 EnumStageMap **cache);
extern EnumStageMap *enum_stage_map_of_type(MemoryContext mcxt, Oid enumtypid);
extern int	enum_stage_ordinal(EnumStageMap *map, Oid value);
extern const char *enum_value_label(FunctionCallInfo fcinfo, Oid value);
extern int	stage_arg_ordinal(FunctionCallInfo fcinfo, const StageList *sl, int argno);

#endif							/* CJ_STAGE_H */
