-- Completes a pending or processing batch (the worker, once its transactions are confirmed):
-- minted_count is counted from the assets recorded for the batch, never taken from the caller;
-- signatures and costs are set once, with the status and completed_at, in one statement.
-- SECURITY DEFINER: the worker has no UPDATE on status, counts or costs otherwise.
CREATE FUNCTION complete_batch(
    completed_batch uuid,
    signature text,
    signatures text[],
    cost_lamports bigint,
    cost_winston numeric
)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    minted integer;
BEGIN
    UPDATE memory_batches AS mb
    SET
        status = 'completed',
        completed_at = now(),
        minted_count = (SELECT count(*) FROM memory_assets AS ma WHERE ma.batch_id = mb.batch_id),
        primary_signature = signature,
        tx_signatures = signatures,
        total_cost_lamports = cost_lamports,
        arweave_cost_winston = cost_winston
    WHERE mb.batch_id = completed_batch AND mb.status IN ('pending', 'processing')
    RETURNING mb.minted_count INTO minted;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'complete_batch: batch % is not pending or processing', completed_batch
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN minted;
END
$$;

ALTER FUNCTION complete_batch(uuid, text, text[], bigint, numeric) OWNER TO memory_owner;

COMMENT ON FUNCTION complete_batch(uuid, text, text[], bigint, numeric) IS
'Marks a pending or processing batch completed with its signatures and costs; minted_count is the number of assets recorded for it. Returns that count.';

REVOKE EXECUTE ON FUNCTION complete_batch(uuid, text, text[], bigint, numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION complete_batch(uuid, text, text[], bigint, numeric) TO memory_worker;
