CREATE TABLE memory_asset (asset_id text NOT NULL);
