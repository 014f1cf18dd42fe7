/**
 * SECURITY.md target 7 — a drill touches nothing outside its simulated world. A runbook whose
 * providers point at a non-loopback host (a plugin with its own raw socket and fetch, the
 * HTTP door, an SMTP host) is drilled with the built cli while a TCP server listens on a
 * non-loopback address of this machine: the server must see no connection at all, and the
 * drill must say it refused them.
 */
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsync, ensureBuilt } from '../e2e/cli.js';
import { journal, scorecard, stateDir } from './helpers.js';

/** A non-loopback IPv4 address of this machine, if it has one. */
function outsideAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

let server: Server | undefined;
let connections = 0;
let host = '192.0.2.1'; // TEST-NET-1: used (with no listener) when the machine has no other address
let port = 9;

beforeAll(async () => {
  ensureBuilt();
  const addr = outsideAddress();
  if (!addr) return;
  server = createServer((c) => {
    connections++;
    c.destroy();
  });
  await new Promise<void>((resolve) => server!.listen(0, addr, resolve));
  host = addr;
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('the drill outbound guard', () => {
  it('refuses every non-loopback connection: raw socket, fetch, the HTTP door, SMTP', async () => {
    const dir = stateDir('guard');
    const run = cliAsync(['drill', 'test/drill/fixtures/rogue.yaml', '--yes', '--speed', '0', '--state-dir', dir, '--input', `host=${host}`, '--input', `port=${port}`]);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    const out = journal(dir).find((x) => x.type === 'outcome' && x.step === 'leave')?.output as Record<string, string>;
    expect(out).toEqual({ tcp: 'DRILL_OUTBOUND_REFUSED', fetch: 'DRILL_OUTBOUND_REFUSED', door: 'DRILL_OUTBOUND_REFUSED' });
    // the email provider's host was rewritten to the SMTP simulator: the mail went there
    expect(journal(dir).find((x) => x.type === 'step.finished' && x.step === 'mail')?.status).toBe('ok');
    expect(scorecard(dir)?.outbound_refused).toBeGreaterThanOrEqual(2);
    expect(r.stderr).toMatch(/no simulator for rogue \(rogue\): only loopback/);
    if (server) expect(connections, `nothing reached ${host}:${port}`).toBe(0);
  }, 60_000);
});
