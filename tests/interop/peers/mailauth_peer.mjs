// SPDX-License-Identifier: MIT
// mailauth (npm, tests/interop/package.json) as a DKIM interop peer of vouch.
//
// Reads one JSON request on stdin:
//   {"dns_port": N, "jobs": [JOB, ...]}
//   sign:   {"op": "sign", "in": FILE, "alg": "rsa-sha256"|"ed25519-sha256",
//            "canon": "relaxed/relaxed", "domain": D, "selector": S, "key_pem": PEM}
//   verify: {"op": "verify", "in": FILE}
// prints one JSON array, one object per job:
//   sign:   {"ok": true, "header": "DKIM-Signature: ...\r\n"} | {"ok": false, "error": T}
//   verify: {"result": "pass"|"fail"|"neutral"|..., "detail": TEXT}
// Messages are given as Buffers, byte for byte. Keys are looked up through
// mailauth's `resolver` option: node's DNS client at 127.0.0.1:dns_port.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Resolver } from 'node:dns/promises';

const require = createRequire(import.meta.url);
const { dkimSign } = require('mailauth/lib/dkim/sign');
const { dkimVerify } = require('mailauth/lib/dkim/verify');

const req = JSON.parse(readFileSync(0, 'utf8'));
const dns = new Resolver({ timeout: 5000, tries: 2 });
dns.setServers([`127.0.0.1:${req.dns_port}`]);
const resolver = (name, type) => dns.resolve(name, type);

async function sign(job) {
    const message = readFileSync(job.in);
    const r = await dkimSign(message, {
        // Always give signTime. Without it mailauth 4.13.3 computes t= twice,
        // Math.round(Date.now() / 1000) for the hashed field and again for
        // the written one: when a half-second boundary falls in between (about
        // 1 signature in 600 here) t= differs and the signature verifies
        // nowhere, mailauth included.
        signTime: new Date(),
        canonicalization: job.canon,
        algorithm: job.alg,
        signatureData: [{
            signingDomain: job.domain,
            selector: job.selector,
            privateKey: readFileSync(job.key_pem),
            algorithm: job.alg,
            canonicalization: job.canon,
        }],
    });
    if (r.errors && r.errors.length) {
        return { ok: false, error: r.errors.map((e) => String(e.err || e.message || JSON.stringify(e))).join('; ') };
    }
    return { ok: true, header: r.signatures };
}

async function verify(job) {
    const r = await dkimVerify(readFileSync(job.in), { resolver });
    if (!r.results || !r.results.length) return { result: 'none', detail: 'no results' };
    const s = r.results[0];
    return { result: s.status.result, detail: [s.status.comment, s.info].filter(Boolean).join(' | ') };
}

const out = [];
for (const job of req.jobs) {
    try {
        out.push(job.op === 'sign' ? await sign(job) : await verify(job));
    } catch (e) {
        out.push(job.op === 'sign' ? { ok: false, error: String(e) } : { result: 'error', detail: String(e) });
    }
}
process.stdout.write(JSON.stringify(out) + '\n');
