CREATE TABLE account (account_id integer NOT NULL, handle text NOT NULL);
CREATE UNIQUE INDEX account_pkey ON account (account_id);
