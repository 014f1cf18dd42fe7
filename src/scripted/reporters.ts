/**
 * Scripted reporters: readable progress lines on stderr, or one JSON event per line on
 * stdout (`--json`; schema in docs/events.md). Both pass through the redactor; no escape
 * sequence or control character from inputs or child output reaches the terminal raw.
 */
import type { Writable } from 'node:stream';
import type { EngineEvent, EngineObserver } from '../core/engine/events.js';
import type { Redactor } from '../core/secrets/redactor.js';
import { jsonForTerminal, neutralise } from '../core/terminal-text.js';

const ICON = { ok: '✓', failed: '✗', skipped: '↷', 'in-doubt': '?' } as const;

export function textReporter(stream: Writable, redactor: Redactor, opts: { verbose?: boolean } = {}): EngineObserver {
  const w = (s: string) => stream.write(neutralise(redactor.redact(s)) + '\n');
  const kinds = new Map<string, { kind: string; title: string; fanOut: boolean }>();
  return (e: EngineEvent) => {
    switch (e.type) {
      case 'run.begin':
        for (const s of e.steps) kinds.set(s.id, { kind: s.kind, title: s.title, fanOut: s.fanOut });
        w(`runbook: ${e.resumed ? 'resuming' : 'starting'} incident ${e.incident} — ${e.runbook.title} [${e.mode.toUpperCase()}] (${e.steps.length} steps)`);
        break;
      case 'record': {
        const r = e.record;
        if (r.type === 'step.started') {
          const k = kinds.get(r.step);
          w(`▶ ${r.step}  ${k?.kind ?? ''}  ${k?.title ?? ''}`);
        } else if (r.type === 'outcome' && kinds.get(r.step)?.fanOut) {
          w(`  ${ICON[r.status]} ${r.item}${r.error ? `: ${r.error.message}` : r.reason ? ` (${r.reason})` : ''}`);
        } else if (r.type === 'outcome' && r.status !== 'ok' && r.error) {
          w(`  ${ICON[r.status]} ${r.error.message}`);
        } else if (r.type === 'approval') {
          w(`  ${r.decision === 'approved' ? 'approved' : 'denied'} (${r.via})`);
        } else if (r.type === 'manual') {
          w(`  done by hand${r.note ? `: ${r.note}` : ''}${r.link ? ` <${r.link}>` : ''}`);
        } else if (r.type === 'verify') {
          w(`  verify (${r.on}): ${r.state}${r.detail ? ` — ${r.detail}` : ''}`);
        } else if (r.type === 'settled') {
          w(`  settled: ${r.decision} (${r.via})`);
        } else if (r.type === 'step.finished') {
          const icon = r.status === 'ok' ? '✓' : r.status === 'skipped' ? '↷' : '✗';
          w(`${icon} ${r.step} ${r.status}${r.reason ? `: ${r.reason}` : ''}`);
        }
        break;
      }
      case 'log':
        if (e.stream === 'debug' && !opts.verbose) break;
        w(`  │ ${e.item !== '-' ? `[${e.item}] ` : ''}${e.text}`);
        break;
      case 'retry':
        w(`  ↻ ${e.item !== '-' ? `${e.item}: ` : ''}retry ${e.attempt} in ${(e.delayMs / 1000).toFixed(1)}s — ${e.reason}`);
        break;
      case 'waiting':
        w(`⏸ ${e.hint}`);
        break;
      case 'run.end':
        break;
    }
  };
}

export function jsonReporter(stream: Writable, redactor: Redactor): EngineObserver {
  return (e: EngineEvent) => {
    stream.write(jsonForTerminal(redactor.redact(JSON.stringify({ v: 1, ...e }))) + '\n');
  };
}
