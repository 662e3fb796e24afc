CREATE ROLE sc_case_44_reader NOLOGIN;
COMMENT ON ROLE sc_case_44_reader IS 'Read-only access to reports.';

CREATE TABLE report (
    id integer CONSTRAINT report_pkey PRIMARY KEY,
    title text NOT NULL
);

GRANT SELECT ON report TO sc_case_44_reader;
