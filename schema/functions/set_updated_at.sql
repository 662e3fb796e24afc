-- Shared by every table that has an updated_at column (one BEFORE UPDATE trigger each),
-- so the column means "last changed" even when the application forgets to set it.
CREATE FUNCTION set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

ALTER FUNCTION set_updated_at() OWNER TO memory_owner;

COMMENT ON FUNCTION set_updated_at() IS
'Trigger function: stamps NEW.updated_at with now() (the transaction start time) before every row update.';

-- Only triggers call it; triggers do not check EXECUTE at run time, so nobody needs it.
REVOKE EXECUTE ON FUNCTION set_updated_at() FROM PUBLIC;
