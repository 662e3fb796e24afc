CREATE COLLATION address_order (locale = 'C');
CREATE TABLE wallet (address text NOT NULL);
CREATE TABLE wallet_label (address text COLLATE address_order NOT NULL, label text);
