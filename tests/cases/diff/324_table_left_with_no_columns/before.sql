CREATE TABLE mint_marker (minted_at timestamptz, note text);
