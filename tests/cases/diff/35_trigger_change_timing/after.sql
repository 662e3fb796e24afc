CREATE TABLE document (
    id integer CONSTRAINT document_pkey PRIMARY KEY,
    body text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE document_audit (
    document_id integer NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION document_audit_row() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO document_audit (document_id) VALUES (NEW.id);
    RETURN NEW;
END;
$$;

CREATE TRIGGER document_audit AFTER INSERT OR UPDATE OF body ON document
FOR EACH ROW WHEN (NEW.body <> '') EXECUTE FUNCTION document_audit_row();
