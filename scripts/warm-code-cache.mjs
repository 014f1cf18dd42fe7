// The runner's V8 code cache (src/code-cache.ts), written at build time by a warm-up run: the
// flagship drill up to the TUI's first complete frame, on a pretend 80×24 terminal, in a child
// process with RUNBOOK_CODE_CACHE=write — its exit writes the cache with every function compiled
// on the way (the runner, the drill, the engine, Ink and React rendering the frame).
// Best effort: without it the first real run writes the cache when it exits.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const FRAME_DONE = ['Next step', 'q quit'];

/** the warm-up for the build in `dist`: true when it wrote the cache */
export function warmCodeCache(dist) {
  const state = mkdtempSync(join(tmpdir(), 'runbook-warm-'));
  try {
    const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--child', resolve(dist), state], {
      env: terminalEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 60_000,
      killSignal: 'SIGKILL', // the drill stops on SIGTERM only at its next step
      encoding: 'utf8',
    });
    const made = existsSync(join(dist, 'code-cache')) && readdirSync(join(dist, 'code-cache')).some((f) => f.endsWith('.bin'));
    if (!made) console.warn(`build: the code cache warm-up wrote no cache (exit ${r.status ?? r.signal}): the first run writes it instead\n${(r.stderr ?? '').slice(0, 2000)}`);
    return made;
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

/** the build's environment as a responder's terminal has it: colours, not CI (Ink draws no frame in CI until it exits) */
function terminalEnv() {
  const env = { ...process.env, RUNBOOK_CODE_CACHE: 'write', TERM: 'xterm-256color' };
  for (const k of Object.keys(env)) if (k === 'CI' || k === 'CONTINUOUS_INTEGRATION' || k.startsWith('CI_') || k === 'NO_COLOR' || k === 'FORCE_COLOR') delete env[k];
  return env;
}

if (process.argv[2] === '--child') {
  const [dist, state] = process.argv.slice(3);
  // a terminal as Ink sees one: sized, raw mode available
  Object.assign(process.stdout, { isTTY: true, columns: 80, rows: 24, getColorDepth: () => 8, hasColors: () => true });
  Object.assign(process.stdin, { isTTY: true, setRawMode: () => process.stdin });
  let seen = '';
  process.stdout.write = (chunk, ...rest) => {
    // eslint-disable-next-line no-control-regex
    seen += String(chunk).replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '');
    if (FRAME_DONE.every((s) => seen.includes(s))) setTimeout(() => process.exit(0), 0);
    const done = rest.find((x) => typeof x === 'function');
    done?.();
    return true;
  };
  process.argv = [process.argv[0], join(dist, 'cli.js'), 'drill', 'hf-spaces-secrets-exposure', '--state-dir', state];
  await import(pathToFileURL(join(dist, 'cli.js')).href);
}
