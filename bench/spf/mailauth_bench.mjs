// SPDX-License-Identifier: MIT
// The SPF workload through mailauth (npm), a benchmark peer only. DNS comes
// from the workload's JSON map through mailauth's `resolver` option, shaped
// like dns.promises.resolve: an in-memory answer, like a warm cache.
// usage: node mailauth_bench.mjs DNS.json TRIPLES [SECONDS]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { spf } = require('mailauth/lib/spf');

const [dnsFile, triplesFile, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg || 3);
const dns = {};
for (const [name, types] of Object.entries(JSON.parse(readFileSync(dnsFile, 'utf8')))) {
    dns[name.toLowerCase()] = types;
}

const resolver = async (name, type) => {
    const node = dns[name.toLowerCase().replace(/\.$/, '')];
    if (!node) {
        const e = new Error('ENOTFOUND ' + name);
        e.code = 'ENOTFOUND';
        throw e;
    }
    const values = node[type];
    if (!values) {
        const e = new Error('ENODATA ' + name);
        e.code = 'ENODATA';
        throw e;
    }
    if (type === 'TXT') return values.map((v) => [v]);
    if (type === 'MX') return values.map(([priority, exchange]) => ({ priority, exchange }));
    return values.slice();
};

const triples = readFileSync(triplesFile, 'utf8').trim().split('\n').map((l) => l.split('\t'));
const check = ([ip, sender, helo]) => spf({ sender, ip, helo, mta: 'mx.receiver.example', resolver });

const tally = {};
for (const t of triples) {
    const r = await check(t);
    const result = r.status.result;
    tally[result] = (tally[result] || 0) + 1;
}
let evals = 0;
const t0 = process.hrtime.bigint();
let t;
do {
    for (const tr of triples) {
        await check(tr);
    }
    evals += triples.length;
    t = Number(process.hrtime.bigint() - t0) / 1e9;
} while (t < seconds);
console.log(JSON.stringify({ impl: 'mailauth', evals_per_s: Math.round(evals / t), tally }));
