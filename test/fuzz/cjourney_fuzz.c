/*-------------------------------------------------------------------------
 *
 * cjourney_fuzz.c
 *		Test-only entry points for the fuzzers in test/fuzz/ (never
 *		installed with the extension).
 *
 * PostgreSQL hands input, receive and deserialize functions buffers that
 * live inside larger palloc blocks, so AddressSanitizer cannot see a read
 * past their end.  These functions call cjourney's functions the way the
 * server does, but with buffers malloc'd to the exact size, freed as soon
 * as the call returns (so a value that kept a pointer into its input is a
 * use-after-free report):
 *
 *	cjfuzz.input(str text, template anyelement) RETURNS anyelement
 *		the type's text input over an exact-size C string
 *	cjfuzz.recv(data bytea, template anyelement) RETURNS anyelement
 *		the type's binary receive over an exact-size message; like COPY,
 *		trailing bytes are an error
 *	cjfuzz.agg_states(agg regprocedure, query text, rows_per_state int)
 *		RETURNS SETOF bytea
 *		runs an aggregate's transition function over the query's rows
 *		(columns in the aggregate's argument order) and returns the
 *		serialized state after every rows_per_state rows and at the end
 *	cjfuzz.bytes(v anyelement) RETURNS bytea
 *		the bytes of a varlena value as stored (header excluded)
 *	cjfuzz.stored(data bytea, template anyelement) RETURNS anyelement
 *		the inverse: data as a stored value of the template's type, with
 *		no check at all, as a damaged page would hand it to a function
 *	cjfuzz.deserialize(agg regprocedure, state bytea) RETURNS text
 *		deserializes the state twice (exact-size buffers), combines the
 *		copies (NULL + a, then + b), serializes, deserializes and
 *		serializes again (the second round must reproduce its input), and
 *		returns the final function's result as text
 *
 * The aggregate calls get a minimal AggState as their context, enough for
 * AggCheckCallContext; AggGetAggref returns NULL.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_aggregate.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include <stdlib.h>

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(cjfuzz_input);
PG_FUNCTION_INFO_V1(cjfuzz_recv);
PG_FUNCTION_INFO_V1(cjfuzz_agg_states);
PG_FUNCTION_INFO_V1(cjfuzz_deserialize);
PG_FUNCTION_INFO_V1(cjfuzz_bytes);
PG_FUNCTION_INFO_V1(cjfuzz_stored);

/* malloc that raises the usual error */
static char *
exact_alloc(Size n)
{
	char	   *p = malloc(Max(n, 1));

	if (p == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return p;
}

static Oid
template_type(FunctionCallInfo fcinfo)
{
	Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, 1);

	if (!OidIsValid(typid))
		elog(ERROR, "could not determine the template's type");
	return typid;
}

/* cjfuzz.input(str, template): typinput over an exact-size C string */
Datum
cjfuzz_input(PG_FUNCTION_ARGS)
{
	Oid			typid = template_type(fcinfo);
	text	   *str;
	Oid			infn,
				ioparam;
	char	   *cstr;
	Size		len;
	volatile Datum result = (Datum) 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	str = PG_GETARG_TEXT_PP(0);
	getTypeInputInfo(typid, &infn, &ioparam);
	len = VARSIZE_ANY_EXHDR(str);
	cstr = exact_alloc(len + 1);
	memcpy(cstr, VARDATA_ANY(str), len);
	cstr[len] = '\0';
	PG_TRY();
	{
		result = OidInputFunctionCall(infn, cstr, ioparam, -1);
	}
	PG_FINALLY();
	{
		free(cstr);
	}
	PG_END_TRY();
	PG_RETURN_DATUM(result);
}

