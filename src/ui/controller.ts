/**
 * What a key press does: plain functions over the store and the ports (no React). The app's
 * key hook maps a binding to `dispatch(action)`; widgets call `submitEntry` / `submitPicker`.
 */
import { setUi, type RunStore } from './store.js';
import type { ActionId } from './keymap.js';
import type { Entry, Prompt } from './store/types.js';
import type { AnswerOf, TuiPorts } from './ports.js';
import { activePrompt, selectedStep } from './status.js';
import { isLink } from '../scripted/ports.js';
import { compilePattern, type Pattern } from '../core/runbook/pattern.js';

export interface ControllerDeps {
  store: RunStore;
  ports: TuiPorts;
  /** journal a timeline note (engine.note) */
  note(text: string): void;
  /** quit: abort the engine (the caller waits for it to stop) */
  quit(force: boolean): void;
  /** the run is over and the operator is done reading */
  exit(): void;
  /** a drill's clock: started by the first key, paused while help is open */
  drill?: { running(): boolean; start(): void; pause(): void };
}

export interface Controller {
  dispatch(action: ActionId): void;
  submitEntry(value: string): void;
  cancelEntry(): void;
  submitPicker(items: string[]): void;
  cancelPicker(): void;
  /** Ctrl-C: quit at once (twice: without waiting for the engine) */
  interrupt(): void;
  /** any key: the drill clock starts with the responder's first key (not while help is open) */
  keyPressed(): void;
  /**
   * A widget (text entry, item picker) took the key press being handled: the app's key router
   * must not act on the same key again (⏎ that submits a note must not also run the next step).
   */
  readonly consumed: boolean;
}

export function validateInput(p: Extract<Prompt, { kind: 'input' }>, raw: string): { value: string } | { error: string } {
  const req = p.req;
  const v = raw.trim();
  if (v === '') {
    if (req.default !== undefined) return { value: Array.isArray(req.default) ? req.default.join(',') : String(req.default) };
    return { error: `${req.name} is required` };
  }
  if (req.type === 'number' && !Number.isFinite(Number(v))) return { error: `${req.name} must be a number` };
  if (req.type === 'boolean' && !/^(true|false|yes|no|y|n)$/i.test(v)) return { error: `${req.name} must be yes or no` };
  if (req.pattern) {
    let re: Pattern | undefined;
    try {
      re = compilePattern(req.pattern); // RE2 (no backtracking), the whole value, as the engine checks it
    } catch {
      re = undefined;
    }
    const parts = req.type === 'list' ? v.split(',').map((x) => x.trim()) : [v];
    if (re && parts.some((x) => !re.test(x))) return { error: `${req.name} must match ${req.pattern}` };
  }
  return { value: v };
}

