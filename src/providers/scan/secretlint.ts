/**
 * secretlint's recommended preset, called in-process through `@secretlint/core` `lintSource`.
 *
 * secretlint reports a message per secret; the value is in the message's `data` (KEY, TOKEN,
 * URL, URI, CREDENTIAL, ID) when `maskSecrets` is off. We read the value from there (or from
 * the reported range) and hand it straight to the caller, which wraps it in a Secret. The
 * message text itself (which contains the value) is dropped here and never leaves this file.
 *
 * secretlint and its preset are imported on the first scan, not when the provider is loaded.
 */
import type { SecretLintCoreConfig } from '@secretlint/types';
import type { ProviderHint, RawHit } from './rules.js';

type LintSource = (typeof import('@secretlint/core'))['lintSource'];

let engine: Promise<{ lintSource: LintSource; config: SecretLintCoreConfig }> | undefined;
/** `lintSource` and the preset config, loaded once (with the profiler turned off first). */
function loadEngine() {
  engine ??= Promise.all([import('@secretlint/core'), import('@secretlint/secretlint-rule-preset-recommend'), disableProfiler()]).then(([core, preset]) => ({
    lintSource: core.lintSource,
    config: {
      rules: [
        {
          id: '@secretlint/secretlint-rule-preset-recommend',
          rule: preset.creator,
          // AWS key ids are found by our own rule (with the EXAMPLE filter); account ids are not secrets
          rules: [{ id: '@secretlint/secretlint-rule-aws', allowMessageIds: ['AWSAccountID', 'AWSAccessKeyID'] }],
        },
      ],
    },
  }));
  return engine;
}

/**
 * secretlint <= 13.0.x profiles every run: a performance mark per rule per file, and an observer
 * whose callback scans every earlier mark (O(n²), and the marks are never freed) — upstream
 * secretlint/secretlint#1633 and #1653, fixed by #1673 (profiling made opt-in). On a 2,000-file
 * tree that cost grows to most of the run, and in a long incident run it is a memory leak.
 * We turn it off on the shared profiler instance before the first lint; if the package cannot
 * be loaded, scanning still works, only slower.
 */
let profilerOff: Promise<void> | undefined;
function disableProfiler(): Promise<void> {
  profilerOff ??= import('@secretlint/profiler').then(
    ({ secretLintProfiler: p }) => {
      const q = p as unknown as { setEnabled?: (on: boolean) => void; mark: (m: unknown) => void };
      if (typeof q.setEnabled === 'function') q.setEnabled(false);
      else q.mark = () => undefined;
    },
    () => undefined,
  );
  return profilerOff;
}

const VALUE_FIELDS = ['KEY', 'TOKEN', 'URL', 'URI', 'CREDENTIAL', 'ID'] as const;

function hintOf(ruleId: string): ProviderHint {
  if (ruleId.endsWith('-github')) return 'github';
  if (ruleId.endsWith('-aws')) return 'aws';
  if (ruleId.endsWith('-slack')) return 'slack';
  if (ruleId.endsWith('-openai')) return 'openai';
  return 'generic';
}

function shortRule(ruleId: string, messageId: string): string {
  const name = ruleId.replace(/^@secretlint\/secretlint-rule-/, '');
  return `secretlint/${name}:${messageId}`;
}

/** Run the recommended preset over one text; returns raw hits (values) with their offsets. */
export async function secretlintHits(text: string, filePath: string): Promise<RawHit[]> {
  const { lintSource, config } = await loadEngine();
  const res = await lintSource({
    source: { content: text, filePath, contentType: 'text' },
    options: { config, maskSecrets: false, noPhysicFilePath: true },
  });
  const out: RawHit[] = [];
  for (const m of res.messages) {
    const data = (m.data ?? {}) as Record<string, unknown>;
    let value: string | undefined;
    for (const f of VALUE_FIELDS) {
      const v = data[f];
      if (typeof v === 'string' && v.length >= 8) {
        value = v;
        break;
      }
    }
    const [start, end] = m.range;
    value ??= text.slice(start, end);
    if (value.length < 8) continue;
    // the reported range can start before the value (e.g. `aws_secret_access_key = "…"`)
    let index = text.indexOf(value, Math.max(0, start - 1));
    if (index < 0) index = text.indexOf(value);
    if (index < 0) index = start;
    out.push({ rule: shortRule(m.ruleId, m.messageId), hint: hintOf(m.ruleId), value, index, priority: 1 });
  }
  return out;
}
