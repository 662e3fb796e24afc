CREATE TABLE shipment (
    id integer CONSTRAINT shipment_pkey PRIMARY KEY,
    tracking_code text NOT NULL,
    carrier text NOT NULL
);
