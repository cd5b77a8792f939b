-- describe_extension.sql: a catalog description of every member object of
-- an extension, one sorted text line per object or property, free of OIDs,
-- so that two databases' descriptions can be diffed (test/suites/upgrade.sh:
-- an upgraded install against a fresh one).
--
--   psql -X -At -v ON_ERROR_STOP=1 -v ext=cjourney -f describe_extension.sql
--
-- Members are the pg_depend rows of deptype 'e' on the extension. Each line
-- starts with the member's pg_describe_object() text, so a diff names the
-- object. Covered: every member (kind and comment), functions
-- (pg_get_functiondef plus kind, volatility, strictness, parallel label,
-- result, cost, rows, leakproof, security, language, symbol, config, support,
-- ACL), aggregates (pg_aggregate: every support function, kinds, transition
-- types, space, initial values, sort operator), types (pg_type: length,
-- by-value, category, I/O, typmod and analyze functions, alignment, storage,
-- delimiter, element and array types, default, collation, ACL; enum labels in
-- order; composite attributes and their comments), operators (pg_operator:
-- operands, result, function, commutator, negator, restrict and join
-- estimators, merges/hashes), casts, operator classes and families with
-- every pg_amop/pg_amproc member, relations (columns, view definitions) and
-- the extension row itself (version, schema, relocatable, config tables).
-- Unknown member kinds are still listed by the first section.
SET search_path = pg_catalog; -- every name comes out schema-qualified
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, MDY';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 1;

