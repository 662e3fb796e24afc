CREATE ROLE sc_case_63_owner NOLOGIN;

CREATE TABLE setting (
    key text CONSTRAINT setting_pkey PRIMARY KEY,
    value text NOT NULL
);

CREATE VIEW setting_keys AS SELECT key FROM setting;

ALTER TABLE setting OWNER TO sc_case_63_owner;
ALTER VIEW setting_keys OWNER TO sc_case_63_owner;
