// SPDX-License-Identifier: MIT
// mailauth's authenticate() (npm, tests/interop/package.json) as the peer of
// `vouch verify` in verify_mailauth.py.
//
// Reads one JSON request on stdin:
//   {"dns": {NAME: {TYPE: [RDATA, ...]}}, "faults": [[NAME, TYPE], ...],
//    "mta": AUTHSERV_ID,
//    "jobs": [{"id": ID, "file": PATH, "ip": IP, "helo": NAME,
//              "sender": ADDR_OR_EMPTY}, ...]}
// where a TXT RDATA is its list of strings, an A/AAAA RDATA an address and
// an MX RDATA "PREFERENCE EXCHANGE";
// prints one JSON array, one object per job:
//   {"id": ID,
//    "spf": {"result": R, "domain": D},
//    "dkim": [{"domain": D, "selector": S, "result": R, "comment": T}],
//    "dmarc": false | {"result": R, "policy": P, "p": P, "sp": P,
//                      "spf_aligned": B, "dkim_aligned": B, "domain": D},
//    "arc": {"result": R},
//    "error": TEXT (only when authenticate() threw)}
//
// DNS: a closed world, like vouch's zone backend. The `resolver` given to
// mailauth answers from "dns" only: a name holding records of the type asked
// gives them (shaped as node's dns.promises.resolve gives them); a name that
// exists (it owns records, or is an ancestor of a name that does) without
// that type throws ENODATA; any other name throws ENOTFOUND. mailauth reads
// those two codes as "no data" and anything else as a temporary error. A
// query listed in "faults" throws ETIMEOUT (vouch's zone: $FAULT TIMEOUT).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { authenticate } = require('mailauth');

const req = JSON.parse(readFileSync(0, 'utf8'));

const zone = new Map();
const exists = new Set();
for (const [owner, types] of Object.entries(req.dns)) {
    const name = owner.toLowerCase();
    zone.set(name, types);
    const labels = name.split('.');
    for (let i = 0; i < labels.length; i++) {
        exists.add(labels.slice(i).join('.'));
    }
}

function dnsError(code, name, type) {
    const e = new Error(`query${type} ${code} ${name}`);
    e.code = code;
    e.hostname = name;
    e.syscall = `query${type}`;
    return e;
}

const faults = new Set((req.faults || []).map(([n, t]) => `${n.toLowerCase()} ${t}`));
for (const [n] of req.faults || []) {
    const labels = n.toLowerCase().split('.');
    for (let i = 0; i < labels.length; i++) {
        exists.add(labels.slice(i).join('.'));
    }
}

async function resolver(name, type) {
    const n = String(name).toLowerCase().replace(/\.$/, '');
    if (faults.has(`${n} ${type}`)) {
        throw dnsError('ETIMEOUT', n, type);
    }
    const rrs = zone.get(n)?.[type];
    if (rrs && rrs.length) {
        if (type === 'MX') {
            return rrs.map((r) => {
                const [priority, exchange] = r.split(' ');
                return { priority: Number(priority), exchange };
            });
        }
        // a copy: mailauth must not change the zone between messages
        return JSON.parse(JSON.stringify(rrs));
    }
    throw dnsError(exists.has(n) ? 'ENODATA' : 'ENOTFOUND', n, type);
}

async function one(job) {
    const r = await authenticate(readFileSync(job.file), {
        ip: job.ip,
        helo: job.helo,
        sender: job.sender,
        mta: req.mta,
        resolver,
        disableBimi: true,
    });
    const out = { id: job.id };
    out.spf = { result: r.spf?.status?.result, domain: r.spf?.domain };
    out.dkim = (r.dkim?.results || [])
        .filter((s) => s.signingDomain)
        .map((s) => ({
            domain: s.signingDomain,
            selector: s.selector,
            result: s.status?.result,
            comment: s.status?.comment || '',
        }));
    if (r.dmarc) {
        const d = r.dmarc;
        out.dmarc = {
            result: d.status?.result,
            policy: d.policy,
            p: d.p,
            sp: d.sp,
            domain: d.domain,
            spf_aligned: d.alignment ? Boolean(d.alignment.spf?.result) : undefined,
            dkim_aligned: d.alignment ? Boolean(d.alignment.dkim?.result) : undefined,
        };
    } else {
        out.dmarc = false;
    }
    out.arc = { result: r.arc ? r.arc.status?.result : undefined };
    return out;
}

const out = [];
for (const job of req.jobs) {
    try {
        out.push(await one(job));
    } catch (e) {
        out.push({ id: job.id, error: String(e && e.stack ? e.stack : e) });
    }
}
process.stdout.write(JSON.stringify(out) + '\n');
