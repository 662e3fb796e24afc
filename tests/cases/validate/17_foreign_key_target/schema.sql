CREATE TABLE merkle_trees (
    tree_address text PRIMARY KEY,
    authority_address text NOT NULL,
    tree_slot integer NOT NULL,
    CONSTRAINT merkle_trees_authority_slot_key UNIQUE (authority_address, tree_slot)
);
CREATE UNIQUE INDEX merkle_trees_slot_idx ON merkle_trees (tree_slot);
CREATE UNIQUE INDEX merkle_trees_active_authority_idx ON merkle_trees (authority_address) WHERE tree_slot > 0;
CREATE TABLE wallets (wallet_address text NOT NULL);

CREATE TABLE memory_assets (
    asset_id text PRIMARY KEY,
    tree_address text REFERENCES merkle_trees,
    authority_address text,
    tree_slot integer,
    owner_address text REFERENCES wallets,
    CONSTRAINT memory_assets_authority_fkey FOREIGN KEY (authority_address)
    REFERENCES merkle_trees (authority_address),
    CONSTRAINT memory_assets_slot_fkey FOREIGN KEY (tree_slot)
    REFERENCES merkle_trees (tree_slot),
    CONSTRAINT memory_assets_authority_slot_fkey FOREIGN KEY (tree_slot, authority_address)
    REFERENCES merkle_trees (tree_slot, authority_address),
    CONSTRAINT memory_assets_pair_fkey FOREIGN KEY (tree_address, tree_slot)
    REFERENCES merkle_trees (tree_address)
);
CREATE INDEX memory_assets_tree_address_idx ON memory_assets (tree_address, tree_slot);
CREATE INDEX memory_assets_authority_address_idx ON memory_assets (authority_address, tree_slot);
CREATE INDEX memory_assets_tree_slot_idx ON memory_assets (tree_slot);
CREATE INDEX memory_assets_owner_address_idx ON memory_assets (owner_address);
