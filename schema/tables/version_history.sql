-- Append-only versions of a memory asset's content: each new upload to Arweave is a
-- new version; the asset row points at the current one.
CREATE TABLE version_history (
    version_id bigint GENERATED ALWAYS AS IDENTITY,
    asset_id text NOT NULL,
    version integer NOT NULL,
    arweave_tx_id text NOT NULL,
    content_hash text NOT NULL,
    change_note text,
    created_by_address text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT version_history_pkey PRIMARY KEY (version_id),
    -- Versions are part of the asset: they go with it.
    CONSTRAINT version_history_asset_id_fkey FOREIGN KEY (asset_id)
    REFERENCES memory_assets (asset_id) ON DELETE CASCADE,
    -- One row per version number (also the asset_id foreign key's index).
    CONSTRAINT version_history_asset_id_version_key UNIQUE (asset_id, version),
    CONSTRAINT version_history_version_positive CHECK (version >= 1),
    CONSTRAINT version_history_arweave_tx_id_format CHECK (arweave_tx_id ~ '^[A-Za-z0-9_-]{43}$'),
    CONSTRAINT version_history_content_hash_sha256 CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT version_history_created_by_address_base58 CHECK (
        created_by_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
    )
);

-- Owned by the schema owner role, not by whoever applied it.
ALTER TABLE version_history OWNER TO memory_owner;

-- Row-level security, forced so that it binds the owner role too (its own policy
-- lets it see every row); policies in policies/version_history.sql.
ALTER TABLE version_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE version_history FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE version_history IS
'Content versions of memory assets: every Arweave upload of an asset, numbered from 1.';
COMMENT ON COLUMN version_history.version IS
'Version number within the asset, from 1, unique per asset.';
COMMENT ON COLUMN version_history.arweave_tx_id IS
'Arweave transaction id (43 characters of base64url) of this version''s content.';
COMMENT ON COLUMN version_history.content_hash IS
'SHA-256 of this version''s content, lowercase hex.';
COMMENT ON COLUMN version_history.change_note IS
'Optional description of what changed.';
COMMENT ON COLUMN version_history.created_by_address IS
'Base58 wallet that uploaded the version.';
