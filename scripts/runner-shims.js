// Injected into dist/cli.js and dist/runner.cjs by scripts/build.mjs: what the ES modules bundled
// into these CommonJS scripts read from `import.meta` (the URL of the file, in dist/).
// CommonJS: require and __filename are the module wrapper's (Node's, or src/code-cache.ts's)
// eslint-disable-next-line @typescript-eslint/no-require-imports, no-undef
export const __runbookImportMetaUrl = require('node:url').pathToFileURL(__filename).href;
