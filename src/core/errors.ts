/**
 * Error classes and the exit-code table. Only src/cli.ts turns these into an exit code;
 * everything else throws. Every error carries what the user should do next.
 */

/** The exit-code table (documented in README.md). */
export const ExitCode = {
  /** the run (or command) finished and everything is done */
  ok: 0,
  /** a step failed */
  failed: 1,
  /** invalid input or usage: a bad runbook, flag or argument */
  usage: 2,
  /** waiting on an approval, a manual step or an in-doubt item; re-run with the named flag */
  waiting: 3,
  /** the incident is locked by another process */
  locked: 4,
  /** an internal error (a bug in runbook) */
  internal: 70,
  /** interrupted (SIGINT / SIGTERM); state is kept, resume with the same command */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorOptions {
  /** What the user should do next, one line each. */
  nextSteps?: string[];
  cause?: unknown;
}

/** Base class of every error the CLI knows how to print (message, next steps, exit code). */
export class RunbookError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly nextSteps: string[];
  constructor(message: string, exitCode: ExitCodeValue, opts: ErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.nextSteps = opts.nextSteps ?? [];
  }
}

/** Bad flags, arguments or files. Exit 2. */
export class UsageError extends RunbookError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super(message, ExitCode.usage, opts);
  }
}

/** One problem found in a runbook (or any input file), with its position. */
export interface Issue {
  file: string;
  /** 1-based; 0 when unknown */
  line: number;
  /** 1-based; 0 when unknown */
  col: number;
  /** dotted path of the field, e.g. `steps[2].with.url`; empty for the document */
  path: string;
  message: string;
  /** a short code frame with a caret under the column */
  frame?: string;
  /** a stable identifier for editors and CI (`yaml-syntax`, `schema`, `unknown-key`, …) */
  code: string;
}

/** A runbook (or scenario) that failed to load or validate. Exit 2. */
export class ValidationError extends RunbookError {
  readonly issues: Issue[];
  constructor(issues: Issue[], opts: ErrorOptions = {}) {
    const first = issues[0];
    const head = first ? `${first.file}:${first.line}:${first.col}  ${first.path ? first.path + ': ' : ''}${first.message}` : 'invalid input';
    super(issues.length > 1 ? `${head} (and ${issues.length - 1} more)` : head, ExitCode.usage, opts);
    this.issues = issues;
  }
}

/** The run stopped at a gate it cannot pass without the operator (approval, manual step, in-doubt item). Exit 3. */
export class WaitingError extends RunbookError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super(message, ExitCode.waiting, opts);
  }
}

/** Owner of an incident lock. */
export interface LockOwner {
  pid: number;
  host: string;
  user: string;
  startedAt: string;
}

/** `user@host` of a lock's owner; a team-mode operator already names its host (`alice@soc`). */
export function ownerName(o: { user: string; host: string }): string {
  return o.user.includes('@') ? o.user : `${o.user}@${o.host}`;
}

/** Another process holds the incident. Exit 4. */
export class LockedError extends RunbookError {
  readonly owner: LockOwner;
  constructor(incident: string, owner: LockOwner, opts: ErrorOptions & { stale?: boolean } = {}) {
    super(
      `incident ${incident} is locked by pid ${owner.pid} (${ownerName(owner)}, since ${owner.startedAt})${opts.stale ? ' — a stale lock: that process is gone' : ''}`,
      ExitCode.locked,
      {
        nextSteps: opts.nextSteps ?? [
          'Wait for that run to finish, or stop it.',
          'If that process is gone, break the stale lock with --break-lock.',
        ],
        cause: opts.cause,
      },
    );
    this.owner = owner;
  }
}

/** A step failed and the runbook says stop. Exit 1. */
export class StepFailedError extends RunbookError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super(message, ExitCode.failed, opts);
  }
}

/** The run was interrupted by a signal. Exit 130. */
export class InterruptedError extends RunbookError {
  constructor(message = 'interrupted', opts: ErrorOptions = {}) {
    super(message, ExitCode.interrupted, opts);
  }
}

/** The journal or state directory cannot be written: fail closed, nothing was called. Exit 1. */
export class JournalError extends RunbookError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super(message, ExitCode.failed, opts);
  }
}

/** A condition that should be impossible: a bug in runbook. Exit 70. */
export class BugError extends RunbookError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super(message, ExitCode.internal, {
      nextSteps: opts.nextSteps ?? ['This is a bug in runbook. Your incident state is kept; please report it.'],
      cause: opts.cause,
    });
  }
}

/**
 * How a failed call to a provider should be treated:
 * - `not-sent`: the request never reached the service (DNS, refused, 429) → safe to retry;
 * - `ambiguous`: it may have been applied (timeout after send, reset, 502/504) → verify first;
 * - `definite`: the service refused it (400/401/403/404/422) → do not retry.
 */
export type FailureClass = 'not-sent' | 'ambiguous' | 'definite';

export interface ProviderErrorInit {
  provider: string;
  action: string;
  message: string;
  status?: number;
  code?: string;
  failure: FailureClass;
  requestId?: string;
  /** milliseconds the service asked us to wait (Retry-After, rate-limit reset) */
  retryAfterMs?: number;
  nextSteps?: string[];
}

/**
 * A failure from a provider, rebuilt from scratch so that no request config, header or raw
 * body (which can hold tokens) travels with it. Never wrap a raw client error as `cause`.
 */
export class ProviderError extends RunbookError {
  readonly provider: string;
  readonly action: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly failure: FailureClass;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(init: ProviderErrorInit) {
    super(`${init.provider}.${init.action}: ${init.message}`, ExitCode.failed, { nextSteps: init.nextSteps });
    this.provider = init.provider;
    this.action = init.action;
    this.status = init.status;
    this.code = init.code;
    this.failure = init.failure;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
  }
  get retryable(): boolean {
    return this.failure === 'not-sent';
  }
  toJSON() {
    return {
      provider: this.provider,
      action: this.action,
      message: this.message,
      status: this.status,
      code: this.code,
      failure: this.failure,
      requestId: this.requestId,
    };
  }
}

export function isRunbookError(e: unknown): e is RunbookError {
  return e instanceof RunbookError;
}
