import { describe, expect, it } from 'vitest';
import { BINDINGS, activeBindings, keyContext, resolveKey, type KeyCtx } from '../../src/ui/keymap.js';
import { createRunStore, setUi } from '../../src/ui/store.js';
import { createTuiPorts } from '../../src/ui/ports.js';
import type { PromptKind } from '../../src/ui/store/types.js';

const prompts: (PromptKind | null)[] = [null, 'approval', 'manual', 'doubt', 'failure', 'proceed', 'input', 'secret'];
const phases = ['starting', 'running', 'quitting', 'ended', 'closed'] as const;

function* contexts(): Generator<KeyCtx> {
  for (const focus of ['main', 'entry', 'picker', 'help', 'quit'] as const)
    for (const prompt of prompts)
      for (const phase of phases)
        for (const b of [false, true])
          for (const attached of [false, true])
            yield { focus, prompt, phase, begun: b, autoRun: b, follow: !b, evidence: b ? 'note' : 'none', fanOut: b, showDetail: b, attached };
}

describe('keymap', () => {
  it('never binds one key to two actions in the same situation', () => {
    for (const c of contexts()) {
      const seen = new Map<string, string>();
      for (const b of BINDINGS.filter((x) => x.when(c))) {
        for (const k of b.keys) {
          const other = seen.get(k);
          expect(other, `${k} → ${other} and ${b.action} in ${JSON.stringify(c)}`).toBeUndefined();
          seen.set(k, b.action);
        }
      }
    }
  });

  it('always offers a way out: help and quit while running, exit when over', () => {
    for (const c of contexts()) {
      if (c.focus !== 'main') continue;
      const actions = activeBindings(c).map((b) => b.action);
      expect(actions).toContain('help');
      if (c.phase === 'running' || c.phase === 'starting') expect(actions).toContain('quit');
      if (c.phase === 'ended' && c.prompt === null) expect(actions).toContain('exit');
    }
  });

  it('derives the focus and the asked-for keys from the store', () => {
    const store = createRunStore();
    const t = createTuiPorts(store);
    void t.ports.approve({ step: 's', title: 'S', kind: 'revoke', plan: [], items: ['a', 'b'], inputs: {} });
    let c = keyContext(store.getState());
    expect(c).toMatchObject({ focus: 'main', prompt: 'approval', fanOut: true });
    expect(resolveKey('y', c)?.action).toBe('approve-all');
    expect(resolveKey('i', c)?.action).toBe('pick-items');
    setUi(store, { picker: store.getState().prompts[0]!.id });
    c = keyContext(store.getState());
    expect(c.focus).toBe('picker');
    expect(resolveKey('y', c)).toBeUndefined(); // the picker reads its own keys
    setUi(store, { picker: null, overlay: 'quit' });
    expect(resolveKey('y', keyContext(store.getState()))?.action).toBe('quit-confirm');
    void t.ports.askInput!({ name: 'n', type: 'string', secret: false });
    setUi(store, { overlay: null });
    expect(keyContext(store.getState()).focus).toBe('main'); // the approval is still first
  });
});
