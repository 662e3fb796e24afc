-- Defined again in another file.
CREATE TABLE memory_assets (
    asset_id text PRIMARY KEY
);

-- A view cannot take a table's name.
CREATE VIEW memory_assets_owner_address_idx AS SELECT 1 AS one;

-- Different schema: no clash.
CREATE SCHEMA archive;
CREATE TABLE archive.memory_assets (
    asset_id text PRIMARY KEY
);
CREATE INDEX memory_assets_owner_address_idx ON archive.memory_assets (asset_id);
CREATE SEQUENCE archive.memory_assets;
