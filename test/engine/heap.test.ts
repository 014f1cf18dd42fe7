/**
 * An engine run bounds V8's heap growth while it lasts (src/core/engine/heap.ts) and puts V8's
 * default back when it ends — also when it ends waiting or with an error, and only when the last
 * of nested runs ends. (What the bound does to memory is measured in bench/scale.mjs.)
 */
import { describe, expect, it } from 'vitest';
import { boundHeapGrowth, heapGrowthBounded } from '../../src/core/engine/heap.js';
import { runEngine, workspace } from './helpers.js';

const yaml = `version: 1
id: heap
title: Heap
steps:
  - { id: one, kind: manual, title: One }
  - { id: two, kind: manual, title: Two }
`;

describe('the heap growth bound', () => {
  it('holds while a run lasts and is released when it ends, whether done or waiting', async () => {
    expect(heapGrowthBounded()).toBe(false);
    const w = workspace();
    const seen: boolean[] = [];
    const waiting = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, done: { one: '' }, overrides: { observers: [() => seen.push(heapGrowthBounded())] } });
    expect(waiting.result.status).toBe('waiting');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every(Boolean)).toBe(true);
    expect(heapGrowthBounded()).toBe(false);
    const done = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, done: { one: '', two: '' } });
    expect(done.result.status).toBe('done');
    expect(heapGrowthBounded()).toBe(false);
  });

  it('is released when a run throws, and a run inside an outer bound leaves that bound in place', async () => {
    const w = workspace();
    await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, done: { one: '', two: '' } });
    // the same incident resumed as a drill: the run throws after it took the bound
    await expect(runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, overrides: { mode: 'drill' } })).rejects.toThrow(/cannot be resumed as a drill/);
    expect(heapGrowthBounded()).toBe(false);
    const outer = boundHeapGrowth();
    const r = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, incident: 'inc-2', done: { one: '', two: '' } });
    expect(r.result.status).toBe('done');
    expect(heapGrowthBounded()).toBe(true);
    outer();
    outer(); // releasing twice releases once
    expect(heapGrowthBounded()).toBe(false);
  });
});
