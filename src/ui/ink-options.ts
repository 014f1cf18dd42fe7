/**
 * The options every Ink instance of the run TUI is rendered with (openTui, runTui).
 *
 * `maxFps: 0` — no render throttle in Ink: a commit is drawn at once. Ink's throttle (20 fps
 * here before, 30 by default) is a debounce: a key pressed within 50 ms of the last frame (a
 * clock tick, a progress flush) waited for the throttle's trailing timer before it showed —
 * that wait was most of the key → screen p95 at 10,000 items (bench/README.md, tui-scale,
 * 2026-12-03 keys). Frames are paced before Ink instead: the store observer batches engine
 * events (step events within 50 ms, item progress and log lines 4×/s and less often for large
 * fan-outs: src/ui/store/observer.ts), clocks of the same period tick in one commit
 * (hooks/use-now.ts), and React folds the updates of one turn of the event loop into one commit.
 * So a key press — the operator — is drawn at once, and progress is what is paced.
 *
 * Not `incrementalRendering`: in Ink 6.8 it moves the cursor one line short when the frame ends
 * in a newline (every frame here leaves a spare row), so each frame lands one line lower and the
 * screen fills with stale rows (bench/README.md, tui-scale, 2026-12-03 inkdraw).
 */
export const INK_OPTIONS = { exitOnCtrlC: false, patchConsole: false, maxFps: 0 } as const;
