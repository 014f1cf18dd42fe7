/**
 * The state one engine run shares between the scheduler, the step runner and the item
 * runner: the journal, the operator ports, live outputs, and the helpers that write a
 * record and tell the observers about it.
 */
import type { LoadedRunbook } from '../runbook/load.js';
import type { Step } from '../runbook/schema.js';
import type { Scope } from '../runbook/expressions.js';
import type { JournalStore } from '../journal/store.js';
import type { RecordBody, Mode } from '../journal/records.js';
import type { RunState } from '../journal/fold.js';
import type { SecretRegistry } from '../secrets/registry.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { ActionDef, ProviderDef } from '../../providers/sdk.js';
import type { EngineEvent, EngineObserver } from './events.js';
import type { Sealer } from './seal.js';
import type { StoredForm } from './stored.js';
import type { OperatorPorts } from './ports.js';

export interface ProviderBinding {
  instance: string;
  def: ProviderDef;
  config: unknown;
}

export interface RunContext {
  loaded: LoadedRunbook;
  registry: ProviderRegistry;
  store: JournalStore;
  secrets: SecretRegistry;
  ports: OperatorPorts;
  mode: Mode;
  incident: string;
  fingerprintKey: Buffer;
  signal: AbortSignal;
  /** journal state at the start of this run (resume) */
  prior: RunState | undefined;
  inputs: Record<string, unknown>;
  /** live outputs of finished steps (may hold Secrets) */
  outputs: Map<string, unknown>;
  /** the stored forms of live outputs already journaled (./stored.ts storedForm) */
  storedForms?: WeakMap<object, StoredForm>;
  /** provider instances, rendered and validated on first use */
  bindings: Map<string, ProviderBinding>;
  /** drill: rewrite a provider instance's config (point it at a simulator) */
  configFor?: (instance: string, type: string, config: Record<string, unknown>) => Record<string, unknown>;
  /** seals outputs the journal keeps masked (undefined: the store has no folder) */
  sealer?: Sealer;
  /** the operator's decision for an item in doubt given before the run (`--settle`) */
  presettled?(step: string, item: string): 'done' | 'redo' | undefined;
  write(body: RecordBody): void;
  /**
   * Write an intent with the others queued in the same turn (group commit: one fsync for the
   * batch, ./group-commit.ts); resolves when it is durable — make the call only then.
   */
  writeIntent(body: RecordBody & { type: 'intent' }): Promise<void>;
  emit(e: EngineEvent): void;
  scope(extra?: Partial<Scope>): Scope;
  stepById(id: string): Step | undefined;
}

export type StepResult =
  | { status: 'ok' | 'skipped'; outputs?: unknown }
  | { status: 'failed'; message: string; items: string[]; continued?: boolean }
  | { status: 'waiting'; hint: string }
  | { status: 'interrupted' };

export function makeEmitter(observers: readonly EngineObserver[], onObserverError: (e: unknown) => void) {
  return (e: EngineEvent) => {
    for (const o of observers) {
      try {
        o(e);
      } catch (err) {
        // a broken observer never stops an incident run
        onObserverError(err);
      }
    }
  };
}

export type ActionRef = { binding: ProviderBinding; action: ActionDef; actionName: string };
