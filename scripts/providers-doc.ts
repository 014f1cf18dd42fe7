/**
 * Write docs/providers.md from the built-in providers' declarations:
 *   npm run docs:providers            (write)
 *   npm run docs:providers -- --check (exit 1 when the committed file is out of date)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ProviderRegistry } from '../src/providers/registry.js';
import { describeProvider } from '../src/commands/providers.js';
import { providersMarkdown } from '../src/commands/providers-doc.js';

const file = fileURLToPath(new URL('../docs/providers.md', import.meta.url));
const text = providersMarkdown(new ProviderRegistry().list().map((d) => describeProvider(d)));
if (process.argv.includes('--check')) {
  const now = readFileSync(file, 'utf8');
  if (now !== text) {
    process.stderr.write('docs/providers.md is out of date: run npm run docs:providers\n');
    process.exitCode = 1;
  }
} else writeFileSync(file, text);
