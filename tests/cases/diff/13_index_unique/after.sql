CREATE TABLE orders (
    id bigint CONSTRAINT orders_pkey PRIMARY KEY,
    customer_id bigint NOT NULL,
    status text NOT NULL,
    email text NOT NULL,
    placed_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX orders_email_placed_at_key ON orders (email, placed_at);
