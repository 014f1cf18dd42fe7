/**
 * A provider's actions driven as the engine drives them: the input parsed by the action's
 * schema (defaults, strictness), the output checked by its schema; each call in a fresh context
 * made by `ctxFor` (the provider's config against a simulator).
 */
import type { memoryLogger } from '../../src/providers/context.js';
import type { ActionContext, ProviderDef, VerifyResult } from '../../src/providers/sdk.js';

type Made = { ctx: ActionContext<any>; log: ReturnType<typeof memoryLogger> };

export function actionCalls<S, O extends object>(provider: ProviderDef<any>, ctxFor: (sim: S, action: string, opts: O) => Made) {
  const def = (action: string) => provider.actions[action]!;
  return {
    /** Runs `action`: its output and the log. */
    async run(sim: S, action: string, input: Record<string, unknown>, opts = {} as O) {
      const d = def(action);
      const { ctx, log } = ctxFor(sim, action, opts);
      const out = await d.run(ctx, d.input.parse(input));
      d.output.parse(out);
      return { out, log };
    },
    async verify(sim: S, action: string, input: Record<string, unknown>, output: unknown, opts = {} as O): Promise<VerifyResult> {
      const d = def(action);
      const { ctx } = ctxFor(sim, action, opts);
      return d.verify!(ctx, d.input.parse(input), output);
    },
    /** Runs `action` and expects a failure: the error and the log lines (for canary checks). */
    async fail(sim: S, action: string, input: Record<string, unknown>, opts = {} as O) {
      const d = def(action);
      const { ctx, log } = ctxFor(sim, action, opts);
      try {
        await d.run(ctx, d.input.parse(input));
      } catch (err) {
        return { err: err as Error & Record<string, any>, log };
      }
      throw new Error(`${action} was expected to fail`);
    },
  };
}
