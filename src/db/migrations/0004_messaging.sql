-- Messaging: what the dispatcher sends, what providers report back, what debtors reply.
-- Contract with 0002_contacts.sql: the dispatcher claims scheduled_contacts rows (status
-- 'scheduled' -> 'claimed' -> sent/delivered/read/failed/suppressed) and writes one message per
-- contact, keyed by the contact's idempotency key. See docs/messaging.md.

-- Expired claims (a crashed dispatcher, a retry waiting for its backoff) are taken again.
CREATE INDEX scheduled_contacts_claim_expiry_idx ON scheduled_contacts (claim_expires_at) WHERE status = 'claimed';
-- Cancelling what is pending to an address that just opted out.
CREATE INDEX scheduled_contacts_destination_idx ON scheduled_contacts (tenant_id, destination) WHERE status IN ('scheduled','claimed');

-- One row per send: per scheduled contact (key = the contact's idempotency key) or per ad-hoc send.
-- PII: `destination`, `subject` and `body` are personal data. Bodies are kept for the record-keeping
-- period (tenant setting messaging.bodyRetentionDays, default 1095 days: Reg F 1006.100) and then
-- purged by the nightly job, which keeps `body_sha256`, the template and its version, so what was
-- sent can still be proven and re-rendered.
CREATE TABLE messages (
  tenant_id         text NOT NULL,
  id                text NOT NULL,
  idempotency_key   text NOT NULL,
  scheduled_contact_id text,
  debtor_id         text,
  account_id        text,
  contact_point_id  text,
  channel           text NOT NULL CHECK (channel IN ('sms','whatsapp','email')),
  provider          text NOT NULL CHECK (provider IN ('smtp','twilio','meta','sandbox')),
  purpose           text,
  template_ref      text,
  template_version  integer,
  language          text,
  -- 'template' or 'free_form' (WhatsApp inside the 24-hour window).
  content_kind      text NOT NULL DEFAULT 'template',
  destination       text NOT NULL,
  subject           text,
  body              text,
  body_sha256       text,
  body_purged_at    timestamptz,
  external_id       text,
  -- sending: handed to the adapter, outcome not recorded yet (a crash here is reconciled).
  -- retrying: a transient failure, next_attempt_at says when. The rest are provider states.
  status            text NOT NULL CHECK (status IN ('sending','retrying','queued','sent','delivered','read','undelivered','failed','bounced')),
  error_code        text,
  error_kind        text,
  error_scope       text,
  provider_error_code text,
  error_message     text,
  attempts          integer NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz,
  send_started_at   timestamptz,
  sent_at           timestamptz,
  delivered_at      timestamptz,
  read_at           timestamptz,
  failed_at         timestamptz,
  clicked_at        timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, idempotency_key)
);
CREATE UNIQUE INDEX messages_external_idx ON messages (provider, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX messages_debtor_idx ON messages (tenant_id, debtor_id, created_at);
CREATE INDEX messages_contact_idx ON messages (tenant_id, scheduled_contact_id);
CREATE INDEX messages_retention_idx ON messages (created_at) WHERE body IS NOT NULL;

-- Every receipt, once: a provider repeating a callback adds nothing.
CREATE TABLE message_status_history (
  tenant_id    text NOT NULL,
  message_id   text NOT NULL,
  status       text NOT NULL CHECK (status IN ('queued','sent','delivered','read','undelivered','failed','bounced','clicked')),
  provider_at  timestamptz,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  error_code   text,
  provider_error_code text,
  PRIMARY KEY (tenant_id, message_id, status),
  FOREIGN KEY (tenant_id, message_id) REFERENCES messages(tenant_id, id) ON DELETE CASCADE
);

-- Replies from debtors (the timeline), matched to a debtor and contact point by address.
CREATE TABLE inbound_messages (
  tenant_id        text NOT NULL,
  id               text NOT NULL,
  provider         text NOT NULL,
  external_id      text NOT NULL,
  channel          text NOT NULL,
  from_address     text NOT NULL,
  to_address       text NOT NULL,
  body             text NOT NULL,
  content_type     text NOT NULL DEFAULT 'text',
  debtor_id        text,
  contact_point_id text,
  -- opt_out, opt_in, help, or null (for the conversation handler).
  keyword_action   text,
  received_at      timestamptz NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, provider, external_id)
);
CREATE INDEX inbound_messages_debtor_idx ON inbound_messages (tenant_id, debtor_id, received_at);
CREATE INDEX inbound_messages_from_idx ON inbound_messages (tenant_id, from_address, received_at);

-- What the sandbox channel "sends" and what testers reply as the debtor (the web inbox).
CREATE TABLE sandbox_messages (
  tenant_id       text NOT NULL,
  id              text NOT NULL,
  direction       text NOT NULL CHECK (direction IN ('outbound','inbound')),
  channel         text NOT NULL,
  idempotency_key text,
  to_address      text NOT NULL,
  from_address    text NOT NULL,
  subject         text,
  body            text NOT NULL,
  html            text,
  template        text,
  status          text NOT NULL,
  error           jsonb,
  created_at      timestamptz NOT NULL,
  seq             bigserial,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX sandbox_messages_key_idx ON sandbox_messages (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX sandbox_messages_to_idx ON sandbox_messages (tenant_id, to_address, seq);
CREATE INDEX sandbox_messages_from_idx ON sandbox_messages (tenant_id, from_address, seq);

-- Tracked links (payment/portal link, e-mail unsubscribe): /l/{token} and /u/{token}.
CREATE TABLE tracked_links (
  token       text PRIMARY KEY,
  tenant_id   text NOT NULL,
  message_id  text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('link','unsubscribe')),
  url         text,
  clicks      integer NOT NULL DEFAULT 0,
  first_clicked_at timestamptz,
  last_clicked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, message_id, kind)
);

-- Provider configuration per tenant. `config_enc` holds the adapter configuration and its
-- secrets, encrypted with AES-256-GCM (key: TACTO_SECRET_KEY or <data dir>/secret.key);
-- `summary` is the printable form with secrets replaced.
CREATE TABLE channel_configs (
  tenant_id     text NOT NULL REFERENCES tenants(id),
  provider      text NOT NULL CHECK (provider IN ('smtp','twilio','meta','sandbox')),
  channels      text[] NOT NULL,
  config_enc    text NOT NULL,
  summary       jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Token bucket of this tenant on this provider, and reconciliation timing.
  rate_per_second double precision NOT NULL DEFAULT 20,
  burst         integer NOT NULL DEFAULT 40,
  reconcile_after_seconds integer NOT NULL DEFAULT 600,
  max_attempts  integer NOT NULL DEFAULT 6,
  -- Set on an account-scoped failure (credentials, suspension): sends wait until it is cleared or passes.
  paused_until  timestamptz,
  paused_reason text,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, provider)
);
-- Token buckets, one per key: '<tenant>:<provider>' (the channel config's rate) and '<tenant>:*'
-- (the tenant's overall rate, tenants.settings.messaging.ratePerSecond, when set).
CREATE TABLE rate_buckets (
  key        text PRIMARY KEY,
  tokens     double precision NOT NULL,
  updated_at timestamptz NOT NULL
);

-- WhatsApp 24-hour customer-service window: opened by the debtor's own last message.
CREATE TABLE whatsapp_sessions (
  tenant_id       text NOT NULL,
  address         text NOT NULL,
  last_inbound_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, address)
);
