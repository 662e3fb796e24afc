CREATE TABLE chain_event (
    event_no bigint NOT NULL,
    signature text NOT NULL
);
CREATE TABLE note_event (
    note text DEFAULT 'a,
    "signature" text'
) INHERITS (chain_event);
