/**
 * scan — the detect step for leaked credentials.
 *
 * - `files`: files and folders (skips `.git`, symlinks, binary files and files over 5 MB);
 * - `git`: every line ever added on any ref of a repository, with real `git`;
 * - `checkLiveness`: is each finding still live? (HF whoami-v2, GitHub /user, Slack auth.test,
 *   AWS STS GetCallerIdentity — see ./liveness.ts).
 *
 * Rules: secretlint's recommended preset plus our own shapes and an entropy check (./rules.ts).
 * A finding carries its value only as a Secret (`token`), registered with the redactor the
 * moment it is found; everything else in it (rule, file, line, commit, keyed fingerprint, last
 * 4 characters) is safe to print and store.
 *
 * Fingerprints are HMAC-SHA256 keyed with `fingerprint_key` when the instance config has one;
 * otherwise with the run's own key (ctx.fingerprint: the state directory's key, the same the
 * journal uses, so a finding's fingerprint matches the journal's) — outside the engine, with a
 * random key made once per process: then fingerprints only match within one
 * run (the engine will supply a stable per-incident key).
 */
import { z } from 'zod';
import { defineAction, defineProvider, secretField, SecretOut, type ActionContext } from '../sdk.js';
import { DEFAULT_ENTROPY } from './rules.js';
import { FindingSet, HINTS, type ScanOptions } from './findings.js';
import { Finding, Suppressed } from './findings-schema.js';
import { DEFAULT_MAX_FILE_BYTES, scanFiles } from './files.js';
import { ProviderError } from '../../core/errors.js';
import { scanGitHistory } from './git.js';
import { KIND_BY_ID, jwtExpiry, matchKinds, type KindProvider } from '../../core/secrets/kinds.js';
import type { Secret } from '../../core/secrets/secret.js';
import { FileNotReadError, readRegularFile } from '../../core/read-file.js';
import { resolve } from 'node:path';
import { IMPORT_FORMATS, ImportError, parseImport } from './imports.js';
import { checkAws, checkGitHub, checkHuggingFace, checkSlack, DEFAULT_URLS, type LivenessResult } from './liveness.js';

/** A report is read whole: about the longest string V8 holds. */
const MAX_REPORT_BYTES = 512 * 1024 * 1024;

const Config = z.strictObject({
  /** key for finding fingerprints (a secret reference); default: a random per-process key */
  fingerprint_key: secretField().optional(),
  /** bits per character a generic assignment's value must exceed */
  entropy_threshold: z.number().positive().default(DEFAULT_ENTROPY.threshold),
  entropy_min_length: z.number().int().min(8).default(DEFAULT_ENTROPY.minLength),
  /** also run secretlint's recommended preset (our kind table covers it; this adds a second opinion at ~4× the time) */
  secretlint: z.boolean().default(false),
  max_file_bytes: z.number().int().positive().default(DEFAULT_MAX_FILE_BYTES),
  hf_url: z.url().default(DEFAULT_URLS.hf_url),
  github_url: z.url().default(DEFAULT_URLS.github_url),
  slack_url: z.url().default(DEFAULT_URLS.slack_url),
  /** STS endpoint (default: AWS) — point it at moto_server or a simulator in tests and drills */
  aws_endpoint: z.url().optional(),
  aws_region: z.string().default('us-east-1'),
});
type Config = z.infer<typeof Config>;

function scanOptions(c: Config): ScanOptions {
  return { entropy: { threshold: c.entropy_threshold, minLength: c.entropy_min_length }, secretlint: c.secretlint };
}

/** Config may arrive unparsed when an action is driven directly; defaults are applied here. */
function cfg(ctx: ActionContext<Config>): Config {
  return Config.parse(ctx.config ?? {});
}

function summary(n: number): string {
  return n === 1 ? '1 finding' : `${n} findings`;
}

function suppressedNote(s: readonly Suppressed[]): string {
  if (!s.length) return '';
  const p = s.filter((x) => x.reason === 'placeholder').length;
  return ` (${[p ? `${p} placeholder${p === 1 ? '' : 's'}` : '', s.length - p ? `${s.length - p} failing a checksum` : ''].filter(Boolean).join(', ')} set aside)`;
}

