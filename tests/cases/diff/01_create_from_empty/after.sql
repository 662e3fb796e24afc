CREATE TABLE author (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT author_pkey PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE post (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT post_pkey PRIMARY KEY,
    author_id bigint NOT NULL CONSTRAINT post_author_id_fkey REFERENCES author (id),
    title text NOT NULL
);

CREATE INDEX post_author_id_idx ON post (author_id);

CREATE VIEW post_count AS
SELECT a.id, a.name, count(p.id) AS posts
FROM author a LEFT JOIN post p ON p.author_id = a.id
GROUP BY a.id, a.name;

CREATE FUNCTION author_name(p_id bigint) RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT name FROM author WHERE id = p_id $$;

COMMENT ON TABLE author IS 'People who write posts.';
