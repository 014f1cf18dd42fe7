/**
 * A TCP server on a non-loopback IPv4 address of this machine, counting the connections it is
 * offered — what a drill's network guard must keep everything away from. Started (and the CLI
 * built) before the file's tests, closed after them. With no such address there is no server:
 * `host` stays TEST-NET-1 and `listening` false.
 */
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll } from 'vitest';
import { ensureBuilt } from '../e2e/cli.js';

/** A non-loopback IPv4 address of this machine, if it has one. */
function outsideAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

export interface OutsideListener {
  host: string;
  port: number;
  connections: number;
  listening: boolean;
}

/** Registers the hooks (`timeout` for the start-up hook, vitest's default when omitted). */
export function useOutsideListener(timeout?: number): OutsideListener {
  const out: OutsideListener = { host: '192.0.2.1', port: 9, connections: 0, listening: false };
  let server: Server | undefined;
  beforeAll(async () => {
    ensureBuilt();
    const addr = outsideAddress();
    if (!addr) return;
    server = createServer((c) => {
      out.connections++;
      c.destroy();
    });
    await new Promise<void>((resolve) => server!.listen(0, addr, resolve));
    out.host = addr;
    out.port = (server.address() as { port: number }).port;
    out.listening = true;
  }, timeout);
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });
  return out;
}
