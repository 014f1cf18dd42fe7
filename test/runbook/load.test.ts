import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, isAbsolute } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError, type Issue } from '../../src/core/errors.js';
import { loadRunbook, loadRunbookText, parseYamlStrict } from '../../src/core/runbook/load.js';
import { looksLikeRunbook } from '../../src/core/runbook/find.js';
import { ProviderRegistry } from '../../src/providers/registry.js';
import { testRegistry } from './helpers/providers.js';
import { withBase62Checksum } from '../../src/core/secrets/kind-checks.js';
/** AWS's documented example key id (a placeholder by design), assembled so no key-shaped literal is committed */
const AWS_DOC_ID = ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('');


const root = join(import.meta.dirname, '..', '..');

function issues(f: () => unknown): Issue[] {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return e.issues;
  }
  throw new Error('accepted');
}
async function issuesAsync(p: Promise<unknown>): Promise<Issue[]> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return e.issues;
  }
  throw new Error('accepted');
}

function shipped(dir = join(root, 'runbooks')): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return shipped(p);
    return /\.ya?ml$/.test(n) && looksLikeRunbook(readFileSync(p, 'utf8')) ? [p] : [];
  });
}

const MIN = `version: 1
id: min
title: Minimal
steps:
  - id: a
    kind: manual
    title: Do it
`;

describe('loadRunbook', () => {
  it('loads every shipped runbook', async () => {
    const files = shipped();
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const lr = await loadRunbook(f);
      expect(lr.runbook.steps.length).toBeGreaterThan(0);
      expect(readFileSync(f, 'utf8').startsWith('# yaml-language-server: $schema=')).toBe(true);
    }
  });

  it('returns the runbook with defaults, its folder and the sha256 of its source', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-'));
    const file = join(dir, 'min.yaml');
    writeFileSync(file, MIN);
    const lr = await loadRunbook(file);
    expect(lr.file).toBe(file);
    expect(lr.dir).toBe(dir);
    expect(lr.source).toBe(MIN);
    expect(lr.hash).toBe(createHash('sha256').update(MIN).digest('hex'));
    expect(lr.runbook.severity).toBe('high');
    expect(lr.runbook.steps[0]!.on_failure).toBe('stop');
    expect(lr.runbook.inputs).toEqual({});
    const text = loadRunbookText(MIN, 'relative.yaml');
    expect(isAbsolute(text.dir)).toBe(true);
  });

  it('reports a missing file as a ValidationError', async () => {
    const [i] = await issuesAsync(loadRunbook(join(tmpdir(), 'does-not-exist.yaml')));
    expect(i!.code).toBe('read');
    expect(i!.message).toMatch(/no such file/);
  });

  it('collects every problem, and stops at maxIssues saying how many more', () => {
    const keys = Array.from({ length: 30 }, (_, i) => `bogus${i}: 1`).join('\n');
    const all = issues(() => loadRunbookText(MIN + keys + '\n', 'x.yaml'));
    expect(all.filter((i) => i.code === 'unknown-key')).toHaveLength(30);
    const few = issues(() => loadRunbookText(MIN + keys + '\n', 'x.yaml', { maxIssues: 5 }));
    expect(few).toHaveLength(6);
    expect(few[5]!.code).toBe('too-many');
    expect(few[5]!.message).toMatch(/25 more/);
  });

  it('uses the registry it is given; the built-ins by default', () => {
    const text = `version: 1
id: r
title: r
providers:
  svc: { type: testsvc, url: "http://127.0.0.1:1", token: "\${{ secrets.t }}" }
secrets:
  t: { from: env, env: T }
steps:
  - { id: a, kind: detect, title: x, uses: svc.lookup, with: { user: u } }
`;
    expect(loadRunbookText(text, 'x.yaml', { registry: testRegistry() }).runbook.id).toBe('r');
    const [i] = issues(() => loadRunbookText(text, 'x.yaml'));
    expect(i!.code).toBe('unknown-provider-type');
    expect(i!.message).toMatch(/if it comes from a plugin, list it under plugins:/);
    const [j] = issues(() => loadRunbookText(text, 'x.yaml', { registry: new ProviderRegistry([]) }));
    expect(j!.message).toMatch(/known: none/);
  });

  it('accepts references to steps that run before, by order or through needs', () => {
    const text = `version: 1
id: order
title: order
providers: { sh: { type: shell } }
inputs: { who: { type: list, default: [a, b] } }
steps:
  - { id: a, kind: detect, title: x, uses: sh.run, with: { command: [echo] }, outputs: { line: result.stdout } }
  - { id: b, kind: manual, title: "\${{ steps.a.outputs.line }}" }
  - id: c
    kind: detect
    title: y
    needs: [b]
    uses: sh.run
    for_each: \${{ inputs.who }}
    item_key: item
    concurrency: 2
    with: { command: [echo, "\${{ item }}", "\${{ steps.a.outputs.line }}"] }
    outputs: { out: "\${{ result.count }}" }
  - { id: d, kind: manual, title: "\${{ steps.c.outputs.out }}", needs: [c] }
  - { id: e, kind: manual, title: "\${{ steps.a.outputs.line }} \${{ steps.d.outputs.note }}" }
  - { id: f, kind: detect, title: "\${{ steps.e.outputs.link }}", uses: sh.run, for_each: [1, 2], with: { command: [echo] } }
  - { id: g, kind: manual, title: "\${{ steps.f.outputs.count }} \${{ steps.f.outputs.items[0].stdout }}" }
`;
    expect(loadRunbookText(text, 'x.yaml').runbook.steps).toHaveLength(7);
    // a manual step's outputs are note and link; a for_each step's are items, keys and count
    const bad = issues(() => loadRunbookText(text.replace('steps.d.outputs.note', 'steps.d.outputs.anything').replace('steps.f.outputs.count', 'steps.f.outputs.stdout'), 'x.yaml'));
    expect(bad.map((i) => i.message)).toEqual([
      'step "d" has no output "anything" (outputs: link, note)',
      'step "f" has no output "stdout" (outputs: count, items, keys)',
    ]);
  });
});

