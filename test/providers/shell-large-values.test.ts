/**
 * Issue 15 item 4 — the flagship runbook's `owners` step failed at 900 leaked tokens with
 * `node: could not start (E2BIG)`: 155 KB in one environment variable. Large documents now go
 * to the child on stdin; the exec door refuses an oversize env before spawning, with a clear
 * error. Here the shipped step itself (its `with`, rendered as the engine does) runs through the
 * real shell provider and a real node child, with the outputs of 3,000 verified tokens.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecError } from '../../src/core/exec.js';
import { loadRunbook } from '../../src/core/runbook/load.js';
import { render } from '../../src/core/runbook/expressions.js';
import { createActionContext } from '../../src/providers/context.js';
import shell from '../../src/providers/shell/index.js';

const FLAGSHIP = join(import.meta.dirname, '..', '..', 'runbooks', 'hf-spaces-secrets-exposure.yaml');
const N = 3000;

describe("the flagship runbook's owners step at scale", () => {
  it(`works out the owners of ${N} live tokens (a document far over one env value's 128 KiB)`, async () => {
    const lr = await loadRunbook(FLAGSHIP);
    const step = lr.runbook.steps.find((s) => s.id === 'owners')!;
    const dir = mkdtempSync(join(tmpdir(), 'owners-'));
    const contacts = join(dir, 'contacts.json');
    const names = Array.from({ length: N }, (_, i) => `user-${String(i).padStart(5, '0')}`);
    writeFileSync(contacts, JSON.stringify(Object.fromEntries(names.filter((_, i) => i % 2 === 0).map((n) => [n, `${n}@example.test`]))));
    const items = names.map((name, i) => ({ token: `hf_…${String(i).padStart(4, '0')}`, name, live: true, replace: i % 3 === 0, role: 'write', fingerprint: 'f'.repeat(32) }));
    const outputs = { items, keys: names, count: N };
    expect(JSON.stringify(outputs).length).toBeGreaterThan(3 * 128 * 1024);

    const action = shell.actions.run!;
    const input = action.input.parse(render(step.with, { inputs: { contacts }, steps: { 'verify-tokens': { outputs } } }));
    const ctx = createActionContext({ type: 'shell', action: 'run', config: {}, workdir: dirname(FLAGSHIP) });
    const out = (await action.run(ctx, input)) as { json: { live: number; notify: unknown[]; no_contact: string[] } };
    expect(out.json.live).toBe(N);
    expect(out.json.notify).toHaveLength(N / 2);
    expect(out.json.no_contact).toHaveLength(N / 2);
    // the Slack post names 20 owners and counts the rest (Slack takes 40,000 characters; 2,500 owners overflowed it)
    expect((out.json as unknown as { owners_brief: string }).owners_brief).toMatch(new RegExp(`^user-00000, user-00001, .*, user-00019 and ${N - 20} more$`));
  }, 60_000);

  it('the same document in an environment variable is refused before anything starts, naming the variable', async () => {
    const action = shell.actions.run!;
    const big = JSON.stringify({ items: Array.from({ length: N }, (_, i) => ({ name: `user-${i}`, live: true, fingerprint: 'f'.repeat(32) })) });
    const input = action.input.parse({ command: ['node', 'lib/hf-spaces-scope.mjs', 'owners'], env: { VERIFY: big }, json: true });
    const ctx = createActionContext({ type: 'shell', action: 'run', config: {}, workdir: dirname(FLAGSHIP) });
    const err = await action.run(ctx, input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecError);
    expect((err as ExecError).message).toMatch(/^node: environment variable VERIFY is \d+ KiB; the system refuses a single variable over 128 KiB \(E2BIG\); nothing was started$/);
    expect((err as ExecError).nextSteps).toEqual(['Pass large values on stdin (shell provider: stdin:) or in a file, not in argv or env.']);
  });

  it('a json: true command may print a document over exec\'s 1 MiB default (the scope step at 10,000 tokens prints ~3 MB)', async () => {
    const action = shell.actions.run!;
    const n = 40_000;
    const input = action.input.parse({ command: ['node', '-e', `process.stdout.write(JSON.stringify({ files: Array.from({ length: ${n} }, (_, i) => '/state/incidents/x/drill/workspace/space-secrets/acme-ml/space-' + i + '/HF_TOKEN_0') }))`], json: true });
    const ctx = createActionContext({ type: 'shell', action: 'run', config: {}, workdir: dirname(FLAGSHIP) });
    const out = (await action.run(ctx, input)) as { json: { files: string[] }; stdout: string };
    expect(JSON.stringify(out.json).length).toBeGreaterThan(2 * 1024 * 1024);
    expect(out.json.files).toHaveLength(n);
    expect(out.stdout.length).toBeLessThanOrEqual(65536);
  }, 60_000);
});
