/**
 * Scripted reporters: readable progress lines on stderr, or one JSON event per line on
 * stdout (`--json`; schema in docs/events.md). Both pass through the redactor; no escape
 * sequence or control character from inputs or child output reaches the terminal raw.
 *
 * A manual step's instructions (as the engine rendered them when it asked, with what earlier
 * steps found) are printed under its step and carried by its `waiting` event, so a scripted
 * run says what to do, not only which flag records it. When steps run in parallel, every line
 * under a step carries the step's id.
 */
import { formatDuration } from '../core/duration.js';
import type { Writable } from 'node:stream';
import type { EngineEvent, EngineObserver } from '../core/engine/events.js';
import type { ManualRequest } from '../core/engine/ports.js';
import type { Redactor } from '../core/secrets/redactor.js';
import { jsonForTerminal, neutralise } from '../core/terminal-text.js';
import { oneLine } from '../report/format.js';
import { placeholders, type KnownStep } from '../core/engine/text.js';
import { jsonFencesAsText } from '../report/json-list.js';

const ICON = { ok: '✓', failed: '✗', skipped: '↷', 'in-doubt': '?' } as const;

/** A reporter is an engine observer that is also told when a manual step is asked (scriptedPorts' onManual). */
export interface Reporter extends EngineObserver {
  manual(req: ManualRequest): void;
}

const keyOf = (step: string, item?: string) => (item ? `${step}/${item}` : step);