const FilesInput = z.strictObject({
  /** files and folders to scan (relative paths are relative to the runbook's folder) */
  paths: z.array(z.string().min(1)).min(1),
  /** file or folder names to skip anywhere below the paths (exact names, e.g. node_modules); .git is always skipped */
  exclude: z.array(z.string().min(1)).default([]),
});
const FilesOutput = z.object({
  findings: z.array(Finding),
  /** placeholders and values that fail their kind's checksum: reported apart, never revoked */
  suppressed: z.array(Suppressed),
  stats: z.object({ files: z.number(), bytes: z.number(), skipped_binary: z.number(), skipped_large: z.number(), skipped_other: z.number() }),
  /** paths named in the input that are files but were not read (too large, binary, a symlink, unreadable) */
  unscanned: z.array(z.object({ path: z.string(), why: z.string() })).optional(),
});

const files = defineAction<z.infer<typeof FilesInput>, z.infer<typeof FilesOutput>, Config>({
  kind: 'detect',
  description: 'Scan files and folders for leaked credentials (known token shapes, secretlint, entropy).',
  input: FilesInput,
  output: FilesOutput,
  idempotent: true,
  plan: (ctx, input) => [
    `read and scan ${input.paths.join(', ')} (skipping ${['.git', ...input.exclude].join(', ')}, binary files and files over ${+(cfg(ctx).max_file_bytes / 1048576).toFixed(1)} MiB); nothing is changed`,
  ],
  async run(ctx, input) {
    const c = cfg(ctx);
    const set = new FindingSet((v, l) => ctx.secret(v, l), c.fingerprint_key, (v) => ctx.fingerprint(v));
    const r = await scanFiles(input.paths, set, { ...scanOptions(c), maxFileBytes: c.max_file_bytes, signal: ctx.signal, exclude: input.exclude, base: ctx.workdir });
    if (r.missing)
      throw new ProviderError({
        provider: ctx.instance,
        action: ctx.action,
        message: `no such file or folder: ${r.missing.join(', ')} (relative paths are read from ${ctx.workdir})`,
        failure: 'definite',
        code: 'NOT_FOUND',
        nextSteps: ['Check the path; relative paths in a runbook are relative to the runbook\'s folder.'],
      });
    const { findings, suppressed, stats, unscanned } = r;
    for (const u of unscanned) ctx.log.warn(`not scanned: ${u.path}: ${u.why}`);
    ctx.log.info(`scanned ${stats.files} files (${stats.skipped_binary} binary, ${stats.skipped_large} too large skipped): ${summary(findings.length)}${suppressedNote(suppressed)}`);
    ctx.evidence({ detail: `${stats.files} files scanned, ${summary(findings.length)}${suppressedNote(suppressed)}` });
    return { findings, suppressed, stats, ...(unscanned.length ? { unscanned } : {}) };
  },
});

const GitInput = z.strictObject({
  /** path of a local clone */
  repo: z.string().min(1),
  /** refs to scan (default: all refs) */
  refs: z.array(z.string().min(1).regex(/^[^-]/, 'a ref cannot start with "-"')).optional(),
  /** only commits not reachable from this revision (e.g. `origin/main`: what a branch adds) */
  since: z.string().min(1).regex(/^[^-^]/, 'a revision cannot start with "-" or "^"').optional(),
});
const GitOutput = z.object({
  findings: z.array(Finding),
  suppressed: z.array(Suppressed),
  stats: z.object({ commits: z.number(), files: z.number(), added_lines: z.number() }),
});

const git = defineAction<z.infer<typeof GitInput>, z.infer<typeof GitOutput>, Config>({
  kind: 'detect',
  description: 'Scan the full history of a git repository (every added line on every ref) for leaked credentials.',
  input: GitInput,
  output: GitOutput,
  idempotent: true,
  plan: (_ctx, input) => [`git -C ${input.repo} log -p ${input.refs?.length ? input.refs.join(' ') : '--all'} and scan every added line; nothing is changed`],
  async run(ctx, input) {
    const c = cfg(ctx);
    const set = new FindingSet((v, l) => ctx.secret(v, l), c.fingerprint_key, (v) => ctx.fingerprint(v));
    const stats = await scanGitHistory(ctx as ActionContext<unknown>, input.repo, set, { ...scanOptions(c), refs: input.refs, since: input.since });
    const findings = set.list('seen');
    const suppressed = set.suppressed;
    ctx.log.info(`scanned ${stats.commits} commits (${stats.added_lines} added lines): ${summary(findings.length)}${suppressedNote(suppressed)}`);
    ctx.evidence({ detail: `${stats.commits} commits scanned, ${summary(findings.length)}${suppressedNote(suppressed)}` });
    return { findings, suppressed, stats };
  },
});

/**
 * A finding as another step hands it over: a scan finding (`token`, `provider_hint`) or a
 * GitHub secret-scanning alert (`secret`, `secret_type`) — the value and, if it is not given,
 * a provider found from the alert's type or the value's shape in the kind table. Every other
 * field is passed through to the output, so an alert stays an alert (repo, number, html_url).
 */
