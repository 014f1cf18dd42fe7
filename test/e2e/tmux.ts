/**
 * The built CLI in a real terminal: tmux on a private socket (`tmux -L`), keys with send-keys,
 * the screen with capture-pane. Every wait polls the screen for a condition (no fixed sleeps).
 */
import { spawnSync } from 'node:child_process';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

export class Tmux {
  readonly socket = `runbook-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  /** `joined`: screen() (and so until()) joins wrapped lines, so a long line reads whole; `pollMs`: how often until() reads the screen (default 50) */
  constructor(readonly opts: { joined?: boolean; pollMs?: number } = {}) {}

  run(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** a session running `command` in `cwd`; it stays after the command ends (EXIT=<code> is printed) */
  start(name: string, cwd: string, command: string, columns = 120, rows = 40): void {
    this.run('new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), '-c', cwd, `env NO_COLOR=1 CI=0 ${command}; echo EXIT=$?; sleep 600`);
  }

  /** the screen as shown (lines not joined, unless the Tmux was made `joined`: a wrapped line reads as it is on screen) */
  screen(name: string): string {
    return this.run('capture-pane', '-p', ...(this.opts.joined ? ['-J'] : []), '-t', name);
  }

  /** the whole scrollback, wrapped lines joined */
  history(name: string): string {
    return this.run('capture-pane', '-p', '-J', '-S', '-', '-t', name);
  }

  keys(name: string, ...k: string[]): void {
    this.run('send-keys', '-t', name, ...k);
  }

  type(name: string, text: string): void {
    this.run('send-keys', '-t', name, '-l', text);
  }

  async until(name: string, cond: (s: string) => boolean, what: string, ms = 30_000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const s = this.screen(name);
      if (cond(s)) return s;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 50));
    }
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}

/** The panel's title: `Next step · find-spaces`, `Approval needed · revoke-tokens`, … */
export function asked(screen: string): { what: string; step: string } | undefined {
  const m = /── (Next step|Approval needed|Manual step|Step failed|In doubt|Input needed) · ([\w-]+)/.exec(screen);
  return m ? { what: m[1]!, step: m[2]! } : undefined;
}

/** The footer (the last non-empty line). */
export const footer = (screen: string): string => screen.trimEnd().split('\n').at(-1) ?? '';
