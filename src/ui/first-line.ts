/**
 * The header's first line before the runbook is read — `[DRILL] starting…` — as plain text.
 * cli.ts writes it the moment a run or drill starts on a terminal, before Ink is even imported;
 * Ink's first frame (src/ui/index.tsx openTui, components/header.tsx) then draws the same
 * characters over it, so the screen shows the header at once and nothing flashes. Imports
 * nothing: cli.ts loads it on every start.
 */
import type { UiMode } from './store/types.js';

/** The mode badge, as the header shows it (LIVE in inverse red where colour is on). */
export const BADGE: Record<UiMode, string> = { live: ' ● LIVE ', drill: '[DRILL]', 'dry-run': '[DRY-RUN]' };

/** The header's title until the runbook is read. */
export const STARTING = 'starting…';

/** The header's first line while nothing is read yet, without colour. */
export const firstLine = (mode: UiMode): string => `${BADGE[mode]} ${STARTING}`;
