// bench/http-paginate.mjs — http.request pagination cost (run: node --import tsx
// bench/http-paginate.mjs, or `node bench/run.mjs http-paginate`).
//
// A loopback node:http server holds 2,000 items. Baseline: one GET of all of them with
// `body: true` through the same action. Then `paginate: { link: true }` over 20 pages of 100 and
// 200 pages of 10 (Link rel="next", as GitLab and Okta send it), and a body cursor over 20 pages.
// Each figure is a median of interleaved rounds, as a ratio of the one-request baseline; the
// per-page figure is what a page costs beyond moving the same items in one response.
import http from 'node:http';
import { SecretRegistry } from '../src/core/secrets/registry.ts';
import { createActionContext, memoryLogger } from '../src/providers/context.ts';
import provider from '../src/providers/http/index.ts';
import { median, ms, row } from './lib.mjs';

const N = Number(process.env.BENCH_ITEMS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const items = Array.from({ length: N }, (_, i) => ({ id: i, name: `token-${i}`, scopes: ['api', 'read_user'], created_at: '2024-05-30T23:41:07Z', active: i % 3 !== 0 }));

let base = '';
const server = http.createServer((req, res) => {
  const u = new URL(req.url ?? '/', base);
  const per = Number(u.searchParams.get('per_page') ?? N);
  const page = Number(u.searchParams.get('page') ?? 1);
  const rows = items.slice((page - 1) * per, page * per);
  const more = page * per < N;
  const headers = { 'content-type': 'application/json' };
  if (u.pathname === '/link' && more) headers.link = `<${base}/link?page=${page + 1}&per_page=${per}>; rel="next"`;
  const body = u.pathname === '/cursor' ? { data: rows, meta: { next: more ? String(page + 1) : null } } : rows;
  res.writeHead(200, headers);
  res.end(JSON.stringify(body));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
base = `http://127.0.0.1:${server.address().port}`;

const def = provider.actions.request;
async function run(input) {
  const secrets = new SecretRegistry();
  const ctx = createActionContext({ type: 'http', action: 'request', config: provider.config.parse({}), log: memoryLogger(), secrets, onEvidence: () => {}, httpTimeoutMs: 30_000, incident: { id: 'bench', stepId: 's' } });
  const out = await def.run(ctx, def.input.parse(input));
  const got = out.items ?? out.body;
  if (!Array.isArray(got) || got.length !== N) throw new Error(`expected ${N} items, got ${got?.length}`);
}

const cases = {
  'one GET, body: true (baseline)': { url: `${base}/link`, body: true },
  'link: 20 pages of 100': { url: `${base}/link?per_page=100`, paginate: { link: true, max_pages: 1000 } },
  'link: 200 pages of 10': { url: `${base}/link?per_page=10`, paginate: { link: true, max_pages: 1000 } },
  'cursor: 20 pages of 100': { url: `${base}/cursor?per_page=100`, paginate: { cursor: 'meta.next', param: 'page', items: 'data', max_pages: 1000 } },
};
console.log(`http.request: ${N} items from a loopback server, median of ${ROUNDS} interleaved rounds`);
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const input of Object.values(cases)) await run(input);
for (let r = 0; r < ROUNDS; r++) for (const [k, input] of Object.entries(cases)) times[k].push(await median(1, () => run(input)));
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const baseline = med(times['one GET, body: true (baseline)']);
for (const [k, xs] of Object.entries(times)) row(k, med(xs), k.includes('baseline') ? undefined : baseline, 'one GET');
const per = (med(times['link: 200 pages of 10']) - baseline) / 199;
console.log(`  per extra page (200 pages vs 1):              ${ms(per)}`);
server.close();
process.exit(0);
