CREATE TYPE asset_state AS ENUM ('pending', 'minted', 'owner''s "hold"');
CREATE TABLE memory_asset (asset_id text NOT NULL, state asset_state NOT NULL DEFAULT 'pending');
