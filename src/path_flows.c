/*-------------------------------------------------------------------------
 *
 * path_flows.c
 *		Reading a path report: path_nodes, path_edges (a Sankey's rows) and
 *		path_top.
 *
 * Steps: a 'left' report numbers the elements of a path 1, 2, 3, ...; a
 * 'right' one numbers them so that the last element is step 0.  A node is
 * (step, label); its key is "<step>_<label>", so the edge list is acyclic.
 *
 * Bucketing (nodes_per_step K > 0): at each step on its own, labels are
 * ranked by node value (descending), ties by label bytes, an elision
 * after every label; labels outside the top K become that step's
 * "(other)" node.  Paths then flow through the buckets unchanged.
 *
 * Edges: 'step' edges join consecutive elements; every path's last element
 * has an 'exit' edge to "(exit)" one step later; in a 'right' report every
 * path's first element also has an 'entry' edge from "(entry)" one step
 * earlier (paths start at different steps there; in a 'left' report they
 * all start at step 1, whose node values are the entries).  So for every
 * node, its value = its incoming step and entry edges (nothing at step 1
 * of a 'left' report) = its outgoing step and exit edges.
 *
 * Row order: step, then value (descending), then labels by bytes with an
 * elision, "(other)" and the virtual "(entry)"/"(exit)" after them, edges
 * by source, kind (entry, step, exit), then target.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "path_report.h"

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(path_nodes);
PG_FUNCTION_INFO_V1(path_edges);
PG_FUNCTION_INFO_V1(path_top);

#define LBL_OTHER		(-2)		/* the "(other)" bucket of a step */
#define LBL_VIRTUAL		(-3)		/* "(entry)" or "(exit)" */

#define EDGE_ENTRY		0
#define EDGE_STEP		1
#define EDGE_EXIT		2

static const char *const edge_kind_name[] = {"entry", "step", "exit"};

typedef struct NodeKey
{
	int32		step;
	int32		label;
} NodeKey;

typedef struct PathNode
{
	NodeKey		key;
	int64		value;
	int64		exits;
	int64		entries;
	bool		kept;			/* in its step's top K */
} PathNode;

typedef struct EdgeKey
{
	int32		kind;
	int32		step;			/* the source's step */
	int32		source;
	int32		target;
} EdgeKey;

typedef struct PathEdge
{
	EdgeKey		key;
	int64		value;
} PathEdge;

/* The label shown for an elision: "(…)", or "(...)" outside UTF-8 databases. */
static const char *
elision_label(void)
{
	return GetDatabaseEncoding() == PG_UTF8 ? "(\xE2\x80\xA6)" : "(...)";
}

/* labels by bytes (ranks in a decoded report), then elision, other, virtual */
static int32
label_sort_key(const PathReport *r, int32 label)
{
	if (label >= 0)
		return label;
	if (label == PATH_ELISION)
		return r->dict->n;
	if (label == LBL_OTHER)
		return r->dict->n + 1;
	return r->dict->n + 2;
}

static int32
element_step(const PathReport *r, int32 k, int32 len)
{
	return r->align == PATH_ALIGN_RIGHT ? k - (len - 1) : k + 1;
}

