-- A transfer leaves the asset's current owner: from_address must be the owner at the time the
-- transfer is recorded (transfer_asset records it before it moves the asset).
-- SECURITY DEFINER: the lookup must see the asset whatever the caller's policies.
CREATE FUNCTION transfer_history_rules()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    asset_owner text;
BEGIN
    SELECT ma.owner_address INTO asset_owner FROM memory_assets AS ma WHERE ma.asset_id = NEW.asset_id;
    IF asset_owner IS DISTINCT FROM NEW.from_address THEN
        RAISE EXCEPTION 'transfer_history: asset % is not owned by %', NEW.asset_id, NEW.from_address
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

ALTER FUNCTION transfer_history_rules() OWNER TO memory_owner;

COMMENT ON FUNCTION transfer_history_rules() IS
'Trigger function: a transfer must leave the asset''s current owner.';

REVOKE EXECUTE ON FUNCTION transfer_history_rules() FROM PUBLIC;
