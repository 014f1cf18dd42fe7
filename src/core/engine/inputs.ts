/** Typing runbook inputs from `--input key=value` flags (and the TUI's prompts). */
import { UsageError } from '../errors.js';
import type { Input } from '../runbook/schema.js';
import { compilePattern, type Pattern } from '../runbook/pattern.js';
import type { InputRequest, OperatorPorts } from './ports.js';

export function coerceInput(name: string, spec: Input, raw: string): unknown {
  const bad = (what: string) =>
    new UsageError(`--input ${name}: ${what}`, { nextSteps: [`Give it as --input ${name}=VALUE${spec.description ? ` (${spec.description})` : ''}.`] });
  let value: unknown;
  switch (spec.type) {
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw bad(`"${raw.slice(0, 40)}" is not a number`);
      value = n;
      break;
    }
    case 'boolean':
      if (/^(true|yes|1|on)$/i.test(raw)) value = true;
      else if (/^(false|no|0|off)$/i.test(raw)) value = false;
      else throw bad(`"${raw.slice(0, 40)}" is not true or false`);
      break;
    case 'list':
      if (raw.trim().startsWith('[')) {
        try {
          const arr = JSON.parse(raw) as unknown;
          if (!Array.isArray(arr)) throw new Error();
          value = arr;
        } catch {
          throw bad('is not a JSON array (or give a comma-separated list)');
        }
      } else value = raw.split(',').map((s) => s.trim()).filter(Boolean);
      break;
    default:
      value = raw;
  }
  checkPattern(name, spec, value);
  return value;
}

function checkPattern(name: string, spec: Input, value: unknown): void {
  if (!spec.pattern) return;
  let re: Pattern;
  try {
    re = compilePattern(spec.pattern);
  } catch {
    throw new UsageError(`input ${name}: its pattern is not a valid regular expression`);
  }
  for (const v of Array.isArray(value) ? value : [value]) {
    if (typeof v === 'string' && !re.test(v)) {
      throw new UsageError(`--input ${name}: "${v.slice(0, 60)}" does not match the pattern ${spec.pattern}`);
    }
  }
}

/** Parse `key=value` flags. */
export function parseInputFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags) {
    const i = f.indexOf('=');
    if (i <= 0) throw new UsageError(`--input ${f}: expected KEY=VALUE`);
    out[f.slice(0, i)] = f.slice(i + 1);
  }
  return out;
}

/** Every `--input` names an input the runbook declares (checked before an incident is created, and again here). */
export function checkInputNames(specs: Record<string, Input>, given: Record<string, string>): void {
  for (const k of Object.keys(given)) {
    if (!Object.hasOwn(specs, k)) {
      const known = Object.keys(specs);
      throw new UsageError(`--input ${k}: this runbook has no input "${k}"`, {
        nextSteps: [known.length ? `Its inputs are: ${known.join(', ')}.` : 'This runbook takes no inputs.'],
      });
    }
  }
}

/** Resolve every declared input: flag, else default, else ask (TUI), else a usage error naming the flag. */
export async function resolveInputs(
  specs: Record<string, Input>,
  given: Record<string, string>,
  ports: Pick<OperatorPorts, 'askInput'>,
): Promise<Record<string, unknown>> {
  checkInputNames(specs, given);
  const out: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const raw = given[name];
    if (raw !== undefined) out[name] = coerceInput(name, spec, raw);
    else if (spec.default !== undefined) out[name] = spec.default;
    else if (spec.required) {
      if (ports.askInput) {
        const req: InputRequest = { name, type: spec.type, description: spec.description, prompt: spec.prompt, pattern: spec.pattern, default: spec.default, secret: false };
        out[name] = coerceInput(name, spec, await ports.askInput(req));
      } else missing.push(name);
    }
  }
  if (missing.length) {
    throw new UsageError(`missing required input${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, {
      nextSteps: missing.map((m) => `--input ${m}=VALUE${specs[m]?.description ? `  (${specs[m]?.description})` : ''}`),
    });
  }
  return out;
}
