/**
 * `runbook attach ID` — follow an incident of the shared store live (team mode,
 * docs/team-mode.md) and answer it. Text mode: the journal so far, then each new record as it
 * is committed — the database notifies channel `runbook_journal` on every insert (LISTEN/NOTIFY,
 * no polling) and attach reads the records after the last one it printed. Lines typed on stdin
 * are answers, written to the journal as records naming the operator (no lease needed):
 *
 *   approve STEP | deny STEP [REASON] | done STEP[/ITEM] [NOTE] | settle STEP[/ITEM] done|redo | note TEXT
 *
 * A waiting runner acts on them at once (engine/team-answers.ts), a runner that is not running
 * on its next resume. Attach ends when the incident is done, when stdin closes after
 * --exit-on-eof, or on Ctrl-C.
 *
 * On a terminal (stdin and stdout TTYs, no --json) it is the run screen instead (src/ui/attach,
 * loaded only then): the checklist and step detail live, the runner's questions as prompts to
 * answer with the run TUI's keys, `n` for a note.
 */
import { createInterface } from 'node:readline';
import { UsageError } from '../core/errors.js';
import { checkIncidentId } from '../core/journal/store.js';
import type { JournalRecord, RecordBody } from '../core/journal/records.js';
import { neutralise } from '../core/terminal-text.js';
import { err, out, outJson, parseCommandFlags, type Command } from './context.js';
import { isShared, storeOf, storeUrlOf } from './team-store.js';
import { isLink } from '../scripted/ports.js';
import { commandLine } from './invocation.js';
import type { RunnerView } from '../ui/attach/index.js';

/** One record as a line: `#12 11:03:20 alice@soc intent effect/- sh.run`. */
export function recordLine(r: JournalRecord): string {
  const where = 'step' in r ? `${r.step}${'item' in r && r.item ? `/${r.item}` : ''}` : '';
  let what = '';
  switch (r.type) {
    case 'intent':
      what = `${r.action} (attempt ${r.attempt})`;
      break;
    case 'outcome':
      what = r.status + (r.error ? ` — ${r.error.message}` : '');
      break;
    case 'approval':
      what = `${r.decision} via ${r.via}${r.reason ? ` — ${r.reason}` : ''}`;
      break;
    case 'step.finished':
      what = r.status + (r.reason ? ` — ${r.reason}` : '');
      break;
    case 'note':
      what = r.text;
      break;
    case 'run.stopped':
      what = r.reason + (r.detail ? ` — ${r.detail}` : '');
      break;
    case 'settled':
      what = r.decision;
      break;
    case 'manual':
      what = [r.note, r.link].filter(Boolean).join(' ');
      break;
    case 'incident.opened':
      what = `${r.runbook.id} (${r.mode})`;
      break;
    default:
      break;
  }
  return neutralise(`#${r.seq} ${r.ts.slice(11, 19)} ${r.op} ${r.type}${where ? ` ${where}` : ''}${what ? ` ${what}` : ''}`);
}

/**
 * Text mode: the questions the runner waits on now, as lines saying how to answer each (keyed,
 * so each is printed once while it stays open). A step-by-step runner's next step is its own
 * operator's to start: said, not answerable.
 */
export function questionLines(view: RunnerView | null): Map<string, string> {
  const lines = new Map<string, string>();
  const who = view?.operator ?? 'the runner';
  for (const q of view?.asking ?? []) {
    const item = q.kind === 'manual' || q.kind === 'doubt' ? q.req.item : undefined;
    const target = `${q.step}${item !== undefined && item !== '-' ? `/${item}` : ''}`;
    const key = `${q.kind}:${target}`;
    switch (q.kind) {
      case 'approval': {
        const items = q.req.items.filter((k) => k !== '-');
        const what = q.fourEyes ?? `${q.req.title}${items.length ? ` (${items.length} item${items.length === 1 ? '' : 's'}: ${items.slice(0, 10).join(', ')}${items.length > 10 ? ', …' : ''})` : ''}`;
        lines.set(key, `? ${q.step}: approval needed — ${what}; answer: approve ${q.step} | deny ${q.step} [REASON]`);
        break;
      }
      case 'manual':
        lines.set(key, `? ${target}: manual step — ${q.req.title}; answer: done ${target}${q.req.evidence.type !== 'none' ? ` ${q.req.evidence.type.toUpperCase()}${q.req.evidence.required ? '' : ' (optional)'}` : ''}`);
        break;
      case 'doubt':
        lines.set(key, `? ${target}: in doubt — ${q.req.action} may or may not have happened (${q.req.reason}); answer: settle ${target} done|redo`);
        break;
      case 'proceed':
        lines.set(key, `… ${q.step}: ${who} starts it (step by step): next step "${q.req.title}"`);
        break;
    }
  }
  return new Map([...lines].map(([k, l]) => [k, neutralise(l)]));
}

