CREATE TABLE book (
    id integer CONSTRAINT book_pkey PRIMARY KEY,
    isbn text NOT NULL,
    title text NOT NULL
);
