/** The process-level outbound guard, in process: every client path, loopback still allowed. */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { guardOutbound, outboundRefusals, releaseOutbound } from '../../src/drill/guard.js';

afterEach(() => releaseOutbound());

const errorOf = (s: net.Socket) => new Promise<string>((resolve) => s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error')).once('connect', () => resolve('connected')));

describe('guardOutbound', () => {
  it('refuses net.connect, tls.connect, http.request and fetch to a non-loopback host before any packet', async () => {
    guardOutbound();
    expect(await errorOf(net.connect(25, '192.0.2.1'))).toBe('DRILL_OUTBOUND_REFUSED');
    expect(await errorOf(tls.connect({ host: 'example.com', port: 443 }))).toBe('DRILL_OUTBOUND_REFUSED');
    const viaHttp = await new Promise<string>((resolve) => http.get('http://198.51.100.7/', () => resolve('answered')).on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error')));
    expect(viaHttp).toBe('DRILL_OUTBOUND_REFUSED');
    const viaFetch = await fetch('http://203.0.113.9/').then(
      () => 'answered',
      (e: { cause?: { code?: string } }) => e.cause?.code ?? 'error',
    );
    expect(viaFetch).toBe('DRILL_OUTBOUND_REFUSED');
    expect(outboundRefusals().map((r) => r.host)).toEqual(['192.0.2.1', 'example.com', '198.51.100.7', '203.0.113.9']);
  });

  it('lets loopback through, and is gone once released', async () => {
    const server = net.createServer((c) => c.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    guardOutbound();
    expect(await errorOf(net.connect(port, '127.0.0.1'))).toBe('connected');
    expect(await errorOf(net.connect(port, 'localhost'))).toBe('connected');
    releaseOutbound();
    // unguarded again: the attempt is made (and fails on its own, not by the guard)
    const s = net.connect({ host: '192.0.2.1', port: 9, timeout: 50 });
    s.on('timeout', () => s.destroy(Object.assign(new Error('t'), { code: 'ETIMEDOUT' })));
    expect(await errorOf(s)).not.toBe('DRILL_OUTBOUND_REFUSED');
    server.close();
  });
});
