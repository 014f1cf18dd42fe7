/**
 * Builds the ActionContext an adapter receives. The engine uses this for every call; tests
 * use it to drive an adapter directly against a local server.
 */
import { exec } from '../core/exec.js';
import { request, doorFetch } from '../core/http.js';
import { SecretRegistry } from '../core/secrets/registry.js';
import { fingerprintValue } from '../core/secrets/secret.js';
import { randomBytes } from 'node:crypto';

const PROCESS_KEY = randomBytes(32);
import type { ActionContext, Evidence, Logger } from './sdk.js';

export interface ContextOptions<C> {
  instance?: string;
  type: string;
  action: string;
  config: C;
  signal?: AbortSignal;
  incident?: { id: string; drill?: boolean; stepId?: string; itemKey?: string; inDoubtSince?: string };
  secrets?: SecretRegistry;
  log?: Logger;
  onEvidence?: (e: Evidence) => void;
  /** the runbook's folder (default: the process's working directory) */
  workdir?: string;
  /** the key for fingerprints (the journal's); default: a random key per process */
  fingerprintKey?: Buffer;
  /** default timeout for HTTP calls, ms */
  httpTimeoutMs?: number;
  /** the time now, ms since the epoch (default Date.now; a drill: the drill world's time) */
  now?: () => number;
}

/** A logger that keeps lines in memory (for tests and for callers that render later). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    debug: (m) => lines.push(`debug: ${m}`),
    line: (s, t) => lines.push(`${s}: ${t}`),
  };
}

export function createActionContext<C>(o: ContextOptions<C>): ActionContext<C> {
  const signal = o.signal ?? new AbortController().signal;
  const secrets = o.secrets ?? new SecretRegistry();
  const incident = { id: o.incident?.id ?? 'test', drill: o.incident?.drill ?? false, stepId: o.incident?.stepId ?? 'step', itemKey: o.incident?.itemKey ?? '-', ...(o.incident?.inDoubtSince ? { inDoubtSince: o.incident.inDoubtSince } : {}) };
  const provider = o.instance ?? o.type;
  const log = o.log ?? memoryLogger();
  return {
    instance: provider,
    type: o.type,
    action: o.action,
    config: o.config,
    signal,
    idempotencyKey: `${incident.id}/${incident.stepId}/${incident.itemKey}`,
    incident,
    workdir: o.workdir ?? process.cwd(),
    log,
    exec: (argv, opts) =>
      exec(argv, {
        ...opts,
        signal: opts?.signal ? AbortSignal.any([opts.signal, signal]) : signal,
        onLine: (s, line) => {
          log.line(s, line);
          opts?.onLine?.(s, line);
        },
      }),
    http: (req) => request({ provider, action: o.action, ...req, timeoutMs: req.timeoutMs ?? o.httpTimeoutMs, signal: req.signal ? AbortSignal.any([req.signal, signal]) : signal }),
    fetch: doorFetch(provider, o.action, { signal, timeoutMs: o.httpTimeoutMs }),
    secret: (value, label) => secrets.create(value, label),
    fingerprint: (value) => fingerprintValue(value, o.fingerprintKey ?? PROCESS_KEY),
    evidence: (e) => o.onEvidence?.(e),
    now: o.now ?? Date.now,
  };
}
