CREATE TABLE wallets (
    wallet_address text PRIMARY KEY
);
