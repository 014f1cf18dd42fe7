/** React contexts for what is not store data: the controller (actions) and the commands to show. */
import { createContext, useContext } from 'react';
import type { Controller } from './controller.js';

export interface Commands {
  resume: string;
  report: string;
}

export const ControllerContext = createContext<Controller | null>(null);
export const CommandsContext = createContext<Commands>({ resume: '', report: '' });

export function useController(): Controller {
  const c = useContext(ControllerContext);
  if (!c) throw new Error('useController must be used inside <App>');
  return c;
}
export const useCommands = (): Commands => useContext(CommandsContext);
