CREATE TABLE payment (
    id integer CONSTRAINT payment_pkey PRIMARY KEY,
    status text NOT NULL DEFAULT 'pending',
    refunded_at timestamptz,
    CONSTRAINT payment_status_check CHECK (status IN ('pending', 'settled', 'failed', 'refunded')),
    CONSTRAINT payment_refund_check CHECK ((status = 'refunded') = (refunded_at IS NOT NULL))
);
