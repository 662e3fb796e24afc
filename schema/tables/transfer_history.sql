-- Append-only record of ownership transfers (the application may not update or delete it).
CREATE TABLE transfer_history (
    transfer_id bigint GENERATED ALWAYS AS IDENTITY,
    asset_id text NOT NULL,
    from_address text NOT NULL,
    to_address text NOT NULL,
    tx_signature text NOT NULL,
    transferred_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT transfer_history_pkey PRIMARY KEY (transfer_id),
    -- The transfer trail is an audit record: an asset with transfers cannot be deleted.
    CONSTRAINT transfer_history_asset_id_fkey FOREIGN KEY (asset_id)
    REFERENCES memory_assets (asset_id) ON DELETE RESTRICT,
    -- One transaction may move several assets, but each asset once.
    CONSTRAINT transfer_history_tx_signature_asset_id_key UNIQUE (tx_signature, asset_id),
    CONSTRAINT transfer_history_from_address_base58 CHECK (
        from_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
    ),
    CONSTRAINT transfer_history_to_address_base58 CHECK (
        to_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
    ),
    CONSTRAINT transfer_history_to_address_differs CHECK (to_address <> from_address),
    CONSTRAINT transfer_history_tx_signature_base58 CHECK (
        tx_signature ~ '^[1-9A-HJ-NP-Za-km-z]{87,88}$'
    )
);

-- Owned by the schema owner role, not by whoever applied it.
ALTER TABLE transfer_history OWNER TO memory_owner;

-- Foreign key support and an asset's provenance, newest first.
CREATE INDEX transfer_history_asset_id_transferred_at_idx
ON transfer_history (asset_id, transferred_at DESC);

-- Transfers out of and into a wallet.
CREATE INDEX transfer_history_from_address_transferred_at_idx
ON transfer_history (from_address, transferred_at DESC);
CREATE INDEX transfer_history_to_address_transferred_at_idx
ON transfer_history (to_address, transferred_at DESC);

-- Row-level security, forced so that it binds the owner role too (its own policy
-- lets it see every row); policies in policies/transfer_history.sql.
ALTER TABLE transfer_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfer_history FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE transfer_history IS
'Ownership transfers of memory assets: the complete, append-only provenance trail.';
COMMENT ON COLUMN transfer_history.from_address IS
'Base58 wallet that owned the asset before the transfer.';
COMMENT ON COLUMN transfer_history.to_address IS
'Base58 wallet that owns the asset after the transfer.';
COMMENT ON COLUMN transfer_history.tx_signature IS
'Base58 signature (87-88 characters) of the transfer transaction.';
COMMENT ON COLUMN transfer_history.transferred_at IS
'Block time of the transfer.';
