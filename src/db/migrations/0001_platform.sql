-- Tacto platform schema: tenancy, portfolio, ledger, outbox, imports.
-- Conventions: every tenant-owned table leads its primary key and indexes with tenant_id (row-level
-- security and distribution by tenant later need nothing more); money is bigint minor units plus
-- char(3) ISO 4217; instants are timestamptz (UTC), calendar dates are date.

CREATE TABLE tenants (
  id          text PRIMARY KEY,
  slug        text NOT NULL UNIQUE,
  name        text NOT NULL,
  country     char(2) NOT NULL DEFAULT 'ES',
  settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- API keys are stored as SHA-256 of the secret; only the prefix is shown again.
CREATE TABLE api_keys (
  tenant_id    text NOT NULL REFERENCES tenants(id),
  id           text NOT NULL,
  name         text NOT NULL,
  prefix       text NOT NULL,
  secret_hash  text NOT NULL UNIQUE,
  scopes       text[] NOT NULL DEFAULT ARRAY['*'],
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz,
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE creditors (
  tenant_id     text NOT NULL REFERENCES tenants(id),
  id            text NOT NULL,
  external_ref  text NOT NULL,
  name          text NOT NULL,
  tax_id        text,
  country       char(2) NOT NULL DEFAULT 'ES',
  -- Payment allocation order, e.g. {fees,interest,principal} (the default).
  allocation_order text[] NOT NULL DEFAULT ARRAY['fees','interest','principal'],
  -- Channels this creditor (or the agency on its behalf) may use; WhatsApp is off by default.
  allowed_channels text[] NOT NULL DEFAULT ARRAY['sms','email','call','letter'],
  first_party   boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, external_ref)
);

CREATE TABLE debtors (
  tenant_id     text NOT NULL,
  id            text NOT NULL,
  creditor_id   text NOT NULL,
  external_ref  text NOT NULL,
  kind          text NOT NULL DEFAULT 'person' CHECK (kind IN ('person','company')),
  given_name    text,
  family_name   text,
  company_name  text,
  national_id   text,
  birth_date    date,
  language      text NOT NULL DEFAULT 'es' CHECK (language IN ('es','en','pt')),
  country       char(2) NOT NULL,
  region        text,
  timezone      text NOT NULL,
  preferences   jsonb NOT NULL DEFAULT '{}'::jsonb,
  vulnerability jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, creditor_id, external_ref),
  FOREIGN KEY (tenant_id, creditor_id) REFERENCES creditors(tenant_id, id)
);
CREATE INDEX debtors_name_idx ON debtors (tenant_id, family_name, given_name);

-- Phones (E.164), e-mails, WhatsApp numbers and postal addresses, each with its consent and
-- opt-out state: opting out is per channel and address (Reg F 1006.6(e), 1006.14(h)).
CREATE TABLE contact_points (
  tenant_id     text NOT NULL,
  id            text NOT NULL,
  debtor_id     text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('phone','email','whatsapp','address')),
  value         text NOT NULL,
  address       jsonb,
  label         text,
  is_primary    boolean NOT NULL DEFAULT false,
  consent       text NOT NULL DEFAULT 'unknown' CHECK (consent IN ('granted','denied','unknown')),
  consent_at    timestamptz,
  opted_out_at  timestamptz,
  opt_out_reason text,
  not_debtors   boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, debtor_id, kind, value),
  FOREIGN KEY (tenant_id, debtor_id) REFERENCES debtors(tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE accounts (
  tenant_id        text NOT NULL,
  id               text NOT NULL,
  creditor_id      text NOT NULL,
  debtor_id        text NOT NULL,
  external_ref     text NOT NULL,
  product          text NOT NULL,
  currency         char(3) NOT NULL,
  -- Original amount lent / placed, and the outstanding balance by component.
  original_principal_minor bigint NOT NULL CHECK (original_principal_minor >= 0),
  principal_minor  bigint NOT NULL DEFAULT 0 CHECK (principal_minor >= 0),
  interest_minor   bigint NOT NULL DEFAULT 0 CHECK (interest_minor >= 0),
  fees_minor       bigint NOT NULL DEFAULT 0 CHECK (fees_minor >= 0),
  -- Money received beyond what was owed, held until refunded or applied.
  credit_minor     bigint NOT NULL DEFAULT 0 CHECK (credit_minor >= 0),
  status           text NOT NULL DEFAULT 'active'
                   CHECK (status IN ('active','paid','settled','charged_off','closed','recalled')),
  opened_at        date,
  charged_off_at   date,
  -- Derived from the schedule (the oldest unpaid instalment) as of dpd_as_of; kept on the row so
  -- the daily run and filters read it without re-deriving.
  days_past_due    integer NOT NULL DEFAULT 0,
  bucket           text NOT NULL DEFAULT 'current',
  dpd_as_of        date,
  oldest_unpaid_due_date date,
  attributes       jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  version          integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, creditor_id, external_ref),
  FOREIGN KEY (tenant_id, creditor_id) REFERENCES creditors(tenant_id, id),
  FOREIGN KEY (tenant_id, debtor_id) REFERENCES debtors(tenant_id, id)
);
CREATE INDEX accounts_debtor_idx ON accounts (tenant_id, debtor_id);
CREATE INDEX accounts_bucket_idx ON accounts (tenant_id, bucket, status);

