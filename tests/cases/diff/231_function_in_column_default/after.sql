CREATE FUNCTION default_note_title() RETURNS text LANGUAGE sql STABLE RETURN 'untitled ' || current_date;
CREATE TABLE note (note_id integer CONSTRAINT note_pkey PRIMARY KEY, title text NOT NULL DEFAULT default_note_title());
