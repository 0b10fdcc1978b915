/**
 * The history schema, one step per entry, applied in order by `migrate` (src/store/history/migrate.ts). A step is
 * never edited once released: a change is a new step. Names are unqualified, so the schema chosen by the
 * connection's `search_path` holds them (tests use a schema of their own).
 */
export interface Migration {
  /** 1, 2, 3, ...: the schema version once this step has run. */
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'campaigns, attempts and finals',
    sql: `
CREATE TABLE campaigns (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  state       text NOT NULL,
  created_at  timestamptz NOT NULL,
  finished_at timestamptz,
  -- without the webhook's signing secret
  settings    jsonb NOT NULL,
  -- the live counters, the queue's counts, the causes table and ACD when it was archived
  counters    jsonb,
  queue       jsonb,
  causes      jsonb,
  archived_at timestamptz
);
CREATE INDEX campaigns_created_at ON campaigns (created_at DESC);

CREATE TABLE attempts (
  -- insertion order: "in the order they ended" for reports and the dashboard's latest results
  seq          bigint GENERATED ALWAYS AS IDENTITY,
  channel_id   text PRIMARY KEY,
  campaign_id  text NOT NULL,
  number       text NOT NULL,
  row          integer NOT NULL,
  attempt      integer NOT NULL,
  final        boolean NOT NULL,
  worker       text,
  status       text NOT NULL,
  disposition  text NOT NULL,
  answered     boolean NOT NULL,
  cause        integer NOT NULL,
  cause_txt    text NOT NULL,
  tech_cause   integer,
  dialstatus   text,
  message      text NOT NULL,
  endpoint     text NOT NULL,
  callerid     text NOT NULL,
  created_at   timestamptz,
  answered_at  timestamptz,
  ended_at     timestamptz,
  ring_s       double precision NOT NULL,
  talk_s       double precision NOT NULL,
  duration     double precision NOT NULL,
  retry_in_s   integer,
  reason       text,
  error_code   text,
  vars         jsonb,
  -- the record exactly as the dialer stored it (reports read this, so archived and live answers are the same)
  record       jsonb NOT NULL,
  archived_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attempts_campaign_seq ON attempts (campaign_id, seq);
CREATE INDEX attempts_campaign_disposition_seq ON attempts (campaign_id, disposition, seq);
CREATE INDEX attempts_number ON attempts (number, seq);

CREATE TABLE finals (
  campaign_id  text NOT NULL,
  number       text NOT NULL,
  -- empty for a number that placed no call (cancelled before dialing)
  channel_id   text NOT NULL,
  row          integer NOT NULL,
  attempt      integer NOT NULL,
  disposition  text NOT NULL,
  answered     boolean NOT NULL,
  ended_at     timestamptz,
  record       jsonb NOT NULL,
  seq          bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (campaign_id, number)
);
CREATE INDEX finals_campaign_seq ON finals (campaign_id, seq);
CREATE INDEX finals_number ON finals (number);
`,
  },
  {
    version: 2,
    name: 'contacts: campaign lists in PostgreSQL behind a hopper',
    sql: `
-- One row per number of a campaign whose list lives here (DATABASE_URL); Redis holds only the next few as jobs.
CREATE TABLE contacts (
  campaign_id   text NOT NULL,
  number        text NOT NULL,
  -- the line of its file (what results call "row"); seq orders rows across the files appended to a campaign
  row           integer NOT NULL,
  seq           bigint NOT NULL,
  -- higher first (the lead_priority column, or a call asked for over HTTP)
  lead_priority integer NOT NULL DEFAULT 0,
  -- waiting: in PostgreSQL only; queued: its job is (or was) in Redis; done: its final result is recorded
  state         text NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'queued', 'done')),
  -- what its dial job carries besides campaign, number and row (caller id, context, variables...), or null
  data          jsonb,
  PRIMARY KEY (campaign_id, number)
);
-- what the feeder takes next: only waiting rows are in it, so it stays small as a campaign progresses
CREATE INDEX contacts_next ON contacts (campaign_id, lead_priority DESC, seq) WHERE state = 'waiting';
CREATE INDEX contacts_queued ON contacts (campaign_id, seq) WHERE state = 'queued';
`,
  },
  {
    version: 3,
    name: 'attempts: what happened after the answer (keys, the message, opt-out, captured variables)',
    sql: `
ALTER TABLE attempts
  ADD COLUMN keys              text,
  ADD COLUMN first_key_s       double precision,
  ADD COLUMN flow              text,
  ADD COLUMN heard_s           double precision,
  ADD COLUMN message_done      boolean,
  ADD COLUMN opted_out         boolean,
  ADD COLUMN machine_message_s double precision,
  -- the last value of each variable the campaign captures ({"SURVEY_ANSWER": "1"})
  ADD COLUMN captured          jsonb;
-- "who opted out, when": the compliance question this table is asked most
CREATE INDEX attempts_opted_out ON attempts (campaign_id, seq) WHERE opted_out;
`,
  },
  {
    version: 4,
    name: "attempts: the call's recording",
    sql: `
-- {"name", "asterisk", "format", "duration_s", "state", "reason"?}: where the file is and how it went
ALTER TABLE attempts ADD COLUMN recording jsonb;
-- a campaign's recordings, for downloading or deleting them all
CREATE INDEX attempts_recorded ON attempts (campaign_id, seq) WHERE recording IS NOT NULL;
`,
  },
  {
    version: 5,
    name: 'audit: who did what',
    sql: `
-- every operator action (CLI, API, dashboard) and login; never a token
CREATE TABLE audit (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL,
  -- the token's name, "local" on an open dashboard, user@host from the CLI
  who         text NOT NULL,
  -- the client address (web) or the host (CLI)
  source      text NOT NULL,
  via         text NOT NULL,
  action      text NOT NULL,
  campaign_id text,
  outcome     text NOT NULL,
  detail      jsonb
);
CREATE INDEX audit_campaign ON audit (campaign_id, id) WHERE campaign_id IS NOT NULL;
CREATE INDEX audit_at ON audit (at);
`,
  },
  {
    version: 6,
    name: 'campaigns: when cancelled, and the time spent paused',
    sql: `
-- an archived campaign's end when an operator cancelled it (finished_at is for one that finished)
ALTER TABLE campaigns ADD COLUMN cancelled_at timestamptz;
-- milliseconds it spent paused: its pace and duration of dialing leave them out
ALTER TABLE campaigns ADD COLUMN paused_ms bigint NOT NULL DEFAULT 0;
`,
  },
  {
    version: 7,
    name: 'contacts: retries parked in the list',
    sql: `
-- retry: its next attempt waits here until not_before (not as a delayed job in Redis)
ALTER TABLE contacts DROP CONSTRAINT contacts_state_check;
ALTER TABLE contacts ADD CONSTRAINT contacts_state_check CHECK (state IN ('waiting', 'queued', 'retry', 'done'));
-- the attempt its next job is: 1 until a retry is parked
ALTER TABLE contacts ADD COLUMN attempt integer NOT NULL DEFAULT 1;
ALTER TABLE contacts ADD COLUMN not_before timestamptz;
CREATE INDEX contacts_retry ON contacts (campaign_id, not_before) WHERE state = 'retry';
`,
  },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)!.version;
