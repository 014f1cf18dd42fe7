/**
 * One zustand vanilla store per run (zustand docs, "scoped, non-global vanilla store"):
 * createRunStore() builds it, the engine observer writes it (store/observer.ts), Ink
 * components read it through useRunStore(selector) inside a StoreProvider.
 * Selectors must return primitives or stable references (or go through useShallow).
 */
import { createContext, createElement, useContext, type ReactNode } from 'react';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { RunState } from '../core/journal/fold.js';
import { seedFromRunState } from './store/apply.js';
import type { RunStoreState, UiMode, UiState } from './store/types.js';

export type { RunStoreState, StepView, ItemView, Prompt, PromptKind, UiMode, UiState, Entry, LogLine, StoreLimits } from './store/types.js';
export { DEFAULT_LIMITS } from './store/types.js';
export { createObserver, type RunObserver, type ObserverOptions } from './store/observer.js';

export type RunStore = StoreApi<RunStoreState>;

export function initialUi(): UiState {
  return {
    selected: null,
    follow: true,
    detailScroll: null,
    promptScroll: 0,
    promptMore: false,
    helpScroll: 0,
    showDetail: false,
    overlay: null,
    entry: null,
    entryError: null,
    picker: null,
    autoRun: false,
    acted: null,
    keyHint: null,
  };
}

export function initialState(mode: UiMode = 'live'): RunStoreState {
  return {
    mode,
    begun: false,
    resumed: false,
    stepOrder: [],
    steps: new Map(),
    logKept: 0,
    notes: [],
    prompts: [],
    system: [],
    phase: 'starting',
    ui: initialUi(),
    applied: 0,
  };
}

export function createRunStore(opts: { mode?: UiMode; seed?: RunState } = {}): RunStore {
  let state = initialState(opts.mode);
  if (opts.seed) state = seedFromRunState(state, opts.seed);
  return createStore<RunStoreState>()(() => state);
}

/** Merge into the ui slice (plain function; usable outside React). */
export function setUi(store: RunStore, patch: Partial<UiState>): void {
  store.setState((s) => ({ ui: { ...s.ui, ...patch } }));
}

const StoreContext = createContext<RunStore | null>(null);

export function StoreProvider({ store, children }: { store: RunStore; children?: ReactNode }) {
  return createElement(StoreContext.Provider, { value: store }, children);
}

export function useRunStoreApi(): RunStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useRunStore must be used inside <StoreProvider store={createRunStore()}>');
  return store;
}

export function useRunStore<T>(selector: (s: RunStoreState) => T): T {
  return useStore(useRunStoreApi(), selector);
}
