CREATE TABLE payment (
    id integer CONSTRAINT payment_pkey PRIMARY KEY,
    status text NOT NULL DEFAULT 'pending',
    CONSTRAINT payment_status_check CHECK (status IN ('pending', 'settled', 'failed'))
);
