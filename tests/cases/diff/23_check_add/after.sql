CREATE TABLE product (
    id integer CONSTRAINT product_pkey PRIMARY KEY,
    sku text NOT NULL,
    price numeric(10, 2) NOT NULL,
    CONSTRAINT product_price_check CHECK (price >= 0)
);
