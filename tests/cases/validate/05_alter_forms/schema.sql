CREATE ROLE app_owner NOLOGIN;

CREATE TABLE cost_tracking (
    cost_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    wallet_address text NOT NULL,
    total_cost_lamports bigint NOT NULL
);

CREATE SEQUENCE invoice_numbers;

-- Declarative: allowed.
ALTER TABLE cost_tracking ADD COLUMN note text;
ALTER TABLE cost_tracking ADD CONSTRAINT cost_tracking_total_nonnegative CHECK (total_cost_lamports >= 0);
ALTER TABLE cost_tracking OWNER TO app_owner;
ALTER TABLE cost_tracking SET (autovacuum_vacuum_scale_factor = 0.05);
ALTER SEQUENCE invoice_numbers OWNED BY cost_tracking.cost_id;
-- States no CREATE can carry.
ALTER TABLE cost_tracking REPLICA IDENTITY FULL;
ALTER TABLE cost_tracking ALTER COLUMN wallet_address SET STATISTICS 500;
ALTER TABLE cost_tracking ALTER COLUMN wallet_address SET (n_distinct = -0.5);

-- Imperative: each describes a change, not a state.
ALTER TABLE cost_tracking ALTER COLUMN note SET DEFAULT '';
ALTER TABLE cost_tracking ALTER COLUMN wallet_address DROP NOT NULL;
ALTER TABLE cost_tracking DROP COLUMN note;
ALTER TABLE cost_tracking RENAME COLUMN note TO remark;
ALTER TABLE cost_tracking DISABLE ROW LEVEL SECURITY;
ALTER TABLE cost_tracking ADD COLUMN extra text, DROP CONSTRAINT cost_tracking_total_nonnegative;
ALTER SEQUENCE invoice_numbers RESTART WITH 100;
ALTER FUNCTION now() STABLE;