/** An answer typed on stdin, as a journal record body; a usage error names the forms. */
export function parseAnswer(line: string): RecordBody | undefined {
  const t = line.trim();
  if (!t) return undefined;
  const [verb = '', rest = ''] = t.split(/\s+(.*)/s);
  const [target = '', tail = ''] = rest.split(/\s+(.*)/s);
  const [step = '', item] = target.split('/');
  const via = 'runbook attach';
  const need = () => {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(step)) throw new UsageError(`"${verb}" needs a step id (got "${target.slice(0, 40)}")`);
  };
  switch (verb) {
    case 'approve':
      need();
      return { type: 'approval', step, decision: 'approved', via };
    case 'deny':
      need();
      return { type: 'approval', step, decision: 'denied', via, ...(tail ? { reason: tail } : {}) };
    case 'done':
      need();
      // evidence: a link (URL, ticket id) goes in `link`, anything else is a note
      return { type: 'manual', step, ...(item ? { item } : {}), ...(tail ? (isLink(tail) ? { link: tail } : { note: tail }) : {}), via };
    case 'settle':
      need();
      if (tail !== 'done' && tail !== 'redo') throw new UsageError('settle STEP[/ITEM] done|redo');
      return { type: 'settled', step, item: item ?? '-', decision: tail, via };
    case 'note':
      if (!rest) throw new UsageError('note TEXT');
      return { type: 'note', text: rest };
    default:
      throw new UsageError(`unknown answer "${verb.slice(0, 20)}": approve STEP | deny STEP [REASON] | done STEP[/ITEM] [NOTE] | settle STEP[/ITEM] done|redo | note TEXT`);
  }
}

