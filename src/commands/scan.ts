/**
 * runbook scan PATH… [--git] [--since REV] [--exclude NAME]… [--verify] [--from FORMAT]
 *                     [--format text|json|sarif|github] [--secretlint]
 * runbook triage PATH… (the same flags; always checks liveness)
 *
 * The same engine as a runbook's scan steps (the scan provider's actions, run directly). Exit
 * codes for CI, like gitleaks: 0 clean, 1 findings (with --verify: findings not known dead),
 * 2 bad usage, a path that does not exist or a file named that is not read. Values are always masked: a secret shows its
 * prefix and last 4 characters, an identifier (an AWS access key id) in full.
 *
 * Triage groups the findings by provider, checks each one, and for every live (or unknown)
 * credential names the shipped runbook that handles it, with the inputs it can fill — or where
 * to revoke it by hand.
 */
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command, CommandContext } from './context.js';
import { out, outJson, err, parseCommandFlags } from './context.js';
import { commandLine } from './invocation.js';
import { ExitCode, ProviderError, UsageError } from '../core/errors.js';
import { SecretRegistry } from '../core/secrets/registry.js';
import { DEFAULT_SCAN, FindingSet, type Finding, type Suppressed } from '../providers/scan/findings.js';
import { DEFAULT_MAX_FILE_BYTES, scanFiles } from '../providers/scan/files.js';
import { IMPORT_FORMATS, type ImportFormat } from '../providers/scan/imports.js';
import { formatGithub, formatJson, formatSarif, formatText, kindFor, preview, type ScanRow } from './scan-format.js';

const FORMATS = ['text', 'json', 'sarif', 'github'] as const;

/** A path relative to the current folder when it is under it. */
function displayPath(ctx: CommandContext, file: string): string {
  const rel = relative(ctx.cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** The shipped runbooks' folder (next to dist/ when installed, next to src/ in a checkout). */
function runbooksDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, '..', 'runbooks'), join(here, '..', '..', 'runbooks')].find((d) => existsSync(join(d, 'github-token-leak.yaml')));
}

/** The runbook for this finding and the `run` arguments a scan can fill (the run asks for the rest). */
function runbookArgs(ctx: CommandContext, f: ScanRow, token: Finding, scanned: { paths: string[]; git: boolean }): string[] | undefined {
  const name = f.revoke.runbook;
  const dir = runbooksDir();
  if (!name || !dir) return undefined;
  const file = displayPath(ctx, join(dir, `${name}.yaml`));
  const inputs: string[] = [];
  if (name === 'github-token-leak' && scanned.git && scanned.paths.length === 1) inputs.push('source=scan', `scan_path=${scanned.paths[0]}`);
  if (name === 'aws-access-key-exposure' && f.sensitivity === 'identifier') inputs.push(`access_key_id=${token.token.reveal()}`);
  if (name === 'slack-token-leak') inputs.push(`leak_location=${f.file}${f.line ? `:${f.line}` : ''}`);
  return [file, ...inputs.flatMap((i) => ['--input', i])];
}

const runbookHint = (ctx: CommandContext, f: ScanRow, token: Finding, scanned: { paths: string[]; git: boolean }) => {
  const a = runbookArgs(ctx, f, token, scanned);
  return a && commandLine(ctx, 'run', ...a);
};

/**
 * While a scan runs, V8's young generation does not grow past its first size (1 MiB
 * semi-spaces; it would double up to 16 MiB as survivors add up over thousands of files).
 * That was the largest part of the scanner's peak memory on node_modules: 65–67 MB without,
 * 61–63 MB with it (bench/README.md, scan-compare), at no measurable cost in time. The growth
 * factor is read each time V8 grows the space, so setting it at run time takes effect (unlike
 * `--max-semi-space-size`, read once at start-up); it is put back before anything else runs
 * (`triage --start` goes on to run a runbook).
 */
function youngGenerationCapped(on: boolean): void {
  setFlagsFromString(`--semi-space-growth-factor=${on ? 1 : 2}`);
}

