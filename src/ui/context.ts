/** React contexts for what is not store data: the controller (actions), the commands to show, a drill's clock. */
import { createContext, useContext } from 'react';
import type { Controller } from './controller.js';

export interface Commands {
  resume: string;
  report: string;
}

/** A drill's clock and attacker (from the drill session): read by the header, started and paused by the controller. */
export interface DrillView {
  /** drill seconds per real second */
  speed: number;
  /** drill ms since the drill opened */
  now(): number;
  running(): boolean;
  start(): void;
  pause(): void;
  /** the attacker's next scheduled move: drill ms and what it does */
  next(): { at: number; what: string } | undefined;
  /** attacker-made credentials still live */
  attackerLive(): number;
}

export const ControllerContext = createContext<Controller | null>(null);
export const CommandsContext = createContext<Commands>({ resume: '', report: '' });
export const DrillContext = createContext<DrillView | undefined>(undefined);

export function useController(): Controller {
  const c = useContext(ControllerContext);
  if (!c) throw new Error('useController must be used inside <App>');
  return c;
}
export const useCommands = (): Commands => useContext(CommandsContext);
export const useDrill = (): DrillView | undefined => useContext(DrillContext);