describe('strict YAML', () => {
  it('refuses a billion-laughs document fast', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill('*' + prev).join(',')}]`);
    }
    const text = levels.join('\n') + '\n';
    const t0 = performance.now();
    const found = issues(() => loadRunbookText(text, 'lol.yaml'));
    const t1 = performance.now();
    expect(found.every((i) => i.code === 'yaml-alias')).toBe(true);
    expect(found[0]!.line).toBe(2);
    expect(t1 - t0).toBeLessThan(500);
    expect(() => parseYamlStrict(text, 'lol.yaml')).toThrow(ValidationError);
  });

  it('refuses deep nesting with a ValidationError, not a stack overflow', () => {
    for (const text of ['['.repeat(20_000) + ']'.repeat(20_000), 'a:\n' + Array.from({ length: 200 }, (_, i) => ' '.repeat(i + 1) + 'b:').join('\n') + ' 1\n']) {
      const found = issues(() => loadRunbookText(text, 'deep.yaml'));
      expect(found[0]!.code).toMatch(/yaml-syntax|too-deep/);
    }
  });

  it('refuses files over 4 MiB before parsing', async () => {
    const big = MIN + '# ' + 'x'.repeat(4 * 1024 * 1024) + '\n';
    expect(issues(() => loadRunbookText(big, 'big.yaml'))[0]!.code).toBe('too-large');
    const dir = mkdtempSync(join(tmpdir(), 'rb-'));
    writeFileSync(join(dir, 'big.yaml'), big);
    expect((await issuesAsync(loadRunbook(join(dir, 'big.yaml'))))[0]!.code).toBe('too-large');
  });

  it('parseYamlStrict returns plain values and refuses what runbooks refuse', () => {
    expect(parseYamlStrict('a: [1, "x", true, null, 0x10]\nb: { c: 1.5 }\n', 's.yaml')).toEqual({ a: [1, 'x', true, null, 16], b: { c: 1.5 } });
    expect(parseYamlStrict('on: yes\n', 's.yaml')).toEqual({ on: 'yes' }); // YAML 1.2 core: "yes" is a string
    const cases: [string, string, number, number][] = [
      ['a: 1\nb: [1, *x]\n', 'yaml-alias', 2, 8],
      ['a: !!binary aGk=\n', 'yaml-tag', 1, 4],
      ['a:\n  __proto__: 1\n', 'forbidden-key', 2, 3],
      ['? [a]\n: 1\n', 'bad-key', 1, 3],
      ['a: 1\n"a": 2\n', 'duplicate-key', 2, 1],
      ['1: x\n"1": y\n', 'duplicate-key', 2, 1],
    ];
    for (const [text, code, line, col] of cases) {
      const [i] = issues(() => parseYamlStrict(text, 's.yaml'));
      expect([text, i!.code, i!.line, i!.col]).toEqual([text, code, line, col]);
    }
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});

describe('credentials in a runbook', () => {
  const alnum = (n: number) => {
    const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    return Array.from(randomBytes(n), (b) => abc[b % abc.length]).join('');
  };
  const b32 = (n: number) => Array.from(randomBytes(n), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');
  // generated at test time: no token-shaped literal in the source
  const tokens: [string, string][] = [
    ['Hugging Face token', 'hf_' + alnum(34)],
    ['GitHub token', 'ghp_' + alnum(36)],
    ['npm access token', withBase62Checksum('np' + 'm_', alnum(30))],
    ['Stripe secret key', 'sk' + '_live_' + alnum(30)],
    ['Slack token', 'xoxb-' + alnum(24)],
  ];

  it.each(tokens)('a literal %s is an error that never repeats the value', (what, token) => {
    const text = `version: 1
id: leak
title: A credential pasted into a runbook
providers: { sh: { type: shell } }
steps:
  - id: a
    kind: detect
    title: x
    uses: sh.run
    with:
      command: [curl, -H, "Authorization: Bearer ${token}", https://example.org]
`;
    let err: ValidationError | undefined;
    try {
      loadRunbookText(text, 'leak.yaml');
    } catch (e) {
      err = e as ValidationError;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const [i] = err!.issues;
    expect(i!.code).toBe('credential');
    expect([i!.line, i!.col]).toEqual([11, 50]);
    expect(i!.path).toBe('steps[0].with.command[2]');
    expect(i!.message).toContain(what);
    const everything = JSON.stringify(err!.issues) + err!.message;
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.slice(8));
    expect(i!.frame).toContain('***');
  });

  it('finds tokens in keys and block scalars, and even when the schema fails', () => {
    const gh = 'ghp_' + alnum(36);
    const hf = 'hf_' + alnum(34);
    const text = `version: 1
id: leak
title: x
bogus: 1
steps:
  - id: a
    kind: manual
    title: x
    instructions: |
      First line
      token is ${hf} ok
    drill:
      outputs:
        ${gh}: 1
`;
    const found = issues(() => loadRunbookText(text, 'leak.yaml'));
    const creds = found.filter((i) => i.code === 'credential').map((i) => [i.line, i.col, i.path]);
    expect(creds).toEqual([
      [11, 16, 'steps[0].instructions'],
      [14, 9, 'steps[0].drill.outputs'],
    ]);
    expect(found.some((i) => i.code === 'unknown-key')).toBe(true);
    expect(JSON.stringify(found)).not.toContain(gh.slice(4));
  });

  it('does not flag an AWS access key id: it is an identifier (the runbook input of the AWS runbook), not a secret', () => {
    const text = MIN.replace('title: Do it', `title: "Deactivate ${'AK' + 'IA' + b32(16)}"`);
    expect(loadRunbookText(text, 'x.yaml').runbook.steps[0]!.title).toContain('Deactivate');
  });

  it("does not flag AWS's documentation example key", () => {
    const text = MIN.replace('title: Do it', `title: "Like ${AWS_DOC_ID}"`);
    expect(loadRunbookText(text, 'x.yaml').runbook.steps[0]!.title).toContain('EXAMPLE');
  });
});

describe('docs/runbook-format.md', () => {
  it('its complete examples are valid runbooks', () => {
    const md = readFileSync(join(root, 'docs', 'runbook-format.md'), 'utf8');
    const blocks = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /^version: 1$/m.test(b));
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) expect(loadRunbookText(b, 'doc.yaml').runbook.version).toBe(1);
  });
});
