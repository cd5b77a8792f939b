// run.mjs -- load the exported touchpoints into an embedded peer engine
// (DuckDB through @duckdb/node-api, ClickHouse through chdb) and time the
// peer bench's questions in it.  Started by bench/peers.sh.
//
//   node run.mjs --engine duckdb|clickhouse --modules DIR --sql FILE
//                --csv FILE --workdir DIR [--runs R] [--threads T]
//
// --modules is the node_modules directory the packages were installed into
// (outside the repository).  FILE holds "-- setup" blocks, run in order
// before anything is timed, and "-- name: QUESTION" blocks, each one query
// ending with a semicolon at the end of a line; @CSV@ and @THREADS@ are
// replaced by the file and thread count.  Each query runs once (warm-up,
// and its answer is kept), then R times; the best wall time of the R runs,
// measured around the call in this process, counts.
//
// Prints one line per question: QUESTION <tab> best ms <tab> answer (the
// result's rows, values joined by spaces, rows by ";"), or
// QUESTION <tab> - <tab> ERROR: message.  Exits non-zero only when the engine
// cannot be loaded or a setup block fails.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';

function die(msg) {
    process.stderr.write(`run.mjs: ${msg}\n`);
    process.exit(1);
}

const opts = { runs: '3', threads: '2' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!['engine', 'modules', 'sql', 'csv', 'workdir', 'runs', 'threads'].includes(key) ||
        argv[i + 1] === undefined)
        die(`bad argument: ${argv[i]}`);
    opts[key] = argv[i + 1];
}
for (const key of ['engine', 'modules', 'sql', 'csv', 'workdir'])
    if (!opts[key]) die(`--${key} is required`);
const runs = Number(opts.runs);
if (!Number.isInteger(runs) || runs < 1) die('--runs needs a positive number');

// The SQL file: setup blocks and named queries.
function parseSql(text) {
    const setup = [], queries = [];
    let cur = null;
    for (const line of text.split('\n')) {
        const m = line.match(/^-- name: (\S+)\s*$/);
        if (m || /^-- setup\s*$/.test(line)) {
            cur = { name: m ? m[1] : null, text: '' };
            continue;
        }
        if (!cur || /^\s*--/.test(line)) continue;
        cur.text += line + '\n';
        if (/;\s*$/.test(line)) {
            const sql = cur.text.trim().replace(/;$/, '')
                .replaceAll('@CSV@', opts.csv.replaceAll("'", "''"))
                .replaceAll('@THREADS@', String(Number(opts.threads)));
            (cur.name ? queries : setup).push({ name: cur.name, sql });
            cur = null;
        }
    }
    return { setup, queries };
}

const { setup, queries } = parseSql(readFileSync(opts.sql, 'utf8'));
const require = createRequire(path.join(path.resolve(opts.modules), 'noop.js'));

// An engine is { run(sql) -> Promise<string[][]>, close() }: rows of values
// as text (NULL as "NULL").
const cell = (v) => (v === null || v === undefined ? 'NULL' : String(v));

async function duckdbEngine() {
    let duck;
    try {
        duck = require('@duckdb/node-api');
    } catch (e) {
        die(`cannot load @duckdb/node-api from ${opts.modules}: ${e.message}`);
    }
    const inst = await duck.DuckDBInstance.create(':memory:', {
        temp_directory: path.join(opts.workdir, 'duckdb.tmp'),
    });
    const conn = await inst.connect();
    return {
        version: async () => (await conn.runAndReadAll('SELECT version()')).getRows()[0][0],
        run: async (sql) => (await conn.runAndReadAll(sql)).getRows().map((r) => r.map(cell)),
        close: () => { conn.closeSync?.(); },
    };
}

async function clickhouseEngine() {
    let chdb;
    try {
        chdb = require('chdb');
    } catch (e) {
        die(`cannot load chdb from ${opts.modules}: ${e.message}`);
    }
    const session = new chdb.Session(path.join(opts.workdir, 'chdb'));
    // TabSeparated: one row a line, \N for NULL.
    const run = (sql) => session.query(sql, 'TabSeparated').split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split('\t').map((v) => (v === '\\N' ? 'NULL' : v)));
    return {
        version: async () => run('SELECT version()')[0][0],
        run: async (sql) => run(sql),
        close: () => session.close(),
    };
}

const engine = opts.engine === 'duckdb' ? await duckdbEngine()
    : opts.engine === 'clickhouse' ? await clickhouseEngine()
        : die(`unknown engine: ${opts.engine}`);

process.stderr.write(`${opts.engine} ${await engine.version()}: loading\n`);
const loadStart = performance.now();
for (const s of setup) {
    try {
        await engine.run(s.sql);
    } catch (e) {
        die(`${opts.engine} setup failed: ${e.message}\n${s.sql}`);
    }
}
process.stderr.write(`${opts.engine}: loaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s\n`);

for (const q of queries) {
    let answer, best = Infinity;
    try {
        answer = (await engine.run(q.sql)).map((r) => r.join(' ')).join(';');
        for (let i = 0; i < runs; i++) {
            const t0 = performance.now();
            await engine.run(q.sql);
            best = Math.min(best, performance.now() - t0);
        }
        process.stdout.write(`${q.name}\t${best.toFixed(1)}\t${answer}\n`);
    } catch (e) {
        const msg = String(e.message).split('\n')[0];
        process.stdout.write(`${q.name}\t-\tERROR: ${msg}\n`);
    }
}
engine.close();
