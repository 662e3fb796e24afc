CREATE TABLE notice (notice_id integer CONSTRAINT notice_pkey PRIMARY KEY, body text);
CREATE VIEW notice_v AS SELECT notice_id FROM notice;
GRANT SELECT ON notice_v TO PUBLIC;
GRANT INSERT ON notice TO PUBLIC;