/* cjfuzz.recv(data, template): typreceive over an exact-size message */
Datum
cjfuzz_recv(PG_FUNCTION_ARGS)
{
	Oid			typid = template_type(fcinfo);
	bytea	   *data;
	Oid			recvfn,
				ioparam;
	StringInfoData buf;
	volatile Datum result = (Datum) 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	data = PG_GETARG_BYTEA_PP(0);
	getTypeBinaryInputInfo(typid, &recvfn, &ioparam);
	buf.len = VARSIZE_ANY_EXHDR(data);
	buf.maxlen = buf.len + 1;
	buf.cursor = 0;
	/* a message is NUL-terminated, like the ones COPY and the protocol build */
	buf.data = exact_alloc(buf.len + 1);
	memcpy(buf.data, VARDATA_ANY(data), buf.len);
	buf.data[buf.len] = '\0';
	PG_TRY();
	{
		result = OidReceiveFunctionCall(recvfn, &buf, ioparam, -1);
		if (buf.cursor != buf.len)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("incorrect binary data format")));
	}
	PG_FINALLY();
	{
		free(buf.data);
	}
	PG_END_TRY();
	PG_RETURN_DATUM(result);
}

/* cjfuzz.bytes(v): a varlena value's bytes, to compare values bytewise */
Datum
cjfuzz_bytes(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	Size		len = VARSIZE(v) - VARHDRSZ;
	bytea	   *b = palloc(VARHDRSZ + len);

	if (get_typlen(get_fn_expr_argtype(fcinfo->flinfo, 0)) != -1)
		elog(ERROR, "cjfuzz.bytes takes a varlena value");
	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), VARDATA(v), len);
	PG_RETURN_BYTEA_P(b);
}

/*
 * cjfuzz.stored(data, template): data as the stored form of the template's
 * varlena type, unchecked.  The value lives in palloc memory like any
 * datum read from a page, so the functions it reaches see it as they would
 * a damaged stored value.
 */
Datum
cjfuzz_stored(PG_FUNCTION_ARGS)
{
	Oid			typid = template_type(fcinfo);
	bytea	   *data;
	struct varlena *v;
	Size		len;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (get_typlen(typid) != -1)
		elog(ERROR, "cjfuzz.stored makes varlena values only");
	data = PG_GETARG_BYTEA_PP(0);
	len = VARSIZE_ANY_EXHDR(data);
	v = palloc(VARHDRSZ + len);
	SET_VARSIZE(v, VARHDRSZ + len);
	memcpy(VARDATA(v), VARDATA_ANY(data), len);
	PG_RETURN_POINTER(v);
}

/* ---- aggregate support functions, called as nodeAgg.c calls them ---- */

typedef struct AggFns
{
	Oid			aggoid;
	Oid			rettype;
	AggState   *context;		/* enough for AggCheckCallContext */
	MemoryContext aggcxt;		/* the states' memory */
	FmgrInfo	trans,
				combine,
				serial,
				deserial,
				final;
	bool		has_final;
} AggFns;

/* look up fn and give it a call expression, for get_fn_expr_argtype & co */
static void
fn_init(FmgrInfo *f, Oid fn, Oid rettype, int nargs, const Oid *argtypes)
{
	List	   *args = NIL;
	int			i;

	fmgr_info(fn, f);
	for (i = 0; i < nargs; i++)
		args = lappend(args, makeNullConst(argtypes[i], -1, InvalidOid));
	fmgr_info_set_expr((Node *) makeFuncExpr(fn, rettype, args, InvalidOid, InvalidOid,
											 COERCE_EXPLICIT_CALL), f);
}

