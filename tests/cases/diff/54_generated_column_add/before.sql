CREATE TABLE line_item (
    id integer CONSTRAINT line_item_pkey PRIMARY KEY,
    quantity integer NOT NULL,
    unit_price numeric(10, 2) NOT NULL
);
