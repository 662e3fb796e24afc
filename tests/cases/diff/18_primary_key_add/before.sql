CREATE TABLE tag (
    id integer NOT NULL,
    label text NOT NULL
);