static void
aggfns_init(AggFns *a, Oid aggoid)
{
	HeapTuple	tup = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(aggoid));
	Form_pg_aggregate agg;
	Oid			internal2[2] = {INTERNALOID, INTERNALOID};
	Oid			deser[2] = {BYTEAOID, INTERNALOID};
	ExprContext *econtext;

	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("function %u is not an aggregate", aggoid)));
	agg = (Form_pg_aggregate) GETSTRUCT(tup);
	memset(a, 0, sizeof(*a));
	a->aggoid = aggoid;
	a->rettype = get_func_rettype(aggoid);
	if (agg->aggtranstype != INTERNALOID || !OidIsValid(agg->aggserialfn) ||
		!OidIsValid(agg->aggdeserialfn) || !OidIsValid(agg->aggcombinefn))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aggregate %u has no internal state with serialize, deserialize and combine functions",
						aggoid)));
	fmgr_info(agg->aggtransfn, &a->trans);	/* its call expression: agg_states */
	fn_init(&a->combine, agg->aggcombinefn, INTERNALOID, 2, internal2);
	fn_init(&a->serial, agg->aggserialfn, BYTEAOID, 1, internal2);
	fn_init(&a->deserial, agg->aggdeserialfn, INTERNALOID, 2, deser);
	a->has_final = OidIsValid(agg->aggfinalfn);
	if (a->has_final)
		fn_init(&a->final, agg->aggfinalfn, a->rettype, 1, internal2);
	ReleaseSysCache(tup);

	a->aggcxt = AllocSetContextCreate(CurrentMemoryContext, "cjfuzz aggregate states",
									  ALLOCSET_DEFAULT_SIZES);
	econtext = makeNode(ExprContext);
	econtext->ecxt_per_tuple_memory = a->aggcxt;
	a->context = makeNode(AggState);
	a->context->curaggcontext = econtext;
}

/* call f(args) in the aggregate's context; strict functions skip NULLs */
static Datum
agg_call(AggFns *a, FmgrInfo *f, int nargs, const Datum *args, const bool *nulls,
		 bool *isnull)
{
	LOCAL_FCINFO(fcinfo, FUNC_MAX_ARGS);
	Datum		result;
	int			i;

	if (f->fn_strict)
		for (i = 0; i < nargs; i++)
			if (nulls[i])
			{
				*isnull = true;
				return (Datum) 0;
			}
	InitFunctionCallInfoData(*fcinfo, f, nargs, InvalidOid, (Node *) a->context, NULL);
	for (i = 0; i < nargs; i++)
	{
		fcinfo->args[i].value = args[i];
		fcinfo->args[i].isnull = nulls[i];
	}
	result = FunctionCallInvoke(fcinfo);
	*isnull = fcinfo->isnull;
	return result;
}

/* deserialize a copy of state held in an exact-size buffer, freed at once */
static Datum
deserialize_exact(AggFns *a, bytea *state)
{
	Size		size = VARSIZE_ANY_EXHDR(state) + VARHDRSZ;
	bytea	   *copy = (bytea *) exact_alloc(size);
	volatile Datum result = (Datum) 0;

	SET_VARSIZE(copy, size);
	memcpy(VARDATA(copy), VARDATA_ANY(state), size - VARHDRSZ);
	PG_TRY();
	{
		Datum		args[2] = {PointerGetDatum(copy), (Datum) 0};
		bool		nulls[2] = {false, false};
		bool		isnull;

		result = agg_call(a, &a->deserial, 2, args, nulls, &isnull);
		if (isnull)
			elog(ERROR, "deserialize returned NULL");
	}
	PG_FINALLY();
	{
		free(copy);
	}
	PG_END_TRY();
	return result;
}

static bytea *
serialize(AggFns *a, Datum state)
{
	bool		isnull = false;
	Datum		r = agg_call(a, &a->serial, 1, &state, &isnull, &isnull);

	if (isnull)
		elog(ERROR, "serialize returned NULL");
	return DatumGetByteaPP(r);
}

static bool
bytea_equal(bytea *x, bytea *y)
{
	return VARSIZE_ANY_EXHDR(x) == VARSIZE_ANY_EXHDR(y) &&
		memcmp(VARDATA_ANY(x), VARDATA_ANY(y), VARSIZE_ANY_EXHDR(x)) == 0;
}

