CREATE TABLE book (
    id integer CONSTRAINT book_pkey PRIMARY KEY,
    title text NOT NULL,
    pages integer NOT NULL
);

CREATE VIEW long_book AS SELECT id, title FROM book WHERE pages > 500;

CREATE FUNCTION book_count() RETURNS bigint
LANGUAGE sql STABLE
AS $$ SELECT count(*) FROM book $$;

COMMENT ON VIEW long_book IS 'Books with more than 500 pages, for the "long reads" shelf.';
COMMENT ON FUNCTION book_count() IS 'Number of books in the catalogue, all editions.';
