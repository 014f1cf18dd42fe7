/**
 * A provider test file's simulator: started once before its tests, closed after them, its
 * injected faults cleared before each test (before the file's own beforeEach hooks run).
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** Registers the hooks; `started` receives the simulator once it is up. */
export function useSimulator<S extends { close(): unknown; setFaults(faults: undefined): void }>(start: () => Promise<S>, started: (sim: S) => void): void {
  let sim: S | undefined;
  beforeAll(async () => {
    sim = await start();
    started(sim);
  });
  afterAll(() => sim?.close());
  beforeEach(() => sim!.setFaults(undefined));
}
