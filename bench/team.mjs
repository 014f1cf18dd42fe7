// Team mode's cost (run with `node --import tsx`, as npm run bench does), against a real
// PostgreSQL 15 started for the run (test/team/pg-server.mjs; skipped when it is not installed),
// each figure as a ratio to a baseline measured in the same run:
//  1. append latency of a durable record (intent): the PostgreSQL store vs the file store (fsync);
//  2. an event reaching 3 attached viewers (LISTEN/NOTIFY, then reading the record): p95 vs the
//     200 ms budget;
//  3. 1,000 no-op steps through the engine: the PostgreSQL store vs the file store (budget ≤ 3×).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { engineOptions, noopProvider, row, stepsYaml } from './lib.mjs';
import { pgAvailable, startPg } from '../test/team/pg-server.mjs';

if (!pgAvailable()) {
  console.log('team: PostgreSQL is not installed (apt-get install postgresql) — skipped');
  process.exit(0);
}
const { PG_SCHEMA_SQL, PG_GRANTS_SQL } = await import('../src/core/journal/pg-schema.ts');
const { PgJournal } = await import('../src/core/journal/pg-store.ts');
const { FileJournal } = await import('../src/core/journal/store.ts');
const { Engine } = await import('../src/core/engine/engine.ts');
const { loadRunbookText } = await import('../src/core/runbook/load.ts');
const { SecretRegistry } = await import('../src/core/secrets/registry.ts');
const { ProviderRegistry } = await import('../src/providers/registry.ts');
const { defineProvider, defineAction } = await import('../src/providers/sdk.ts');
const { scriptedPorts } = await import('../src/scripted/ports.ts');

const APPENDS = Number(process.env.BENCH_APPENDS ?? 300);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100);
const STEPS = Number(process.env.BENCH_STEPS ?? 1000);
const db = await startPg({ schemaSql: PG_SCHEMA_SQL, grantsSql: PG_GRANTS_SQL });
process.env.PGPASSWORD = db.password;
const stateDir = mkdtempSync(join(tmpdir(), 'runbook-bench-team-'));
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const body = (i) => ({ type: 'intent', step: `s${i}`, item: '-', action: 'p.run', attempt: 1, key: `s${i}/-`, input: {}, idempotent: false });

try {
  // 1. append latency
  const lat = async (store) => {
    store.lock();
    const xs = [];
    try {
      for (let i = 0; i < APPENDS; i++) {
        const t = performance.now();
        store.append(body(i));
        xs.push(performance.now() - t);
      }
    } finally {
      store.unlock();
    }
    return med(xs);
  };
  const fileLat = await lat(new FileJournal(stateDir, 'lat'));
  const pgLat = await lat(new PgJournal(db.url, 'lat', { stateDir }));
  console.log(`team: append latency of a durable record, median of ${APPENDS}`);
  row('file store (write + fsync)', fileLat);
  row('PostgreSQL store (commit, loopback)', pgLat, fileLat, 'file store');

  // 2. an event to 3 attached viewers
  const viewers = [];
  for (let v = 0; v < 3; v++) {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('LISTEN runbook_journal');
    viewers.push(c);
  }
  const writer = new PgJournal(db.url, 'events', { stateDir });
  writer.lock();
  const samples = [];
  for (let i = 0; i < EVENTS; i++) {
    const got = viewers.map(
      (c) =>
        new Promise((resolve) => {
          const on = async (n) => {
            if (!n.payload?.startsWith('events ')) return;
            c.off('notification', on);
            await c.query('SELECT line FROM runbook_records WHERE incident = $1 AND seq = $2', ['events', Number(n.payload.split(' ')[1])]);
            resolve(performance.now());
          };
          c.on('notification', on);
        }),
    );
    const t = performance.now();
    writer.append({ type: 'note', text: `event ${i}` });
    for (const at of await Promise.all(got)) samples.push(at - t);
  }
  writer.unlock();
  for (const c of viewers) await c.end();
  const p95 = pct(samples, 95);
  console.log(`team: an event reaching 3 attached viewers (append → NOTIFY → read), ${samples.length} deliveries`);
  row('median', med(samples));
  row('p95', p95, 200, 'the 200 ms budget');

  // 3. 1,000 no-op steps through the engine
  const noop = noopProvider({ defineProvider, defineAction });
  const yaml = stepsYaml(STEPS);
  const steps = async (store) => {
    const registry = new ProviderRegistry();
    registry.add(noop, 'bench');
    const loaded = loadRunbookText(yaml, join(stateDir, 'rb.yaml'), { registry });
    const t = performance.now();
    const r = await new Engine(engineOptions({ SecretRegistry, scriptedPorts }, loaded, registry, store)).run();
    if (r.status !== 'done') throw new Error(`bench run ended ${r.status}: ${r.detail}`);
    return performance.now() - t;
  };
  const fileRuns = [];
  const pgRuns = [];
  for (let i = 0; i < 3; i++) {
    fileRuns.push(await steps(new FileJournal(stateDir, `steps-${i}`)));
    pgRuns.push(await steps(new PgJournal(db.url, `steps-${i}`, { stateDir })));
  }
  console.log(`team: ${STEPS} no-op steps through the engine, median of 3 interleaved rounds`);
  row('file store', med(fileRuns));
  row('PostgreSQL store', med(pgRuns), med(fileRuns), 'file store (budget 3×)');
} finally {
  await db.stop();
}
