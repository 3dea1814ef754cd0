-- Scoring models per tenant (issue 6): each save of a name is a new version; the model document is
-- the versioned JSON of docs/scoring.md (validated by the application on load).
CREATE TABLE scoring_models (
  tenant_id   text NOT NULL REFERENCES tenants(id),
  name        text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
  version     integer NOT NULL CHECK (version > 0),
  kind        text NOT NULL CHECK (kind IN ('scorecard', 'gbm')),
  model       jsonb NOT NULL,
  rows        integer NOT NULL,
  auc         double precision,
  trained_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, name, version)
);
