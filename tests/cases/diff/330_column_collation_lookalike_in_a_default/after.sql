CREATE TABLE merkle_tree (address text NOT NULL);
CREATE TABLE wallet_label (
    note text DEFAULT 'x
    "address" text',
    address text COLLATE "C" NOT NULL
);
