CREATE TABLE chain_event (
    event_no bigint NOT NULL,
    signature text NOT NULL
);
CREATE TABLE mint_event (
    leaf_index integer NOT NULL,
    slot bigint
) INHERITS (chain_event);