WITH ext AS (
    SELECT oid FROM pg_extension WHERE extname = :'ext'
), m AS (
    SELECT d.classid, d.objid, d.objsubid,
           pg_describe_object(d.classid, d.objid, d.objsubid) AS obj
    FROM pg_depend d, ext
    WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), lines AS (
    -- every member: its kind, its comment
    SELECT obj || ' | member ' || (pg_identify_object(classid, objid, objsubid)).type
           || ' | comment ' || coalesce(quote_literal((SELECT description FROM pg_description pd
                                                        WHERE pd.objoid = m.objid AND pd.classoid = m.classid
                                                          AND pd.objsubid = m.objsubid)), 'NULL') AS line
    FROM m
    UNION ALL
    -- functions, procedures, window functions, aggregates
    SELECT obj || ' | proc ' || concat_ws(' ',
               'kind=' || p.prokind::text, 'volatile=' || p.provolatile::text, 'strict=' || p.proisstrict,
               'parallel=' || p.proparallel::text, 'returns=' || pg_get_function_result(p.oid),
               'args=' || pg_get_function_arguments(p.oid),
               'retset=' || p.proretset, 'cost=' || p.procost, 'rows=' || p.prorows,
               'leakproof=' || p.proleakproof, 'secdef=' || p.prosecdef,
               'lang=' || (SELECT lanname FROM pg_language l WHERE l.oid = p.prolang),
               'src=' || quote_literal(p.prosrc), 'bin=' || coalesce(quote_literal(p.probin), 'NULL'),
               'config=' || coalesce(p.proconfig::text, 'NULL'), 'support=' || p.prosupport::regprocedure,
               'variadic=' || p.provariadic::regtype, 'acl=' || coalesce(p.proacl::text, 'NULL'))
    FROM m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
    UNION ALL
    SELECT obj || ' | functiondef ' || regexp_replace(pg_get_functiondef(p.oid), '\s+', ' ', 'g')
    FROM m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
    WHERE p.prokind <> 'a'
    UNION ALL
    SELECT obj || ' | aggregate ' || concat_ws(' ',
               'kind=' || a.aggkind::text, 'direct_args=' || a.aggnumdirectargs,
               'sfunc=' || a.aggtransfn::oid::regprocedure, 'finalfunc=' || a.aggfinalfn::oid::regprocedure,
               'combinefunc=' || a.aggcombinefn::oid::regprocedure,
               'serialfunc=' || a.aggserialfn::oid::regprocedure,
               'deserialfunc=' || a.aggdeserialfn::oid::regprocedure,
               'msfunc=' || a.aggmtransfn::oid::regprocedure, 'minvfunc=' || a.aggminvtransfn::oid::regprocedure,
               'mfinalfunc=' || a.aggmfinalfn::oid::regprocedure,
               'finalextra=' || a.aggfinalextra, 'mfinalextra=' || a.aggmfinalextra,
               'finalmodify=' || a.aggfinalmodify::text, 'mfinalmodify=' || a.aggmfinalmodify::text,
               'sortop=' || a.aggsortop::regoperator, 'stype=' || a.aggtranstype::regtype,
               'sspace=' || a.aggtransspace, 'mstype=' || a.aggmtranstype::regtype,
               'msspace=' || a.aggmtransspace,
               'initcond=' || coalesce(quote_literal(a.agginitval), 'NULL'),
               'minitcond=' || coalesce(quote_literal(a.aggminitval), 'NULL'))
    FROM m JOIN pg_aggregate a ON m.classid = 'pg_proc'::regclass AND a.aggfnoid = m.objid
    UNION ALL
    -- types
    SELECT obj || ' | type ' || concat_ws(' ',
               'name=' || t.typname, 'schema=' || t.typnamespace::regnamespace,
               'len=' || t.typlen, 'byval=' || t.typbyval, 'type=' || t.typtype::text,
               'category=' || t.typcategory::text, 'preferred=' || t.typispreferred,
               'delim=' || quote_literal(t.typdelim::text), 'elem=' || t.typelem::regtype,
               'array=' || t.typarray::regtype,
               'input=' || t.typinput::oid::regprocedure, 'output=' || t.typoutput::oid::regprocedure,
               'receive=' || t.typreceive::oid::regprocedure, 'send=' || t.typsend::oid::regprocedure,
               'typmod_in=' || t.typmodin::oid::regprocedure, 'typmod_out=' || t.typmodout::oid::regprocedure,
               'analyze=' || t.typanalyze::oid::regprocedure,
               'subscript=' || t.typsubscript::oid::regprocedure,
               'align=' || t.typalign::text, 'storage=' || t.typstorage::text, 'notnull=' || t.typnotnull,
               'basetype=' || t.typbasetype::regtype, 'typmod=' || t.typtypmod, 'ndims=' || t.typndims,
               'collation=' || coalesce((SELECT collname FROM pg_collation c WHERE c.oid = t.typcollation), '-'),
               'default=' || coalesce(quote_literal(t.typdefault), 'NULL'),
               'acl=' || coalesce(t.typacl::text, 'NULL'))
    FROM m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
    UNION ALL
    -- the array type PostgreSQL made for each member type (not itself a member)
    SELECT obj || ' | array type ' || concat_ws(' ',
               'name=' || at.typname, 'align=' || at.typalign::text, 'storage=' || at.typstorage::text,
               'input=' || at.typinput::oid::regprocedure, 'send=' || at.typsend::oid::regprocedure)
    FROM m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
    JOIN pg_type at ON at.oid = t.typarray
    UNION ALL
    SELECT obj || ' | enum labels ' || string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
    FROM m JOIN pg_enum e ON m.classid = 'pg_type'::regclass AND e.enumtypid = m.objid
    GROUP BY obj
    UNION ALL
    -- composite types and relations: columns in order, with comments
    SELECT obj || ' | attribute ' || concat_ws(' ',
               a.attnum, quote_ident(a.attname), format_type(a.atttypid, a.atttypmod),
               'notnull=' || a.attnotnull, 'dropped=' || a.attisdropped,
               'collation=' || coalesce((SELECT collname FROM pg_collation c WHERE c.oid = a.attcollation), '-'),
               'default=' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), 'NULL'),
               'comment=' || coalesce(quote_literal(col_description(a.attrelid, a.attnum)), 'NULL'))
    FROM m
    LEFT JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
    JOIN pg_attribute a ON a.attrelid = CASE WHEN m.classid = 'pg_class'::regclass THEN m.objid ELSE t.typrelid END
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE a.attnum > 0 AND (m.classid = 'pg_class'::regclass OR t.typrelid <> 0)
    UNION ALL
    SELECT obj || ' | relation ' || concat_ws(' ',
               'kind=' || c.relkind::text, 'persistence=' || c.relpersistence::text,
               'options=' || coalesce(c.reloptions::text, 'NULL'), 'acl=' || coalesce(c.relacl::text, 'NULL'),
               'view=' || coalesce(regexp_replace(pg_get_viewdef(c.oid), '\s+', ' ', 'g'), 'NULL'))
    FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
    UNION ALL
    -- operators
    SELECT obj || ' | operator ' || concat_ws(' ',
               'kind=' || o.oprkind::text, 'left=' || o.oprleft::regtype, 'right=' || o.oprright::regtype,
               'result=' || o.oprresult::regtype, 'function=' || o.oprcode::oid::regprocedure,
               'commutator=' || o.oprcom::regoperator, 'negator=' || o.oprnegate::regoperator,
               'restrict=' || o.oprrest::oid::regprocedure, 'join=' || o.oprjoin::oid::regprocedure,
               'merges=' || o.oprcanmerge, 'hashes=' || o.oprcanhash)
    FROM m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
    UNION ALL
    -- casts
    SELECT obj || ' | cast ' || concat_ws(' ',
               'source=' || c.castsource::regtype, 'target=' || c.casttarget::regtype,
               'function=' || c.castfunc::regprocedure, 'context=' || c.castcontext::text,
               'method=' || c.castmethod::text)
    FROM m JOIN pg_cast c ON m.classid = 'pg_cast'::regclass AND c.oid = m.objid
    UNION ALL
    -- operator classes
    SELECT obj || ' | opclass ' || concat_ws(' ',
               'method=' || am.amname, 'input=' || oc.opcintype::regtype, 'default=' || oc.opcdefault,
               'storage=' || oc.opckeytype::regtype,
               'family=' || pg_describe_object('pg_opfamily'::regclass, oc.opcfamily, 0))
    FROM m JOIN pg_opclass oc ON m.classid = 'pg_opclass'::regclass AND oc.oid = m.objid
    JOIN pg_am am ON am.oid = oc.opcmethod
    UNION ALL
    -- members of the operator families of member classes and member families
    SELECT pg_describe_object('pg_opfamily'::regclass, f.oid, 0) || ' | amop ' || concat_ws(' ',
               'left=' || ao.amoplefttype::regtype, 'right=' || ao.amoprighttype::regtype,
               'strategy=' || ao.amopstrategy, 'purpose=' || ao.amoppurpose::text,
               'operator=' || ao.amopopr::regoperator,
               'sortfamily=' || coalesce(pg_describe_object('pg_opfamily'::regclass, nullif(ao.amopsortfamily, 0), 0), '-'))
    FROM pg_opfamily f JOIN pg_amop ao ON ao.amopfamily = f.oid
    WHERE f.oid IN (SELECT objid FROM m WHERE classid = 'pg_opfamily'::regclass
                    UNION SELECT oc.opcfamily FROM m JOIN pg_opclass oc
                          ON m.classid = 'pg_opclass'::regclass AND oc.oid = m.objid)
    UNION ALL
    SELECT pg_describe_object('pg_opfamily'::regclass, f.oid, 0) || ' | amproc ' || concat_ws(' ',
               'left=' || ap.amproclefttype::regtype, 'right=' || ap.amprocrighttype::regtype,
               'number=' || ap.amprocnum, 'function=' || ap.amproc::oid::regprocedure)
    FROM pg_opfamily f JOIN pg_amproc ap ON ap.amprocfamily = f.oid
    WHERE f.oid IN (SELECT objid FROM m WHERE classid = 'pg_opfamily'::regclass
                    UNION SELECT oc.opcfamily FROM m JOIN pg_opclass oc
                          ON m.classid = 'pg_opclass'::regclass AND oc.oid = m.objid)
    UNION ALL
    -- the extension itself
    SELECT 'extension ' || e.extname || ' | ' || concat_ws(' ',
               'version=' || e.extversion, 'schema=' || e.extnamespace::regnamespace,
               'relocatable=' || e.extrelocatable,
               'config=' || coalesce(e.extconfig::regclass[]::text, 'NULL'),
               'condition=' || coalesce(e.extcondition::text, 'NULL'))
    FROM pg_extension e WHERE e.extname = :'ext'
)
SELECT line FROM lines ORDER BY line COLLATE "C";
