-- A queue entry that names a batch belongs to the batch's owner: no wallet can attach its
-- mints to another wallet's batch (the foreign key alone would allow it).
-- SECURITY DEFINER: the lookup must see the batch whatever the caller's policies.
CREATE FUNCTION minting_queue_rules()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    batch_owner text;
BEGIN
    IF NEW.batch_id IS NOT NULL THEN
        SELECT mb.owner_address INTO batch_owner FROM memory_batches AS mb WHERE mb.batch_id = NEW.batch_id;
        IF batch_owner IS DISTINCT FROM NEW.owner_address THEN
            RAISE EXCEPTION 'minting_queue: batch % does not belong to %', NEW.batch_id, NEW.owner_address
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

ALTER FUNCTION minting_queue_rules() OWNER TO memory_owner;

COMMENT ON FUNCTION minting_queue_rules() IS
'Trigger function: a queue entry and its batch have the same owner.';

REVOKE EXECUTE ON FUNCTION minting_queue_rules() FROM PUBLIC;
