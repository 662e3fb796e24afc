-- Retention cleanup of the minting queue: deletes completed entries whose completed_at
-- is older than retention, batch_size rows at a time, oldest first.
-- Safe beside running workers: rows are locked with FOR UPDATE SKIP LOCKED, so an entry a
-- worker holds is skipped (and picked up by a later run), never waited for; a row changed
-- since the snapshot is re-checked against the WHERE clause before it is deleted.
-- Each call is one transaction: pass max_batches => 1 and call it repeatedly (schemactl
-- maintain does) to commit between batches and keep locks short.
-- Served by minting_queue_status_completed_at_idx (status, completed_at).
CREATE FUNCTION cleanup_minting_queue(
    retention interval DEFAULT '7 days'::interval,
    batch_size integer DEFAULT 10000,
    max_batches integer DEFAULT NULL
)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    cutoff timestamptz;
    deleted bigint := 0;
    batch_rows bigint;
    batches integer := 0;
BEGIN
    IF retention IS NULL OR retention < INTERVAL '0' THEN
        RAISE EXCEPTION 'cleanup_minting_queue: retention must be a non-negative interval, got %', retention
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF batch_size IS NULL OR batch_size < 1 THEN
        RAISE EXCEPTION 'cleanup_minting_queue: batch_size must be at least 1, got %', batch_size
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- One cutoff for the whole run, so later batches do not chase a moving boundary.
    cutoff := now() - retention;
    LOOP
        EXIT WHEN max_batches IS NOT NULL AND batches >= max_batches;
        WITH doomed AS (
            SELECT mq.queue_id
            FROM minting_queue AS mq
            WHERE mq.status = 'completed' AND mq.completed_at < cutoff
            ORDER BY mq.completed_at
            LIMIT batch_size
            FOR UPDATE SKIP LOCKED
        )
        DELETE FROM minting_queue AS mq
        USING doomed
        WHERE mq.queue_id = doomed.queue_id;
        GET DIAGNOSTICS batch_rows = ROW_COUNT;
        deleted := deleted + batch_rows;
        batches := batches + 1;
        EXIT WHEN batch_rows < batch_size;
    END LOOP;
    RETURN deleted;
END
$$;

ALTER FUNCTION cleanup_minting_queue(interval, integer, integer) OWNER TO memory_owner;

COMMENT ON FUNCTION cleanup_minting_queue(interval, integer, integer) IS
'Maintenance: deletes completed minting_queue entries with completed_at older than retention (default 7 days), in batches of batch_size rows (at most max_batches, NULL = until done), skipping rows locked by workers. Returns the number of entries deleted.';

-- Maintenance is for the owner (the operator), not for the application or PUBLIC.
REVOKE EXECUTE ON FUNCTION cleanup_minting_queue(interval, integer, integer) FROM PUBLIC;
