-- Archiving of the audit trail: moves rows of blockchain_audit_logs older than retention
-- into blockchain_audit_logs_archive, batch_size rows at a time, oldest first.
-- Each batch is one statement (DELETE ... RETURNING feeding the INSERT), so a row is
-- either in the live table or in the archive, never in both or neither, whatever fails.
-- Safe beside the application's inserts: rows are locked with FOR UPDATE SKIP LOCKED;
-- new rows are far newer than the cutoff anyway.
-- Each call is one transaction: pass max_batches => 1 and call it repeatedly (schemactl
-- maintain does) to commit between batches and keep locks short.
-- Served by blockchain_audit_logs_timestamp_idx ("timestamp").
CREATE FUNCTION archive_audit_logs(
    retention interval DEFAULT '90 days'::interval,
    batch_size integer DEFAULT 10000,
    max_batches integer DEFAULT NULL
)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    cutoff timestamptz;
    moved_total bigint := 0;
    batch_rows bigint;
    batches integer := 0;
BEGIN
    IF retention IS NULL OR retention < INTERVAL '0' THEN
        RAISE EXCEPTION 'archive_audit_logs: retention must be a non-negative interval, got %', retention
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF batch_size IS NULL OR batch_size < 1 THEN
        RAISE EXCEPTION 'archive_audit_logs: batch_size must be at least 1, got %', batch_size
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- One cutoff for the whole run, so later batches do not chase a moving boundary.
    cutoff := now() - retention;
    LOOP
        EXIT WHEN max_batches IS NOT NULL AND batches >= max_batches;
        WITH batch AS (
            SELECT bal.log_id
            FROM blockchain_audit_logs AS bal
            WHERE bal."timestamp" < cutoff
            ORDER BY bal."timestamp"
            LIMIT batch_size
            FOR UPDATE SKIP LOCKED
        ),

        moved AS (
            DELETE FROM blockchain_audit_logs AS bal
            USING batch
            WHERE bal.log_id = batch.log_id
            RETURNING
                bal.log_id,
                bal.operation,
                bal.status,
                bal.actor_address,
                bal.asset_id,
                bal.batch_id,
                bal.tx_signature,
                bal.details,
                bal."timestamp"
        )

        INSERT INTO blockchain_audit_logs_archive (
            log_id, operation, status, actor_address, asset_id, batch_id, tx_signature,
            details, "timestamp", archived_at
        )
        SELECT
            moved.log_id,
            moved.operation,
            moved.status,
            moved.actor_address,
            moved.asset_id,
            moved.batch_id,
            moved.tx_signature,
            moved.details,
            moved."timestamp",
            now() AS archived_at
        FROM moved;
        GET DIAGNOSTICS batch_rows = ROW_COUNT;
        moved_total := moved_total + batch_rows;
        batches := batches + 1;
        EXIT WHEN batch_rows < batch_size;
    END LOOP;
    RETURN moved_total;
END
$$;

ALTER FUNCTION archive_audit_logs(interval, integer, integer) OWNER TO memory_owner;

COMMENT ON FUNCTION archive_audit_logs(interval, integer, integer) IS
'Maintenance: moves blockchain_audit_logs rows older than retention (default 90 days) into blockchain_audit_logs_archive, in batches of batch_size rows (at most max_batches, NULL = until done), one statement per batch so nothing is lost. Returns the number of rows moved.';

-- Maintenance is for the owner (the operator), not for the application or PUBLIC.
REVOKE EXECUTE ON FUNCTION archive_audit_logs(interval, integer, integer) FROM PUBLIC;
