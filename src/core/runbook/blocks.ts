/**
 * Validation of the format 1.1 blocks — `repeat` (a step with its own `steps:`, run round after
 * round) and `watch` — for src/core/runbook/semantics.ts.
 *
 * The semantic checks see a repeat as a flat list: its inner steps first (the first one takes the
 * repeat's `needs`, the others follow in order), then the repeat step itself, needing the last
 * inner step. So ids are unique across the whole runbook, an inner step may read an earlier
 * inner step of its round and everything before the repeat, `until` may read every inner step,
 * and the steps after the repeat may read the repeat's outputs and the last round's. Problems
 * are reported at the paths of the file as written (`steps[2].steps[1].with`).
 */
import type { Root } from './expressions.js';
import { checkText, type RefContext, type Site } from './refs.js';
import { filePaths } from './positions.js';
import type { Runbook, Step } from './schema.js';
import type { Path, Reporter } from './yaml.js';

/** The outputs of a repeat step (its inner steps keep their own). */
export const REPEAT_OUTPUTS = ['rounds', 'until_met'];
/** The outputs of a watch step without `outputs:`. */
export const WATCH_OUTPUTS = ['checks', 'seen', 'watched_ms', 'last'];

const COND: ReadonlySet<Root> = new Set<Root>(['inputs', 'steps', 'incident']);
const WATCH_EXPR: ReadonlySet<Root> = new Set<Root>(['result', 'inputs', 'steps', 'incident']);

/** mapped reporter → the reporter of the file as written */
const written = new WeakMap<Reporter, Reporter>();

interface Origin {
  /** the step's path in the file */
  path: Path;
  /** its `needs` was borrowed from this repeat step (the first inner step) */
  needsFrom?: Path;
}

/** A repeat step as the semantic checks see it (after its inner steps). */
export function isRepeat(step: Step): boolean {
  return step.repeat !== undefined || step.steps !== undefined;
}

/**
 * Flatten repeats for the checks; the reporter maps flat paths back to the file's paths.
 * Without a repeat both are returned unchanged.
 */
export function flattenForChecks(rb: Runbook, rep: Reporter): { rb: Runbook; rep: Reporter } {
  if (!rb.steps.some((s) => s.steps !== undefined)) return { rb, rep };
  const flat: Step[] = [];
  const origin: Origin[] = [];
  rb.steps.forEach((s, i) => {
    const inner = s.steps ?? [];
    if (!inner.length) {
      flat.push(s);
      origin.push({ path: ['steps', i] });
      return;
    }
    inner.forEach((x, j) => {
      flat.push(j === 0 ? { ...x, needs: s.needs } : { ...x, needs: undefined });
      origin.push({ path: ['steps', i, 'steps', j], ...(j === 0 ? { needsFrom: ['steps', i] } : {}) });
    });
    flat.push({ ...s, needs: [inner[inner.length - 1]!.id] });
    origin.push({ path: ['steps', i], needsFrom: ['steps', i] });
  });
  const map = (p: Path): Path => {
    if (p[0] !== 'steps' || typeof p[1] !== 'number') return p;
    const o = origin[p[1]];
    if (!o) return p;
    const rest = p.slice(2);
    if (o.needsFrom && rest[0] === 'needs') return [...o.needsFrom, ...rest];
    return [...o.path, ...rest];
  };
  const mapped = Object.create(rep) as Reporter;
  written.set(mapped, rep);
  filePaths.set(mapped, map);
  mapped.atPath = (p, w, m, c) => rep.atPath(map(p), w, m, c);
  mapped.offsetOf = (p, w) => rep.offsetOf(map(p), w);
  mapped.atOffset = (o, p, m, c) => rep.atOffset(o, typeof p === 'string' ? p : map([...p]), m, c);
  return { rb: { ...rb, steps: flat }, rep: mapped };
}

/** The repeat's own rules; true: it is a repeat (the ordinary step checks do not apply to it). */
export function checkRepeat(ctx: RefContext, step: Step, i: number, original: Runbook): boolean {
  if (!isRepeat(step)) return false;
  const { rep } = ctx;
  const at = (...p: Path): Path => ['steps', i, ...p];
  if (step.repeat === undefined) {
    rep.atPath(at('steps'), 'key', 'steps: inside a step belongs to a repeat: add repeat: { until: …, max: N }', 'repeat');
    return true;
  }
  if (step.steps === undefined) rep.atPath(at('repeat'), 'parent', 'a repeat step needs steps: (the steps of one round)', 'repeat');
  const k = original.steps.findIndex((s) => s.id === step.id);
  const raw = written.get(rep) ?? rep;
  original.steps[k]?.steps?.forEach((x, j) => {
    if (x.needs !== undefined) raw.atPath(['steps', k, 'steps', j, 'needs'], 'key', 'the steps of a repeat run in order: remove needs:', 'repeat');
  });
  for (const f of ['uses', 'with', 'for_each', 'item_key', 'concurrency', 'outputs', 'verify', 'retry', 'timeout', 'evidence', 'watch', 'confirm'] as const) {
    if (step[f] !== undefined) rep.atPath(at(f), 'key', `a repeat step takes no ${f}: (its inner steps do the work)`, 'repeat');
  }
  const info = ctx.steps.get(step.id);
  const site: Site = { field: 'repeat.until', allowed: COND, step: info?.index === i ? info : undefined, forEach: false };
  if (typeof step.repeat.until === 'string') checkText(ctx, step.repeat.until, at('repeat', 'until'), site, 'field');
  if (typeof step.if === 'string') checkText(ctx, step.if, at('if'), { ...site, field: 'if' }, 'field');
  return true;
}

/** The watch's own rules (after the ordinary step checks). */
export function checkWatch(ctx: RefContext, step: Step, i: number): void {
  const w = step.watch;
  if (!w) return;
  const { rep } = ctx;
  const at = (...p: Path): Path => ['steps', i, ...p];
  if (step.kind === 'manual') rep.atPath(at('watch'), 'key', 'a manual step cannot watch: give the step a kind and uses: (the check to run)', 'watch');
  if (w.fail_if === undefined && w.until === undefined) rep.atPath(at('watch'), 'value', 'a watch needs fail_if: or until: (what to look for in each check)', 'watch');
  const info = ctx.steps.get(step.id);
  const site: Site = { field: 'watch', allowed: WATCH_EXPR, step: info?.index === i ? info : undefined, forEach: step.for_each !== undefined };
  for (const f of ['fail_if', 'until'] as const) {
    const e = w[f];
    if (e !== undefined) checkText(ctx, e, at('watch', f), { ...site, field: `watch.${f}` }, 'field');
  }
}

/** Format 1.1 constructs in a `version: 1` runbook. */
export function checkVersion(rb: Runbook, rep: Reporter): void {
  if (rb.version !== 1) return;
  const walk = (steps: readonly Step[], base: Path) =>
    steps.forEach((s, i) => {
      for (const f of ['repeat', 'watch', 'steps'] as const) {
        if (s[f] !== undefined && !(f === 'steps' && s.repeat !== undefined)) rep.atPath([...base, i, f], 'key', `${f}: is format 1.1: set version: 1.1 at the top of the runbook`, 'version');
      }
    });
  walk(rb.steps, ['steps']);
}
