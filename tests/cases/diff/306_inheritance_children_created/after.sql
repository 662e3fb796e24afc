CREATE TABLE chain_event (
    event_no bigint NOT NULL,
    signature text NOT NULL,
    observed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE mint_event (
    leaf_index integer NOT NULL,
    CONSTRAINT mint_event_leaf_index_check CHECK (leaf_index >= 0)
) INHERITS (chain_event);
CREATE TABLE burn_event () INHERITS (chain_event);
CREATE INDEX mint_event_signature_idx ON mint_event (signature);