const command: Command = async (argv, ctx) => {
  const { values, positionals } = parseCommandFlags('attach', argv);
  const id = positionals[0];
  if (!id || positionals.length > 1) throw new UsageError('runbook attach: give one incident id, e.g. runbook attach INC-7 (`runbook incidents` lists them)');
  const shared = await storeUrlOf(values.store, ctx);
  // the hint runs as printed: this incident's id, the state directory given
  const local = commandLine(ctx, 'status', id, ...(values['state-dir'] ? ['--state-dir', values['state-dir']] : []));
  if (!shared) throw new UsageError('it follows incidents of the shared store (team mode): give --store postgres://USER@HOST/DB (or set RUNBOOK_STORE)', { nextSteps: [`For a local incident, \`${local}\` shows its checklist.`] });
  const store = await storeOf(values, ctx, checkIncidentId(id));
  if (!isShared(store)) throw new UsageError('runbook attach needs the shared store');
  if (!store.exists()) throw new UsageError(`no incident "${id}" in ${store.location}`, { nextSteps: ['`runbook incidents --store …` lists the team\'s incidents.'] });
  const show = (r: JournalRecord) => (values.json ? outJson(ctx, JSON.stringify(r)) : out(ctx, recordLine(r)));
  // on a terminal: the run screen fed by the store (src/ui/attach); Ink loads only on this path
  const tuiOn = !values.json && ctx.stdin.isTTY === true && ctx.stdout.isTTY === true;
  const write = (body: RecordBody) => store.append(body.type === 'note' ? { ...body, text: ctx.redactor.redact(body.text) } : body);
  const tui = tuiOn
    ? (await import('../ui/attach/index.js')).startAttachTui({
        incident: id,
        operator: store.operator,
        write,
        reportCommand: commandLine(ctx, 'report', id, ...(values.store ? ['--store', values.store] : [])),
        attachCommand: commandLine(ctx, 'attach', id, ...(values.store ? ['--store', values.store] : []), ...(values.operator ? ['--operator', values.operator] : [])),
        stdin: ctx.stdin as NodeJS.ReadStream,
        stdout: ctx.stdout as NodeJS.WriteStream,
        stderr: ctx.stderr as NodeJS.WriteStream,
        signal: ctx.signal,
        redact: (t) => ctx.redactor.redact(t),
        env: ctx.env,
      })
    : undefined;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: store.url, application_name: 'runbook attach' });
  let last = 0;
  let finished = false;
  let wake: () => void = () => undefined;
  /** the runner's view: its steps and the questions it waits on now (engine/team-answers.ts); null: no runner holds the incident */
  const runnerView = async (): Promise<RunnerView | null> => {
    const h = await client.query<{ view: RunnerView | null; operator: string | null }>("SELECT holder->'view' AS view, holder->>'operator' AS operator FROM runbook_incidents WHERE id = $1 AND lease_expires > now()", [id]);
    const row = h.rows[0];
    return row?.view ? { ...row.view, ...(row.operator ? { operator: row.operator } : {}) } : null;
  };
  /** text mode: each question once, when the runner starts waiting on it */
  const said = new Set<string>();
  const catchUp = async () => {
    const { rows } = await client.query<{ line: string }>('SELECT line FROM runbook_records WHERE incident = $1 AND seq > $2 ORDER BY seq', [id, last]);
    const recs = rows.map(({ line }) => JSON.parse(line) as JournalRecord);
    if (recs.length) last = recs[recs.length - 1]!.seq;
    if (tui) {
      // the runner's view: its steps and the questions it waits on now (engine/team-answers.ts)
      const view = await runnerView();
      if (recs.length) tui.records(recs);
      tui.view(view);
      return;
    }
    for (const r of recs) {
      show(r);
      if (r.type === 'run.stopped' && r.reason === 'done') finished = true;
    }
    if (!values.json && !finished) {
      const view = await runnerView();
      const now = questionLines(view);
      for (const [k, line] of now) if (!said.has(k)) out(ctx, line);
      said.clear();
      for (const k of now.keys()) said.add(k);
    }
    if (finished) wake();
  };
  let chain = Promise.resolve();
  const fail = (msg: string) => (tui ? tui.say(msg) : err(ctx, msg));
  const queue = () => (chain = chain.then(catchUp).catch((e: unknown) => fail(`runbook attach: ${neutralise((e as Error).message)}`)));
  client.on('notification', (n) => {
    if (n.payload?.split(' ')[0] === id) void queue();
  });
  client.on('error', (e) => {
    fail(`runbook attach: the connection to the shared store failed: ${neutralise(e.message)}`);
    if (tui) return;
    finished = true;
    wake();
  });
  try {
    await client.connect();
    await client.query('LISTEN runbook_journal');
    if (tui) {
      await queue();
      await tui.done;
      await chain;
      return 0;
    }
    err(ctx, `attached to incident ${id} in ${store.location} as ${store.operator}; type answers (approve STEP, deny STEP, done STEP [NOTE], settle STEP/ITEM done|redo, note TEXT); Ctrl-C leaves`);
    await queue();
    const rl = createInterface({ input: ctx.stdin as NodeJS.ReadableStream, terminal: false });
    rl.on('line', (line) => {
      try {
        const body = parseAnswer(line);
        if (body) write(body);
      } catch (e) {
        err(ctx, `runbook attach: ${neutralise((e as Error).message)}`);
      }
    });
    rl.on('close', () => {
      if (values['exit-on-eof']) {
        finished = true;
        wake();
      }
    });
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (finished) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    rl.close();
    // stdin stays open (a terminal, a pipe): let go of it so the process can end
    (ctx.stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    await chain;
    return 0;
  } finally {
    await client.end().catch(() => undefined);
    store.close();
  }
};
export default command;
