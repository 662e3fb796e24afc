CREATE TABLE book (
    id integer CONSTRAINT book_pkey PRIMARY KEY,
    isbn text NOT NULL,
    title text NOT NULL
);

COMMENT ON TABLE book IS 'Books in the catalogue.';
COMMENT ON COLUMN book.isbn IS 'ISBN-13 without hyphens.';
COMMENT ON CONSTRAINT book_pkey ON book IS 'Surrogate key.';
