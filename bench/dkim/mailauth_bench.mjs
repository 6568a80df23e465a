// SPDX-License-Identifier: MIT
// DKIM messages/s through mailauth (npm), a benchmark peer only, one
// thread (Node's event loop; messages handed over one at a time as Buffers).
//   node mailauth_bench.mjs verify DIR RECORDS.tsv [SECONDS]
//   node mailauth_bench.mjs sign DIR KEY SELECTOR ALG HEADERS [SECONDS]
// Keys come from memory through mailauth's `resolver` option (shaped like
// dns.promises.resolve). sign: relaxed/relaxed, headerList = HEADERS.
// Warm-up pass (tallies), then whole passes until SECONDS of CPU time
// (process.cpuUsage, all of the process's threads, as the C drivers).
// One JSON line.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { dkimVerify } = require('mailauth/lib/dkim/verify');
const { dkimSign } = require('mailauth/lib/dkim/sign');

const [op, dir, ...rest] = process.argv.slice(2);
const names = readdirSync(dir).filter(n => n.endsWith('.eml')).sort();
const msgs = names.map(n => readFileSync(`${dir}/${n}`));
let one, seconds;

if (op === 'verify') {
    const recs = {};
    for (const line of readFileSync(rest[0], 'utf8').split('\n')) {
        if (!line) continue;
        const [name, val] = line.split('\t');
        const chunks = val.match(/.{1,255}/g);
        recs[name.toLowerCase()] = [chunks];
    }
    const resolver = async (name, type) => {
        const r = type === 'TXT' && recs[name.toLowerCase().replace(/\.$/, '')];
        if (!r) {
            const e = new Error('ENOTFOUND ' + name);
            e.code = 'ENOTFOUND';
            throw e;
        }
        return r;
    };
    seconds = Number(rest[1] || 3);
    one = async m => {
        const r = await dkimVerify(m, { resolver });
        const bad = r.results.find(x => x.status.result !== 'pass');
        if (!r.results.length) return 'none';
        return bad ? `${bad.status.result} (${bad.status.comment || ''})` : 'pass';
    };
} else {
    const [keyFile, selector, algorithm, headers] = rest;
    seconds = Number(rest[4] || 3);
    const privateKey = readFileSync(keyFile, 'utf8');
    const headerList = headers.split(':');
    one = async m => {
        const r = await dkimSign(m, {
            signatureData: [{ signingDomain: 'bench.example', selector, privateKey,
                              algorithm, canonicalization: 'relaxed/relaxed' }],
            headerList
        });
        return r.errors && r.errors.length ? `error (${r.errors[0].message || r.errors[0]})`
            : (r.signatures.length > 10 ? 'signed' : 'error');
    };
}

const tally = {};
let firstBad = '';
for (let i = 0; i < msgs.length; i++) {
    let r;
    try {
        r = await one(msgs[i]);
    } catch (e) {
        r = `error (${e.message})`;
    }
    tally[r] = (tally[r] || 0) + 1;
    if (r !== 'pass' && r !== 'signed' && !firstBad) firstBad = `${names[i]}: ${r}`;
}
let done = 0, t;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const t0 = cpu();
for (;;) {
    for (const m of msgs) await one(m);
    done += msgs.length;
    t = cpu() - t0;
    if (t >= seconds) break;
}
console.log(JSON.stringify({ impl: 'mailauth', op, msgs_per_s: Math.round(done / t * 10) / 10,
                             messages: msgs.length, tally, first_bad: firstBad }));