static HTAB *
make_table(const char *name, Size keysize, Size entrysize, long nelem)
{
	HASHCTL		ctl;

	ctl.keysize = keysize;
	ctl.entrysize = entrysize;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, Max(nelem, 64), &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static PathNode *
node_get(HTAB *nodes, int32 step, int32 label)
{
	NodeKey		key = {step, label};
	bool		found;
	PathNode	   *n = hash_search(nodes, &key, HASH_ENTER, &found);

	if (!found)
	{
		n->value = n->exits = n->entries = 0;
		n->kept = false;
	}
	return n;
}

/* One report's nodes and edges after bucketing. */
typedef struct Flows
{
	const PathReport *r;
	HTAB	   *nodes;
	HTAB	   *edges;
} Flows;

static const PathReport *sort_report;

static int
node_rank_cmp(const void *a, const void *b)
{
	const PathNode *x = *(PathNode *const *) a;
	const PathNode *y = *(PathNode *const *) b;
	int32		kx,
				ky;

	if (x->key.step != y->key.step)
		return x->key.step < y->key.step ? -1 : 1;
	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	kx = label_sort_key(sort_report, x->key.label);
	ky = label_sort_key(sort_report, y->key.label);
	return (kx > ky) - (kx < ky);
}

/* The nodes of a table in row order (step, value descending, label). */
static PathNode **
sorted_nodes(const PathReport *r, HTAB *nodes, long *n)
{
	HASH_SEQ_STATUS seq;
	PathNode	   *node;
	PathNode	  **all;
	long		i = 0;

	*n = hash_get_num_entries(nodes);
	all = palloc_extended(Max(*n, 1) * sizeof(PathNode *), MCXT_ALLOC_HUGE);
	hash_seq_init(&seq, nodes);
	while ((node = hash_seq_search(&seq)) != NULL)
		all[i++] = node;
	sort_report = r;
	qsort(all, *n, sizeof(PathNode *), node_rank_cmp);
	return all;
}

static void
nodes_per_step_check(const char *fn, int32 k)
{
	if (k < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s nodes_per_step must be zero (no bucketing) or positive, not %d", fn, k)));
}

/*
 * The nodes and edges of r with at most k labels per step (0: all).  Two
 * passes: node values without buckets, to rank each step's labels; then
 * nodes and edges with the buckets.
 */
static void
flows_build(const PathReport *r, int32 k, Flows *f)
{
	HTAB	   *raw = NULL;
	int32		i,
				j;
	int32	   *bucketed = NULL;
	int32		cap = 0;

	f->r = r;
	f->nodes = make_table("path nodes", sizeof(NodeKey), sizeof(PathNode), r->npaths);
	f->edges = make_table("path edges", sizeof(EdgeKey), sizeof(PathEdge), r->npaths);
	if (k > 0)
	{
		PathNode	  **all;
		long		n,
					x,
					rank = 0;

		raw = make_table("path raw nodes", sizeof(NodeKey), sizeof(PathNode), r->npaths);
		for (i = 0; i < r->npaths; i++)
		{
			const PathEntry *e = &r->paths[i];
			const int32 *ids = PATH_ELEMS(r, e);

			if ((i & 0xFFFF) == 0xFFFF)
				CHECK_FOR_INTERRUPTS();
			for (j = 0; j < e->len; j++)
				node_get(raw, element_step(r, j, e->len), ids[j])->value += e->count;
		}
		all = sorted_nodes(r, raw, &n);
		for (x = 0; x < n; x++)
		{
			if (x == 0 || all[x]->key.step != all[x - 1]->key.step)
				rank = 0;
			all[x]->kept = (rank++ < k);
		}
		pfree(all);
	}
	for (i = 0; i < r->npaths; i++)
	{
		const PathEntry *e = &r->paths[i];
		const int32 *ids = PATH_ELEMS(r, e);

		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		if (e->len > cap)
		{
			cap = Max(e->len, cap * 2);
			bucketed = bucketed ? repalloc(bucketed, cap * sizeof(int32))
				: palloc(cap * sizeof(int32));
		}
		for (j = 0; j < e->len; j++)
		{
			int32		step = element_step(r, j, e->len);
			int32		label = ids[j];
			PathNode	   *node;

			if (raw != NULL)
			{
				NodeKey		key = {step, label};
				PathNode	   *rn = hash_search(raw, &key, HASH_FIND, NULL);

				if (rn == NULL || !rn->kept)
					label = LBL_OTHER;
			}
			bucketed[j] = label;
			node = node_get(f->nodes, step, label);
			node->value += e->count;
			if (j == 0)
				node->entries += e->count;
			if (j == e->len - 1)
				node->exits += e->count;
		}
		for (j = 0; j < e->len; j++)
		{
			EdgeKey		key;
			bool		found;
			PathEdge	   *edge;
			int32		step = element_step(r, j, e->len);

			memset(&key, 0, sizeof(key));
			if (j == 0 && r->align == PATH_ALIGN_RIGHT)
			{
				key.kind = EDGE_ENTRY;
				key.step = step - 1;
				key.source = LBL_VIRTUAL;
				key.target = bucketed[j];
				edge = hash_search(f->edges, &key, HASH_ENTER, &found);
				edge->value = (found ? edge->value : 0) + e->count;
			}
			key.kind = (j == e->len - 1) ? EDGE_EXIT : EDGE_STEP;
			key.step = step;
			key.source = bucketed[j];
			key.target = (j == e->len - 1) ? LBL_VIRTUAL : bucketed[j + 1];
			edge = hash_search(f->edges, &key, HASH_ENTER, &found);
			edge->value = (found ? edge->value : 0) + e->count;
		}
	}
	if (bucketed != NULL)
		pfree(bucketed);
}

static text *
label_text(const PathReport *r, int32 label, int kind_of_virtual)
{
	if (label >= 0)
		return cstring_to_text_with_len(r->dict->str[label], r->dict->len[label]);
	if (label == PATH_ELISION)
		return cstring_to_text(elision_label());
	if (label == LBL_OTHER)
		return cstring_to_text("(other)");
	return cstring_to_text(kind_of_virtual == EDGE_ENTRY ? "(entry)" : "(exit)");
}

static text *
node_key(const PathReport *r, int32 step, int32 label, int kind_of_virtual)
{
	text	   *l = label_text(r, label, kind_of_virtual);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%d_", step);
	appendBinaryStringInfo(&buf, VARDATA_ANY(l), VARSIZE_ANY_EXHDR(l));
	return cstring_to_text_with_len(buf.data, buf.len);
}

static int32
int_arg(FunctionCallInfo fcinfo, int argno, int32 dflt)
{
	return (PG_NARGS() > argno && !PG_ARGISNULL(argno)) ? PG_GETARG_INT32(argno) : dflt;
}

/*
 * path_nodes(report, nodes_per_step): one row per node (step, label,
 * node_key, is_other, value, exits, share).
 */
Datum
path_nodes(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = cj_srf_begin(fcinfo, &tupdesc);
	int32		k = int_arg(fcinfo, 1, 0);
	PathReport *r;
	Flows		f;
	PathNode	  **all;
	long		n,
				x;

	nodes_per_step_check("path_nodes", k);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	r = path_report_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)));
	flows_build(r, k, &f);
	all = sorted_nodes(r, f.nodes, &n);
	for (x = 0; x < n; x++)
	{
		PathNode	   *node = all[x];
		Datum		values[7];
		bool		nulls[7] = {false, false, false, false, false, false, false};

		values[0] = Int32GetDatum(node->key.step);
		values[1] = PointerGetDatum(label_text(r, node->key.label, EDGE_EXIT));
		values[2] = PointerGetDatum(node_key(r, node->key.step, node->key.label, EDGE_EXIT));
		values[3] = BoolGetDatum(node->key.label == LBL_OTHER);
		values[4] = Int64GetDatum(node->value);
		values[5] = Int64GetDatum(node->exits);
		values[6] = Float8GetDatum((double) node->value / (double) r->total);
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	return (Datum) 0;
}

