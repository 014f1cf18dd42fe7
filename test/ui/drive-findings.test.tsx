/**
 * What a first-time responder driving the shipped drills step by step in tmux ran into (issue
 * 12), each as the screen showed it:
 * - what an earlier step found, shown by the AWS runbooks as ```json, read as one line of raw
 *   JSON (`[{"access_key_id":…}]`) in a gate's preview and a manual step's instructions;
 * - the end panel said "⏎ or q to leave" while the footer said "q exit";
 * - help cut a sentence in two ("…while this help is open" / "and while you are away…") and
 *   broke a status icon from its word (`↷` / `skipped`);
 * - after a kill -9, resuming showed "lock of pid 12048 broken" — read as an error;
 * - "! a link is a URL…" stayed under the entry after Ctrl-U cleared what it was about;
 * - resuming showed, for a moment, the journal's step ids as a finished checklist ("6/6 steps
 *   100%", each step "manual") before the runbook was read;
 * - the line printed after leaving broke words at the terminal's edge ("(you qu" / "it)").
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import stringWidth from 'string-width';
import { begin, KEY, oneItem, openEvidence, priorRun, rec, setup, step } from './helpers.js';
import { helpLines } from '../../src/ui/screens/help.js';
import { BINDINGS } from '../../src/ui/keymap.js';
import { ICON } from '../../src/ui/status.js';
import { fit, lineText, placeholders, width, wrap } from '../../src/ui/text.js';
import fc from 'fast-check';
import { afterLines } from '../../src/ui/index.js';
import { drillLine } from '../../src/ui/components/header.js';
import { seedFromRunState } from '../../src/ui/store/apply.js';
import { plainInstructions } from '../../src/scripted/reporters.js';
import { jsonBlockAsList } from '../../src/report/json-list.js';
import { loadRunbook } from '../../src/core/runbook/load.js';
import { previewText } from '../../src/core/engine/text.js';
import { renderMarkdown } from '../../src/ui/markdown.js';

afterEach(() => cleanup());

// AWS access key ids (identifiers, shown in full) built at run time: no key-shaped literal in the tree
const awsKeyId = (rest: string) => ['AKIA', rest].join('');
const KEY_A = awsKeyId('XIWCXTDRLEXAMPLE');
const KEY_B = awsKeyId('Q4NEWKEY2EXAMPLE');
const KEY_C = awsKeyId('CHBHPC2A3EXAMPLE');

const KEYS = `[{"access_key_id":"${KEY_A}","status":"Active","create_date":"2026-12-03T20:05:01.079Z"},{"access_key_id":"${KEY_B}","status":"Inactive","create_date":"2026-12-03T20:06:11.000Z"}]`;
const INSTRUCTIONS = `1. Look for persistence in CloudTrail.
2. Keys of ci-deployer before containment:

   \`\`\`json
   ${KEYS}
   \`\`\`

Record a link to the saved query.`;

describe('what an earlier step found reads as a list, not raw JSON', () => {
  it('a manual step: each key on its own bullet, its id in full, no JSON brackets', async () => {
    const t = setup({ columns: 80, rows: 40 });
    t.emit(begin([step('review', { kind: 'manual', title: 'Review CloudTrail', evidence: { type: 'link', required: true } })]));
    void t.ports.ports.manual({ step: 'review', title: 'Review CloudTrail', instructions: INSTRUCTIONS, evidence: { type: 'link', required: true } });
    await t.until((f) => f.includes('Manual step · review'), 'the manual step');
    const f = t.frame();
    expect(f).not.toContain('[{"');
    expect(f).not.toContain('"access_key_id"');
    expect(f).toMatch(new RegExp(`• access key id: ${KEY_A} · status: Active · create date:`));
    expect(f).toMatch(new RegExp(`• access key id: ${KEY_B} · status: Inactive`));
  });

  it('scripted mode prints the same list under the step', () => {
    const out = plainInstructions(INSTRUCTIONS).join('\n');
    expect(out).not.toContain('[{"');
    expect(out).toContain(`   • access key id: ${KEY_A} · status: Active · create date: 2026-12-03T20:05:01.079Z`);
    expect(out).not.toContain('```');
  });

  it('empty, scalar and nested shapes; anything else stays as written', () => {
    expect(jsonBlockAsList('[]')).toEqual(['(none)']);
    expect(jsonBlockAsList('["a","b"]')).toEqual(['• a', '• b']);
    expect(jsonBlockAsList('[{"user":"bob","scopes":["repo","gist"],"meta":{"a_b":1}}]')).toEqual(['• user: bob · scopes: repo, gist · meta: (a b: 1)']);
    // CloudTrail's resources: a list of objects inside an event
    expect(jsonBlockAsList('[{"event_name":"AssumeRole","resources":[{"type":"AWS::IAM::Role","name":"arn:aws:iam::123456789012:role/deploy"}]}]')).toEqual(['• event name: AssumeRole · resources: (type: AWS::IAM::Role, name: arn:aws:iam::123456789012:role/deploy)']);
    expect(jsonBlockAsList('{"token_name":"ci","owner":null}')).toEqual(['token name: ci', 'owner: —']);
    expect(jsonBlockAsList('not json')).toBeUndefined();
    expect(jsonBlockAsList('42')).toBeUndefined();
    expect(jsonBlockAsList(JSON.stringify(Array.from({ length: 60 }, (_, i) => i)))).toHaveLength(51);
  });

  it('every toJSON(...) shown in a shipped runbook\'s text sits in a ```json block (so it is shown as a list)', () => {
    const root = join(__dirname, '../../runbooks');
    const files = [...readdirSync(root).map((f) => join(root, f)), ...readdirSync(join(root, 'examples')).map((f) => join(root, 'examples', f))].filter((f) => f.endsWith('.yaml'));
    let seen = 0;
    for (const f of files) {
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((l, i) => {
        // stdin: ${{ toJSON(...) }} feeds a program, not a person
        if (!l.includes('${{ toJSON(') || /^\s*(stdin|[a-z_]+):\s/.test(l)) return;
        seen++;
        expect(lines[i - 1]?.trim(), `${f}:${i + 1}`).toBe('```json');
      });
    }
    expect(seen).toBeGreaterThan(3);
  });
});

describe('one word for leaving', () => {
  it('the footer at the end says what the end panel says: ⏎ or q leaves', async () => {
    const t = setup({ columns: 80, rows: 24 });
    t.emit(begin([step('a')]), rec({ type: 'step.started', step: 'a' }), rec({ type: 'step.finished', step: 'a', status: 'ok' }), { type: 'run.end', status: 'done', exitCode: 0 });
    await t.until((f) => f.includes('Run done'), 'the end panel');
    const f = t.frame();
    expect(f).toContain('⏎ or q to leave');
    const footer = f.trimEnd().split('\n').pop()!;
    expect(footer).toContain('⏎/q leave');
    expect(footer).not.toContain('exit');
    t.press(KEY.enter);
    await t.until(() => t.exit.mock.calls.length === 1, '⏎ leaves');
  });
});

describe('help reads as sentences', () => {
  const all = new Set(BINDINGS);
  it('a paragraph is one line before wrapping (wrapped at the pane, never cut mid-sentence by the text)', () => {
    const text = helpLines(all).map(lineText);
    const drill = text.find((l) => l.includes('In a drill'));
    expect(drill).toContain('stands still while this help is open and while you are away');
    expect(text.some((l) => /^\s+and while/.test(l))).toBe(false);
    const attached = helpLines(all, true).map(lineText);
    expect(attached.some((l) => l.includes('settle an item in doubt'))).toBe(true);
  });

  it('a status icon stays with its word at every width', () => {
    const icons = new Set(Object.values(ICON) as string[]);
    for (let w = 30; w <= 100; w++) {
      for (const l of helpLines(all).flatMap((x) => wrap(x, w, 2))) {
        const text = lineText(l).trimEnd();
        expect(stringWidth(text)).toBeLessThanOrEqual(w);
        const last = [...text].pop() ?? '';
        expect(icons.has(last), `width ${w}: ${text}`).toBe(false);
      }
    }
  });
});

describe('after a kill -9, the resume says what happened in words', () => {
  it('the status line does not read "lock … broken"', async () => {
    const t = setup({ columns: 80, rows: 24 });
    t.emit(begin([step('a')], { resumed: true }), rec({ type: 'lock.broken', previous: { pid: 12048, host: 'vm', user: 'root', startedAt: new Date().toISOString(), why: 'pid 12048 is not running' } }));
    await t.until((f) => f.includes('last note'), 'the note');
    const f = t.frame();
    expect(f).not.toMatch(/lock of pid \d+ broken/);
    expect(f).toContain('the last run (pid 12048) had stopped without closing');
  });
});

describe('an entry error goes once the value is edited', () => {
  it('Ctrl-U clears the value and the "! a link is…" under it', async () => {
    const t = setup({ columns: 80, rows: 24 });
    await openEvidence(t, [step('tell', { kind: 'manual', title: 'Tell', evidence: { type: 'link', required: true } })], { step: 'tell', title: 'Tell', evidence: { type: 'link', required: true } }, 'Link to the evidence');
    t.press('not a link', KEY.enter);
    await t.until((f) => f.includes('! a link is a URL'), 'refused');
    t.press('\u0015');
    await t.until((f) => !f.includes('! a link is a URL'), 'the error gone with the value');
    t.press('SEC-4', KEY.backspace);
    t.press('42', KEY.enter);
    await t.until((f) => !f.includes('Link to the evidence'), 'accepted');
  });
});

describe('a resume does not show the journal\'s step ids as the checklist before the runbook is read', () => {
  const prior = priorRun('drill', { check: oneItem('ok', 1), contain: oneItem('skipped', 0, { reason: 'denied' }) });

  it('no "2/2 steps 100%", no step listed as manual, until run.begin; then the real checklist', async () => {
    const t = setup({ columns: 80, rows: 24, mode: 'drill' });
    t.store.setState(seedFromRunState(t.store.getState(), prior), true);
    await t.until((f) => f.includes('starting…'), 'the first frame');
    const f = t.frame();
    expect(f).not.toContain('2/2 steps');
    expect(f).not.toContain('100%');
    expect(f).not.toMatch(/manual\s+check/);
    // a secret asked before the run begins (a resume asks for `from: prompt` secrets again): still no placeholder rows
    const secret = t.ports.ports.promptSecret!('The EXPOSED secret access key');
    await t.until((f2) => f2.includes('Secret needed'), 'the secret prompt');
    expect(t.frame()).toContain('waiting for the runbook…');
    expect(t.frame()).not.toMatch(/manual\s+check|2 skipped|1 skipped/);
    t.press('x'.repeat(12), KEY.enter);
    await secret;
    t.emit(begin([step('check', { title: 'Does the key still work?' }), step('contain', { kind: 'revoke', title: 'Deactivate the key' }), step('rotate', { kind: 'rotate', title: 'Rotate' })], { resumed: true, mode: 'drill' }));
    await t.until((f2) => f2.includes('2/3 steps') && f2.includes('Deactivate the key'), 'the checklist');
  });
});

describe('the line printed after leaving', () => {
  const resume = 'node dist/cli.js drill aws-access-key-exposure --incident aws-access-key-exposure-20261203-2005-77ee';
  it('wraps its sentence between words; the command stays on one line (a pasted half would start a new incident)', () => {
    const text = `runbook: incident aws-access-key-exposure-20261203-2005-77ee interrupted (you quit); its state is kept.\n  → Resume: ${resume}\n`;
    const out = afterLines(text, 80).split('\n');
    const sentence = text.split('\n')[0]!;
    expect(out.filter((l) => !l.includes('→')).join(' ').split(/\s+/).filter(Boolean)).toEqual(sentence.split(' '));
    for (const l of out.filter((x) => !x.includes('→'))) expect(stringWidth(l)).toBeLessThanOrEqual(80);
    expect(out).toContain(`  → Resume: ${resume}`);
    expect(out.at(-1)).toBe('');
  });
});

describe('a gate or preview names what is already known', () => {
  it('the Next-step preview of revoke-sessions names the roles (known from evidence), not "role (for each item)"', async () => {
    const loaded = await loadRunbook(join(__dirname, '../../runbooks/aws-credential-compromise.yaml'));
    const s = loaded.runbook.steps.find((x) => x.id === 'revoke-sessions')!;
    // as the engine renders it when the step becomes ready (evidence finished), then as the TUI shows it
    const shown = placeholders(previewText(s.instructions ?? s.description, { inputs: {}, steps: { evidence: { outputs: { roles: ['deploy', 'ops-admin'] } } } })!);
    expect(shown).not.toContain('(for each item)');
    expect(shown).toContain('deploy, ops-admin');
  });

  it('a fan-out item keyed by its position reads by what it is, its key after', async () => {
    const t = setup({ columns: 80, rows: 30 });
    t.emit(begin([step('disable', { kind: 'revoke', title: 'Deactivate the attacker keys', confirm: true, fanOut: true })]));
    void t.ports.ports.approve({ step: 'disable', title: 'Deactivate', kind: 'revoke', plan: [`[0] iam UpdateAccessKey UserName=ci-deployer AccessKeyId=${KEY_C} Status=Inactive`, `[1] iam UpdateAccessKey UserName=ci-deployer AccessKeyId=${KEY_B} Status=Inactive`], items: ['0', '1'], inputs: { 0: { user_name: 'ci-deployer', access_key_id: `${KEY_C}` }, 1: { user_name: 'ci-deployer', access_key_id: `${KEY_B}` } } });
    await t.until((f) => f.includes('Approval needed · disable'), 'the gate');
    const f = t.frame();
    expect(f).toMatch(new RegExp(`• ci-deployer · ${KEY_C}\\s+\\(item 0\\)`));
    expect(f).toMatch(new RegExp(`• ci-deployer · ${KEY_B}\\s+\\(item 1\\)`));
    expect(f).not.toMatch(/• 0 /);
  });
});

describe('github-token-leak: the revoke previews say whose tokens, not "Found: (for each item)"', () => {
  it('revoke-tokens and revoke-unchecked list what check-live found', async () => {
    const loaded = await loadRunbook(join(__dirname, '../../runbooks/github-token-leak.yaml'));
    const live = [{ liveness_detail: 'token is valid for dana (scopes: repo, workflow)' }];
    const unknown = [{ liveness_detail: 'GitHub answered 403 (rate limited)' }];
    for (const [id, want] of [['revoke-tokens', '• token is valid for dana (scopes: repo, workflow)'], ['revoke-unchecked', '• GitHub answered 403 (rate limited)']] as const) {
      const s = loaded.runbook.steps.find((x) => x.id === id)!;
      const text = placeholders(previewText(s.instructions ?? s.description, { inputs: {}, steps: { 'check-live': { outputs: { live, unknown } } } })!);
      const shown = renderMarkdown(text, 78).map(lineText).join('\n');
      expect(shown, id).not.toContain('(for each item)');
      expect(shown, id).toContain(want);
    }
    const rot = loaded.runbook.steps.find((x) => x.id === 'rotate-actions-secrets')!;
    const text = placeholders(previewText(rot.instructions, { inputs: { repo: 'acme/api', actions_secrets: ['GH_TOKEN', 'DEPLOY_TOKEN'] }, steps: {} })!);
    expect(text).not.toContain('(for each item)');
    expect(text).toContain('**GH_TOKEN, DEPLOY_TOKEN** of');
  });
});

describe('PgDn scrolls what is on screen', () => {
  it('the detail of a selected step scrolls while another step asks (it did nothing: the hidden prompt scrolled)', async () => {
    const t = setup({ columns: 80, rows: 24 });
    const long = Array.from({ length: 30 }, (_, i) => `${i + 1}. instruction line number ${i + 1}`).join('\n');
    t.emit(begin([step('done-one', { title: 'Resolve the alerts', instructions: long }), step('next', { kind: 'notify', title: 'E-mail the owner', uses: 'mail.send' })]), rec({ type: 'step.started', step: 'done-one' }), rec({ type: 'step.finished', step: 'done-one', status: 'ok' }));
    void t.ports.ports.proceed!({ id: 'next', title: 'E-mail the owner', kind: 'notify' });
    await t.until((f) => f.includes('Next step · next'), 'the next step asks');
    t.press(KEY.up);
    await t.until((f) => f.includes('Step done-one') && f.includes('PgDn'), 'the detail of the finished step, cut below');
    const before = t.frame();
    t.press(KEY.pgdn);
    await t.until((f) => f !== before && /\d+\/\d+ · f follows/.test(f), 'the detail scrolled');
    expect(t.frame()).toContain('Step done-one');
  });
});

describe('an item denied at the gate is not counted as done', () => {
  it('checklist and detail say 1/2, 1 skipped (as status says 1/2 ok, 1 skipped), not 2/2', async () => {
    const t = setup({ columns: 80, rows: 24 });
    t.emit(
      begin([step('resolve', { kind: 'revoke', title: 'Resolve the alerts', fanOut: true, confirm: true })]),
      rec({ type: 'step.started', step: 'resolve' }),
      rec({ type: 'items', step: 'resolve', keys: ['acme/api#1', 'acme/api#2'] }),
      rec({ type: 'outcome', step: 'resolve', item: 'acme/api#1', status: 'ok', attempt: 1 }),
      rec({ type: 'outcome', step: 'resolve', item: 'acme/api#2', status: 'skipped', attempt: 0, reason: 'not approved' }),
      rec({ type: 'step.finished', step: 'resolve', status: 'ok' }),
    );
    await t.until((f) => f.includes('Resolve the alerts ·'), 'the counts');
    const f = t.frame();
    expect(f).toContain('Resolve the alerts · 1/2, 1 skipped');
    expect(f).not.toContain('2/2');
  });
});

describe('the end panel tells skipped from did-not-apply', () => {
  const end = async (reasons: string[]) => {
    const t = setup({ columns: 80, rows: 24 });
    const ids = reasons.map((_, i) => `s${i}`);
    t.emit(begin([step('first'), ...ids.map((id) => step(id))]), rec({ type: 'step.started', step: 'first' }), rec({ type: 'step.finished', step: 'first', status: 'ok' }));
    reasons.forEach((reason, i) => t.emit(rec({ type: 'step.started', step: ids[i]! }), rec({ type: 'step.finished', step: ids[i]!, status: 'skipped', reason })));
    t.emit({ type: 'run.end', status: 'done', exitCode: 0 });
    await t.until((f) => f.includes('Run done'), 'the end panel');
    return t.frame();
  };
  it('steps whose condition was false did not apply: nobody skipped them', async () => {
    const f = await end(["condition is false: ${{ inputs.source == 'scan' }}", 'condition is false: length(x) > 0']);
    expect(f).toContain('Run done — every step that applied finished (2 steps did not apply)');
  });
  it('a step skipped by the operator is still said', async () => {
    const f = await end(['condition is false: x', 'not needed: told them by phone']);
    expect(f).toContain('Run done — 1 step skipped, 1 did not apply, the others finished');
  });
});

describe('inputs asked before the runbook is read', () => {
  it('the checklist rule and its "waiting for the runbook…" line do not overlap at 80×24', async () => {
    const t = setup({ columns: 80, rows: 24 });
    void t.ports.ports.askInput!({ name: 'owner_email', type: 'list', prompt: 'Who owns this IAM user (e-mail)?', secret: false });
    await t.until((f) => f.includes('Input needed · owner_email'), 'the input prompt');
    const lines = t.frame().split('\n');
    const rule = lines.findIndex((l) => l.startsWith('── Checklist'));
    expect(rule).toBeGreaterThan(-1);
    expect(lines[rule + 1]).toBe('  waiting for the runbook…');
  });
});

describe('scripted instructions', () => {
  it('a plain code fence is not printed as "``" (leaked-token-triage\'s commit list)', () => {
    const out = plainInstructions('Commits that touched secret files:\n\n```\n051b177 Dana rotate\n0acf47d Dana add env\n```\n\nRun `git log` again.');
    expect(out.join('\n')).not.toContain('`');
    expect(out).toContain('051b177 Dana rotate');
    expect(out).toContain('Run git log again.');
  });
});

describe('wide characters in a custom runbook', () => {
  const TITLE = '漏洩したトークンの対応 🔑 — 失効、ローテーション、通知を行う長いタイトルです';
  it('fit never returns more columns than asked (cli-truncate came back one over on a wide character)', () => {
    expect(width(fit(TITLE, 64))).toBeLessThanOrEqual(64);
    const piece = fc.constantFrom('漏', 'ト', '🔑', '—', 'a', ' ', '、', '👩‍💻', 'é');
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 80 }), (parts, cols) => {
        expect(width(fit(parts.join(''), cols))).toBeLessThanOrEqual(cols);
      }),
    );
  });
  it('the header keeps its severity at 80 columns with a CJK and emoji title', async () => {
    const t = setup({ columns: 80, rows: 24 });
    t.emit(begin([step('a', { title: '🔍 リポジトリの履歴からトークンを探す' })], { runbook: { id: 'cjk', title: TITLE, severity: 'high', path: 'cjk.yaml' } }));
    await t.until((f) => f.includes('リポジトリ'), 'the checklist');
    const first = t.frame().split('\n')[0]!;
    expect(first).toMatch(/ HIGH$/);
    expect(stringWidth(first)).toBeLessThanOrEqual(80);
  });
});

describe('text entry by character, not by UTF-16 unit', () => {
  it('← steps over an emoji, backspace deletes all of it (it showed "��")', async () => {
    const { textReducer, initialText } = await import('../../src/ui/components/text-input/state.js');
    let s = textReducer(initialText(), { type: 'insert', text: '電話 📞👩‍💻' });
    s = textReducer(s, { type: 'left' });
    expect(s.value.slice(s.cursor)).toBe('👩‍💻');
    s = textReducer(s, { type: 'backspace' });
    expect(s.value).toBe('電話 👩‍💻');
    s = textReducer(textReducer(s, { type: 'end' }), { type: 'backspace' });
    expect(s.value).toBe('電話 ');
  });

  it('on screen: the emoji under the cursor stays whole', async () => {
    const t = setup({ columns: 80, rows: 24 });
    const { answer: ans } = await openEvidence(t, [step('tell', { kind: 'manual', title: 'Tell', evidence: { type: 'note', required: true } })], { step: 'tell', title: 'Tell', evidence: { type: 'note', required: true } }, '› ');
    t.press('電話で連絡 📞');
    t.press('\u001b[D');
    await t.until((f) => f.includes('電話で連絡 📞'), 'typed');
    expect(t.frame()).not.toContain('\uFFFD');
    t.press('\u001b[C', KEY.backspace, '済', KEY.enter);
    await expect(ans).resolves.toMatchObject({ done: true, note: '電話で連絡 済' });
  });
});

describe('a gate names whose credential it acts on', () => {
  it('what a liveness check made with the same secret found (the owner) is shown at the revoke gate', async () => {
    const t = setup({ columns: 80, rows: 24 });
    const token = { $secret: 'secrets.leaked_token', fingerprint: 'fp-slack-1', last4: 'xaXY' };
    t.emit(
      begin([step('check-token', { title: 'Is the leaked Slack token live?' }), step('revoke-token', { kind: 'revoke', title: 'Revoke the leaked token', confirm: true })]),
      rec({ type: 'step.started', step: 'check-token' }),
      rec({ type: 'intent', step: 'check-token', item: '-', action: 'slack.verifyToken', attempt: 1, key: 'check-token/-/1', input: { token }, idempotent: true }),
      rec({ type: 'outcome', step: 'check-token', item: '-', status: 'ok', attempt: 1, output: { live: true, user: 'deploy-notifier', team: 'drill' } }),
      rec({ type: 'step.finished', step: 'check-token', status: 'ok' }),
    );
    void t.ports.ports.approve({ step: 'revoke-token', title: 'Revoke the leaked token', kind: 'revoke', plan: ['auth.revoke with [secret secrets.leaked_token] — revokes that token'], items: ['-'], inputs: { '-': { token } } });
    await t.until((f) => f.includes('Approval needed · revoke-token'), 'the gate');
    expect(t.frame()).toMatch(/Which: deploy-notifier .*…xaXY/);
  });
});

describe('the drill line when no attacker move is due', () => {
  const d = (running: boolean, now: number) => ({ speed: 0.25, now: () => now, running: () => running, next: () => undefined });
  it('is true of a drill without an attacker, and is not cut mid-word at 80 columns', () => {
    expect(drillLine(d(true, 4000), 'running', false, 200).text).toBe('drill clock 0:00:04 ×0.25 · no attacker move to come');
    const paused = drillLine(d(false, 22_000), 'running', false, 79).text;
    expect(paused).not.toContain('…');
    expect(paused).toContain('no attacker move to come');
    expect(stringWidth(paused)).toBeLessThanOrEqual(79);
  });
});

describe('a key that does nothing says what does', () => {
  it('⏎ at a gate: y approves, d denies; a stray letter points at the footer; the next key clears it', async () => {
    const t = setup({ columns: 80, rows: 24 });
    t.emit(begin([step('contain', { kind: 'revoke', title: 'Deactivate the key', confirm: true })]));
    const ans = t.ports.ports.approve({ step: 'contain', title: 'Deactivate the key', kind: 'revoke', plan: ['iam UpdateAccessKey Status=Inactive'], items: ['-'], inputs: { '-': {} } });
    await t.until((f) => f.includes('Approval needed · contain'), 'the gate');
    t.press(KEY.enter);
    await t.until((f) => f.includes('⏎ does not approve a gate: y approves, d denies'), 'the hint');
    t.press('x');
    await t.until((f) => f.includes('x does nothing here — the keys are at the bottom, ? lists them all'), 'the stray key');
    t.press(KEY.pgdn);
    await t.until((f) => !f.includes('does nothing here'), 'gone with the next key');
    t.press('y');
    await expect(ans).resolves.toMatchObject({ decision: 'approved' });
  });
});
