/**
 * The detail of one step as styled lines (pure): what it is, its instructions (Markdown),
 * the rendered input (as journaled: redacted, secrets as fingerprint…last4), outputs,
 * per-item results and the live tail of its log.
 */
import { renderMarkdown } from '../markdown.js';
import { ITEM_WORD, ICON, countsText, displayStatus } from '../status.js';
import type { ItemView, StepView } from '../store/types.js';
import { blank, duration, line, placeholders, seg, valueLines, wrap, type Line } from '../text.js';

const MAX_ITEMS = 60;

export function itemDetail(it: ItemView, now: number): string {
  const parts: string[] = [];
  if (it.retry) {
    const left = it.retry.at + it.retry.delayMs - now;
    parts.push(left > 0 ? `retry ${it.retry.attempt} in ${duration(left)}: ${it.retry.reason}` : `retry ${it.retry.attempt}: ${it.retry.reason}`);
  }
  if (it.error) parts.push(it.error.message + (it.error.code ? ` [${it.error.code}]` : ''));
  if (it.reason) parts.push(it.reason);
  if (it.verify) parts.push(`verify: ${it.verify.state}${it.verify.detail ? ` (${it.verify.detail})` : ''}`);
  if (it.settled) parts.push(`settled: ${it.settled}`);
  if (it.secret) parts.push(`new secret …${it.secret.last4}`);
  if (it.manual?.note) parts.push(`note: ${it.manual.note}`);
  if (it.manual?.link) parts.push(`link: ${it.manual.link}`);
  if (it.evidence?.httpStatus) parts.push(`HTTP ${it.evidence.httpStatus}`);
  if (it.evidence?.requestId) parts.push(`request ${it.evidence.requestId}`);
  if (it.evidence?.exitCode !== undefined && it.evidence.exitCode !== null && !it.error) parts.push(`exit ${it.evidence.exitCode}`);
  if (it.attempts > 1) parts.push(`${it.attempts} attempts`);
  return parts.join(' · ');
}

function header(step: StepView, waiting: boolean, width: number, now: number, steps?: ReadonlyMap<string, StepView>): Line[] {
  const st = displayStatus(step, waiting);
  const out: Line[] = [];
  out.push(line(seg(`${ICON[st]} ${st}`, st === 'failed' ? 'error' : st === 'done' ? 'ok' : st === 'waiting' ? 'warn' : 'bold'), seg(`  ${step.info.kind} · ${step.info.id}`, 'dim')));
  out.push(...wrap(line(seg(placeholders(step.info.title, steps), 'title')), width, 2));
  const facts: string[] = [];
  if (step.info.uses) facts.push(`uses ${step.info.uses}`);
  if (step.info.confirm) facts.push('gated: asks for approval');
  if (step.info.needs.length > 0) facts.push(`after ${step.info.needs.join(', ')}`);
  if (step.startedAt) {
    const end = step.finishedAt ? Date.parse(step.finishedAt) : now;
    facts.push(`${step.finishedAt ? 'took' : 'running for'} ${duration(end - Date.parse(step.startedAt))}`);
  }
  const counts = countsText(step);
  if (counts) facts.push(`items ${counts}`);
  if (facts.length > 0) out.push(...wrap(line(seg(facts.join(' · '), 'dim')), width, 2));
  if (step.reason) out.push(...wrap(line(seg('reason: ', 'bold'), step.reason), width, 2));
  if (step.approval) {
    const a = step.approval;
    const what = a.decision === 'approved' ? `approved${a.items ? ` (${a.items.length} item${a.items.length === 1 ? '' : 's'})` : ''}` : 'denied';
    out.push(...wrap(line(seg('gate: ', 'bold'), seg(what, a.decision === 'approved' ? 'ok' : 'error'), seg(` via ${a.via}${a.reason ? ` — ${a.reason}` : ''}`, 'dim')), width, 2));
  }
  if (step.manual) {
    out.push(...wrap(line(seg('ticked off', 'ok'), seg(` via ${step.manual.via}`, 'dim'), step.manual.note ? ` — ${step.manual.note}` : '', step.manual.link ? ` ${step.manual.link}` : ''), width, 2));
  }
  return out;
}

const RANK: Record<ItemView['status'], number> = { 'in-doubt': 0, failed: 1, running: 2, pending: 3, ok: 3, skipped: 3 };

/**
 * The items shown (at most `max`): those that need attention first (in doubt, failed, running —
 * retrying ones count as running), each group in fan-out order, then the others in fan-out
 * order. With the store's side tables (StepView.urgent/itemPos) it costs O(attention + max),
 * whatever the number of items — it runs on every frame of a 10,000-item fan-out.
 */
