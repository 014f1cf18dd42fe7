// bench/exec.mjs — the exec door and the redactor (run: node --import tsx bench/exec.mjs,
// or `node bench/run.mjs exec`; core modules are TypeScript and not in the built bundle).
//
// 1. 200 runs of `true` through src/core/exec.ts vs 200 bare execa calls in the same run,
//    interleaved in rounds so both see the same machine load. Target ≤ 1.2×.
// 2. Redactor throughput: 1 MB of log text with 100 registered secrets (each with its ~30
//    encoded variants) vs a plain String.replaceAll of the 100 raw values; plus how the time
//    scales with text size and with the number of secrets (it must not be quadratic).
import { randomBytes, randomInt } from 'node:crypto';
import { execa } from 'execa';
import { exec } from '../src/core/exec.ts';
import { Redactor } from '../src/core/secrets/redactor.ts';
import { median, ms, ratio, row, time } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const PER_ROUND = 200 / ROUNDS;

// --- 1. exec vs bare execa ---------------------------------------------------------------
console.log(`exec: 200 × \`true\` through exec() vs 200 bare execa calls (${ROUNDS} interleaved rounds)`);
for (let i = 0; i < 10; i++) {
  await exec(['true']);
  await execa('true', []);
}
let bare = 0;
let ours = 0;
for (let r = 0; r < ROUNDS; r++) {
  const a = async () => {
    for (let i = 0; i < PER_ROUND; i++) await execa('true', [], { reject: true });
  };
  const b = async () => {
    for (let i = 0; i < PER_ROUND; i++) {
      const res = await exec(['true'], { timeoutMs: 30_000 });
      if (res.exitCode !== 0) throw new Error('true failed');
    }
  };
  // alternate which goes first, so neither always gets the warmer cache
  if (r % 2 === 0) {
    bare += await time(a);
    ours += await time(b);
  } else {
    ours += await time(b);
    bare += await time(a);
  }
}
row('200 bare execa("true")', bare);
row('200 exec(["true"]) (own group, env allow-list, timeout)', ours, bare, 'bare execa');
const execRatio = ours / bare;

// --- 2. redactor throughput ----------------------------------------------------------------
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rnd = (n, alphabet = ALNUM) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
function makeSecrets(n) {
  const kinds = [() => 'hf_' + rnd(34), () => 'ghp_' + rnd(36), () => rnd(40, ALNUM + '+/'), () => randomBytes(24).toString('base64url')];
  return Array.from({ length: n }, (_, i) => kinds[i % kinds.length]());
}
const FILLER = [
  '2025-05-31T10:00:00Z INFO step revoke-hf-tokens item=alice status=ok http=200 request_id=abc123',
  'DEBUG GET https://huggingface.co/api/whoami-v2 -> 401 {"error":"Invalid credentials in Authorization header"}',
  'WARN rate limited; waiting 55 s (RateLimit: "api";r=0;t=55)',
  'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt',
];
function makeText(bytes, secrets) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    let line = FILLER[i % FILLER.length];
    if (i % 40 === 0) line += ` token=${secrets[i % secrets.length]}`;
    if (i % 97 === 0) line += ` basic=${Buffer.from('user:' + secrets[(i * 7) % secrets.length]).toString('base64')}`;
    if (i % 131 === 0) line += ` unregistered=ghp_${rnd(36)}`;
    parts.push(line);
    size += line.length + 1;
  }
  return parts.join('\n');
}

console.log('\nredactor: 1 MB of log text, 100 registered secrets (values + encoded variants) and token shapes');
const secrets = makeSecrets(100);
const text = makeText(1024 * 1024, secrets);
const r = new Redactor();
const addMs = await time(() => {
  for (const s of secrets) r.add(s, 'bench');
});
const firstMs = await time(() => r.redact(text));
const redactMs = await median(5, () => r.redact(text));
const out = r.redact(text);
for (const s of secrets) if (out.includes(s)) throw new Error('a secret survived');
if (/ghp_[A-Za-z0-9]{36}/.test(out)) throw new Error('a token shape survived');
const replaceAllMs = await median(5, () => {
  let o = text;
  for (const s of secrets) o = o.replaceAll(s, '***');
  return o;
});
console.log(`  ${r.size} needles registered in ${ms(addMs)}; first redact ${ms(firstMs)}`);
row('String.replaceAll × 100 raw values (baseline)', replaceAllMs);
row('Redactor.redact (all variants + shapes), median of 5', redactMs, replaceAllMs, 'replaceAll');
console.log(`  throughput ${((text.length / 1024 / 1024) / (redactMs / 1000)).toFixed(1)} MB/s`);

console.log('\nredactor scaling (median of 3; linear in text size, flat in the number of secrets)');
const scale = [];
for (const [mb, n] of [
  [1, 10],
  [1, 100],
  [1, 1000],
  [2, 100],
  [4, 100],
]) {
  const ss = makeSecrets(n);
  const rr = new Redactor();
  for (const s of ss) rr.add(s);
  const t = makeText(mb * 1024 * 1024, ss);
  rr.redact('warm');
  const m = await median(3, () => rr.redact(t));
  scale.push({ mb, n, m });
  console.log(`  ${String(mb).padStart(2)} MB, ${String(n).padStart(4)} secrets (${String(rr.size).padStart(5)} needles)  ${ms(m).padStart(10)}`);
}
const by = (mb, n) => scale.find((x) => x.mb === mb && x.n === n).m;
console.log(`  4 MB / 1 MB: ${ratio(by(4, 100), by(1, 100))} (linear: 4×) · 1000 / 10 secrets at 1 MB: ${ratio(by(1, 1000), by(1, 10))} (a per-secret loop: 100×)`);

console.log('\nredactor: 100 secrets registered one at a time, a log line redacted after each (a rotate loop)');
const inc = new Redactor();
const incSecrets = makeSecrets(100);
const incMs = await time(() => {
  for (const s of incSecrets) {
    inc.add(s);
    inc.redact(`rotated key ${s} stored`);
  }
});
console.log(`  total ${ms(incMs)} (${ms(incMs / 100)} per registration)`);

console.log(`\nsummary: exec/execa ${execRatio.toFixed(2)}× (target ≤ 1.2×) · redact 1 MB/100 secrets ${ms(redactMs)} = ${ratio(redactMs, replaceAllMs)} of replaceAll`);
if (process.argv.includes('--json')) console.log(JSON.stringify({ bare, ours, execRatio, addMs, firstMs, redactMs, replaceAllMs, scale, incMs }));
