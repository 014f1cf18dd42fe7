/** The largest runbook or scenario file read (4 MiB) — apart from ./yaml.ts so a reader need not load the YAML parser. */
export const MAX_BYTES = 4 * 1024 * 1024;
