/** runbook triage PATH… — `runbook scan` that checks liveness and names the runbook for each live credential (./scan.ts). */
export { triage as default } from './scan.js';
