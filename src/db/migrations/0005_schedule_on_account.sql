-- The instalment schedule moves onto the account row, as three parallel arrays (due date, amount,
-- paid; element i is instalment i + 1). It is read and written whole with its account — the ledger
-- locks the account row anyway — and a typical 6–36-month schedule was ~17 rows in an indexed table
-- with a foreign key per row, about 80% of what an import wrote (docs/benchmarks.md, B1).
ALTER TABLE accounts
  ADD COLUMN schedule_due_dates     date[]   NOT NULL DEFAULT '{}',
  ADD COLUMN schedule_amounts_minor bigint[] NOT NULL DEFAULT '{}',
  ADD COLUMN schedule_paid_minor    bigint[] NOT NULL DEFAULT '{}',
  ADD CONSTRAINT accounts_schedule_shape CHECK (
    cardinality(schedule_due_dates) = cardinality(schedule_amounts_minor)
    AND cardinality(schedule_amounts_minor) = cardinality(schedule_paid_minor)
    AND cardinality(schedule_due_dates) <= 600);

UPDATE accounts a SET schedule_due_dates = s.due, schedule_amounts_minor = s.amount, schedule_paid_minor = s.paid
FROM (SELECT tenant_id, account_id, array_agg(due_date ORDER BY seq) AS due, array_agg(amount_minor ORDER BY seq) AS amount,
        array_agg(paid_minor ORDER BY seq) AS paid
      FROM instalments GROUP BY tenant_id, account_id) s
WHERE a.tenant_id = s.tenant_id AND a.id = s.account_id;

DROP TABLE instalments;

-- The oldest unpaid instalment due before a date, from the arrays (NULL when none): the one
-- definition of delinquency the nightly refresh and the import share with the ledger's daysPastDue.
CREATE FUNCTION oldest_unpaid_due(due date[], amount bigint[], paid bigint[], as_of date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$fn$ SELECT min(u.d) FROM unnest(due, amount, paid) AS u(d, a, p) WHERE u.p < u.a AND u.d < as_of $fn$;
