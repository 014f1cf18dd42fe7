/**
 * The shared journal's tables on PostgreSQL (docs/team-mode.md shows this SQL; an administrator
 * runs it once; `runbook` itself never creates or alters tables).
 *
 * - runbook_incidents: one row per incident — the lease (generation, holder, expiry) and the
 *   head of the hash chain (last seq and its line's hash).
 * - runbook_records: one row per journal record — the record's exact line (the same line the
 *   file journal writes: checksum and `prev` link inside), plus the columns the database checks.
 *
 * The database, not the client, enforces the two rules that matter:
 * - fencing: a record carrying a lease generation is refused unless it is the incident's
 *   current generation (a runner that lost its lease cannot write); a record without one is
 *   an operator's answer (approval, manual tick, settlement, note) from outside the lease;
 * - the chain: seq must be head+1 and prev the head's hash; the head moves with each insert.
 * Records are append-only: a trigger refuses UPDATE and DELETE even for the owner, and the
 * tool's role is granted only SELECT and INSERT on them.
 * Each insert notifies channel `runbook_journal` with "INCIDENT SEQ" (runbook attach listens).
 */
export const PG_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS runbook_incidents (
  id            text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
  generation    bigint NOT NULL DEFAULT 0,
  holder        jsonb,
  lease_expires timestamptz,
  head_seq      bigint NOT NULL DEFAULT 0,
  head_hash     text NOT NULL DEFAULT '00000000000000000000000000000000',
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS runbook_records (
  incident   text NOT NULL REFERENCES runbook_incidents(id),
  seq        bigint NOT NULL,
  generation bigint,
  type       text NOT NULL,
  op         text NOT NULL,
  ts         timestamptz NOT NULL,
  prev       text NOT NULL,
  hash       text NOT NULL,
  line       text NOT NULL,
  PRIMARY KEY (incident, seq)
);

CREATE OR REPLACE FUNCTION runbook_records_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  inc runbook_incidents%ROWTYPE;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    RAISE EXCEPTION 'runbook: journal records are append-only (% refused)', TG_OP USING ERRCODE = 'RB002';
  END IF;
  SELECT * INTO inc FROM runbook_incidents WHERE id = NEW.incident FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'runbook: no incident %', NEW.incident USING ERRCODE = 'RB003';
  END IF;
  IF NEW.generation IS NULL THEN
    IF NEW.type NOT IN ('approval', 'manual', 'settled', 'note') THEN
      RAISE EXCEPTION 'runbook: a % record needs the lease', NEW.type USING ERRCODE = 'RB001';
    END IF;
  ELSIF NEW.generation <> inc.generation THEN
    RAISE EXCEPTION 'runbook: fenced: lease generation % is not the current generation %', NEW.generation, inc.generation USING ERRCODE = 'RB001';
  END IF;
  IF NEW.seq <> inc.head_seq + 1 OR NEW.prev <> inc.head_hash THEN
    RAISE EXCEPTION 'runbook: record % does not follow the head % of incident %', NEW.seq, inc.head_seq, NEW.incident USING ERRCODE = 'RB004';
  END IF;
  UPDATE runbook_incidents SET head_seq = NEW.seq, head_hash = NEW.hash WHERE id = NEW.incident;
  PERFORM pg_notify('runbook_journal', NEW.incident || ' ' || NEW.seq);
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS runbook_records_guard ON runbook_records;
CREATE TRIGGER runbook_records_guard BEFORE INSERT OR UPDATE OR DELETE ON runbook_records
  FOR EACH ROW EXECUTE FUNCTION runbook_records_guard();
DROP TRIGGER IF EXISTS runbook_records_no_truncate ON runbook_records;
CREATE TRIGGER runbook_records_no_truncate BEFORE TRUNCATE ON runbook_records
  FOR EACH STATEMENT EXECUTE FUNCTION runbook_records_guard();
`;

/** What the tool's role needs (ROLE is a placeholder for the role's name). */
export const PG_GRANTS_SQL = `
GRANT SELECT, INSERT, UPDATE ON runbook_incidents TO ROLE;
GRANT SELECT, INSERT ON runbook_records TO ROLE;
`;