static int
edge_order_cmp(const void *a, const void *b)
{
	const PathEdge *x = *(PathEdge *const *) a;
	const PathEdge *y = *(PathEdge *const *) b;
	int32		kx,
				ky;

	if (x->key.step != y->key.step)
		return x->key.step < y->key.step ? -1 : 1;
	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	kx = label_sort_key(sort_report, x->key.source);
	ky = label_sort_key(sort_report, y->key.source);
	if (kx != ky)
		return kx < ky ? -1 : 1;
	if (x->key.kind != y->key.kind)
		return x->key.kind < y->key.kind ? -1 : 1;
	kx = label_sort_key(sort_report, x->key.target);
	ky = label_sort_key(sort_report, y->key.target);
	return (kx > ky) - (kx < ky);
}

/*
 * path_edges(report, nodes_per_step, min_value): one row per edge (step,
 * source, target, source_key, target_key, kind, value, share); edges with
 * a value below min_value are left out.
 */
Datum
path_edges(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = cj_srf_begin(fcinfo, &tupdesc);
	int32		k = int_arg(fcinfo, 1, 0);
	int64		min_value = (PG_NARGS() > 2 && !PG_ARGISNULL(2)) ? PG_GETARG_INT64(2) : 1;
	PathReport *r;
	Flows		f;
	HASH_SEQ_STATUS seq;
	PathEdge	   *edge;
	PathEdge	  **all;
	long		n,
				x = 0;

	nodes_per_step_check("path_edges", k);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	r = path_report_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)));
	flows_build(r, k, &f);
	n = hash_get_num_entries(f.edges);
	all = palloc_extended(Max(n, 1) * sizeof(PathEdge *), MCXT_ALLOC_HUGE);
	hash_seq_init(&seq, f.edges);
	while ((edge = hash_seq_search(&seq)) != NULL)
		if (edge->value >= min_value)
			all[x++] = edge;
	n = x;
	sort_report = r;
	qsort(all, n, sizeof(PathEdge *), edge_order_cmp);
	for (x = 0; x < n; x++)
	{
		const EdgeKey *e = &all[x]->key;
		Datum		values[8];
		bool		nulls[8] = {false, false, false, false, false, false, false, false};

		values[0] = Int32GetDatum(e->step);
		values[1] = PointerGetDatum(label_text(r, e->source, EDGE_ENTRY));
		values[2] = PointerGetDatum(label_text(r, e->target, EDGE_EXIT));
		values[3] = PointerGetDatum(node_key(r, e->step, e->source, EDGE_ENTRY));
		values[4] = PointerGetDatum(node_key(r, e->step + 1, e->target, EDGE_EXIT));
		values[5] = CStringGetTextDatum(edge_kind_name[e->kind]);
		values[6] = Int64GetDatum(all[x]->value);
		values[7] = Float8GetDatum((double) all[x]->value / (double) r->total);
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	return (Datum) 0;
}

