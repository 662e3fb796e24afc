CREATE ROLE sc_case_103_reader NOLOGIN;
CREATE TABLE ledger (
    id bigint NOT NULL,
    amount numeric NOT NULL,
    CONSTRAINT ledger_pkey PRIMARY KEY (id)
);
CREATE VIEW ledger_view AS SELECT id, amount FROM ledger;
GRANT INSERT ON ledger TO sc_case_103_reader;
GRANT SELECT ON ledger TO sc_case_103_reader WITH GRANT OPTION;
GRANT UPDATE (amount) ON ledger TO sc_case_103_reader WITH GRANT OPTION;
GRANT SELECT ON ledger_view TO sc_case_103_reader WITH GRANT OPTION;
