/**
 * SECURITY.md target 7 — a drill touches nothing outside its simulated world. A runbook whose
 * providers point at a non-loopback host (a plugin with its own raw socket and fetch, the
 * HTTP door, an SMTP host) is drilled with the built cli while a TCP server listens on a
 * non-loopback address of this machine: the server must see no connection at all, and the
 * drill must say it refused them.
 */
import { describe, expect, it } from 'vitest';
import { cliAsync } from '../e2e/cli.js';
import { useOutsideListener } from './outside-listener.js';
import { journal, scorecard, stateDir } from './helpers.js';

const outside = useOutsideListener();

describe('the drill outbound guard', () => {
  it('refuses every non-loopback connection: raw socket, fetch, the HTTP door, SMTP', async () => {
    const dir = stateDir('guard');
    const run = cliAsync(['drill', 'test/drill/fixtures/rogue.yaml', '--yes', '--speed', '0', '--state-dir', dir, '--input', `host=${outside.host}`, '--input', `port=${outside.port}`]);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    const out = journal(dir).find((x) => x.type === 'outcome' && x.step === 'leave')?.output as Record<string, string>;
    expect(out).toEqual({ tcp: 'DRILL_OUTBOUND_REFUSED', fetch: 'DRILL_OUTBOUND_REFUSED', door: 'DRILL_OUTBOUND_REFUSED' });
    // the email provider's host was rewritten to the SMTP simulator: the mail went there
    expect(journal(dir).find((x) => x.type === 'step.finished' && x.step === 'mail')?.status).toBe('ok');
    expect(scorecard(dir)?.outbound_refused).toBeGreaterThanOrEqual(2);
    expect(r.stderr).toMatch(/no simulator for rogue \(rogue\): only loopback/);
    if (outside.listening) expect(outside.connections, `nothing reached ${outside.host}:${outside.port}`).toBe(0);
  }, 60_000);
});
