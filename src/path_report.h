/*-------------------------------------------------------------------------
 *
 * path_report.h
 *		The path report: the distinct per-customer paths of a population,
 *		each with its exact count, combinable with rollup().
 *
 * A report stores whole paths (sequences of labels, an element of -1
 * marking an elision) and how many customers (or sessions) followed each,
 * plus the alignment that numbers the steps ('left': 1, 2, 3, ...;
 * 'right': ..., -1, 0).  Because it keeps exact path counts, merging
 * reports is exact: the rollup of daily reports is the report over all the
 * days.  Everything derived (nodes, Sankey edges with an "(other)" bucket
 * per step, exits, top paths) is computed when read (path_flows.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_PATH_REPORT_H
#define CJ_PATH_REPORT_H

#include "cjourney.h"
#include "labels.h"

/* the element of a path that stands for elided elements (a NULL in text[]) */
#define PATH_ELISION		(-1)

#define PATH_ALIGN_LEFT		0
#define PATH_ALIGN_RIGHT	1

/* Distinct paths in one report. */
#define PATH_REPORT_MAX_PATHS	16000000

/* Stored size of one report (and memory of one aggregate state). */
#define PATH_REPORT_MAX_BYTES	((int64) 256 * 1024 * 1024)

/* Elements in one path: a path comes from one group's rows. */
#define PATH_MAX_ELEMENTS		CJ_MAX_TOUCHES

typedef struct PathEntry
{
	int64		count;			/* customers (or sessions) that followed it, > 0 */
	int64		off;			/* first element in ids[] */
	int32		len;			/* elements, >= 1 */
	uint32		hash;
} PathEntry;

typedef struct PathReport
{
	MemoryContext mcxt;
	LabelDict  *dict;			/* element labels by id */
	int			align;			/* PATH_ALIGN_* */
	bool		canonical;		/* decoded: dict ids in byte order, paths sorted */
	PathEntry  *paths;
	int32		npaths;
	int32		cap;
	int32	   *ids;			/* elements of all paths: label ids or PATH_ELISION */
	int64		nids;
	int64		idcap;
	int32	   *slots;			/* open addressing over paths; -1 = empty */
	uint32		nslots;			/* power of two, or 0 before the first path */
	int64		total;			/* sum of the counts */
} PathReport;

#define PATH_ELEMS(r, e)	((r)->ids + (e)->off)

extern PathReport *path_report_create(MemoryContext mcxt, LabelDict *dict, int align);
extern bool path_report_add(PathReport *r, const int32 *ids, int32 len, int64 count);
extern void path_report_merge(PathReport *dst, const PathReport *src);
extern struct varlena *path_report_encode(PathReport *r);
extern PathReport *path_report_decode(const struct varlena *v);
extern const char *path_align_name(int align);
extern int	path_align_parse(const char *fn, const char *s, int len);
extern void path_append_quoted(StringInfo buf, const char *s, int len);

#endif							/* CJ_PATH_REPORT_H */
