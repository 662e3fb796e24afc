CREATE TABLE memory_assets (asset_id text PRIMARY KEY, owner_address text NOT NULL);
CREATE TABLE memory_batches (batch_id uuid PRIMARY KEY, owner_address text NOT NULL);

-- FORCE alone does not enable row-level security.
ALTER TABLE memory_assets FORCE ROW LEVEL SECURITY;

CREATE POLICY owner_access ON memory_assets
USING (owner_address = current_setting('app.current_user', TRUE));
CREATE POLICY owner_reads ON memory_assets FOR SELECT
USING (owner_address = current_setting('app.current_user', TRUE));

-- Enabled: fine.
ALTER TABLE memory_batches ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner_access ON memory_batches
USING (owner_address = current_setting('app.current_user', TRUE));
