CREATE FUNCTION net_of(gross numeric) RETURNS numeric LANGUAGE sql IMMUTABLE RETURN gross / 1.2;
CREATE TABLE sale (sale_id integer CONSTRAINT sale_pkey PRIMARY KEY, gross numeric NOT NULL);
CREATE VIEW sale_net AS SELECT sale_id, net_of(gross) AS net FROM sale;
