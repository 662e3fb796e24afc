CREATE TABLE memory_batches (
    batch_id uuid PRIMARY KEY
    owner_address text NOT NULL
);
CREATE ROLE blockchain_service;
