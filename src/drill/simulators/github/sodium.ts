/**
 * libsodium for the GitHub simulator (Actions secrets are sealed boxes), imported when a GitHub
 * world is built, not with the drill command: half a megabyte of JavaScript that a drill without
 * a GitHub simulator (the flagship Hugging Face drill) never needs (bench/README.md, issue 12).
 */
type Sodium = (typeof import('libsodium-wrappers'))['default'];

let loading: Promise<Sodium> | undefined;
let loaded: Sodium | undefined;

/** Load libsodium (once) and wait until it is ready. */
export function loadSodium(): Promise<Sodium> {
  return (loading ??= import('libsodium-wrappers').then(async (m) => {
    await m.default.ready;
    loaded = m.default;
    return m.default;
  }));
}

/** libsodium once a GitHub world is built (buildWorld loaded it): routes use it synchronously. */
export function sodium(): Sodium {
  if (!loaded) throw new Error('libsodium is not loaded: build the GitHub world first');
  return loaded;
}
