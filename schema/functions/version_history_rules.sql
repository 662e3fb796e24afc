-- Versions of an asset are numbered 1, 2, 3, ... without gaps: a new version must be the next
-- number (the asset row is locked, so two concurrent writers cannot both take it). The
-- author is the wallet acting (app.current_user) unless the worker or owner names one.
-- SECURITY DEFINER: the count must see every version whatever the caller's policies.
CREATE FUNCTION version_history_rules()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    latest integer;
BEGIN
    PERFORM 1 FROM memory_assets AS ma WHERE ma.asset_id = NEW.asset_id FOR UPDATE;
    SELECT coalesce(max(vh.version), 0) INTO latest FROM version_history AS vh WHERE vh.asset_id = NEW.asset_id;
    -- A version below 1 is left to the CHECK version_history_version_positive.
    IF NEW.version >= 1 AND NEW.version <> latest + 1 THEN
        RAISE EXCEPTION 'version_history: the next version of asset % is %, not %', NEW.asset_id, latest + 1, NEW.version
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.created_by_address := coalesce(NEW.created_by_address, nullif(current_setting('app.current_user', TRUE), ''));
    RETURN NEW;
END
$$;

ALTER FUNCTION version_history_rules() OWNER TO memory_owner;

COMMENT ON FUNCTION version_history_rules() IS
'Trigger function: versions of an asset are contiguous (next = latest + 1); stamps the acting wallet as author.';

REVOKE EXECUTE ON FUNCTION version_history_rules() FROM PUBLIC;
