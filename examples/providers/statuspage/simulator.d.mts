/** Types for ./simulator.mjs (so TypeScript tests can import it). */
export interface StatuspageIncident {
  id: string;
  page_id: string;
  name: string;
  status: 'investigating' | 'identified' | 'monitoring' | 'resolved';
  impact: string;
  shortlink: string;
  created_at: string;
  updated_at: string;
  metadata: Record<string, unknown>;
  incident_updates: { id: string; status: string; body: string; created_at: string }[];
  deliver_notifications: boolean;
}

export interface StatuspageSimulator {
  url: string;
  apiUrl: string;
  incidents: StatuspageIncident[];
  count(op: 'create' | 'update' | 'get' | 'list' | 'unresolved'): number;
  failNext(status: number, opts?: { retryAfterS?: number }): void;
  close(): Promise<void>;
}

export function startStatuspageSimulator(opts: { pageId: string; apiKey: string; port?: number }): Promise<StatuspageSimulator>;
