CREATE ROLE sc_case_49_app NOLOGIN;

CREATE TABLE book (
    id integer CONSTRAINT book_pkey PRIMARY KEY,
    title text NOT NULL,
    owner_name text NOT NULL DEFAULT current_user
);

ALTER TABLE book ENABLE ROW LEVEL SECURITY;

CREATE POLICY book_owner ON book
    FOR ALL TO sc_case_49_app
    USING (owner_name = current_user);

GRANT SELECT ON book TO sc_case_49_app;

COMMENT ON TABLE book IS 'Books, each owned by one user.';
COMMENT ON COLUMN book.owner_name IS 'Role that created the row.';
COMMENT ON POLICY book_owner ON book IS 'Users see only their own books.';
