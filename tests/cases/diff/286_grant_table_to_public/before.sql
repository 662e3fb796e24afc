CREATE TABLE notice (notice_id integer CONSTRAINT notice_pkey PRIMARY KEY, body text);
