/**
 * `steps` of an expression scope (src/core/engine/outputs.ts): shows exactly what a copy of the
 * finished steps' outputs made at that moment showed (the engine built one per scope before),
 * also after later steps finish, without copying.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StepOutputs } from '../../src/core/engine/outputs.js';
import { evaluateField } from '../../src/core/runbook/expressions.js';

/** what the engine's scope() built for `steps` before */
const copy = (m: Map<string, unknown>) => Object.fromEntries([...m].map(([id, out]) => [id, { outputs: (out ?? {}) as Record<string, unknown> }]));

describe('StepOutputs.view', () => {
  it('a view reads as the copy made at its moment: keys, order, values, JSON — later sets do not show', () => {
    const id = fc.constantFrom('a', 'b', 'scan-1', '7', '12', 'toString', 'constructor', 'x_y');
    const value = fc.oneof(fc.constant(undefined), fc.record({ n: fc.integer() }), fc.constant(null));
    fc.assert(
      fc.property(fc.array(fc.tuple(id, value, fc.boolean()), { maxLength: 30 }), (ops) => {
        const live = new StepOutputs();
        const plain = new Map<string, unknown>();
        const taken: { view: Record<string, unknown>; copy: Record<string, unknown> }[] = [];
        for (const [k, v, look] of ops) {
          live.set(k, v);
          plain.set(k, v);
          if (look) taken.push({ view: live.view(), copy: copy(plain) });
        }
        taken.push({ view: live.view(), copy: copy(plain) });
        for (const t of taken) {
          expect(Object.keys(t.view)).toEqual(Object.keys(t.copy));
          expect(JSON.stringify(t.view)).toBe(JSON.stringify(t.copy));
          expect({ ...t.view }).toEqual(t.copy);
          for (const k of ['a', 'b', '7', 'toString', 'missing']) {
            expect(Object.hasOwn(t.view, k)).toBe(Object.hasOwn(t.copy, k));
            expect(t.view[k]).toEqual(t.copy[k]);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('expressions read it as before: a finished step’s outputs, nothing for a step not finished when the scope was made', () => {
    const live = new StepOutputs();
    live.set('scan', { count: 3 });
    const steps = live.view();
    live.set('later', { count: 9 });
    expect(evaluateField('steps.scan.outputs.count', { steps })).toBe(3);
    expect(evaluateField('steps.later.outputs.count', { steps })).toBeUndefined();
    expect(evaluateField('steps.later.outputs.count', { steps: live.view() })).toBe(9);
  });

  it('is read-only and keeps every output for the run', () => {
    const live = new StepOutputs();
    live.set('a', { n: 1 });
    const v = live.view() as Record<string, unknown>;
    expect(() => {
      'use strict';
      v.a = 1;
    }).toThrow(TypeError);
    expect(() => live.delete('a')).toThrow(/cannot be removed/);
    expect(live.get('a')).toEqual({ n: 1 });
  });
});
