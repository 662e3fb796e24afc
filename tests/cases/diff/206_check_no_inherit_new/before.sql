CREATE TABLE event_log (event_id integer NOT NULL, kind text NOT NULL);
CREATE TABLE event_log_2024 () INHERITS (event_log);
