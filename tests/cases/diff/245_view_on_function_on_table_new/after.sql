CREATE TABLE stock (sku text CONSTRAINT stock_pkey PRIMARY KEY, qty integer NOT NULL);
CREATE FUNCTION qty_of(wanted text) RETURNS integer LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT qty FROM stock WHERE sku = wanted;
END;
CREATE VIEW low_stock AS SELECT sku FROM stock WHERE qty_of(sku) < 5;
CREATE VIEW low_stock_count AS SELECT count(*) AS n FROM low_stock;
