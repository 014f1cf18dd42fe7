/** Small test providers for the `with` and provider-config checks (no network: never run). */
import { z } from 'zod';
import { defineAction, defineProvider, secretField } from '../../../src/providers/sdk.js';
import { ProviderRegistry } from '../../../src/providers/registry.js';
import shell from '../../../src/providers/shell/index.js';

const lookup = defineAction({
  kind: 'detect',
  description: 'look a user up',
  input: z.strictObject({ user: z.string().min(1), limit: z.number().int().max(100).default(10) }),
  output: z.object({ found: z.boolean(), ids: z.array(z.string()), users: z.array(z.object({ name: z.string(), status: z.string() })) }),
  idempotent: true,
  async run() {
    return { found: false, ids: [], users: [] };
  },
});

const revoke = defineAction({
  kind: 'revoke',
  description: 'revoke a token by id',
  input: z.strictObject({ id: z.string(), token: secretField().optional() }),
  output: z.object({ revoked: z.boolean() }),
  idempotent: true,
  async run() {
    return { revoked: true };
  },
  async verify() {
    return { state: 'done' as const };
  },
});

const noVerify = defineAction({
  kind: 'notify',
  description: 'send a message',
  input: z.strictObject({ to: z.array(z.string()).min(1), text: z.string() }),
  output: z.object({ sent: z.number() }),
  idempotent: false,
  async run() {
    return { sent: 1 };
  },
});

export const testsvc = defineProvider({
  type: 'testsvc',
  description: 'a provider used by the runbook tests',
  config: z.strictObject({ url: z.string().url(), token: secretField() }),
  actions: { lookup, revoke, notify: noVerify },
});

/** The shell built-in and the test provider: a fixed set, whatever other built-ins exist. */
export function testRegistry(): ProviderRegistry {
  return new ProviderRegistry([shell, testsvc]);
}