const command =
  (triage: boolean): Command =>
  async (argv, ctx) => {
    youngGenerationCapped(true);
    try {
      return await scanCommand(triage, argv, ctx);
    } finally {
      youngGenerationCapped(false);
    }
  };

async function scanCommand(triage: boolean, argv: string[], ctx: CommandContext): Promise<number> {
  const name = triage ? 'triage' : 'scan';
  // triage's flags are scan's plus --start (the parser refuses --start on scan)
  const args = triage ? parseCommandFlags('triage', argv) : parseCommandFlags('scan', argv);
  const values = args.values as ReturnType<typeof parseCommandFlags<'triage'>>['values'];
  const positionals = args.positionals;
  const format = (values.json ? 'json' : values.format) as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UsageError(`runbook ${name}: --format must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(values.format)}`);
  if (!positionals.length) throw new UsageError(`runbook ${name}: give one or more files or folders to scan`, { nextSteps: [`For example: runbook ${name} . --git`] });
  const from = values.from as ImportFormat | undefined;
  if (from !== undefined && !IMPORT_FORMATS.includes(from)) throw new UsageError(`runbook ${name}: --from must be one of ${IMPORT_FORMATS.join(', ')}, not ${JSON.stringify(from)}`);
  if (values.since !== undefined && !values.git) throw new UsageError(`runbook ${name}: --since needs --git (it limits the history scan)`);
  const verify = values.verify || triage;

  const secrets = new SecretRegistry(ctx.redactor);
  const endpoints = { github_url: values['github-url'], hf_url: values['hf-url'], slack_url: values['slack-url'], aws_endpoint: values['aws-endpoint'] };
  const findings: Finding[] = [];
  const suppressed: Suppressed[] = [];
  const stats: Record<string, number> = {};
  const add = (r: { findings: Finding[]; suppressed: Suppressed[] }) => {
    for (const f of r.findings) if (!findings.some((x) => x.fingerprint === f.fingerprint)) findings.push(f);
    suppressed.push(...r.suppressed);
  };
  const notFound = (what: string) =>
    new UsageError(`runbook ${name}: ${what}`, { nextSteps: ['Check the path: relative paths are relative to the current folder.'] });
  // a file named here that could not be read is not clean: say which and why (exit 2)
  const unscanned = (list: readonly { path: string; why: string }[]) => {
    if (list.length)
      throw new UsageError(`runbook ${name}: not scanned: ${list.map((u) => `${u.path}: ${u.why}`).join('; ')}`, {
        nextSteps: [
          ...(list.some((u) => /binary|larger/.test(u.why)) ? ['A binary or oversized file is not read: extract its text into a file and scan that.'] : []),
          ...(list.some((u) => /symbolic/.test(u.why)) ? ['A symbolic link is not followed: scan the file it points to.'] : []),
          ...(list.some((u) => /readable/.test(u.why)) ? ['Check its permissions: this user cannot read it.'] : []),
          ...(list.some((u) => /regular file/.test(u.why)) ? ['A FIFO, device or socket is not read (it may never end): copy what it holds into a file and scan that.'] : []),
        ],
      });
  };
  // The plain scan of files (CI's and the bench's case) runs the scanner directly: no provider
  // machinery (zod schemas, the exec and HTTP doors) is loaded, which is a third of its memory.
  const plain = !from && !values.git && !verify && !values.secretlint && Object.values(endpoints).every((u) => u === undefined);
  if (plain) {
    const set = new FindingSet((v, l) => secrets.create(v, l));
    const r = await scanFiles(positionals, set, { ...DEFAULT_SCAN, maxFileBytes: DEFAULT_MAX_FILE_BYTES, signal: ctx.signal, exclude: values.exclude ?? [], base: ctx.cwd });
    if (r.missing) throw notFound(`no such file or folder: ${r.missing.join(', ')}`);
    unscanned(r.unscanned);
    add(r);
    Object.assign(stats, r.stats);
  }
  const liveness = new Map<string, { liveness: 'live' | 'dead' | 'unknown'; detail: string }>();
  if (!plain) {
    const [{ default: scan }, { createActionContext }] = await Promise.all([import('../providers/scan/index.js'), import('../providers/context.js')]);
    const parsed = scan.config.safeParse({ secretlint: values.secretlint, ...Object.fromEntries(Object.entries(endpoints).filter(([, u]) => u !== undefined)) });
    if (!parsed.success) throw new UsageError(`runbook ${name}: ${parsed.error.issues.map((i) => `--${String(i.path[0]).replace('_', '-')}: ${i.message}`).join('; ')}`);
    const config = parsed.data;
    const context = (action: string) => createActionContext({ type: 'scan', instance: 'scan', action, config, secrets, signal: ctx.signal, workdir: ctx.cwd });
    try {
      if (from) {
        for (const file of positionals) {
          const r = await scan.actions.import!.run(context('import'), { format: from, file });
          add(r);
          stats.reported = (stats.reported ?? 0) + r.stats.reported;
        }
      } else if (values.git) {
        for (const repo of positionals) {
          const r = await scan.actions.git!.run(context('git'), { repo, ...(values.since ? { since: values.since } : {}) });
          add(r);
          for (const [k, v] of Object.entries(r.stats)) stats[k] = (stats[k] ?? 0) + (v as number);
        }
      } else {
        const r = await scan.actions.files!.run(context('files'), { paths: positionals, exclude: values.exclude ?? [] });
        unscanned(r.unscanned ?? []);
        add(r);
        Object.assign(stats, r.stats);
      }
    } catch (e) {
      // a path that does not exist, a folder that is not a repository, a bad report: the user's to fix
      if (e instanceof ProviderError && e.failure === 'definite') {
        const what = e.message.replace(/^[\w-]+\.[\w-]+: /, '').replace(/ \(relative paths are read from [^)]*\)/, '');
        if (e.code === 'NOT_FOUND') throw notFound(what);
        throw new UsageError(`runbook ${name}: ${what}`, { nextSteps: e.nextSteps });
      }
      throw e;
    }
    if (verify && findings.length) {
      const r = await scan.actions.checkLiveness!.run(context('checkLiveness'), { findings });
      for (const c of r.findings) if (c.fingerprint) liveness.set(c.fingerprint, { liveness: c.liveness, detail: c.liveness_detail });
    }
  }
  const rows: ScanRow[] = findings.map((f) => {
    const k = kindFor(f.rule);
    const l = liveness.get(f.fingerprint);
    return {
      rule: f.rule,
      kind: f.kind,
      sensitivity: f.sensitivity,
      provider: f.provider_hint,
      file: f.file,
      line: f.line,
      ...(f.commit ? { commit: f.commit } : {}),
      ...(f.committedAt ? { committedAt: f.committedAt } : {}),
      fingerprint: f.fingerprint,
      last4: f.sensitivity === 'identifier' ? f.token.reveal().slice(-4) : f.last4,
      preview: preview(f.rule, f.token),
      ...(l ? { liveness: l.liveness, liveness_detail: l.detail } : {}),
      locations: f.locations,
      revoke: k.revoke,
    };
  });
  // files skipped inside the folders scanned: counted on stderr (every format), so "nothing found" is not read as "all read"
  const skippedIn = [
    stats.skipped_large ? `${stats.skipped_large} file${stats.skipped_large === 1 ? '' : 's'} over ${+(DEFAULT_MAX_FILE_BYTES / 1048576).toFixed(1)} MiB` : '',
    stats.skipped_binary ? `${stats.skipped_binary} binary file${stats.skipped_binary === 1 ? '' : 's'}` : '',
    stats.skipped_other ? `${stats.skipped_other} other entr${stats.skipped_other === 1 ? 'y' : 'ies'} (symbolic links, FIFOs, devices, sockets, unreadable)` : '',
  ].filter(Boolean);
  if (!from && !values.git && skippedIn.length) err(ctx, `runbook ${name}: not scanned: ${skippedIn.join(', ')} (--format json counts them)`);
  const scanned = from ? `${positionals.length} ${from} report${positionals.length === 1 ? '' : 's'}` : values.git ? `the history of ${positionals.join(', ')}` : `${stats.files ?? 0} file${stats.files === 1 ? '' : 's'}`;

  if (format === 'json') outJson(ctx, formatJson(rows, suppressed, stats));
  else if (format === 'sarif') outJson(ctx, formatSarif(rows));
  else if (format === 'github') for (const l of formatGithub(rows)) out(ctx, l);
  else if (!triage) for (const l of formatText(rows, suppressed, scanned)) out(ctx, l);
  else triageText(ctx, rows, findings, { paths: positionals, git: values.git }, suppressed, scanned);

  if (values.start) {
    // start the one runbook the live (or unknown) credentials need; several different ones: say so
    const wanted = new Map<string, string[]>();
    for (const r of rows.filter((x) => x.liveness !== 'dead')) {
      const a = runbookArgs(ctx, r, findings.find((x) => x.fingerprint === r.fingerprint)!, { paths: positionals, git: values.git });
      // one per runbook: the finding that fills the most inputs (an AWS key id over its secret)
      if (a && (wanted.get(a[0]!)?.length ?? -1) < a.length) wanted.set(a[0]!, a);
    }
    if (wanted.size === 0) {
      err(ctx, 'runbook triage: --start: no live credential has a shipped runbook; revoke by hand as shown above');
      return rows.some((r) => r.liveness !== 'dead') ? ExitCode.failed : ExitCode.ok;
    }
    if (wanted.size > 1)
      throw new UsageError(`runbook triage: --start: ${wanted.size} different runbooks apply; start each one yourself`, { nextSteps: [...wanted.values()].map((a) => commandLine(ctx, 'run', ...a)) });
    const [args] = [...wanted.values()];
    err(ctx, `starting: ${commandLine(ctx, 'run', ...args!)}`);
    youngGenerationCapped(false);
    const run = (await import('./run.js')).default;
    return run(args!, ctx);
  }

  const open = rows.filter((r) => r.liveness !== 'dead');
  return open.length ? ExitCode.failed : ExitCode.ok;
}

