// The esbuild plugin of scripts/build.mjs: what the bundle changes in the packages it takes in.
// Each patch checks that the text it replaces is there and fails the build otherwise, so a new
// version of a package cannot silently drop a patch (or be silently mis-patched).
// test/ui/graphemes.test.ts bundles the patched string-width and slice-ansi with this plugin and
// checks them against the packages as published.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Yoga (Ink's layout engine) carries its WebAssembly as a base64 data: URL and instantiates it
// asynchronously, so its module ends in a top-level await (`wrapAssembly(await loadYoga())`) —
// and so does Ink, which imports it. The bundle instantiates it synchronously instead (the same
// bytes, through Emscripten's own receiveInstance, whose start-up then runs to the end at once):
// the CommonJS runner (scripts/build.mjs) cannot hold a top-level await. The base64 is decoded
// with Buffer instead of the generated atob loop (~3 ms). Where `fetch` exists the async path
// fetched that data: URL, loading Node's whole fetch implementation (undici); that path is
// gone with it. Each patch fails the build when its text is missing.
const YOGA_DECODE = 'var b=xa(a.slice(37)),c=new Uint8Array(b.length);for(a=0;a<b.length;++a)c[a]=b.charCodeAt(a);var d=c';
const YOGA_ASYNC = 'if(h.instantiateWasm)try{return h.instantiateWasm(d,';
const YOGA_AWAIT = 'const Yoga = wrapAssembly(await loadYoga());';
const YOGA_SYNC = `const __runbookYoga = {};
loadYoga(__runbookYoga);
if (!__runbookYoga.calledRun) throw new Error('yoga-layout did not start synchronously (scripts/bundle-patches.mjs)');
const Yoga = wrapAssembly(__runbookYoga);`;

// Ink's reconciler awaits two imports at its top level, both only with DEV=true (React
// devtools, stubbed below, and Ink's package.json for them): neither awaited in the bundle.
const INK_DEVTOOLS = "await import('./devtools.js');";
const INK_PACKAGE = '? await loadPackageJson()';

/** `source` with each [from, to] replaced once, or an error naming what is missing */
function replaceEach(source, path, pairs, what) {
  let out = source;
  for (const [from, to] of pairs) {
    if (out.split(from).length !== 2) throw new Error(`${path}: \`${from.slice(0, 60)}\` not found once (scripts/bundle-patches.mjs) — check how this ${what}`);
    out = out.replace(from, () => to);
  }
  return out;
}

