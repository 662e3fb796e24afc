CREATE TABLE access_grants (grant_id bigint PRIMARY KEY, grantee_address text NOT NULL);
CREATE TABLE memory_assets (asset_id text PRIMARY KEY, owner_address text NOT NULL);

-- Enabled with no policy: every row hidden from all but the owner.
ALTER TABLE access_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_grants FORCE ROW LEVEL SECURITY;

-- Enabled with a policy (defined in another file): fine.
ALTER TABLE memory_assets ENABLE ROW LEVEL SECURITY;