function triageText(ctx: CommandContext, rows: ScanRow[], findings: Finding[], scanned: { paths: string[]; git: boolean }, suppressed: Suppressed[], what: string): void {
  const groups = new Map<string, ScanRow[]>();
  for (const r of rows) groups.set(r.provider, [...(groups.get(r.provider) ?? []), r]);
  for (const [provider, list] of groups) {
    out(ctx, `${provider}: ${list.length} finding${list.length === 1 ? '' : 's'}`);
    for (const r of list) {
      out(ctx, `  ${r.liveness ?? 'unknown'}  ${r.kind} ${r.preview}  ${r.file}${r.line ? `:${r.line}` : ''}${r.commit ? ` (commit ${r.commit.slice(0, 12)})` : ''}`);
      if (r.liveness_detail) out(ctx, `        ${r.liveness_detail}`);
      if (r.liveness === 'dead') {
        out(ctx, '        dead: nothing to revoke; remove it from the file (and the history, if it matters)');
        continue;
      }
      const f = findings.find((x) => x.fingerprint === r.fingerprint)!;
      const hint = runbookHint(ctx, r, f, scanned);
      if (hint) out(ctx, `        start its runbook: ${hint}`);
      else out(ctx, `        revoke by hand: ${r.revoke.byHand}`);
    }
  }
  const live = rows.filter((r) => r.liveness === 'live').length;
  const unknown = rows.filter((r) => r.liveness === 'unknown').length;
  out(ctx, rows.length ? `${rows.length} finding${rows.length === 1 ? '' : 's'} in ${what}: ${live} live, ${unknown} unknown, ${rows.length - live - unknown} dead` : `no credentials found in ${what}`);
  if (suppressed.length) err(ctx, `(${suppressed.length} placeholder${suppressed.length === 1 ? '' : 's'} or checksum failure${suppressed.length === 1 ? '' : 's'} set aside; --format json lists them)`);
}

export const triage = command(true);
export default command(false);
