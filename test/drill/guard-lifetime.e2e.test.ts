/**
 * Issue 11 item 11 — the drill's network guard is on while plugins load and until the process
 * exits: a plugin that connects from its module code (before the world exists) or when the
 * process is about to exit (after the drill's cleanup) is refused too. Built cli, real sockets.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliAsync } from '../e2e/cli.js';
import { useOutsideListener } from './outside-listener.js';

const outside = useOutsideListener(120_000);

describe('the drill guard lifetime', () => {
  it('refuses a plugin reaching out when it loads and when the process exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linger-'));
    const log = join(dir, 'attempts.log');
    const r = await cliAsync(['drill', 'test/drill/fixtures/lingering.yaml', '--yes', '--speed', '0', '--state-dir', join(dir, 'state')], {
      env: { LINGER_HOST: outside.host, LINGER_PORT: String(outside.port), LINGER_LOG: log },
    }).done;
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean).sort()).toEqual(['exit DRILL_OUTBOUND_REFUSED', 'load DRILL_OUTBOUND_REFUSED']);
    if (outside.listening) expect(outside.connections, `nothing reached ${outside.host}:${outside.port}`).toBe(0);
  }, 60_000);
});
