CREATE TABLE merkle_tree (address text NOT NULL);
CREATE TABLE wallet_label (
    address text COLLATE "C" NOT NULL,
    label text COLLATE "C" DEFAULT 'unnamed',
    note text
);
