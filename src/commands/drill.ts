/**
 * `runbook drill FILE [--scenario FILE] [--faults SPEC] [--seed N] [--speed X]` — the same run
 * as `runbook run` (TUI on a terminal, scripted otherwise, same flags), against a simulated
 * world on loopback that fights back. See docs/drills.md.
 */
import { guardUntilExit } from '../drill/guard.js';
import { prepareDrill, DRILL_FLAGS } from '../drill/session.js';
import type { Command } from './context.js';
import { runCommand } from './run.js';

const command: Command = (argv, ctx) => {
  // before the runbook's plugins load, and until the process exits: a drill never leaves loopback
  guardUntilExit();
  return runCommand(argv, ctx, { mode: 'drill', commandName: 'drill', flags: DRILL_FLAGS, prepare: prepareDrill });
};
export default command;