export function createController(d: ControllerDeps): Controller {
  const { store, ports } = d;
  const front = () => activePrompt(store.getState());
  /** after an answer: follow the run again, starting with the step just answered (its gate, its tick-off) */
  const answered = (p: Prompt, stay: boolean) => setUi(store, { follow: true, selected: null, detailScroll: null, acted: stay ? (p.step ?? null) : null });
  /** answer a prompt; `stay`: keep following its step until its next question (⏎ on a gated or manual step) */
  const answer = <K extends Prompt['kind']>(id: number, kind: K, value: AnswerOf[K], stay = false): boolean => {
    const p = store.getState().prompts.find((x) => x.id === id);
    const ok = ports.answer(id, kind, value);
    if (ok && p) answered(p, stay);
    return ok;
  };
  const openEntry = (entry: Entry) => setUi(store, { entry, entryError: null, showDetail: false });
  let interrupts = 0;
  let consumed = false;
  /** every listener of one key press runs in the same turn: the mark lasts until the next microtask */
  const consume = () => {
    if (consumed) return;
    consumed = true;
    queueMicrotask(() => (consumed = false));
  };

  const move = (delta: number) => {
    const s = store.getState();
    const cur = selectedStep(s);
    const i = cur === null ? 0 : s.stepOrder.indexOf(cur);
    const n = Math.max(0, Math.min(s.stepOrder.length - 1, i + delta));
    setUi(store, { selected: s.stepOrder[n] ?? null, follow: false, detailScroll: null, showDetail: s.prompts.length > 0 ? s.ui.showDetail : false });
  };
  const scroll = (delta: number) => {
    const s = store.getState();
    // what the pane shows decides what scrolls: a selected step that asks nothing shows its detail, even while another step asks
    if (activePrompt(s) !== undefined && !s.ui.showDetail) setUi(store, { promptScroll: Math.max(0, s.ui.promptScroll + delta) });
    else setUi(store, { detailScroll: Math.max(0, (s.ui.detailScroll ?? 0) + delta) });
  };

  const dispatch = (action: ActionId) => {
    const s = store.getState();
    const p = front();
    switch (action) {
      case 'up':
        return move(-1);
      case 'down':
        return move(1);
      case 'scroll-up':
        return scroll(-5);
      case 'scroll-down':
        return scroll(5);
      case 'follow':
        return setUi(store, { follow: true, selected: null, detailScroll: null });
      case 'toggle-pane':
        return setUi(store, { showDetail: !s.ui.showDetail });
      case 'note':
        return openEntry({ purpose: 'note', label: 'Timeline note', required: true });
      case 'help':
        d.drill?.pause(); // reading help costs no drill time
        return setUi(store, { overlay: 'help', helpScroll: 0 });
      case 'help-scroll':
        return setUi(store, { helpScroll: s.ui.helpScroll + 5 });
      case 'help-back':
        return setUi(store, { helpScroll: Math.max(0, s.ui.helpScroll - 5) });
      case 'close-help':
        setUi(store, { overlay: null });
        return d.drill?.start();
      case 'quit-cancel':
        return setUi(store, { overlay: null });
      case 'quit':
        return setUi(store, { overlay: 'quit' });
      case 'quit-confirm':
        setUi(store, { overlay: null });
        return d.quit(false);
      case 'exit':
        return d.exit();
      case 'pause':
        return setUi(store, { autoRun: false });
      case 'run-step':
        if (p?.kind === 'proceed') answer(p.id, 'proceed', { action: 'run' }, true);
        return;
      case 'run-all': {
        // every step ready now runs too: none of them is left waiting for ⏎
        setUi(store, { autoRun: true });
        for (const x of s.prompts) if (x.kind === 'proceed') answer(x.id, 'proceed', { action: 'run' });
        return;
      }
      case 'skip-step':
        if (p?.kind === 'proceed') openEntry({ purpose: 'skip-step', label: `Why skip ${p.step}?`, required: true });
        return;
      case 'approve-all':
        if (p?.kind === 'approval') answer(p.id, 'approval', { decision: 'approved', items: p.req.items, via: 'tui' });
        return;
      case 'pick-items':
        if (p?.kind === 'approval') setUi(store, { picker: p.id, showDetail: false });
        return;
      case 'deny':
        if (p?.kind === 'approval') openEntry({ purpose: 'deny', label: `Deny ${p.step} — reason (optional)`, required: false });
        return;
      case 'tick':
        if (p?.kind === 'manual') {
          const ev = p.req.evidence;
          if (ev.type === 'none') answer(p.id, 'manual', { done: true, via: 'tui' });
          else openEntry({ purpose: 'evidence', evidenceType: ev.type, label: ev.prompt ?? (ev.type === 'link' ? 'Link to the evidence (a URL, or a ticket id like SEC-42)' : 'Note: what was done'), required: ev.required });
        }
        return;
      case 'skip-manual':
        if (p?.kind === 'manual') openEntry({ purpose: 'skip-manual', label: `Why skip ${p.step}?`, required: true });
        return;
      case 'settle-done':
      case 'settle-redo':
        if (p?.kind === 'doubt') answer(p.id, 'doubt', { decision: action === 'settle-done' ? 'done' : 'redo', via: 'tui' });
        return;
      case 'settle-verify':
        if (p?.kind === 'doubt') answer(p.id, 'doubt', { decision: 'verify' });
        return;
      case 'settle-later':
        if (p?.kind === 'doubt') answer(p.id, 'doubt', { decision: 'wait', hint: 'left in doubt by the operator' });
        return;
      case 'retry':
      case 'continue':
      case 'stop':
        if (p?.kind === 'failure') answer(p.id, 'failure', action);
        return;
      default:
        return;
    }
  };

  return {
    dispatch,
    get consumed() {
      return consumed;
    },
    submitEntry(raw) {
      consume();
      const s = store.getState();
      const p = front();
      const entry = s.ui.entry;
      const value = raw.trim();
      if (!entry) {
        if (p?.kind === 'secret') {
          if (raw === '') return setUi(store, { entryError: 'a value is required' });
          answer(p.id, 'secret', raw);
        } else if (p?.kind === 'input') {
          const r = validateInput(p, raw);
          if ('error' in r) return setUi(store, { entryError: r.error });
          answer(p.id, 'input', r.value);
        }
        return;
      }
      if (entry.required && value === '') return setUi(store, { entryError: 'this cannot be empty' });
      if (entry.purpose === 'evidence' && entry.evidenceType === 'link' && value !== '' && !isLink(value)) {
        return setUi(store, { entryError: 'a link is a URL (https://…) or a ticket id (SEC-42)' });
      }
      setUi(store, { entry: null, entryError: null });
      switch (entry.purpose) {
        case 'note':
          d.note(value);
          return;
        case 'deny':
          if (p?.kind === 'approval') answer(p.id, 'approval', { decision: 'denied', reason: value || undefined, via: 'tui' });
          return;
        case 'skip-step':
          if (p?.kind === 'proceed') answer(p.id, 'proceed', { action: 'skip', reason: value });
          return;
        case 'skip-manual':
          if (p?.kind === 'manual') answer(p.id, 'manual', { done: false, skip: { reason: value } });
          return;
        case 'evidence':
          if (p?.kind === 'manual') {
            const ev = value === '' ? {} : entry.evidenceType === 'link' ? { link: value } : { note: value };
            answer(p.id, 'manual', { done: true, ...ev, via: 'tui' });
          }
          return;
      }
    },
    cancelEntry() {
      consume();
      setUi(store, { entry: null, entryError: null });
    },
    submitPicker(items) {
      consume();
      const p = front();
      if (p?.kind !== 'approval' || store.getState().ui.picker !== p.id) return;
      if (items.length === 0) return setUi(store, { entryError: 'select at least one item, or press esc and deny' });
      setUi(store, { picker: null, entryError: null });
      answer(p.id, 'approval', { decision: 'approved', items, via: 'tui' });
    },
    cancelPicker() {
      consume();
      setUi(store, { picker: null, entryError: null });
    },
    keyPressed() {
      const s = store.getState();
      if (d.drill && !d.drill.running() && s.ui.overlay === null && (s.phase === 'running' || s.phase === 'starting')) d.drill.start();
    },
    interrupt() {
      interrupts++;
      setUi(store, { overlay: null, entry: null, picker: null });
      d.quit(interrupts > 1);
    },
  };
}
