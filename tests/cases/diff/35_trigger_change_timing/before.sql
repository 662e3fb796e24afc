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

CREATE TRIGGER document_audit BEFORE UPDATE ON document
FOR EACH ROW EXECUTE FUNCTION document_audit_row();
