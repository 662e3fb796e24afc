-- schemactl:renamed-from memory_nfts
CREATE TABLE memory_assets (
    asset_id text CONSTRAINT memory_assets_pkey PRIMARY KEY,
    -- schemactl:renamed-from name
    title text,
    summary text, -- schemactl:renamed-from abstract
    -- schemactl:renamed-from Bad Name
    notes text,
    -- schemactl:renamed-from title
    caption text,
    -- schemactl:renamed-from body
    -- schemactl:renamed-from text
    content text,
    -- schemactl:renamed-from name
    label text,
    -- schemactl:renamed-from nothing
    CONSTRAINT memory_assets_title_length CHECK (char_length(title) < 200)
);
-- schemactl:renamed-from memory_batches
CREATE TABLE batches (batch_id uuid CONSTRAINT batches_pkey PRIMARY KEY);
CREATE TABLE memory_batches (batch_id uuid CONSTRAINT memory_batches_pkey PRIMARY KEY);
-- schemactl:renamed-to somewhere
CREATE VIEW titles AS SELECT title FROM memory_assets; -- schemactl:renamed-from old_titles
