/** The `http` provider's instance config. */
import { z } from 'zod';
import { HeadersField } from './door.js';

export const HttpConfig = z.strictObject({
  /** headers sent with every request of this instance (values may be secrets, e.g. Authorization) */
  headers: HeadersField.optional(),
  /** total time per request, ms (default: the engine's HTTP timeout) */
  timeout_ms: z.number().int().positive().max(600_000).optional(),
});
export type HttpConfig = z.infer<typeof HttpConfig>;
