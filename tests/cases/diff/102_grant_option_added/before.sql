CREATE ROLE sc_case_102_reader NOLOGIN;
CREATE TABLE ledger (
    id bigint NOT NULL,
    amount numeric NOT NULL,
    CONSTRAINT ledger_pkey PRIMARY KEY (id)
);
CREATE VIEW ledger_view AS SELECT id, amount FROM ledger;
GRANT SELECT, INSERT ON ledger TO sc_case_102_reader;
GRANT SELECT ON ledger_view TO sc_case_102_reader;
