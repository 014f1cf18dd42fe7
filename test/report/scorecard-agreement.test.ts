/**
 * The report's metrics agree with the drill scorecard on every shipped drill: one definition,
 * one clock (the drill clock), so a postmortem never contradicts the scorecard it sits next to.
 * Runs each shipped drill by id through the built CLI, then `runbook report --json` and the
 * Markdown report.
 */
import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from '../e2e/cli.js';
import { drillableRunbooks, scorecard, stateDir } from '../drill/helpers.js';
import { leadingDuration } from '../../src/report/chart.js';

beforeAll(ensureBuilt);

const KEYS = ['detect', 'contain', 'rotate', 'notify'] as const;

describe.each(drillableRunbooks().map((f) => basename(f).replace(/\.ya?ml$/, '')))('shipped drill %s', (id) => {
  it('report metrics = scorecard (drill clock), in JSON and in the Markdown table and chart', () => {
    const dir = stateDir(`agree-${id}`);
    try {
      const d = cli(['drill', id, '--yes', '--state-dir', dir], { timeout: 240_000 });
      expect(d.code, d.stderr).toBe(0);
      const sc = scorecard(dir)!;
      expect(sc).toBeDefined();
      const incident = /incident (\S+) done/.exec(d.stderr)![1]!;
      const r = cli(['report', incident, '--json', '--state-dir', dir]);
      expect(r.code, r.stderr).toBe(0);
      const rep = JSON.parse(r.stdout);
      expect(rep.metrics.clock).toBe('drill');
      for (const k of KEYS) {
        const ms = sc[`${k}_ms`] as number | null;
        expect(rep.metrics[k].clock, k).toBe('drill');
        expect(rep.metrics[k].reached, k).toBe(ms !== null);
        if (ms !== null) expect(rep.metrics[k].ms, k).toBe(ms);
      }
      // the contradiction of the issue: contain reached while "no leaked credential was recorded"
      const md = cli(['report', incident, '--state-dir', dir]).stdout;
      expect(md).not.toContain('No leaked credential was recorded');
      expect(md).toContain('**drill clock**');
      expect(md).toMatch(/```mermaid\ngantt\n/);
      if (sc.contain_ms !== null) expect(md).toMatch(/\n {2}Contained :milestone, /);
      // attacker moves in the chart are at the scorecard's drill times
      for (const a of sc.adversary_actions as string[]) expect(leadingDuration(a)).toBeGreaterThanOrEqual(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
