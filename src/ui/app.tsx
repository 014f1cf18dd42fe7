/** The Ink root: store, theme, controller and commands in context around the run screen. */
import { StoreProvider, type RunStore } from './store.js';
import { ThemeContext, type Theme } from './theme.js';
import { CommandsContext, ControllerContext, DrillContext, type Commands, type DrillView } from './context.js';
import type { Controller } from './controller.js';
import { RunScreen } from './screens/run-screen.js';

export interface AppProps {
  store: RunStore;
  controller: Controller;
  theme: Theme;
  commands: Commands;
  drill?: DrillView;
}

export function App({ store, controller, theme, commands, drill }: AppProps) {
  return (
    <StoreProvider store={store}>
      <ThemeContext.Provider value={theme}>
        <CommandsContext.Provider value={commands}>
          <ControllerContext.Provider value={controller}>
            <DrillContext.Provider value={drill}>
              <RunScreen />
            </DrillContext.Provider>
          </ControllerContext.Provider>
        </CommandsContext.Provider>
      </ThemeContext.Provider>
    </StoreProvider>
  );
}
