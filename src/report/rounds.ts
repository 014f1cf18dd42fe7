/**
 * A repeat's round steps (`eradicate#1.hunt`, `eradicate#2.hunt`, …) belong right under their
 * repeat step — in the TUI's checklist, in `status` and wherever a step list is printed — not
 * after the runbook's last step, where the journal's order puts them.
 */

/** A repeat's round step (`eradicate#2.find`): the repeat step it belongs to, else undefined. */
export const parentOf = (id: string): string | undefined => {
  const h = id.indexOf('#');
  return h > 0 ? id.slice(0, h) : undefined;
};

/** The order with each repeat's round steps right under it, in the order they came. */
export function roundsUnderRepeat(order: readonly string[]): string[] {
  const all = new Set(order);
  const rounds = new Map<string, string[]>();
  const top: string[] = [];
  for (const id of order) {
    const parent = parentOf(id);
    if (parent !== undefined && all.has(parent)) rounds.set(parent, [...(rounds.get(parent) ?? []), id]);
    else top.push(id);
  }
  return rounds.size === 0 ? [...order] : top.flatMap((id) => [id, ...(rounds.get(id) ?? [])]);
}
