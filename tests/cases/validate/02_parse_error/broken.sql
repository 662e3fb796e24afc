-- A trailing comma: pglast reports the closing parenthesis.
CREATE TABLE assets (
    asset_id text PRIMARY KEY,
    owner_address text REFERENCES wallets (wallet_address),
);
