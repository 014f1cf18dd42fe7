// One side of bench/scan-compare.mjs, in its own process so its peak memory is its own:
//
//   node bench/workers/scan-worker.mjs secretlint DIR        (secretlint's recommended preset)
//   node --import tsx bench/workers/scan-worker.mjs ours DIR  (our scanner from source; the
//                                                            comparison itself runs the built CLI)
//
// Prints one JSON line: wall time, files read, findings (file, line, rule — never a value) and
// peak RSS. Both sides walk the same files: no .git, no symlinks, no binary files (a NUL in the
// first 8 KiB), nothing over 5 MiB.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const [tool, dir] = process.argv.slice(2);
const MAX = 5 * 1024 * 1024;

function* walk(p) {
  const st = lstatSync(p);
  if (st.isSymbolicLink()) return;
  if (st.isFile()) {
    if (st.size <= MAX) yield p;
    return;
  }
  if (!st.isDirectory()) return;
  for (const name of readdirSync(p).sort()) if (name !== '.git') yield* walk(join(p, name));
}

async function secretlint() {
  const [{ lintSource }, preset, { secretLintProfiler }] = await Promise.all([import('@secretlint/core'), import('@secretlint/secretlint-rule-preset-recommend'), import('@secretlint/profiler')]);
  // secretlint 12's always-on profiler is O(n²) in files (fixed upstream by #1673): off, to be fair to it
  if (typeof secretLintProfiler.setEnabled === 'function') secretLintProfiler.setEnabled(false);
  else secretLintProfiler.mark = () => undefined;
  const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: preset.creator }] };
  const findings = [];
  let files = 0;
  for (const file of walk(dir)) {
    const buf = readFileSync(file);
    if (buf.subarray(0, 8192).includes(0)) continue;
    files++;
    const text = buf.toString('utf8');
    const res = await lintSource({ source: { content: text, filePath: file, contentType: 'text' }, options: { config, maskSecrets: true, noPhysicFilePath: true } });
    for (const m of res.messages) findings.push({ file: relative(dir, file), line: text.slice(0, m.range[0]).split('\n').length, rule: `${m.ruleId.replace('@secretlint/secretlint-rule-', '')}:${m.messageId}` });
  }
  return { files, findings };
}

async function ours() {
  const { default: scan } = await import('../../src/providers/scan/index.ts');
  const { createActionContext } = await import('../../src/providers/context.ts');
  const ctx = createActionContext({ type: 'scan', action: 'files', config: scan.config.parse({}), workdir: dir });
  const out = await scan.actions.files.run(ctx, { paths: ['.'] });
  return { files: out.stats.files, findings: out.findings.flatMap((f) => f.locations.map((l) => ({ file: l.file, line: l.line, rule: f.rule }))), suppressed: out.suppressed.length };
}

const t = performance.now();
const r = tool === 'secretlint' ? await secretlint() : await ours();
const ms = performance.now() - t;
console.log(JSON.stringify({ tool, ms: Math.round(ms), ...r, rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
