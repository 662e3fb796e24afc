CREATE DOMAIN leaf_index AS bigint CHECK (VALUE >= 0);
CREATE TABLE memory_asset (asset_id text NOT NULL, leaf leaf_index);
