/**
 * Issue 11 item 11 — the drill's network guard is on while plugins load and until the process
 * exits: a plugin that connects from its module code (before the world exists) or when the
 * process is about to exit (after the drill's cleanup) is refused too. Built cli, real sockets.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsync, ensureBuilt } from '../e2e/cli.js';

function outsideAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

let server: Server | undefined;
let connections = 0;
let host = '192.0.2.1'; // TEST-NET-1, when the machine has no other address
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
}, 120_000);

afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('the drill guard lifetime', () => {
  it('refuses a plugin reaching out when it loads and when the process exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linger-'));
    const log = join(dir, 'attempts.log');
    const r = await cliAsync(['drill', 'test/drill/fixtures/lingering.yaml', '--yes', '--speed', '0', '--state-dir', join(dir, 'state')], {
      env: { LINGER_HOST: host, LINGER_PORT: String(port), LINGER_LOG: log },
    }).done;
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean).sort()).toEqual(['exit DRILL_OUTBOUND_REFUSED', 'load DRILL_OUTBOUND_REFUSED']);
    if (server) expect(connections, `nothing reached ${host}:${port}`).toBe(0);
  }, 60_000);
});
