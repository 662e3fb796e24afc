CREATE TABLE merkle_tree (address text NOT NULL);