const LivenessFields = z.looseObject({
  token: SecretOut.optional(),
  secret: SecretOut.optional(),
  provider_hint: z.enum(HINTS).optional(),
  secret_type: z.string().optional(),
  pair: SecretOut.optional(),
  fingerprint: z.string().optional(),
  last4: z.string().optional(),
  rule: z.string().optional(),
});
const LivenessItem = LivenessFields.refine((f) => f.token !== undefined || f.secret !== undefined, {
  message: 'each finding needs its value: `token` (a scan finding) or `secret` (a secret-scanning alert)',
});
const LivenessInput = z.strictObject({ findings: z.array(LivenessItem) });
const LIVENESS = ['live', 'dead', 'unknown'] as const;
const Checked = LivenessFields.extend({ provider_hint: z.enum(HINTS), liveness: z.enum(LIVENESS), liveness_detail: z.string() });
const LivenessOutput = z.object({
  findings: z.array(Checked),
  live: z.number(),
  dead: z.number(),
  unknown: z.number(),
  /** the findings by liveness: revoke `live` ones; `unknown` ones after asking; `dead` ones are reported, not revoked */
  live_findings: z.array(Checked),
  unknown_findings: z.array(Checked),
  dead_findings: z.array(Checked),
});
type LivenessItem = z.infer<typeof LivenessFields>;

/** The value of a finding or an alert (the input schema guarantees one). */
function valueOf(f: LivenessItem): Secret {
  return (f.token ?? f.secret)!;
}

/** Which service a finding belongs to: as the scan said; a GitHub alert type; else the kind its value has in the table. */
function providerOf(f: LivenessItem): KindProvider {
  if (f.provider_hint) return f.provider_hint;
  if (f.secret_type?.startsWith('github_')) return 'github';
  const value = valueOf(f).reveal();
  return matchKinds(value).find((m) => m.value === value)?.kind.provider ?? 'generic';
}

async function checkOne(ctx: ActionContext<Config>, c: Config, f: LivenessItem, provider: KindProvider): Promise<LivenessResult> {
  const kind = f.rule ? KIND_BY_ID.get(f.rule) : undefined;
  const token = valueOf(f);
  if (kind?.liveness === 'jwt') {
    const exp = jwtExpiry(token.reveal());
    if (exp === undefined) return { status: 'unknown', detail: 'the JWT has no expiry (exp); ask its issuer' };
    return exp * 1000 < Date.now() ? { status: 'dead', detail: `the JWT expired at ${new Date(exp * 1000).toISOString()}` } : { status: 'unknown', detail: `the JWT is valid until ${new Date(exp * 1000).toISOString()} unless its issuer revoked it` };
  }
  if (kind && !kind.liveness) return { status: 'unknown', detail: `no liveness check for ${kind.label}; ${kind.revoke.byHand}` };
  switch (provider) {
    case 'huggingface':
      return checkHuggingFace(ctx, token, c.hf_url);
    case 'github':
      return checkGitHub(ctx, token, c.github_url);
    case 'slack':
      return checkSlack(ctx, token, c.slack_url);
    case 'aws': {
      const idFirst = /^(?:AKIA|ASIA|ABIA|ACCA)/.test(token.reveal());
      const [id, key] = idFirst ? [token, f.pair] : [f.pair, token];
      if (!id) return { status: 'unknown', detail: 'no access key id was found next to this secret access key; it cannot be checked alone' };
      return checkAws(ctx, id, key, { endpoint: c.aws_endpoint, region: c.aws_region });
    }
    default:
      return { status: 'unknown', detail: `no liveness check for ${provider} credentials` };
  }
}

