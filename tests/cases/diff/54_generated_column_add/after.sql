CREATE TABLE line_item (
    id integer CONSTRAINT line_item_pkey PRIMARY KEY,
    quantity integer NOT NULL,
    unit_price numeric(10, 2) NOT NULL,
    total numeric(12, 2) GENERATED ALWAYS AS (quantity * unit_price) STORED
);
