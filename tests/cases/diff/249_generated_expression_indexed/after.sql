CREATE TABLE box (box_id integer CONSTRAINT box_pkey PRIMARY KEY, w integer NOT NULL, h integer NOT NULL, area integer GENERATED ALWAYS AS (w * h + 1) STORED);
CREATE INDEX box_area_idx ON box (area);
