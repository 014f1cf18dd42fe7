/** Item picker state (approve a fan-out item by item): cursor and selection. Pure reducer. */
export interface PickerState {
  items: readonly string[];
  cursor: number;
  selected: ReadonlySet<string>;
}

export type PickerAction = { type: 'move'; delta: number } | { type: 'toggle' } | { type: 'all' };

export function initialPicker(items: readonly string[]): PickerState {
  return { items, cursor: 0, selected: new Set() };
}

export function pickerReducer(s: PickerState, a: PickerAction): PickerState {
  switch (a.type) {
    case 'move':
      return { ...s, cursor: Math.max(0, Math.min(s.items.length - 1, s.cursor + a.delta)) };
    case 'toggle': {
      const key = s.items[s.cursor];
      if (key === undefined) return s;
      const selected = new Set(s.selected);
      if (selected.has(key)) selected.delete(key);
      else selected.add(key);
      return { ...s, selected };
    }
    case 'all':
      return { ...s, selected: s.selected.size === s.items.length ? new Set() : new Set(s.items) };
  }
}

/** Selected items in their fan-out order. */
export const selectedItems = (s: PickerState): string[] => s.items.filter((k) => s.selected.has(k));
