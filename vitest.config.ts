import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The default state directory is $XDG_STATE_HOME/runbook (else ~/.local/state/runbook): a test
// that forgets --state-dir writes here, into a folder of this run, never into the user's home.
const stateHome = mkdtempSync(join(tmpdir(), 'runbook-test-xdg-state-'));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // CI=0: Ink renders only the last frame when it believes it runs in CI (is-in-ci), and the
    // component tests read frames as a person would see them.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NO_COLOR: '1', CI: '0', XDG_STATE_HOME: stateHome },
  },
});