export function shownItems(step: StepView, max: number): string[] {
  if (step.itemOrder.length <= max) return step.itemOrder;
  const { urgent, itemPos } = step;
  const rank = (k: string) => RANK[step.items[k]?.status ?? 'pending'];
  if (urgent && itemPos && urgent.size <= 4 * max) {
    const first = [...urgent].sort((a, b) => rank(a) - rank(b) || (itemPos.get(a) ?? 0) - (itemPos.get(b) ?? 0)).slice(0, max);
    for (const k of step.itemOrder) {
      if (first.length >= max) break;
      if (!urgent.has(k)) first.push(k);
    }
    return first;
  }
  // no side tables (or many items need attention): one pass, no sort, over only as many items
  // as it takes to fill each group to what the counts say it will hold
  const c = step.counts;
  const want = [Math.min(c.inDoubt, max)];
  want.push(Math.min(c.failed, max - want[0]!));
  want.push(Math.min(c.running, max - want[0]! - want[1]!));
  want.push(max - want[0]! - want[1]! - want[2]!);
  const byRank: string[][] = [[], [], [], []];
  let short = want.filter((w) => w > 0).length;
  for (const k of step.itemOrder) {
    const r = rank(k);
    const g = byRank[r]!;
    if (g.length < max) g.push(k);
    if (g.length === want[r]) short--;
    if (short === 0) break;
  }
  return byRank.flat().slice(0, max);
}

/** Everything but the log, top to bottom. */
export function detailTop(step: StepView, waiting: boolean, width: number, now: number, steps?: ReadonlyMap<string, StepView>, maxItems = MAX_ITEMS): Line[] {
  const out = header(step, waiting, width, now, steps);
  if (step.info.instructions) {
    out.push(blank(), line(seg('Instructions', 'heading')));
    out.push(...renderMarkdown(placeholders(step.info.instructions, steps), width));
  }
  const single = !step.info.fanOut && step.itemOrder.length <= 1;
  const only = single ? step.items[step.itemOrder[0] ?? '-'] : undefined;
  if (only?.input !== undefined) {
    out.push(blank(), line(seg('Input', 'heading'), seg(only.action ? `  ${only.action}` : '', 'dim')));
    out.push(...valueLines(only.input, width));
  }
  if (only) {
    const d = itemDetail(only, now);
    if (d) out.push(blank(), ...wrap(line(seg(only.error ? 'Error: ' : 'Result: ', only.error ? 'error' : 'bold'), d), width, 2));
  }
  const nothing = (v: unknown) => v === null || v === undefined || (typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => x === null || x === undefined));
  if (!nothing(step.outputs)) {
    out.push(blank(), line(seg('Outputs', 'heading')));
    out.push(...valueLines(step.outputs, width));
  } else if (only && !nothing(only.output)) {
    out.push(blank(), line(seg('Output', 'heading')));
    out.push(...valueLines(only.output, width));
  }
  if (!single && step.itemOrder.length > 0) {
    out.push(blank(), line(seg('Items', 'heading'), seg(`  ${countsText(step)}`, 'dim')));
    const keys = shownItems(step, Math.min(MAX_ITEMS, maxItems));
    for (const k of keys) {
      const it = step.items[k];
      if (!it) continue;
      const word = ITEM_WORD[it.status];
      const st = it.retry ? 'retrying' : word;
      const d = itemDetail(it, now);
      out.push(...wrap(line(seg(`${ICON[st]} ${st.padEnd(8)} `, it.status === 'failed' ? 'error' : it.status === 'in-doubt' ? 'warn' : it.status === 'ok' ? 'ok' : undefined), seg(k, 'bold'), d ? seg(`  ${d}`, 'dim') : ''), width, 11));
    }
    if (step.itemOrder.length > keys.length) out.push(line(seg(`… ${step.itemOrder.length - keys.length} more items`, 'dim')));
  }
  return out;
}

export function detailLog(step: StepView, width: number): { title: Line; lines: Line[] } {
  const { lines, total } = step.log;
  const fan = step.info.fanOut || step.itemOrder.length > 1;
  const title = line(
    seg('Log', 'heading'),
    seg(total === 0 ? '  (no output yet)' : total > lines.length ? `  last ${lines.length} of ${total.toLocaleString('en-US')} lines` : `  ${total} line${total === 1 ? '' : 's'}`, 'dim'),
  );
  const out: Line[] = lines.map((l) => {
    const style = l.stream === 'stderr' || l.stream === 'warn' ? 'warn' : l.stream === 'debug' ? 'dim' : undefined;
    return line(fan && l.item !== '-' ? seg(`[${l.item}] `, 'dim') : '', seg(l.text.slice(0, width * 2), style));
  });
  return { title, lines: out };
}

/**
 * The window shown in `height` rows. Automatic (scroll === null): the top, with the newest
 * log lines pinned at the bottom; otherwise a scrolled window over everything.
 */
export function detailWindow(top: Line[], log: { title: Line; lines: Line[] }, height: number, scroll: number | null): { lines: Line[]; scrolled: number; max: number } {
  const all = [...top, blank(), log.title, ...log.lines];
  const max = Math.max(0, all.length - height);
  if (scroll !== null) {
    const at = Math.min(scroll, max);
    return { lines: all.slice(at, at + height), scrolled: at, max };
  }
  if (all.length <= height) return { lines: all, scrolled: 0, max };
  const logRows = Math.min(log.lines.length, Math.max(height - 2 - top.length, Math.floor(height / 2)));
  const topRows = Math.max(1, height - logRows - 2);
  const shownTop = top.length > topRows ? [...top.slice(0, topRows - 1), line(seg(`… ${top.length - topRows + 1} more line${top.length - topRows + 1 === 1 ? '' : 's'} (PgDn)`, 'dim'))] : top;
  return { lines: [...shownTop, blank(), log.title, ...log.lines.slice(-logRows)].slice(0, height), scrolled: 0, max };
}
