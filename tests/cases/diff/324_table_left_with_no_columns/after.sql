CREATE TABLE mint_marker ();
