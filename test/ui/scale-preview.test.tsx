/**
 * The TUI at scale (issue 15 item 3) and what a newcomer reads before ⏎ (issue 12):
 * - a flush updates a 10,000-item step in place (no copy of its item table) with counts that
 *   always equal a full recount (property test over random event batches);
 * - titles and instructions: known values filled in, the rest said in words — never `${{ }}`,
 *   `****` or a blank; a manual step's "Next step" preview shows its filled-in instructions;
 * - openTui puts the header up before the runbook is read, and runTui takes that screen over.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyBatch, countItems, itemIndex, newStep, type QueuedEvent } from '../../src/ui/store/apply.js';
import { shownItems } from '../../src/ui/components/detail-lines.js';
import { createRunStore, DEFAULT_LIMITS } from '../../src/ui/store.js';
import { placeholders } from '../../src/ui/text.js';
import { previewText } from '../../src/core/engine/text.js';
import { openTui, runTui } from '../../src/ui/index.js';
import { FakeIn, FakeOut, begin, plain, rec, setup, step, waitFor } from './helpers.js';
import type { StepView } from '../../src/ui/store/types.js';

const STATUSES = ['ok', 'failed', 'skipped', 'in-doubt'] as const;
const RANK = { 'in-doubt': 0, failed: 1, running: 2, pending: 3, ok: 3, skipped: 3 } as const;

describe('store at scale', () => {
  it('a flush touching 3 of 10,000 items keeps the item table (no copy) and the counts right', () => {
    const store = createRunStore();
    const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}`);
    let s = applyBatch(store.getState(), [begin([step('revoke', { fanOut: true })]) as QueuedEvent, rec({ type: 'items', step: 'revoke', keys }) as QueuedEvent], new Map(), DEFAULT_LIMITS, 0);
    const before = s.steps.get('revoke')!;
    s = applyBatch(
      s,
      [
        rec({ type: 'intent', step: 'revoke', item: 'k5', attempt: 1, action: 'x', key: 'k5', input: {}, idempotent: true }) as QueuedEvent,
        rec({ type: 'outcome', step: 'revoke', item: 'k7', attempt: 1, status: 'ok' }) as QueuedEvent,
        { type: 'retry', step: 'revoke', item: 'k9', attempt: 2, delayMs: 1000, reason: 'rate limited' },
      ],
      new Map(),
      DEFAULT_LIMITS,
      0,
    );
    const after = s.steps.get('revoke')!;
    expect(after).not.toBe(before); // selectors see the change
    expect(after.items).toBe(before.items); // the 10,000-key table is not copied
    expect(after.itemsRev).toBeGreaterThan(before.itemsRev);
    expect(after.counts).toEqual({ total: 10_000, pending: 9_998, running: 1, ok: 1, failed: 0, skipped: 0, inDoubt: 0, retrying: 1 });
  });

  it('counts and the items shown, kept from touched items, always equal a full recount (random batches)', () => {
    const ev = fc.oneof(
      fc.record({ kind: fc.constant('intent' as const), item: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('outcome' as const), item: fc.integer({ min: 0, max: 20 }), status: fc.constantFrom(...STATUSES) }),
      fc.record({ kind: fc.constant('retry' as const), item: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('settled' as const), item: fc.integer({ min: 0, max: 20 }), decision: fc.constantFrom('done' as const, 'redo' as const) }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(ev, { maxLength: 12 }), { maxLength: 12 }), (batches) => {
        let s = applyBatch(createRunStore().getState(), [begin([step('s', { fanOut: true })]) as QueuedEvent], new Map(), DEFAULT_LIMITS, 0);
        for (const b of batches) {
          const events: QueuedEvent[] = b.map((e) => {
            const item = `i${e.item}`;
            if (e.kind === 'intent') return rec({ type: 'intent', step: 's', item, attempt: 1, action: 'x', key: item, input: {}, idempotent: true }) as QueuedEvent;
            if (e.kind === 'outcome') return rec({ type: 'outcome', step: 's', item, attempt: 1, status: e.status }) as QueuedEvent;
            if (e.kind === 'settled') return rec({ type: 'settled', step: 's', item, decision: e.decision, via: 'tui' }) as QueuedEvent;
            return { type: 'retry', step: 's', item, attempt: 2, delayMs: 10, reason: 'r' };
          });
          s = applyBatch(s, events, new Map(), DEFAULT_LIMITS, 0);
          const st = s.steps.get('s')!;
          expect(st.counts).toEqual(countItems(st.itemOrder, st.items));
          // the side tables the detail pane reads kept in place equal a rebuild, and the items
          // shown (from them, or by the scan without them) are those that need attention first
          expect({ itemPos: st.itemPos, urgent: st.urgent }).toEqual(itemIndex(st.itemOrder, st.items));
          for (const max of [1, 4, 30]) {
            const want = st.itemOrder.length <= max ? st.itemOrder : st.itemOrder.map((k, i) => ({ k, i, r: RANK[st.items[k]!.status] })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.k).slice(0, max);
            expect(shownItems(st, max)).toEqual(want);
            expect(shownItems({ ...st, urgent: undefined, itemPos: undefined }, max)).toEqual(want);
          }
        }
      }),
    );
  });
});

describe('titles and instructions before their values are known', () => {
  const done = (outputs: unknown): Pick<StepView, 'status' | 'outputs'> => ({ status: 'ok', outputs });
  it('the engine fills in known parts and leaves unknown ones as written', () => {
    const t = 'The tokens of **${{ steps.owners.outputs.json.owners }}** in ${{ inputs.org }} (${{ item.id }})';
    expect(previewText(t, { inputs: { org: 'acme' }, steps: {} })).toBe('The tokens of **${{ steps.owners.outputs.json.owners }}** in acme (${{ item.id }})');
    expect(previewText(t, { inputs: { org: 'acme' }, steps: { owners: { outputs: { json: { owners: 'alice, bob' } } } } })).toBe('The tokens of **alice, bob** in acme (${{ item.id }})');
  });

  it('the screen says what a part waits for, or reads a finished step from the store', () => {
    const t = 'Tell ${{ steps.owners.outputs.json.owners }} about ${{ item.space }} (${{ length(steps.scope.outputs.files) }})';
    expect(placeholders(t)).toBe('Tell (known after owners) about (for each item) ((known after scope))');
    const steps = new Map([['owners', done({ json: { owners: ['alice', 'bob'] } })], ['scope', { status: 'skipped' }]]);
    expect(placeholders(t, steps)).toBe('Tell alice, bob about (for each item) ((not known: scope was skipped))');
  });

  it('a manual step’s "Next step" preview shows its instructions as rendered when it is ready', async () => {
    const t = setup();
    t.emit(begin([step('owners', { title: 'Work out the owners' }), step('tell', { kind: 'manual', title: 'Tell the owners', instructions: 'Write to **${{ steps.owners.outputs.who }}** today.' })]));
    t.emit(rec({ type: 'step.started', step: 'owners' }), rec({ type: 'step.finished', step: 'owners', status: 'ok', outputs: { who: 'alice' } }));
    void t.ports.ports.proceed!({ id: 'tell', title: 'Tell the owners', kind: 'manual', instructions: 'Write to **alice and bob** today.' });
    await t.until((f) => f.includes('Next step · tell'), 'proceed prompt');
    expect(t.frame()).toContain('Write to alice and bob today.');
    expect(t.frame()).not.toContain('${{');
    expect(t.frame()).not.toContain('****');
    t.ui.unmount();
  });

  it('a pending step’s detail says what its text waits for', async () => {
    const t = setup();
    t.emit(begin([step('owners', { title: 'Work out the owners' }), step('tell', { kind: 'manual', title: 'Tell ${{ steps.owners.outputs.who }}', instructions: 'Write to ${{ steps.owners.outputs.who }}.' })]));
    t.press('j', 'j');
    await t.until((f) => f.includes('Step tell'), 'detail of tell');
    expect(t.frame()).toContain('Write to (known after owners).');
    expect(t.frame()).not.toContain('${{');
    t.ui.unmount();
  });
});

describe('the first frame', () => {
  it('openTui shows the header and what loads before anything is read; runTui takes the screen over', async () => {
    const stdin = new FakeIn() as unknown as NodeJS.ReadStream;
    const out = new FakeOut();
    const stdout = out as unknown as NodeJS.WriteStream;
    const stderr = new FakeOut() as unknown as NodeJS.WriteStream;
    const early = openTui({ mode: 'drill', what: 'hf-spaces-secrets-exposure', stdin, stdout, stderr, env: { NO_COLOR: '1' } });
    await waitFor(() => out.text.includes('loading hf-spaces-secrets-exposure…'), () => out.text);
    expect(out.text).toContain('[DRILL]');
    const done = runTui({
      early,
      start: async (_ports, observe) => {
        observe(begin([step('find', { title: 'Find leaked tokens' })]));
        await new Promise((r) => setTimeout(r, 100));
        return { status: 'done', exitCode: 0, incident: 'inc-1' };
      },
      note() {},
      abort() {},
      resumeCommand: 'r',
      reportCommand: 'p',
      mode: 'drill',
      stdin,
      stdout,
      stderr,
      env: { NO_COLOR: '1' },
    });
    await waitFor(() => out.text.includes('Find leaked tokens'), () => out.text.slice(-2000));
    // taken over: closing the early screen now does nothing (runTui owns it)
    await early.close();
    await waitFor(() => out.text.includes('Run done'), () => out.text.slice(-2000));
    (stdin as unknown as FakeIn).type('q');
    await expect(done).resolves.toEqual({ exitCode: 0 });
  });

  it('close() clears the early screen when the run cannot start', async () => {
    const out = new FakeOut();
    const early = openTui({ mode: 'live', what: 'rb.yaml', stdin: new FakeIn() as unknown as NodeJS.ReadStream, stdout: out as unknown as NodeJS.WriteStream, stderr: new FakeOut() as unknown as NodeJS.WriteStream, env: { NO_COLOR: '1' } });
    await waitFor(() => out.text.includes('loading rb.yaml…'), () => out.text);
    const n = out.chunks.length;
    await early.close();
    // Ink erases the lines it wrote (cursor up + erase line)
    expect(out.chunks.slice(n).join('')).toContain('\u001b[2K');
  });
});

it('newStep starts with an empty item table and revision 0', () => {
  expect(newStep(step('x')).itemsRev).toBe(0);
});

describe('the end panel at 80 columns', () => {
  it('shows the whole report command, wrapped, never cut at the edge', async () => {
    const { render } = await import('ink-testing-library');
    const { EndPanel } = await import('../../src/ui/screens/end-panel.js');
    const { StoreProvider } = await import('../../src/ui/store.js');
    const { CommandsContext } = await import('../../src/ui/context.js');
    const { ThemeContext, createTheme } = await import('../../src/ui/theme.js');
    const store = createRunStore();
    store.setState({ end: { status: 'done', exitCode: 0 }, phase: 'ended' });
    const report = 'node dist/cli.js report hf-spaces-secrets-exposure-20261203-1119-df0a --state-dir /tmp/some/state';
    const ui = render(
      <StoreProvider store={store}>
        <ThemeContext.Provider value={createTheme({ color: false })}>
          <CommandsContext.Provider value={{ resume: 'r', report }}>
            <EndPanel width={70} height={20} />
          </CommandsContext.Provider>
        </ThemeContext.Provider>
      </StoreProvider>,
    );
    const f = plain(ui.lastFrame());
    expect(f).not.toContain('…');
    expect(f.replace(/ \\\n\s+/g, ' ')).toContain(report.replace(/ /g, ' '));
    ui.unmount();
  });
});
