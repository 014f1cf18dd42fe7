/** The text entry at the bottom: notes, reasons, evidence, runbook inputs, secrets (masked). */
import { setUi, useRunStore, useRunStoreApi } from '../store.js';
import { useController } from '../context.js';
import { keyContext } from '../keymap.js';
import { activePrompt } from '../status.js';
import { TextInput } from './text-input/text-input.js';

export const ENTRY_ROWS = 3;

export function EntryBar({ width }: { width: number }) {
  const controller = useController();
  const entry = useRunStore((s) => s.ui.entry);
  const prompt = useRunStore(activePrompt);
  const error = useRunStore((s) => s.ui.entryError);
  const active = useRunStore((s) => keyContext(s).focus === 'entry');
  const store = useRunStoreApi();
  // "! a link is a URL…" is about the value submitted: it goes once the value is edited (Ctrl-U included)
  const onEdit = () => {
    if (store.getState().ui.entryError) setUi(store, { entryError: null });
  };
  if (entry) {
    const hint = entry.required ? ' ' : 'may be left empty';
    return (
      <TextInput
        key={`entry:${entry.purpose}:${prompt?.id ?? 0}`}
        label={entry.label}
        width={width}
        isActive={active}
        hint={hint}
        error={error}
        onSubmit={controller.submitEntry}
        onCancel={controller.cancelEntry}
        onEdit={onEdit}
      />
    );
  }
  if (prompt?.kind === 'input' || prompt?.kind === 'secret') {
    const label = prompt.kind === 'input' ? `${prompt.req.name}${prompt.req.type !== 'string' ? ` (${prompt.req.type})` : ''}` : 'Secret (hidden)';
    return (
      <TextInput
        key={`prompt:${prompt.id}`}
        label={label}
        width={width}
        isActive={active}
        mask={prompt.kind === 'secret'}
        hint={prompt.kind === 'secret' ? 'typed characters are not shown' : ' '}
        error={error}
        onSubmit={controller.submitEntry}
        onEdit={onEdit}
      />
    );
  }
  return null;
}
