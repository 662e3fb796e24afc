CREATE ROLE sc_case_42_analyst NOLOGIN;
CREATE ROLE sc_case_42_partner NOLOGIN;

CREATE TABLE sale (
    id integer CONSTRAINT sale_pkey PRIMARY KEY,
    region text NOT NULL,
    amount numeric(12, 2) NOT NULL
);

CREATE VIEW sale_by_region AS
SELECT region, sum(amount) AS total FROM sale GROUP BY region;

GRANT SELECT ON sale TO sc_case_42_analyst;
GRANT SELECT ON sale_by_region TO sc_case_42_analyst;
GRANT SELECT ON sale_by_region TO sc_case_42_partner;
