// Injected into dist/runner.cjs by scripts/build.mjs: what the ES modules bundled into the
// CommonJS runner read from `import.meta` (src/command-runner.ts runs from dist/, as the ESM
// chunks did).
// the runner is CommonJS: require and __filename are its wrapper's (src/code-cache.ts)
// eslint-disable-next-line @typescript-eslint/no-require-imports, no-undef
export const __runbookImportMetaUrl = require('node:url').pathToFileURL(__filename).href;
