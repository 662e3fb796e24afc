CREATE ROLE sc_case_68_service NOLOGIN;

CREATE TABLE memory_assets (
    asset_id text CONSTRAINT memory_assets_pkey PRIMARY KEY
        CONSTRAINT memory_assets_asset_id_check CHECK (asset_id ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
    owner_address text NOT NULL
        CONSTRAINT memory_assets_owner_address_check CHECK (owner_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
    title text NOT NULL
);

CREATE TABLE access_grants (
    grant_id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT access_grants_pkey PRIMARY KEY,
    asset_id text NOT NULL CONSTRAINT access_grants_asset_id_fkey REFERENCES memory_assets (asset_id) ON DELETE CASCADE,
    grantee_address text NOT NULL
        CONSTRAINT access_grants_grantee_address_check CHECK (grantee_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
    revoked_at timestamptz
);

ALTER TABLE memory_assets ENABLE ROW LEVEL SECURITY;

CREATE POLICY owner_access ON memory_assets
    FOR ALL TO sc_case_68_service
    USING (owner_address = current_setting('app.current_user', true));

COMMENT ON POLICY owner_access ON memory_assets IS 'Owners see their own assets; fail-closed when app.current_user is unset.';
GRANT SELECT, INSERT, UPDATE ON memory_assets TO sc_case_68_service;
GRANT SELECT ON access_grants TO sc_case_68_service;
