CREATE TABLE chain_event (event_no bigint NOT NULL, signature text NOT NULL, raw_log text);
CREATE TABLE mint_event (leaf_index integer NOT NULL) INHERITS (chain_event);
CREATE TABLE burn_event () INHERITS (chain_event);
