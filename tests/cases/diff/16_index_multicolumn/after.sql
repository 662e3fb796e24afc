CREATE TABLE orders (
    id bigint CONSTRAINT orders_pkey PRIMARY KEY,
    customer_id bigint NOT NULL,
    status text NOT NULL,
    email text NOT NULL,
    placed_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_customer_status_idx ON orders (customer_id, status, placed_at DESC);