const checkLiveness = defineAction<z.infer<typeof LivenessInput>, z.infer<typeof LivenessOutput>, Config>({
  kind: 'detect',
  description: 'Check whether each finding (or GitHub secret-scanning alert) is still live through its service (HF, GitHub, Slack, AWS STS): live, dead or unknown.',
  input: LivenessInput,
  output: LivenessOutput,
  idempotent: true,
  plan(ctx, input) {
    const c = cfg(ctx);
    const count = (h: string) => input.findings.filter((f) => providerOf(f) === h).length;
    const lines: string[] = [];
    if (count('huggingface')) lines.push(`GET ${c.hf_url}/api/whoami-v2 for ${count('huggingface')} Hugging Face token(s)`);
    if (count('github')) lines.push(`GET ${c.github_url}/user for ${count('github')} GitHub token(s)`);
    if (count('slack')) lines.push(`POST ${c.slack_url}/api/auth.test for ${count('slack')} Slack token(s)`);
    if (count('aws')) lines.push(`STS GetCallerIdentity (${c.aws_endpoint ?? 'AWS'}) for ${count('aws')} AWS key(s)`);
    const other = input.findings.length - ['huggingface', 'github', 'slack', 'aws'].reduce((n, h) => n + count(h), 0);
    if (other) lines.push(`${other} finding(s) without a liveness check are reported as unknown`);
    return lines;
  },
  async run(ctx, input) {
    const c = cfg(ctx);
    const out: z.infer<typeof LivenessOutput> = { findings: [], live: 0, dead: 0, unknown: 0, live_findings: [], unknown_findings: [], dead_findings: [] };
    for (const f of input.findings) {
      ctx.signal.throwIfAborted();
      const provider = providerOf(f);
      const r = await checkOne(ctx, c, f, provider);
      out[r.status]++;
      const checked = { ...f, provider_hint: provider, liveness: r.status, liveness_detail: r.detail };
      out.findings.push(checked);
      out[`${r.status}_findings`].push(checked);
      const what = typeof f.number === 'number' && typeof f.repo === 'string' ? `alert ${f.repo}#${f.number}` : (f.rule ?? provider);
      ctx.log.info(`${what} …${valueOf(f).last4 || '????'}: ${r.status} (${r.detail})`);
    }
    ctx.evidence({ detail: `${out.live} live, ${out.dead} dead, ${out.unknown} unknown` });
    return out;
  },
});

const ImportInput = z.strictObject({
  /** gitleaks (`--report-format json`), trufflehog (`--json` lines) or github-alerts (the secret-scanning alerts API's JSON) */
  format: z.enum(IMPORT_FORMATS),
  /** the report file (relative paths are relative to the runbook's folder) */
  file: z.string().min(1),
});
const ImportOutput = z.object({ findings: z.array(Finding), suppressed: z.array(Suppressed), stats: z.object({ reported: z.number() }) });

const importReport = defineAction<z.infer<typeof ImportInput>, z.infer<typeof ImportOutput>, Config>({
  kind: 'detect',
  description: "Read another scanner's findings (gitleaks, trufflehog, GitHub secret-scanning alerts) as findings of this provider.",
  input: ImportInput,
  output: ImportOutput,
  idempotent: true,
  plan: (_ctx, input) => [`read the ${input.format} report ${input.file}; every value becomes a masked secret; nothing is changed`],
  async run(ctx, input) {
    const c = cfg(ctx);
    const path = resolve(ctx.workdir, input.file);
    const fail = (message: string, code: string) => new ProviderError({ provider: ctx.instance, action: ctx.action, message, failure: 'definite', code });
    let text: string;
    try {
      // a regular file only: a FIFO named as the report waited for a writer for ever
      text = readRegularFile(path, MAX_REPORT_BYTES);
    } catch (e) {
      if (e instanceof FileNotReadError) throw fail(`the ${input.format} report ${input.file}: ${e.message}`, 'BAD_REPORT');
      throw fail(`cannot read the ${input.format} report ${input.file} (relative paths are read from ${ctx.workdir})`, 'NOT_FOUND');
    }
    let items;
    try {
      items = parseImport(input.format, text, input.file);
    } catch (e) {
      if (e instanceof ImportError) throw fail(e.message, 'BAD_REPORT');
      throw e;
    }
    const set = new FindingSet((v, l) => ctx.secret(v, l), c.fingerprint_key, (v) => ctx.fingerprint(v));
    for (const it of items) {
      set.add([it.hit], () => ({ file: it.file, line: it.line, ...(it.commit ? { commit: it.commit } : {}), ...(it.committedAt ? { committedAt: it.committedAt } : {}) }));
      if (it.pair && !it.hit.rejected) {
        const f = set.list().find((x) => x.fingerprint === set.fingerprint(it.hit.value));
        if (f && !f.pair) f.pair = ctx.secret(it.pair, `scan finding pair ${f.fingerprint}`);
      }
    }
    const findings = set.list('seen');
    ctx.evidence({ detail: `${items.length} reported by ${input.format}: ${summary(findings.length)}${suppressedNote(set.suppressed)}` });
    return { findings, suppressed: set.suppressed, stats: { reported: items.length } };
  },
});

export default defineProvider<Config>({
  type: 'scan',
  description: 'Find leaked credentials in files, folders and git history (or read gitleaks/trufflehog/GitHub reports), and check whether they are still live.',
  config: Config,
  actions: { files, git, checkLiveness, import: importReport },
});
