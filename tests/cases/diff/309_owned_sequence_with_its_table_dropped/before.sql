CREATE SEQUENCE batch_event_no_seq;
CREATE TABLE batch_event (
    event_no bigint NOT NULL DEFAULT nextval('batch_event_no_seq'),
    note text
);
ALTER SEQUENCE batch_event_no_seq OWNED BY batch_event.event_no;
CREATE TABLE batch_event_archive (
    event_no bigint NOT NULL DEFAULT nextval('batch_event_no_seq')
);
CREATE TABLE keeper (id integer);