/** Markdown instructions as plain text lines (emphasis markers dropped, lists and paragraphs kept, JSON lists as bullets). */
export function plainInstructions(md: string): string[] {
  // what an earlier step found, shown as ```json in the runbook: a list, not raw JSON
  return jsonFencesAsText(md)
    // a code fence's own lines (```, ```sh) are markup: the code under them stays, indented as written
    .replace(/^[ \t]*(```|~~~)[^\n]*$/gm, '')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .trim()
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l, i, a) => l !== '' || (i > 0 && a[i - 1] !== ''));
}

/**
 * A title as the run began with it (inputs filled in; a fan-out's title over `item` reads "each
 * item"), with what steps that have finished since found filled in too — `‹…›` no more: a part
 * still unknown says what it waits for, e.g. `(known after find)`.
 */
function titleOf(raw: string, atBegin: string | undefined, finished: ReadonlyMap<string, KnownStep>): string {
  return oneLine(placeholders(atBegin ?? raw, finished), 1000);
}

export function textReporter(stream: Writable, redactor: Redactor, opts: { verbose?: boolean } = {}): Reporter {
  const w = (s: string) => stream.write(neutralise(redactor.redact(s)) + '\n');
  const kinds = new Map<string, { kind: string; title: string; fanOut: boolean }>();
  const running = new Set<string>();
  const shown = new Set<string>();
  /** steps that have finished, with their journaled outputs: what later titles read */
  const finished = new Map<string, KnownStep>();
  /** the step the last line was about: a line about another one says which */
  let context: string | undefined;
  /** lines under a step: labelled with the step while others run alongside it, or after another step's line */
  const under = (step: string, text: string) => {
    w(`  ${running.size > 1 || context !== step ? `[${step}] ` : ''}${text}`.trimEnd());
    context = step;
  };
  const observer = (e: EngineEvent) => {
    switch (e.type) {
      case 'run.begin':
        for (const s of e.steps) kinds.set(s.id, { kind: s.kind, title: s.title, fanOut: s.fanOut });
        w(`runbook: ${e.resumed ? 'resuming' : 'starting'} incident ${e.incident} — ${oneLine(e.runbook.title, 1000)} [${e.mode.toUpperCase()}] (${e.steps.length} step${e.steps.length === 1 ? '' : 's'})`);
        break;
      case 'record': {
        const r = e.record;
        if (r.type === 'step.started') {
          running.add(r.step);
          const k = kinds.get(r.step);
          w(`▶ ${r.step}  ${k?.kind ?? r.kind ?? ""}  ${titleOf(r.title ?? k?.title ?? "", k?.title, finished)}`);
          context = r.step;
        } else if (r.type === 'outcome' && kinds.get(r.step)?.fanOut) {
          under(r.step, `${ICON[r.status]} ${r.item}${r.error ? `: ${r.error.message}` : r.reason ? ` (${r.reason})` : ''}`);
        } else if (r.type === 'outcome' && r.status !== 'ok' && r.error) {
          under(r.step, `${ICON[r.status]} ${r.error.message}`);
        } else if (r.type === 'approval') {
          under(r.step, `${r.decision === 'approved' ? 'approved' : 'denied'} (${r.via})`);
        } else if (r.type === 'manual') {
          under(r.step, `done by hand${r.note ? `: ${r.note}` : ''}${r.link ? ` <${r.link}>` : ''}`);
        } else if (r.type === 'verify') {
          under(r.step, `verify (${r.on}): ${r.state}${r.detail ? ` — ${r.detail}` : ''}`);
        } else if (r.type === 'settled') {
          under(r.step, `settled: ${r.decision} (${r.via})`);
        } else if (r.type === 'step.finished') {
          running.delete(r.step);
          finished.set(r.step, { status: r.status, outputs: r.outputs });
          const icon = r.status === 'ok' ? '✓' : r.status === 'skipped' ? '↷' : '✗';
          w(`${icon} ${r.step} ${r.status}${r.reason ? `: ${r.reason}` : ''}`);
          context = r.step;
        }
        break;
      }
      case 'log':
        if (e.stream === 'debug' && !opts.verbose) break;
        under(e.step, `│ ${e.item !== '-' ? `[${e.item}] ` : ''}${e.text}`);
        break;
      case 'retry':
        under(e.step, `↻ ${e.item !== '-' ? `${e.item}: ` : ''}retry ${e.attempt} in ${(e.delayMs / 1000).toFixed(1)}s — ${e.reason}`);
        break;
      case 'waiting':
        running.delete(e.step);
        w(`⏸ ${e.hint}`);
        context = e.step;
        break;
      case 'watching':
        under(e.step, `⏱ watching: ${formatDuration(e.remainingMs)} left (${formatDuration(e.watchedMs)} of ${formatDuration(e.forMs)} watched, ${e.checks} check${e.checks === 1 ? '' : 's'}); next check in ${formatDuration(e.nextCheckMs)}`);
        break;
      case 'run.end':
        break;
    }
  };
  return Object.assign(observer, {
    manual(req: ManualRequest) {
      const key = keyOf(req.step, req.item);
      if (shown.has(key)) return;
      shown.add(key);
      under(req.step, `manual step: ${oneLine(req.title, 1000)}`);
      for (const l of plainInstructions(req.instructions ?? '')) under(req.step, `  ${l}`);
      if (req.evidence.type !== 'none') under(req.step, `  evidence: a ${req.evidence.type}${req.evidence.required ? ' (required)' : ''}${req.evidence.prompt ? ` — ${req.evidence.prompt}` : ''}`);
    },
  });
}

export function jsonReporter(stream: Writable, redactor: Redactor): Reporter {
  const asked = new Map<string, ManualRequest>();
  const observer = (e: EngineEvent) => {
    // a manual step's `waiting` event carries what to do: title, instructions, evidence
    const m = e.type === 'waiting' && e.on === 'manual' ? asked.get(keyOf(e.step, e.item)) : undefined;
    const out = m ? { ...e, title: m.title, ...(m.instructions !== undefined ? { instructions: m.instructions } : {}), evidence: m.evidence } : e;
    stream.write(jsonForTerminal(redactor.redact(JSON.stringify({ v: 1, ...out }))) + '\n');
  };
  return Object.assign(observer, {
    manual(req: ManualRequest) {
      asked.set(keyOf(req.step, req.item), req);
    },
  });
}
