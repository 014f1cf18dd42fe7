/**
 * `runbook plan FILE` — dry-run: what each step would do; nothing is called, no incident is
 * created. Titles, `if:` and `for_each` that depend only on the inputs are decided here
 * (src/core/engine/plan.ts); the rest is shown as written.
 */
import { UsageError } from '../core/errors.js';
import { parseInputFlags, resolveInputs } from '../core/engine/inputs.js';
import { planRunbook } from '../core/engine/plan.js';
import { SecretRegistry } from '../core/secrets/registry.js';
import { randomBytes } from 'node:crypto';
import { out, outJson, parseCommandFlags, type Command } from './context.js';
import { collect, loadWithPlugins } from './shared.js';

const command: Command = async (argv, ctx) => {
  const { values: f, positionals } = parseCommandFlags('plan', argv);
  const file = positionals[0];
  if (!file) throw new UsageError('runbook plan: which runbook? Give a runbook file or the id of a shipped runbook', { nextSteps: ['For example: `runbook plan leaked-token-triage` (`runbook list` shows the shipped runbooks).'] });
  const { loaded, registry } = await loadWithPlugins(file, collect(f.plugin), ctx);
  const inputs = await resolveInputs(loaded.runbook.inputs, parseInputFlags(collect(f.input)), {});
  const steps = await planRunbook(loaded, registry, inputs, new SecretRegistry(ctx.redactor), randomBytes(32));
  if (f.json) {
    outJson(ctx, JSON.stringify({ runbook: loaded.runbook.id, title: loaded.runbook.title, steps }, null, 2));
    return 0;
  }
  out(ctx, `plan: ${loaded.runbook.title} (${loaded.runbook.id}) — ${steps.length} step${steps.length === 1 ? '' : 's'}, nothing will be called\n`);
  steps.forEach((s, i) => {
    out(ctx, `${i + 1}. ${s.id}  [${s.kind}${s.skipped ? ', skipped' : s.confirm ? ', needs approval' : ''}]  ${s.title}`);
    if (s.needs.length) out(ctx, `   after: ${s.needs.join(', ')}`);
    if (s.condition) out(ctx, `   if: ${s.condition}`);
    if (s.forEach) out(ctx, `   for each: ${s.forEach}`);
    if (s.skipped) {
      out(ctx, `   ${s.note}`);
      return;
    }
    if (s.uses) out(ctx, `   uses: ${s.uses}`);
    if (s.input && Object.keys(s.input as object).length) out(ctx, `   with: ${JSON.stringify(s.input)}`);
    for (const c of s.calls) out(ctx, `   → ${c}`);
    if (s.note) out(ctx, `   ${s.note}`);
  });
  return 0;
};
export default command;
