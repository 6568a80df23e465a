// SPDX-License-Identifier: MIT
// The SPF workload through mailauth (npm), a benchmark peer only, never a
// dependency of vouch. DNS comes from the workload's JSON map through
// mailauth's `resolver` option, shaped like dns.promises.resolve (ENOTFOUND
// and ENODATA errors included): every query is answered from memory, like
// a warm cache.
//
// usage: node mailauth_bench.mjs DNS.json TRIPLES [SECONDS [RESULTS]]
//
// Evaluates every triple once (warm-up; the tally comes from this pass),
// then again and again until SECONDS (default 3) of CPU time have been
// used, one evaluation at a time (awaited: no overlap). Prints one line of JSON;
// RESULTS, if given, gets one line per triple of the first pass:
// result<TAB>comment.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { spf } = require('mailauth/lib/spf');

const [dnsFile, triplesFile, secondsArg, resultsFile] = process.argv.slice(2);
if (!triplesFile) {
    console.error('usage: node mailauth_bench.mjs DNS.json TRIPLES [SECONDS [RESULTS]]');
    process.exit(2);
}
const seconds = Number(secondsArg || 3);
const dns = {};
for (const [name, types] of Object.entries(JSON.parse(readFileSync(dnsFile, 'utf8')))) {
    dns[name.toLowerCase()] = types;
}

const dnsError = (code, name) => {
    const e = new Error(`${code} ${name}`);
    e.code = code;
    return e;
};

const resolver = async (name, type) => {
    const node = dns[name.toLowerCase().replace(/\.$/, '')];
    if (!node) throw dnsError('ENOTFOUND', name);
    const values = node[type];
    if (!values) throw dnsError('ENODATA', name);
    if (type === 'TXT') return values.map((v) => [v]);
    if (type === 'MX') return values.map(([priority, exchange]) => ({ priority, exchange }));
    return values.slice();
};

const triples = readFileSync(triplesFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.replace(/\r$/, '').split('\t'));
const check = ([ip, sender, helo]) => spf({ sender, ip, helo, mta: 'mx.receiver.example', resolver });

const tally = {};
const rows = [];
for (const t of triples) {
    const r = await check(t);
    const result = r.status.result;
    tally[result] = (tally[result] || 0) + 1;
    rows.push(`${result}\t${String(r.status.comment || '').replace(/[\t\n]/g, ' ')}\n`);
}
if (resultsFile) writeFileSync(resultsFile, rows.join(''));
// timed on the process's CPU time, all threads (V8's GC helpers included;
// waiting for the CPU does not count), wall time reported beside it
const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
};
let evals = 0;
const t0 = cpu();
const w0 = process.hrtime.bigint();
let t;
do {
    for (const tr of triples) {
        await check(tr);
    }
    evals += triples.length;
    t = cpu() - t0;
} while (t < seconds);
const w = Number(process.hrtime.bigint() - w0) / 1e9;
console.log(
    JSON.stringify({
        impl: 'mailauth',
        evals_per_s: Math.round(evals / t),
        evals_per_wall_s: Math.round(evals / w),
        evals,
        cpu_seconds: Number(t.toFixed(3)),
        wall_seconds: Number(w.toFixed(3)),
        tally
    })
);
