CREATE TABLE chain_event (
    event_no bigint NOT NULL,
    signature text NOT NULL
);