/* cjfuzz.deserialize(agg, state): deserialize, combine, re-serialize, final */
Datum
cjfuzz_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *state = PG_GETARG_BYTEA_PP(1);
	AggFns		a;
	Datum		args[2];
	bool		nulls[2] = {true, false};
	bool		isnull;
	Datum		merged,
				s;
	bytea	   *ser,
			   *again;
	Oid			outfn;
	bool		varlena;

	aggfns_init(&a, PG_GETARG_OID(0));

	/* NULL + a adopts a copy; then + b, another copy of the same bytes */
	args[0] = (Datum) 0;
	args[1] = deserialize_exact(&a, state);
	merged = agg_call(&a, &a.combine, 2, args, nulls, &isnull);
	if (isnull)
		elog(ERROR, "combine returned NULL");
	args[0] = merged;
	args[1] = deserialize_exact(&a, state);
	nulls[0] = false;
	merged = agg_call(&a, &a.combine, 2, args, nulls, &isnull);
	if (isnull)
		elog(ERROR, "combine returned NULL");

	/* one round trip normalises; the next must reproduce its input */
	ser = serialize(&a, merged);
	s = deserialize_exact(&a, ser);
	ser = serialize(&a, s);
	again = serialize(&a, deserialize_exact(&a, ser));
	if (!bytea_equal(ser, again))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("serialized state of aggregate %u is not a fixed point of deserialize and serialize",
						a.aggoid)));

	if (!a.has_final)
		PG_RETURN_NULL();
	nulls[0] = false;
	args[0] = s;
	args[0] = agg_call(&a, &a.final, 1, args, nulls, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	getTypeOutputInfo(a.rettype, &outfn, &varlena);
	PG_RETURN_TEXT_P(cstring_to_text(OidOutputFunctionCall(outfn, args[0])));
}

/* cjfuzz.agg_states(agg, query, rows_per_state): serialized states of the rows */
Datum
cjfuzz_agg_states(PG_FUNCTION_ARGS)
{
	Oid			aggoid = PG_GETARG_OID(0);
	char	   *query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int32		per_state = PG_GETARG_INT32(2);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AggFns		a;
	TupleDesc	outdesc,
				indesc;
	Tuplestorestate *store;
	MemoryContext old;
	Oid			argtypes[FUNC_MAX_ARGS];
	Datum		args[FUNC_MAX_ARGS];
	bool		nulls[FUNC_MAX_ARGS];
	Datum		state = (Datum) 0;
	bool		state_null = true;
	uint64		row;
	int			nargs,
				i;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (per_state < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rows_per_state must be positive")));
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	outdesc = CreateTemplateTupleDesc(1);
	TupleDescInitEntry(outdesc, 1, "state", BYTEAOID, -1, 0);
	store = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = outdesc;
	MemoryContextSwitchTo(old);

	aggfns_init(&a, aggoid);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(query, true, 0) != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the query must be a SELECT")));
	indesc = SPI_tuptable->tupdesc;
	nargs = indesc->natts + 1;
	if (nargs > FUNC_MAX_ARGS)
		elog(ERROR, "too many columns");
	argtypes[0] = INTERNALOID;
	for (i = 1; i < nargs; i++)
		argtypes[i] = TupleDescAttr(indesc, i - 1)->atttypid;
	fn_init(&a.trans, a.trans.fn_oid, INTERNALOID, nargs, argtypes);

	for (row = 0; row <= SPI_processed; row++)
	{
		bool		isnull;

		if (state_null == false && (row == SPI_processed || (row > 0 && row % per_state == 0)))
		{
			Datum		ser = PointerGetDatum(serialize(&a, state));
			bool		no = false;

			tuplestore_putvalues(store, outdesc, &ser, &no);
			MemoryContextReset(a.aggcxt);
			state_null = true;
		}
		if (row == SPI_processed)
			break;
		args[0] = state;
		nulls[0] = state_null;
		for (i = 1; i < nargs; i++)
			args[i] = SPI_getbinval(SPI_tuptable->vals[row], indesc, i, &nulls[i]);
		state = agg_call(&a, &a.trans, nargs, args, nulls, &isnull);
		state_null = isnull;
		CHECK_FOR_INTERRUPTS();
	}
	SPI_finish();
	return (Datum) 0;
}
