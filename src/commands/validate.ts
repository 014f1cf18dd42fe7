import type { Command } from './context.js';
import { BugError } from '../core/errors.js';

const command: Command = async () => {
  throw new BugError('runbook validate is being built');
};
export default command;