static int
top_cmp(const void *a, const void *b, void *arg)
{
	const PathReport *r = arg;
	int32		i = *(const int32 *) a,
				j = *(const int32 *) b;

	if (r->paths[i].count != r->paths[j].count)
		return r->paths[i].count > r->paths[j].count ? -1 : 1;
	/* a decoded report is in path order */
	return (i > j) - (i < j);
}

/*
 * path_top(report, n): the n most frequent whole paths (rank, path, value,
 * share), ties in path order; NULL elements are elisions.
 */
Datum
path_top(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = cj_srf_begin(fcinfo, &tupdesc);
	PathReport *r = path_report_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)));
	int32		n = PG_GETARG_INT32(1);
	int32	   *order;
	int32		i,
				j;

	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("path_top n must be zero or positive, not %d", n)));
	order = palloc(Max(r->npaths, 1) * sizeof(int32));
	for (i = 0; i < r->npaths; i++)
		order[i] = i;
	qsort_arg(order, r->npaths, sizeof(int32), top_cmp, r);
	for (i = 0; i < r->npaths && i < n; i++)
	{
		const PathEntry *e = &r->paths[order[i]];
		const int32 *ids = PATH_ELEMS(r, e);
		Datum	   *elems = palloc(e->len * sizeof(Datum));
		bool	   *enulls = palloc(e->len * sizeof(bool));
		int			dims[1] = {e->len};
		int			lbs[1] = {1};
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		for (j = 0; j < e->len; j++)
		{
			enulls[j] = ids[j] < 0;
			elems[j] = enulls[j] ? (Datum) 0
				: PointerGetDatum(cstring_to_text_with_len(r->dict->str[ids[j]], r->dict->len[ids[j]]));
		}
		values[0] = Int32GetDatum(i + 1);
		values[1] = PointerGetDatum(construct_md_array(elems, enulls, 1, dims, lbs, TEXTOID, -1,
													   false, TYPALIGN_INT));
		values[2] = Int64GetDatum(e->count);
		values[3] = Float8GetDatum((double) e->count / (double) r->total);
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	return (Datum) 0;
}
