-- Who may access which memory asset, for how long and how many times. A grant is
-- active while it is not revoked, not expired and not used up.
CREATE TABLE access_grants (
    grant_id bigint GENERATED ALWAYS AS IDENTITY,
    asset_id text NOT NULL,
    grantor_address text NOT NULL,
    grantee_address text NOT NULL,
    permission text NOT NULL DEFAULT 'view',
    max_uses integer,
    use_count integer NOT NULL DEFAULT 0,
    granted_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT access_grants_pkey PRIMARY KEY (grant_id),
    -- A grant means nothing without its asset: it goes with it.
    CONSTRAINT access_grants_asset_id_fkey FOREIGN KEY (asset_id)
    REFERENCES memory_assets (asset_id) ON DELETE CASCADE,
    CONSTRAINT access_grants_grantor_address_base58 CHECK (
        grantor_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
    ),
    CONSTRAINT access_grants_grantee_address_base58 CHECK (
        grantee_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
    ),
    CONSTRAINT access_grants_grantee_address_not_grantor CHECK (
        grantee_address <> grantor_address
    ),
    CONSTRAINT access_grants_permission_valid CHECK (permission IN ('view', 'download')),
    -- NULL max_uses means unlimited; a limit of zero uses would be a revoked grant.
    CONSTRAINT access_grants_max_uses_positive CHECK (max_uses > 0),
    -- Usage limits cannot be exceeded.
    CONSTRAINT access_grants_use_count_within_limit CHECK (
        use_count >= 0 AND (max_uses IS NULL OR use_count <= max_uses)
    ),
    CONSTRAINT access_grants_expires_at_after_granted CHECK (expires_at > granted_at),
    CONSTRAINT access_grants_revoked_at_after_granted CHECK (revoked_at >= granted_at),
    CONSTRAINT access_grants_last_used_at_after_granted CHECK (last_used_at >= granted_at)
);

-- Owned by the schema owner role, not by whoever applied it.
ALTER TABLE access_grants OWNER TO memory_owner;

-- Foreign key support (cascading deletes from memory_assets) and grants of one asset.
CREATE INDEX access_grants_asset_id_idx ON access_grants (asset_id);

-- Usage example "Check active access grants": WHERE grantee_address = ? AND revoked_at IS NULL.
CREATE INDEX access_grants_grantee_address_active_idx
ON access_grants (grantee_address)
WHERE revoked_at IS NULL;

-- Grants an owner has given.
CREATE INDEX access_grants_grantor_address_idx ON access_grants (grantor_address);

-- Wallet-scoped like memory_assets (policies grantor_access and grantee_read): a wallet
-- sees the grants it gave or received and writes only those it gave. FORCE: the policies
-- bind the table owner too (superusers and BYPASSRLS roles still bypass them).
ALTER TABLE access_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_grants FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE access_grants IS
'Access grants on memory assets: time-limited (expires_at), usage-limited (max_uses) and revocable (revoked_at).';
COMMENT ON COLUMN access_grants.grantor_address IS
'Base58 wallet that gave the grant (normally the asset owner).';
COMMENT ON COLUMN access_grants.grantee_address IS
'Base58 wallet that receives access.';
COMMENT ON COLUMN access_grants.permission IS
'view: see the asset and its content; download: also fetch the original content.';
COMMENT ON COLUMN access_grants.max_uses IS
'Maximum number of uses; NULL means unlimited.';
COMMENT ON COLUMN access_grants.use_count IS
'Uses so far; never exceeds max_uses.';
COMMENT ON COLUMN access_grants.expires_at IS
'End of validity; NULL means no expiry.';
COMMENT ON COLUMN access_grants.revoked_at IS
'When the grant was revoked; NULL while it stands. Grants are revoked, never deleted.';
COMMENT ON COLUMN access_grants.last_used_at IS
'When the grant was last used.';