CREATE TABLE instalments (
  tenant_id    text NOT NULL,
  account_id   text NOT NULL,
  seq          integer NOT NULL CHECK (seq >= 1),
  due_date     date NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
  paid_minor   bigint NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
  PRIMARY KEY (tenant_id, account_id, seq),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE
);

-- The ledger: append-only. Payments, charges, adjustments and reversals; idempotent by the
-- sender's external id. `allocation` records how a payment was split so a reversal can undo it.
CREATE TABLE transactions (
  tenant_id    text NOT NULL,
  id           text NOT NULL,
  account_id   text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('payment','charge','adjustment','reversal')),
  component    text CHECK (component IN ('principal','interest','fees')),
  amount_minor bigint NOT NULL,
  currency     char(3) NOT NULL,
  occurred_at  timestamptz NOT NULL,
  external_id  text,
  reverses_id  text,
  allocation   jsonb NOT NULL DEFAULT '{}'::jsonb,
  method       text,
  note         text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, external_id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id)
);
CREATE INDEX transactions_account_idx ON transactions (tenant_id, account_id, occurred_at);
CREATE UNIQUE INDEX transactions_one_reversal_idx ON transactions (tenant_id, reverses_id) WHERE reverses_id IS NOT NULL;

-- Transactional outbox: written in the same transaction as the change it describes.
CREATE TABLE events (
  seq          bigserial PRIMARY KEY,
  tenant_id    text NOT NULL,
  id           text NOT NULL UNIQUE,
  type         text NOT NULL,
  subject_type text NOT NULL,
  subject_id   text NOT NULL,
  payload      jsonb NOT NULL,
  occurred_at  timestamptz NOT NULL DEFAULT now(),
  relayed_at   timestamptz
);
CREATE INDEX events_unrelayed_idx ON events (seq) WHERE relayed_at IS NULL;
CREATE INDEX events_tenant_idx ON events (tenant_id, seq);

CREATE TABLE webhook_endpoints (
  tenant_id   text NOT NULL REFERENCES tenants(id),
  id          text NOT NULL,
  url         text NOT NULL,
  secret      text NOT NULL,
  event_types text[] NOT NULL DEFAULT ARRAY['*'],
  active      boolean NOT NULL DEFAULT true,
  description text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE webhook_deliveries (
  tenant_id        text NOT NULL,
  id               text NOT NULL,
  endpoint_id      text NOT NULL,
  event_id         text NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','delivered','failed')),
  attempts         integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_error       text,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (endpoint_id, event_id),
  FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE imports (
  tenant_id      text NOT NULL REFERENCES tenants(id),
  id             text NOT NULL,
  filename       text NOT NULL,
  format         text NOT NULL,
  status         text NOT NULL CHECK (status IN ('running','completed','completed_with_errors','rejected','failed')),
  dry_run        boolean NOT NULL DEFAULT false,
  all_or_nothing boolean NOT NULL DEFAULT false,
  rows_total     integer NOT NULL DEFAULT 0,
  rows_imported  integer NOT NULL DEFAULT 0,
  rows_failed    integer NOT NULL DEFAULT 0,
  summary        jsonb NOT NULL DEFAULT '{}'::jsonb,
  started_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz,
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE import_errors (
  tenant_id  text NOT NULL,
  import_id  text NOT NULL,
  row_number integer NOT NULL,
  column_name text,
  value      text,
  code       text NOT NULL,
  reason     text NOT NULL,
  FOREIGN KEY (tenant_id, import_id) REFERENCES imports(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX import_errors_idx ON import_errors (tenant_id, import_id, row_number);

-- Every contact-policy decision the platform acts on, with the pack version (audit, 3 years).
CREATE TABLE policy_decisions (
  tenant_id    text NOT NULL,
  id           text NOT NULL,
  debtor_id    text,
  account_id   text,
  channel      text NOT NULL,
  proposed_at  timestamptz NOT NULL,
  allowed      boolean NOT NULL,
  reasons      jsonb NOT NULL,
  next_allowed_at timestamptz,
  pack_id      text NOT NULL,
  pack_version text NOT NULL,
  decided_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX policy_decisions_debtor_idx ON policy_decisions (tenant_id, debtor_id, decided_at);