// Grapheme segmentation (src/ui/graphemes.ts): string-width, slice-ansi (cli-truncate) and Ink's
// ANSI tokenizer each build an `Intl.Segmenter` when imported — the first one of a process sets up
// ICU (~12 ms here) on the way to the TUI's first frame, for text that is ASCII, `·`, `✓`, box
// drawing and the like. Each gets src/ui/graphemes.ts's lazySegmenter instead: the same segments,
// ICU's only for text that needs it.
const GRAPHEMES = fileURLToPath(new URL('../src/ui/graphemes.ts', import.meta.url));
const SEGMENTER_USERS = [
  [/[\\/]node_modules[\\/]string-width[\\/]index\.js$/, 'string-width'],
  [/[\\/]node_modules[\\/]slice-ansi[\\/]tokenize-ansi\.js$/, 'slice-ansi'],
  [/[\\/]node_modules[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/, '@alcalzone/ansi-tokenize'],
];

/** `source` with its one top-level `new Intl.Segmenter(` replaced by src/ui/graphemes.ts's lazySegmenter */
export function patchSegmenter(source, path) {
  const found = source.match(/new Intl\.Segmenter\(/g)?.length ?? 0;
  if (found !== 1) throw new Error(`${path}: ${found} \`new Intl.Segmenter(\` where 1 was expected (scripts/bundle-patches.mjs) — check how this package segments graphemes`);
  return `import { lazySegmenter as __runbookSegmenter } from ${JSON.stringify(GRAPHEMES)};\n${source.replace('new Intl.Segmenter(', '__runbookSegmenter(')}`;
}

// string-width (every width Ink, wrap-ansi, cli-truncate and our src/ui measure): its first
// non-ASCII string builds `/^\p{RGI_Emoji}$/v` — ~20 ms to create and ~18 ms for its first
// match on this machine, ~10 % of the CPU before the TUI's first frame (bench/README.md), for a
// frame whose only non-ASCII characters are `·`, `✓`, `◐`, `—` and the like. Two changes, the
// same widths:
// 1. the emoji pattern is built on first use;
// 2. text made only of characters that never join a neighbour into one grapheme cluster and are
//    never zero-width (src/ui/graphemes.ts, isSimpleText) is measured one code point at a time
//    by East Asian Width — what the segmenting path computes for each of these characters
//    (checked for every one of them, both ambiguous-width settings, by
//    test/ui/graphemes.test.ts). Anything else (emoji, combining marks, joiners, jamo, astral
//    planes) takes the package's own path.
const SW_ASCII = "\tif (/^[\\u0020-\\u007E]*$/.test(string)) {\n\t\treturn string.length;\n\t}\n";
const SW_RGI = 'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;';
const SW_FAST = `
\tif (__runbookSimpleText(string)) {
\t\tconst options = {ambiguousAsWide: !ambiguousIsNarrow};
\t\tlet width = 0;
\t\tfor (let index = 0; index < string.length; index++) {
\t\t\twidth += eastAsianWidth(string.charCodeAt(index), options);
\t\t}
\t\treturn width;
\t}
`;

/** string-width 8's source with the two changes above, or an error naming what is missing */
export function patchStringWidth(source, path = 'string-width/index.js') {
  for (const [what, text] of [['the ASCII fast path', SW_ASCII], ['the RGI emoji pattern', SW_RGI]]) {
    if (!source.includes(text)) throw new Error(`${path}: ${what} to patch was not found (scripts/bundle-patches.mjs) — check how this string-width measures`);
  }
  const patched = source
    .replace(SW_RGI, () => "let rgiEmojiPattern;\nconst rgiEmojiRegex = {test: (segment) => (rgiEmojiPattern ??= new RegExp('^\\\\p{RGI_Emoji}$', 'v')).test(segment)};")
    .replace(SW_ASCII, () => SW_ASCII + SW_FAST);
  return `import { isSimpleText as __runbookSimpleText } from ${JSON.stringify(GRAPHEMES)};\n${patchSegmenter(patched, path)}`;
}

// the one string-width the bundle carries (the patched 8.x): wrap-ansi 9 asks for ^7 (same API:
// `stringWidth(text, {ambiguousIsNarrow, countAnsiEscapeCodes})`), whose copy would bring a
// second segmenting measurer and emoji-regex's pattern. The older CommonJS copies (4.x, under
// table/cli-progress/textlint) keep their own: a different module shape, not on the TUI's path.
const STRING_WIDTH = fileURLToPath(import.meta.resolve('string-width'));

/** the esbuild plugin: stubs and patches, each explained above or where it is set up */
export function bundlePatches() {
  return {
    name: 'stubs',
    setup(b) {
      // Ink's devtools hook (only with DEV=true) is stubbed
      b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'stub' }));
      b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default { initialize() {}, connectToDevTools() {} };' }));
      b.onResolve({ filter: /^string-width$/ }, (a) => (/[\\/]node_modules[\\/]wrap-ansi[\\/]/.test(a.importer) ? { path: STRING_WIDTH } : undefined));
      for (const [filter, name] of SEGMENTER_USERS) {
        b.onLoad({ filter }, (a) => {
          const source = readFileSync(a.path, 'utf8');
          if (name !== 'string-width') return { contents: patchSegmenter(source, a.path), loader: 'js' };
          // the older CommonJS copies (not on the TUI's path) keep their own code
          return a.path === STRING_WIDTH ? { contents: patchStringWidth(source, a.path), loader: 'js' } : undefined;
        });
      }
      b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (a) => ({
        loader: 'js',
        contents: replaceEach(readFileSync(a.path, 'utf8'), a.path, [
          [YOGA_DECODE, 'var d=new Uint8Array(Buffer.from(a.slice(37),"base64"))'],
          [YOGA_ASYNC, `return a(new WebAssembly.Instance(new WebAssembly.Module(wa()),d)),{};${YOGA_ASYNC}`],
        ], 'yoga-layout loads its WebAssembly'),
      }));
      b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/ }, (a) => ({
        loader: 'js',
        contents: replaceEach(readFileSync(a.path, 'utf8'), a.path, [[YOGA_AWAIT, YOGA_SYNC]], 'yoga-layout starts'),
      }));
      b.onLoad({ filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, (a) => ({
        loader: 'js',
        contents: replaceEach(readFileSync(a.path, 'utf8'), a.path, [
          [INK_DEVTOOLS, "import('./devtools.js').catch(() => {});"],
          [INK_PACKAGE, '? { name: undefined, version: undefined }'],
        ], 'Ink loads its devtools'),
      }));
      // smtp-server carries a built-in localhost RSA private key and certificate (its STARTTLS
      // default). The drill's SMTP simulator disables STARTTLS, so the pair is never used — but
      // shipped inside dist/ it is a private key in our package, and every secret scanner run over
      // an install flags it. Dropped from the bundle; TLS options given by a caller still apply.
      b.onLoad({ filter: /[\\/]smtp-server[\\/]dist[\\/](cjs|esm)[\\/]tls-options\.js$/ }, (a) => {
        const source = readFileSync(a.path, 'utf8');
        const stripped = source
          .replace(/\n\s*key: '-----BEGIN RSA PRIVATE KEY-----[\s\S]*?'-----END RSA PRIVATE KEY-----',/, '')
          .replace(/\n\s*cert: '-----BEGIN CERTIFICATE-----[\s\S]*?'-----END CERTIFICATE-----',/, '');
        if (stripped === source || /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/.test(stripped)) {
          throw new Error(`${a.path}: the built-in key/certificate to drop was not found (scripts/bundle-patches.mjs) — check how this smtp-server sets its TLS defaults`);
        }
        return { contents: stripped, loader: 'js' };
      });
    },
  };
}
