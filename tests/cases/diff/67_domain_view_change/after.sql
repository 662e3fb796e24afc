CREATE ROLE sc_case_67_service NOLOGIN;

CREATE TABLE memory_assets (
    asset_id text CONSTRAINT memory_assets_pkey PRIMARY KEY
        CONSTRAINT memory_assets_asset_id_check CHECK (asset_id ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
    owner_address text NOT NULL
        CONSTRAINT memory_assets_owner_address_check CHECK (owner_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
    title text NOT NULL,
    is_burned boolean NOT NULL DEFAULT false
);

CREATE TABLE access_grants (
    grant_id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT access_grants_pkey PRIMARY KEY,
    asset_id text NOT NULL CONSTRAINT access_grants_asset_id_fkey REFERENCES memory_assets (asset_id) ON DELETE CASCADE,
    grantee_address text NOT NULL
        CONSTRAINT access_grants_grantee_address_check CHECK (grantee_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
    expires_at timestamptz,
    revoked_at timestamptz
);

CREATE VIEW active_memory_assets AS
SELECT a.asset_id, a.owner_address, a.title,
       count(g.grant_id) AS grant_count,
       max(g.expires_at) AS last_grant_expires_at
FROM memory_assets a
LEFT JOIN access_grants g ON g.asset_id = a.asset_id AND g.revoked_at IS NULL
    AND (g.expires_at IS NULL OR g.expires_at > now())
WHERE NOT a.is_burned
GROUP BY a.asset_id;

COMMENT ON VIEW active_memory_assets IS 'Assets that are not burned, with the count and latest expiry of their unexpired, unrevoked grants.';
GRANT SELECT ON memory_assets, access_grants, active_memory_assets TO sc_case_67_service;
