/** Golden files: recorded journals → Markdown and JSON. Refresh with UPDATE_GOLDEN=1 (then review the diff). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drill, everyKind, liveHf } from './scenarios.js';
import { runReport, tempDir } from './harness.js';

const GOLDEN = join(import.meta.dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (update || !existsSync(file)) {
    if (!update) throw new Error(`golden file ${name} is missing: run with UPDATE_GOLDEN=1 and review it`);
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

let t: ReturnType<typeof tempDir>;
const ids: Record<string, string> = {};
beforeAll(() => {
  t = tempDir();
  ids.live = liveHf(join(t.dir, 'state'), t.dir).id;
  ids.drill = drill(join(t.dir, 'state')).id;
  ids.every = everyKind(join(t.dir, 'state')).id;
});
afterAll(() => t.cleanup());

describe.each([
  ['live', 'live-hf'],
  ['drill', 'drill'],
  ['every', 'every-kind'],
])('golden report: %s', (key, name) => {
  it.each(['md', 'json'])('%s', async (format) => {
    const r = await runReport([ids[key]!, '--format', format, '--state-dir', 'state'], { cwd: t.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    golden(`${name}.${format}`, r.stdout);
  });
});
