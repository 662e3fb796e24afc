-- The complete desired schema, rendered from schema/ by `schemactl generate`.
-- Do not edit: change schema/ and regenerate. Statements are in dependency order;
-- each names the file and line it comes from.

-- source: schema/roles/blockchain_service.sql:10
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'blockchain_service') THEN EXECUTE 'CREATE ROLE "blockchain_service" WITH NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT  -1'; END IF; IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'blockchain_service' AND ("rolsuper", "rolcreatedb", "rolcreaterole", "rolinherit", "rolcanlogin", "rolreplication", "rolbypassrls", "rolconnlimit") IS DISTINCT FROM (false, false, false, true, true, false, false,  -1)) THEN EXECUTE 'ALTER ROLE "blockchain_service" WITH NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT  -1'; END IF; END $role$;

-- source: schema/roles/memory_backup.sql:6
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'memory_backup') THEN EXECUTE 'CREATE ROLE "memory_backup" WITH NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT LOGIN NOREPLICATION BYPASSRLS CONNECTION LIMIT  -1'; END IF; IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'memory_backup' AND ("rolsuper", "rolcreatedb", "rolcreaterole", "rolinherit", "rolcanlogin", "rolreplication", "rolbypassrls", "rolconnlimit") IS DISTINCT FROM (false, false, false, true, true, false, true,  -1)) THEN EXECUTE 'ALTER ROLE "memory_backup" WITH NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT LOGIN NOREPLICATION BYPASSRLS CONNECTION LIMIT  -1'; END IF; IF NOT EXISTS (SELECT FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid JOIN pg_catalog.pg_roles u ON u.oid = m.member WHERE g.rolname = 'pg_read_all_data' AND u.rolname = 'memory_backup') THEN EXECUTE 'GRANT "pg_read_all_data" TO "memory_backup"'; END IF; END $role$;

-- source: schema/roles/memory_deploy.sql:8
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'memory_deploy') THEN EXECUTE 'CREATE ROLE "memory_deploy" WITH NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT  -1'; END IF; IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'memory_deploy' AND ("rolsuper", "rolcreatedb", "rolcreaterole", "rolinherit", "rolcanlogin", "rolreplication", "rolbypassrls", "rolconnlimit") IS DISTINCT FROM (false, false, false, true, true, false, false,  -1)) THEN EXECUTE 'ALTER ROLE "memory_deploy" WITH NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT  -1'; END IF; END $role$;

-- source: schema/roles/memory_owner.sql:9
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'memory_owner') THEN EXECUTE 'CREATE ROLE "memory_owner" WITH NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOLOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT  -1'; END IF; IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'memory_owner' AND ("rolsuper", "rolcreatedb", "rolcreaterole", "rolinherit", "rolcanlogin", "rolreplication", "rolbypassrls", "rolconnlimit") IS DISTINCT FROM (false, false, false, true, false, false, false,  -1)) THEN EXECUTE 'ALTER ROLE "memory_owner" WITH NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOLOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT  -1'; END IF; END $role$;

-- source: schema/roles/memory_worker.sql:7
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'memory_worker') THEN EXECUTE 'CREATE ROLE "memory_worker" WITH NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT  -1'; END IF; IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'memory_worker' AND ("rolsuper", "rolcreatedb", "rolcreaterole", "rolinherit", "rolcanlogin", "rolreplication", "rolbypassrls", "rolconnlimit") IS DISTINCT FROM (false, false, false, true, true, false, false,  -1)) THEN EXECUTE 'ALTER ROLE "memory_worker" WITH NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT  -1'; END IF; END $role$;

-- source: schema/roles/memory_owner.sql:20
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid JOIN pg_catalog.pg_roles u ON u.oid = m.member WHERE g.rolname = 'memory_owner' AND u.rolname = 'memory_deploy') THEN EXECUTE 'GRANT "memory_owner" TO "memory_deploy"'; END IF; END $role$;

-- source: schema/roles/blockchain_service.sql:25
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) AS c WHERE s.setdatabase = 0 AND r.rolname = 'blockchain_service' AND lower(split_part(c, '=', 1)) = 'idle_in_transaction_session_timeout' AND substr(c, strpos(c, '=') + 1) = '30s') THEN EXECUTE 'ALTER ROLE "blockchain_service" SET "idle_in_transaction_session_timeout" = ''30s'''; END IF; END $role$;

-- source: schema/roles/blockchain_service.sql:24
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) AS c WHERE s.setdatabase = 0 AND r.rolname = 'blockchain_service' AND lower(split_part(c, '=', 1)) = 'lock_timeout' AND substr(c, strpos(c, '=') + 1) = '2s') THEN EXECUTE 'ALTER ROLE "blockchain_service" SET "lock_timeout" = ''2s'''; END IF; END $role$;

-- source: schema/roles/blockchain_service.sql:23
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) AS c WHERE s.setdatabase = 0 AND r.rolname = 'blockchain_service' AND lower(split_part(c, '=', 1)) = 'statement_timeout' AND substr(c, strpos(c, '=') + 1) = '5s') THEN EXECUTE 'ALTER ROLE "blockchain_service" SET "statement_timeout" = ''5s'''; END IF; END $role$;

-- source: schema/roles/memory_backup.sql:19
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) AS c WHERE s.setdatabase = 0 AND r.rolname = 'memory_backup' AND lower(split_part(c, '=', 1)) = 'default_transaction_read_only' AND substr(c, strpos(c, '=') + 1) = 'on') THEN EXECUTE 'ALTER ROLE "memory_backup" SET "default_transaction_read_only" = ''on'''; END IF; END $role$;

-- source: schema/roles/memory_backup.sql:21
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) AS c WHERE s.setdatabase = 0 AND r.rolname = 'memory_backup' AND lower(split_part(c, '=', 1)) = 'idle_in_transaction_session_timeout' AND substr(c, strpos(c, '=') + 1) = '10min') THEN EXECUTE 'ALTER ROLE "memory_backup" SET "idle_in_transaction_session_timeout" = ''10min'''; END IF; END $role$;

-- source: schema/roles/memory_backup.sql:20
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) AS c WHERE s.setdatabase = 0 AND r.rolname = 'memory_backup' AND lower(split_part(c, '=', 1)) = 'statement_timeout' AND substr(c, strpos(c, '=') + 1) = '10min') THEN EXECUTE 'ALTER ROLE "memory_backup" SET "statement_timeout" = ''10min'''; END IF; END $role$;

-- source: schema/roles/memory_worker.sql:20
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) AS c WHERE s.setdatabase = 0 AND r.rolname = 'memory_worker' AND lower(split_part(c, '=', 1)) = 'idle_in_transaction_session_timeout' AND substr(c, strpos(c, '=') + 1) = '60s') THEN EXECUTE 'ALTER ROLE "memory_worker" SET "idle_in_transaction_session_timeout" = ''60s'''; END IF; END $role$;

-- source: schema/roles/memory_worker.sql:19
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) AS c WHERE s.setdatabase = 0 AND r.rolname = 'memory_worker' AND lower(split_part(c, '=', 1)) = 'lock_timeout' AND substr(c, strpos(c, '=') + 1) = '5s') THEN EXECUTE 'ALTER ROLE "memory_worker" SET "lock_timeout" = ''5s'''; END IF; END $role$;

-- source: schema/roles/memory_worker.sql:18
DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) AS c WHERE s.setdatabase = 0 AND r.rolname = 'memory_worker' AND lower(split_part(c, '=', 1)) = 'statement_timeout' AND substr(c, strpos(c, '=') + 1) = '60s') THEN EXECUTE 'ALTER ROLE "memory_worker" SET "statement_timeout" = ''60s'''; END IF; END $role$;

-- source: schema/schemas/monitoring.sql:4
CREATE SCHEMA monitoring;

-- source: schema/grants/default_privileges.sql:5
ALTER DEFAULT PRIVILEGES
  FOR ROLE memory_owner
  REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- source: schema/monitoring/slow_queries.sql:7
CREATE FUNCTION monitoring.slow_queries(max_rows integer = 20)
RETURNS TABLE (query text, calls bigint, total_exec_ms double precision, mean_exec_ms double precision, max_exec_ms double precision, rows_returned bigint)
LANGUAGE plpgsql STABLE SET search_path TO 'pg_catalog', 'pg_temp'
AS $$
DECLARE
    extension_schema name;
BEGIN
    SELECT n.nspname INTO extension_schema
    FROM pg_extension AS e
    INNER JOIN pg_namespace AS n ON e.extnamespace = n.oid
    WHERE e.extname = 'pg_stat_statements';
    IF extension_schema IS NULL THEN
        RAISE NOTICE 'monitoring.slow_queries: pg_stat_statements is not installed; '
            'add it to shared_preload_libraries, restart, and CREATE EXTENSION pg_stat_statements';
        RETURN;
    END IF;
    RETURN QUERY EXECUTE format(
        'SELECT s.query, s.calls, s.total_exec_time, s.mean_exec_time, s.max_exec_time, s.rows
         FROM %I.pg_stat_statements AS s
         WHERE s.dbid = (SELECT d.oid FROM pg_database AS d WHERE d.datname = current_database())
         ORDER BY s.mean_exec_time DESC
         LIMIT $1',
        extension_schema
    ) USING max_rows;
EXCEPTION
    -- Installed but not loaded: "pg_stat_statements must be loaded via shared_preload_libraries".
    WHEN object_not_in_prerequisite_state THEN
        RAISE NOTICE 'monitoring.slow_queries: %; add pg_stat_statements to shared_preload_libraries '
            'and restart the server', SQLERRM;
        RETURN;
END
$$;

-- source: schema/functions/archive_audit_logs.sql:10
CREATE FUNCTION archive_audit_logs(retention interval = CAST('90 days' AS interval),
                                   batch_size integer = 10000,
                                   max_batches integer = NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path TO 'public', 'pg_temp'
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

-- source: schema/functions/cleanup_minting_queue.sql:9
CREATE FUNCTION cleanup_minting_queue(retention interval = CAST('7 days' AS interval),
                                      batch_size integer = 10000,
                                      max_batches integer = NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path TO 'public', 'pg_temp'
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

-- source: schema/functions/complete_batch.sql:5
CREATE FUNCTION complete_batch(completed_batch uuid,
                               signature text,
                               signatures text[],
                               cost_lamports bigint,
                               cost_winston numeric)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path TO 'public', 'pg_temp'
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

-- source: schema/functions/memory_assets_rules.sql:10
CREATE FUNCTION memory_assets_rules()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path TO 'public', 'pg_temp'
AS $$
DECLARE
    tree_capacity bigint;
    batch_owner text;
    batch_tree text;
    batch_size integer;
    batch_assets bigint;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.asset_id <> OLD.asset_id OR NEW.merkle_tree <> OLD.merkle_tree
            OR NEW.leaf_index <> OLD.leaf_index OR NEW.created_at <> OLD.created_at
            OR (OLD.mint_signature IS NOT NULL AND NEW.mint_signature IS DISTINCT FROM OLD.mint_signature) THEN
            RAISE EXCEPTION 'memory_assets: chain facts of asset % cannot change', OLD.asset_id
                USING ERRCODE = 'check_violation';
        END IF;
        IF OLD.status = 'burned' AND NEW.status <> 'burned' THEN
            RAISE EXCEPTION 'memory_assets: asset % is burned; nothing comes back from burned', OLD.asset_id
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.status = 'pending' AND OLD.status <> 'pending' THEN
            RAISE EXCEPTION 'memory_assets: asset % cannot return to pending', OLD.asset_id
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.batch_id IS NOT DISTINCT FROM OLD.batch_id THEN
            RETURN NEW;
        END IF;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT mt.capacity INTO tree_capacity FROM merkle_trees AS mt WHERE mt.tree_address = NEW.merkle_tree;
        IF NEW.leaf_index >= tree_capacity THEN
            RAISE EXCEPTION 'memory_assets: leaf_index % is beyond the capacity % of tree %',
                NEW.leaf_index, tree_capacity, NEW.merkle_tree
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.batch_id IS NOT NULL THEN
        SELECT mb.owner_address, mb.merkle_tree, mb.asset_count INTO batch_owner, batch_tree, batch_size
        FROM memory_batches AS mb
        WHERE mb.batch_id = NEW.batch_id
        FOR UPDATE;
        IF batch_owner IS DISTINCT FROM NEW.owner_address THEN
            RAISE EXCEPTION 'memory_assets: asset % and its batch % have different owners', NEW.asset_id, NEW.batch_id
                USING ERRCODE = 'check_violation';
        END IF;
        IF batch_tree IS NOT NULL AND batch_tree <> NEW.merkle_tree THEN
            RAISE EXCEPTION 'memory_assets: asset % is in tree %, its batch % in tree %',
                NEW.asset_id, NEW.merkle_tree, NEW.batch_id, batch_tree
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT count(*) INTO batch_assets FROM memory_assets AS ma WHERE ma.batch_id = NEW.batch_id;
        IF batch_assets >= batch_size THEN
            RAISE EXCEPTION 'memory_assets: batch % already holds its % assets', NEW.batch_id, batch_size
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

-- source: schema/functions/minting_queue_rules.sql:4
CREATE FUNCTION minting_queue_rules()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path TO 'public', 'pg_temp'
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

-- source: schema/functions/record_grant_use.sql:5
CREATE FUNCTION record_grant_use(used_grant bigint)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path TO 'public', 'pg_temp'
AS $$
BEGIN
    UPDATE access_grants AS ag
    SET use_count = ag.use_count + 1, last_used_at = now()
    FROM memory_assets AS ma
    WHERE
        ag.grant_id = used_grant
        AND ag.grantee_address = current_setting('app.current_user', TRUE)
        AND ag.revoked_at IS NULL
        AND (ag.expires_at IS NULL OR ag.expires_at > now())
        AND (ag.max_uses IS NULL OR ag.use_count < ag.max_uses)
        AND ma.asset_id = ag.asset_id
        AND ma.owner_address = ag.grantor_address;
    RETURN FOUND;
END
$$;

-- source: schema/functions/set_updated_at.sql:3
CREATE FUNCTION set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

-- source: schema/functions/shared_with_me.sql:7
CREATE FUNCTION shared_with_me()
RETURNS TABLE (asset_id text, owner_address text, title text, description text, tags text[], arweave_tx_id text, content_hash text, created_at timestamptz, grant_id bigint, permission text, expires_at timestamptz, uses_left integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path TO 'public', 'pg_temp'
AS $$
BEGIN
    RETURN QUERY
    SELECT
        ma.asset_id,
        ma.owner_address,
        ma.title,
        ma.description,
        ma.tags,
        ma.arweave_tx_id,
        ma.content_hash,
        ma.created_at,
        ag.grant_id,
        ag.permission,
        ag.expires_at,
        ag.max_uses - ag.use_count AS uses_left
    FROM access_grants AS ag
    INNER JOIN memory_assets AS ma
        ON ag.asset_id = ma.asset_id AND ag.grantor_address = ma.owner_address
    WHERE
        ag.grantee_address = current_setting('app.current_user', TRUE)
        AND ag.revoked_at IS NULL
        AND (ag.expires_at IS NULL OR ag.expires_at > now())
        AND (ag.max_uses IS NULL OR ag.use_count < ag.max_uses)
        AND ma.status = 'active'
    ORDER BY ma.created_at DESC, ma.asset_id ASC;
END
$$;

-- source: schema/functions/transfer_asset.sql:8
CREATE FUNCTION transfer_asset(transferred_asset text,
                               new_owner text,
                               signature text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path TO 'public', 'pg_temp'
AS $$
DECLARE
    wallet text := current_setting('app.current_user', TRUE);
    asset_owner text;
    asset_status text;
    new_transfer_id bigint;
BEGIN
    SELECT ma.owner_address, ma.status INTO asset_owner, asset_status
    FROM memory_assets AS ma
    WHERE ma.asset_id = transferred_asset
    FOR UPDATE;
    IF wallet IS NULL OR asset_owner IS DISTINCT FROM wallet THEN
        RAISE EXCEPTION 'transfer_asset: asset % is not owned by the wallet in app.current_user', transferred_asset
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF asset_status NOT IN ('active', 'archived') THEN
        RAISE EXCEPTION 'transfer_asset: asset % is %, only active or archived assets move', transferred_asset, asset_status
            USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO transfer_history (asset_id, from_address, to_address, tx_signature)
    VALUES (transferred_asset, wallet, new_owner, signature)
    RETURNING transfer_id INTO new_transfer_id;
    UPDATE memory_assets AS ma
    SET owner_address = new_owner
    WHERE ma.asset_id = transferred_asset;
    RETURN new_transfer_id;
END
$$;

-- source: schema/functions/transfer_history_rules.sql:4
CREATE FUNCTION transfer_history_rules()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path TO 'public', 'pg_temp'
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

-- source: schema/functions/version_history_rules.sql:5
CREATE FUNCTION version_history_rules()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path TO 'public', 'pg_temp'
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

-- source: schema/tables/blockchain_audit_logs.sql:5
CREATE TABLE blockchain_audit_logs (
  log_id bigint GENERATED ALWAYS AS IDENTITY,
  operation text NOT NULL,
  status text NOT NULL,
  actor_address text,
  asset_id text,
  batch_id uuid,
  tx_signature text,
  details jsonb NOT NULL DEFAULT '{}',
  timestamp timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT blockchain_audit_logs_pkey PRIMARY KEY (log_id),
  CONSTRAINT blockchain_audit_logs_operation_format CHECK (operation ~ '^[a-z][a-z0-9_]{0,63}$'),
  CONSTRAINT blockchain_audit_logs_status_valid CHECK (status IN ('success', 'failure')),
  CONSTRAINT blockchain_audit_logs_actor_address_base58 CHECK (actor_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
  CONSTRAINT blockchain_audit_logs_asset_id_base58 CHECK (asset_id ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
  CONSTRAINT blockchain_audit_logs_tx_signature_base58 CHECK (tx_signature ~ '^[1-9A-HJ-NP-Za-km-z]{87,88}$'),
  CONSTRAINT blockchain_audit_logs_details_object CHECK (jsonb_typeof(details) = 'object')
);

-- source: schema/tables/blockchain_audit_logs_archive.sql:6
CREATE TABLE blockchain_audit_logs_archive (
  log_id bigint NOT NULL,
  operation text NOT NULL,
  status text NOT NULL,
  actor_address text,
  asset_id text,
  batch_id uuid,
  tx_signature text,
  details jsonb NOT NULL,
  timestamp timestamptz NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT blockchain_audit_logs_archive_pkey PRIMARY KEY (log_id)
);

-- source: schema/tables/merkle_trees.sql:3
CREATE TABLE merkle_trees (
  tree_address text NOT NULL,
  authority_address text NOT NULL,
  max_depth integer NOT NULL,
  max_buffer_size integer NOT NULL,
  canopy_depth integer NOT NULL DEFAULT 0,
  capacity bigint GENERATED ALWAYS AS (CAST(1 AS bigint) << max_depth) STORED,
  leaves_minted bigint NOT NULL DEFAULT 0,
  is_public boolean NOT NULL DEFAULT FALSE,
  status text NOT NULL DEFAULT 'active',
  creation_signature text,
  creation_cost_lamports bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT merkle_trees_pkey PRIMARY KEY (tree_address),
  CONSTRAINT merkle_trees_tree_address_base58 CHECK (tree_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
  CONSTRAINT merkle_trees_authority_address_base58 CHECK (authority_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
  CONSTRAINT merkle_trees_max_depth_range CHECK (max_depth BETWEEN 3 AND 30),
  CONSTRAINT merkle_trees_max_buffer_size_range CHECK (max_buffer_size BETWEEN 8 AND 2048),
  CONSTRAINT merkle_trees_canopy_depth_range CHECK (canopy_depth BETWEEN 0 AND max_depth),
  CONSTRAINT merkle_trees_leaves_minted_capacity CHECK (leaves_minted >= 0
                                                    AND leaves_minted <= CAST(1 AS bigint) << max_depth),
  CONSTRAINT merkle_trees_status_valid CHECK (status IN ('active', 'full', 'retired')),
  CONSTRAINT merkle_trees_creation_signature_base58 CHECK (creation_signature ~ '^[1-9A-HJ-NP-Za-km-z]{87,88}$'),
  CONSTRAINT merkle_trees_creation_cost_lamports_nonnegative CHECK (creation_cost_lamports >= 0)
);

-- source: schema/tables/memory_batches.sql:3
CREATE TABLE memory_batches (
  batch_id uuid NOT NULL DEFAULT gen_random_uuid(),
  owner_address text NOT NULL,
  merkle_tree text,
  status text NOT NULL DEFAULT 'pending',
  asset_count integer NOT NULL,
  minted_count integer NOT NULL DEFAULT 0,
  primary_signature text,
  tx_signatures text[] NOT NULL DEFAULT '{}',
  total_cost_lamports bigint NOT NULL DEFAULT 0,
  arweave_cost_winston numeric NOT NULL DEFAULT 0,
  error_message text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  CONSTRAINT memory_batches_pkey PRIMARY KEY (batch_id),
  CONSTRAINT memory_batches_merkle_tree_fkey FOREIGN KEY (merkle_tree) REFERENCES merkle_trees (tree_address) ON DELETE RESTRICT,
  CONSTRAINT memory_batches_owner_address_base58 CHECK (owner_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
  CONSTRAINT memory_batches_status_valid CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
  CONSTRAINT memory_batches_asset_count_positive CHECK (asset_count > 0),
  CONSTRAINT memory_batches_minted_count_range CHECK (minted_count BETWEEN 0 AND asset_count),
  CONSTRAINT memory_batches_primary_signature_base58 CHECK (primary_signature ~ '^[1-9A-HJ-NP-Za-km-z]{87,88}$'),
  CONSTRAINT memory_batches_tx_signatures_base58 CHECK (array_position(tx_signatures, NULL) IS NULL
                                                    AND array_to_string(tx_signatures, ' ') ~ '^([1-9A-HJ-NP-Za-km-z]{87,88}( [1-9A-HJ-NP-Za-km-z]{87,88})*)?$'),
  CONSTRAINT memory_batches_total_cost_lamports_nonnegative CHECK (total_cost_lamports >= 0),
  CONSTRAINT memory_batches_arweave_cost_winston_whole CHECK (arweave_cost_winston >= 0
                                                          AND arweave_cost_winston = trunc(arweave_cost_winston)),
  CONSTRAINT memory_batches_completed_at_status CHECK ((status = 'completed') = (completed_at IS NOT NULL)),
  CONSTRAINT memory_batches_completed_at_after_created CHECK (completed_at >= created_at)
);

-- source: schema/tables/cost_tracking.sql:2
CREATE TABLE cost_tracking (
  cost_id bigint GENERATED ALWAYS AS IDENTITY,
  wallet_address text NOT NULL,
  operation text NOT NULL,
  batch_id uuid,
  tx_signature text,
  solana_fee_lamports bigint NOT NULL DEFAULT 0,
  rent_lamports bigint NOT NULL DEFAULT 0,
  arweave_cost_winston numeric NOT NULL DEFAULT 0,
  total_cost_lamports bigint NOT NULL,
  timestamp timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT cost_tracking_pkey PRIMARY KEY (cost_id),
  CONSTRAINT cost_tracking_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES memory_batches (batch_id) ON DELETE RESTRICT,
  CONSTRAINT cost_tracking_wallet_address_base58 CHECK (wallet_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
  CONSTRAINT cost_tracking_operation_format CHECK (operation ~ '^[a-z][a-z0-9_]{0,63}$'),
  CONSTRAINT cost_tracking_tx_signature_base58 CHECK (tx_signature ~ '^[1-9A-HJ-NP-Za-km-z]{87,88}$'),
  CONSTRAINT cost_tracking_solana_fee_lamports_nonnegative CHECK (solana_fee_lamports >= 0),
  CONSTRAINT cost_tracking_rent_lamports_nonnegative CHECK (rent_lamports >= 0),
  CONSTRAINT cost_tracking_arweave_cost_winston_whole CHECK (arweave_cost_winston >= 0
                                                         AND arweave_cost_winston = trunc(arweave_cost_winston)),
  CONSTRAINT cost_tracking_total_cost_lamports_nonnegative CHECK (total_cost_lamports >= 0),
  CONSTRAINT cost_tracking_total_cost_lamports_not_below_fees CHECK (total_cost_lamports >= solana_fee_lamports + rent_lamports)
);

-- source: schema/tables/memory_assets.sql:4
CREATE TABLE memory_assets (
  asset_id text NOT NULL,
  owner_address text NOT NULL,
  batch_id uuid,
  merkle_tree text NOT NULL,
  leaf_index bigint NOT NULL,
  mint_signature text,
  arweave_tx_id text NOT NULL,
  content_hash text NOT NULL,
  title text,
  description text,
  tags text[] NOT NULL DEFAULT '{}',
  metadata jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'active',
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple',
                                                   COALESCE(title, '') || ' ' || COALESCE(description, ''))) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT memory_assets_pkey PRIMARY KEY (asset_id),
  CONSTRAINT memory_assets_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES memory_batches (batch_id) ON DELETE RESTRICT,
  CONSTRAINT memory_assets_merkle_tree_fkey FOREIGN KEY (merkle_tree) REFERENCES merkle_trees (tree_address) ON DELETE RESTRICT,
  CONSTRAINT memory_assets_merkle_tree_leaf_index_key UNIQUE (merkle_tree, leaf_index),
  CONSTRAINT memory_assets_asset_id_base58 CHECK (asset_id ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
  CONSTRAINT memory_assets_owner_address_base58 CHECK (owner_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
  CONSTRAINT memory_assets_leaf_index_nonnegative CHECK (leaf_index >= 0),
  CONSTRAINT memory_assets_mint_signature_base58 CHECK (mint_signature ~ '^[1-9A-HJ-NP-Za-km-z]{87,88}$'),
  CONSTRAINT memory_assets_arweave_tx_id_format CHECK (arweave_tx_id ~ '^[A-Za-z0-9_-]{43}$'),
  CONSTRAINT memory_assets_content_hash_sha256 CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT memory_assets_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
  CONSTRAINT memory_assets_tags_no_nulls CHECK (array_position(tags, NULL) IS NULL),
  CONSTRAINT memory_assets_metadata_object CHECK (jsonb_typeof(metadata) = 'object'),
  CONSTRAINT memory_assets_status_valid CHECK (status IN ('pending', 'active', 'archived', 'burned'))
);

-- source: schema/tables/access_grants.sql:3
CREATE TABLE access_grants (
  grant_id bigint GENERATED ALWAYS AS IDENTITY,
  asset_id text NOT NULL,
  grantor_address text NOT NULL,
  grantee_address text NOT NULL,
  permission text NOT NULL DEFAULT 'view',
  max_uses integer,
  use_count integer NOT NULL DEFAULT 0,
  granted_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT access_grants_pkey PRIMARY KEY (grant_id),
  CONSTRAINT access_grants_asset_id_fkey FOREIGN KEY (asset_id) REFERENCES memory_assets (asset_id) ON DELETE CASCADE,
  CONSTRAINT access_grants_grantor_address_base58 CHECK (grantor_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
  CONSTRAINT access_grants_grantee_address_base58 CHECK (grantee_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
  CONSTRAINT access_grants_grantee_address_not_grantor CHECK (grantee_address <> grantor_address),
  CONSTRAINT access_grants_permission_valid CHECK (permission IN ('view', 'download')),
  CONSTRAINT access_grants_max_uses_positive CHECK (max_uses > 0),
  CONSTRAINT access_grants_use_count_within_limit CHECK (use_count >= 0
                                                     AND (max_uses IS NULL
                                                       OR use_count <= max_uses)),
  CONSTRAINT access_grants_expires_at_after_granted CHECK (expires_at > granted_at),
  CONSTRAINT access_grants_revoked_at_after_granted CHECK (revoked_at >= granted_at),
  CONSTRAINT access_grants_last_used_at_after_granted CHECK (last_used_at >= granted_at)
);

-- source: schema/tables/minting_queue.sql:4
CREATE TABLE minting_queue (
  queue_id bigint GENERATED ALWAYS AS IDENTITY,
  owner_address text NOT NULL,
  batch_id uuid,
  arweave_tx_id text,
  payload jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'pending',
  priority integer NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 5,
  scheduled_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  completed_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT minting_queue_pkey PRIMARY KEY (queue_id),
  CONSTRAINT minting_queue_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES memory_batches (batch_id) ON DELETE SET NULL,
  CONSTRAINT minting_queue_owner_address_base58 CHECK (owner_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
  CONSTRAINT minting_queue_arweave_tx_id_format CHECK (arweave_tx_id ~ '^[A-Za-z0-9_-]{43}$'),
  CONSTRAINT minting_queue_payload_object CHECK (jsonb_typeof(payload) = 'object'),
  CONSTRAINT minting_queue_status_valid CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
  CONSTRAINT minting_queue_attempts_range CHECK (attempts BETWEEN 0 AND max_attempts),
  CONSTRAINT minting_queue_max_attempts_positive CHECK (max_attempts > 0),
  CONSTRAINT minting_queue_completed_at_status CHECK ((status = 'completed') = (completed_at IS NOT NULL)),
  CONSTRAINT minting_queue_completed_at_after_created CHECK (completed_at >= created_at)
);

-- source: schema/tables/transfer_history.sql:2
CREATE TABLE transfer_history (
  transfer_id bigint GENERATED ALWAYS AS IDENTITY,
  asset_id text NOT NULL,
  from_address text NOT NULL,
  to_address text NOT NULL,
  tx_signature text NOT NULL,
  transferred_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT transfer_history_pkey PRIMARY KEY (transfer_id),
  CONSTRAINT transfer_history_asset_id_fkey FOREIGN KEY (asset_id) REFERENCES memory_assets (asset_id) ON DELETE RESTRICT,
  CONSTRAINT transfer_history_tx_signature_asset_id_key UNIQUE (tx_signature, asset_id),
  CONSTRAINT transfer_history_from_address_base58 CHECK (from_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
  CONSTRAINT transfer_history_to_address_base58 CHECK (to_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
  CONSTRAINT transfer_history_to_address_differs CHECK (to_address <> from_address),
  CONSTRAINT transfer_history_tx_signature_base58 CHECK (tx_signature ~ '^[1-9A-HJ-NP-Za-km-z]{87,88}$')
);

-- source: schema/tables/version_history.sql:3
CREATE TABLE version_history (
  version_id bigint GENERATED ALWAYS AS IDENTITY,
  asset_id text NOT NULL,
  version integer NOT NULL,
  arweave_tx_id text NOT NULL,
  content_hash text NOT NULL,
  change_note text,
  created_by_address text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT version_history_pkey PRIMARY KEY (version_id),
  CONSTRAINT version_history_asset_id_fkey FOREIGN KEY (asset_id) REFERENCES memory_assets (asset_id) ON DELETE CASCADE,
  CONSTRAINT version_history_asset_id_version_key UNIQUE (asset_id, version),
  CONSTRAINT version_history_version_positive CHECK (version >= 1),
  CONSTRAINT version_history_arweave_tx_id_format CHECK (arweave_tx_id ~ '^[A-Za-z0-9_-]{43}$'),
  CONSTRAINT version_history_content_hash_sha256 CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT version_history_created_by_address_base58 CHECK (created_by_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$')
);

-- source: schema/tables/access_grants.sql:58
ALTER TABLE access_grants ENABLE ROW LEVEL SECURITY;

-- source: schema/tables/access_grants.sql:59
ALTER TABLE access_grants FORCE ROW LEVEL SECURITY;

-- source: schema/tables/access_grants.sql:42
ALTER TABLE access_grants OWNER TO memory_owner;

-- source: schema/tables/blockchain_audit_logs.sql:56
ALTER TABLE blockchain_audit_logs ENABLE ROW LEVEL SECURITY;

-- source: schema/tables/blockchain_audit_logs.sql:57
ALTER TABLE blockchain_audit_logs FORCE ROW LEVEL SECURITY;

-- source: schema/tables/blockchain_audit_logs.sql:34
ALTER TABLE blockchain_audit_logs OWNER TO memory_owner;

-- source: schema/tables/blockchain_audit_logs_archive.sql:34
ALTER TABLE blockchain_audit_logs_archive ENABLE ROW LEVEL SECURITY;

-- source: schema/tables/blockchain_audit_logs_archive.sql:35
ALTER TABLE blockchain_audit_logs_archive FORCE ROW LEVEL SECURITY;

-- source: schema/tables/blockchain_audit_logs_archive.sql:22
ALTER TABLE blockchain_audit_logs_archive OWNER TO memory_owner;

-- source: schema/tables/cost_tracking.sql:55
ALTER TABLE cost_tracking ENABLE ROW LEVEL SECURITY;

-- source: schema/tables/cost_tracking.sql:56
ALTER TABLE cost_tracking FORCE ROW LEVEL SECURITY;

-- source: schema/tables/cost_tracking.sql:39
ALTER TABLE cost_tracking OWNER TO memory_owner;

-- source: schema/tables/memory_assets.sql:76
ALTER TABLE memory_assets ENABLE ROW LEVEL SECURITY;

-- source: schema/tables/memory_assets.sql:77
ALTER TABLE memory_assets FORCE ROW LEVEL SECURITY;

-- source: schema/tables/memory_assets.sql:53
ALTER TABLE memory_assets OWNER TO memory_owner;

-- source: schema/tables/memory_batches.sql:73
ALTER TABLE memory_batches ENABLE ROW LEVEL SECURITY;

-- source: schema/tables/memory_batches.sql:74
ALTER TABLE memory_batches FORCE ROW LEVEL SECURITY;

-- source: schema/tables/memory_batches.sql:54
ALTER TABLE memory_batches OWNER TO memory_owner;

-- source: schema/tables/merkle_trees.sql:51
ALTER TABLE merkle_trees ENABLE ROW LEVEL SECURITY;

-- source: schema/tables/merkle_trees.sql:52
ALTER TABLE merkle_trees FORCE ROW LEVEL SECURITY;

-- source: schema/tables/merkle_trees.sql:41
ALTER TABLE merkle_trees OWNER TO memory_owner;

-- source: schema/tables/minting_queue.sql:63
ALTER TABLE minting_queue ENABLE ROW LEVEL SECURITY;

-- source: schema/tables/minting_queue.sql:64
ALTER TABLE minting_queue FORCE ROW LEVEL SECURITY;

-- source: schema/tables/minting_queue.sql:42
ALTER TABLE minting_queue OWNER TO memory_owner;

-- source: schema/tables/transfer_history.sql:42
ALTER TABLE transfer_history ENABLE ROW LEVEL SECURITY;

-- source: schema/tables/transfer_history.sql:43
ALTER TABLE transfer_history FORCE ROW LEVEL SECURITY;

-- source: schema/tables/transfer_history.sql:28
ALTER TABLE transfer_history OWNER TO memory_owner;

-- source: schema/tables/version_history.sql:31
ALTER TABLE version_history ENABLE ROW LEVEL SECURITY;

-- source: schema/tables/version_history.sql:32
ALTER TABLE version_history FORCE ROW LEVEL SECURITY;

-- source: schema/tables/version_history.sql:27
ALTER TABLE version_history OWNER TO memory_owner;

-- source: schema/tables/access_grants.sql:45
CREATE INDEX access_grants_asset_id_idx
  ON access_grants (asset_id);

-- source: schema/tables/access_grants.sql:48
CREATE INDEX access_grants_grantee_address_active_idx
  ON access_grants (grantee_address)
  WHERE revoked_at IS NULL;

-- source: schema/tables/access_grants.sql:53
CREATE INDEX access_grants_grantor_address_idx
  ON access_grants (grantor_address);

-- source: schema/tables/blockchain_audit_logs.sql:40
CREATE INDEX blockchain_audit_logs_actor_address_timestamp_idx
  ON blockchain_audit_logs (actor_address, timestamp DESC);

-- source: schema/tables/blockchain_audit_logs_archive.sql:29
CREATE INDEX blockchain_audit_logs_archive_actor_address_timestamp_idx
  ON blockchain_audit_logs_archive (actor_address, timestamp DESC);

-- source: schema/tables/blockchain_audit_logs_archive.sql:25
CREATE INDEX blockchain_audit_logs_archive_timestamp_idx
  ON blockchain_audit_logs_archive (timestamp);

-- source: schema/tables/blockchain_audit_logs.sql:44
CREATE INDEX blockchain_audit_logs_asset_id_timestamp_idx
  ON blockchain_audit_logs (asset_id, timestamp DESC);

-- source: schema/tables/blockchain_audit_logs.sql:48
CREATE INDEX blockchain_audit_logs_batch_id_idx
  ON blockchain_audit_logs (batch_id);

-- source: schema/tables/blockchain_audit_logs.sql:51
CREATE INDEX blockchain_audit_logs_operation_timestamp_idx
  ON blockchain_audit_logs (operation, timestamp DESC);

-- source: schema/tables/blockchain_audit_logs.sql:37
CREATE INDEX blockchain_audit_logs_timestamp_idx
  ON blockchain_audit_logs (timestamp);

-- source: schema/tables/cost_tracking.sql:48
CREATE INDEX cost_tracking_batch_id_idx
  ON cost_tracking (batch_id);

-- source: schema/tables/cost_tracking.sql:51
CREATE INDEX cost_tracking_timestamp_idx
  ON cost_tracking (timestamp);

-- source: schema/tables/cost_tracking.sql:43
CREATE INDEX cost_tracking_wallet_address_timestamp_idx
  ON cost_tracking (wallet_address, timestamp) INCLUDE (total_cost_lamports);

-- source: schema/tables/memory_assets.sql:60
CREATE INDEX memory_assets_batch_id_idx
  ON memory_assets (batch_id);

-- source: schema/tables/memory_assets.sql:66
CREATE INDEX memory_assets_created_at_idx
  ON memory_assets (created_at);

-- source: schema/tables/memory_assets.sql:56
CREATE INDEX memory_assets_owner_address_created_at_idx
  ON memory_assets (owner_address, created_at DESC);

-- source: schema/tables/memory_assets.sql:69
CREATE INDEX memory_assets_search_idx
  ON memory_assets USING gin (search);

-- source: schema/tables/memory_assets.sql:63
CREATE INDEX memory_assets_status_created_at_idx
  ON memory_assets (status, created_at DESC);

-- source: schema/tables/memory_assets.sql:72
CREATE INDEX memory_assets_tags_idx
  ON memory_assets USING gin (tags);

-- source: schema/tables/memory_batches.sql:68
CREATE INDEX memory_batches_created_date_idx
  ON memory_batches ((CAST(created_at AT TIME ZONE 'UTC' AS date)));

-- source: schema/tables/memory_batches.sql:61
CREATE INDEX memory_batches_merkle_tree_idx
  ON memory_batches (merkle_tree);

-- source: schema/tables/memory_batches.sql:57
CREATE INDEX memory_batches_owner_address_created_at_idx
  ON memory_batches (owner_address, created_at DESC);

-- source: schema/tables/memory_batches.sql:64
CREATE INDEX memory_batches_status_created_at_idx
  ON memory_batches (status, created_at);

-- source: schema/tables/merkle_trees.sql:44
CREATE INDEX merkle_trees_authority_address_idx
  ON merkle_trees (authority_address);

-- source: schema/tables/merkle_trees.sql:47
CREATE INDEX merkle_trees_status_idx
  ON merkle_trees (status, created_at);

-- source: schema/tables/minting_queue.sql:55
CREATE INDEX minting_queue_batch_id_idx
  ON minting_queue (batch_id);

-- source: schema/tables/minting_queue.sql:51
CREATE INDEX minting_queue_owner_address_created_at_idx
  ON minting_queue (owner_address, created_at DESC);

-- source: schema/tables/minting_queue.sql:46
CREATE INDEX minting_queue_pending_idx
  ON minting_queue (priority DESC, scheduled_at)
  WHERE status = 'pending';

-- source: schema/tables/minting_queue.sql:59
CREATE INDEX minting_queue_status_completed_at_idx
  ON minting_queue (status, completed_at);

-- source: schema/tables/transfer_history.sql:31
CREATE INDEX transfer_history_asset_id_transferred_at_idx
  ON transfer_history (asset_id, transferred_at DESC);

-- source: schema/tables/transfer_history.sql:35
CREATE INDEX transfer_history_from_address_transferred_at_idx
  ON transfer_history (from_address, transferred_at DESC);

-- source: schema/tables/transfer_history.sql:37
CREATE INDEX transfer_history_to_address_transferred_at_idx
  ON transfer_history (to_address, transferred_at DESC);

-- source: schema/monitoring/connection_counts.sql:3
CREATE VIEW monitoring.connection_counts
  WITH (security_invoker = true)
  AS SELECT a.datname,
            a.usename,
            a.state,
            count(*) AS connections,
            count(*) FILTER (WHERE a.wait_event_type = 'Lock') AS waiting_on_locks,
            max(now() - a.xact_start) AS oldest_transaction_age,
            max(now() - a.state_change) FILTER (WHERE a.state = 'active') AS longest_active_query,
            CAST(current_setting('max_connections') AS integer) AS max_connections
     FROM pg_stat_activity AS a
     WHERE a.backend_type = 'client backend'
     GROUP BY a.datname, a.usename, a.state;

-- source: schema/monitoring/connection_counts.sql:18
ALTER VIEW monitoring.connection_counts OWNER TO memory_owner;

-- source: schema/monitoring/index_usage.sql:4
CREATE VIEW monitoring.index_usage
  WITH (security_invoker = true)
  AS WITH foreign_key_indexes AS (
              SELECT DISTINCT i.indexrelid
              FROM pg_index AS i
                   INNER JOIN pg_constraint AS c ON i.indrelid = c.conrelid
                                                AND c.contype = 'f'
              WHERE (CAST(string_to_array(CAST(i.indkey AS text), ' ') AS int2[]))[1:cardinality(c.conkey)] @> c.conkey
                AND (CAST(string_to_array(CAST(i.indkey AS text), ' ') AS int2[]))[1:cardinality(c.conkey)] <@ c.conkey
            )
       SELECT s.schemaname,
              s.relname AS tablename,
              s.indexrelname AS indexname,
              s.idx_scan,
              s.idx_tup_read,
              s.idx_tup_fetch,
              i.indisunique AS is_unique,
              i.indisprimary AS is_primary,
              pg_relation_size(s.indexrelid) AS index_bytes,
              pg_size_pretty(pg_relation_size(s.indexrelid)) AS index_size,
              fk.indexrelid IS NOT NULL AS supports_foreign_key,
              s.idx_scan = 0 AND NOT i.indisunique AND fk.indexrelid IS NULL AS unused
       FROM pg_stat_user_indexes AS s
            INNER JOIN pg_index AS i ON s.indexrelid = i.indexrelid
            LEFT JOIN foreign_key_indexes AS fk ON s.indexrelid = fk.indexrelid
       ORDER BY s.idx_scan ASC,
                index_bytes DESC,
                s.schemaname ASC,
                indexname ASC;

-- source: schema/monitoring/index_usage.sql:36
ALTER VIEW monitoring.index_usage OWNER TO memory_owner;

-- source: schema/monitoring/table_sizes.sql:4
CREATE VIEW monitoring.table_sizes
  WITH (security_invoker = true)
  AS SELECT n.nspname AS schemaname,
            c.relname AS tablename,
            CAST(c.reltuples AS bigint) AS row_estimate,
            pg_total_relation_size(c.oid) AS total_bytes,
            pg_table_size(c.oid) AS table_bytes,
            pg_indexes_size(c.oid) AS index_bytes,
            pg_size_pretty(pg_total_relation_size(c.oid)) AS total_size
     FROM pg_class AS c INNER JOIN pg_namespace AS n ON c.relnamespace = n.oid
     WHERE c.relkind IN ('r', 'p', 'm')
       AND n.nspname <> 'information_schema'
       AND n.nspname !~ '^pg_'
     ORDER BY total_bytes DESC, schemaname ASC, tablename ASC;

-- source: schema/monitoring/table_sizes.sql:23
ALTER VIEW monitoring.table_sizes OWNER TO memory_owner;

-- source: schema/views/active_memory_assets.sql:4
CREATE VIEW active_memory_assets
  WITH (security_invoker = true)
  AS SELECT ma.asset_id,
            ma.owner_address,
            ma.batch_id,
            ma.merkle_tree,
            ma.leaf_index,
            ma.mint_signature,
            ma.arweave_tx_id,
            ma.content_hash,
            ma.title,
            ma.description,
            ma.tags,
            ma.metadata,
            ma.created_at,
            ma.updated_at,
            mb.status AS batch_status,
            mb.primary_signature AS batch_signature,
            mb.created_at AS batch_created_at,
            mb.completed_at AS batch_completed_at,
            (SELECT count(*)
             FROM access_grants AS ag
             WHERE ag.asset_id = ma.asset_id
               AND ag.grantor_address = ma.owner_address
               AND ag.revoked_at IS NULL
               AND (ag.expires_at IS NULL OR ag.expires_at > now())
               AND (ag.max_uses IS NULL OR ag.use_count < ag.max_uses)) AS active_grant_count
     FROM memory_assets AS ma
          LEFT JOIN memory_batches AS mb ON ma.batch_id = mb.batch_id
     WHERE ma.status = 'active';

-- source: schema/views/active_memory_assets.sql:39
ALTER VIEW active_memory_assets OWNER TO memory_owner;

-- source: schema/views/batch_statistics.sql:4
CREATE VIEW batch_statistics
  WITH (security_invoker = true)
  AS SELECT CAST(mb.created_at AT TIME ZONE 'UTC' AS date) AS date,
            count(*) AS total_batches,
            count(*) FILTER (WHERE mb.status = 'pending') AS pending_batches,
            count(*) FILTER (WHERE mb.status = 'processing') AS processing_batches,
            count(*) FILTER (WHERE mb.status = 'completed') AS completed_batches,
            count(*) FILTER (WHERE mb.status = 'failed') AS failed_batches,
            COALESCE(sum(mb.asset_count), 0) AS total_assets_requested,
            COALESCE(sum(mb.minted_count), 0) AS total_assets_minted,
            count(DISTINCT mb.owner_address) AS unique_wallets,
            COALESCE(sum(mb.total_cost_lamports), 0) AS total_cost_lamports,
            avg(mb.total_cost_lamports) AS avg_cost_lamports,
            COALESCE(sum(mb.arweave_cost_winston), 0) AS total_arweave_cost_winston,
            avg(mb.completed_at - mb.created_at) FILTER (WHERE mb.status = 'completed') AS avg_completion_time
     FROM memory_batches AS mb
     GROUP BY CAST(mb.created_at AT TIME ZONE 'UTC' AS date);

-- source: schema/views/batch_statistics.sql:24
ALTER VIEW batch_statistics OWNER TO memory_owner;

-- source: schema/views/user_statistics.sql:6
CREATE VIEW user_statistics
  WITH (security_invoker = true)
  AS WITH asset_totals AS (
              SELECT ma.owner_address,
                     count(*) AS total_assets,
                     count(*) FILTER (WHERE ma.status = 'active') AS active_assets,
                     min(ma.created_at) AS first_asset_at,
                     max(ma.created_at) AS last_asset_at
              FROM memory_assets AS ma
              GROUP BY ma.owner_address
            ),
          batch_totals AS (
              SELECT mb.owner_address,
                     count(*) AS total_batches,
                     count(*) FILTER (WHERE mb.status = 'completed') AS completed_batches,
                     count(*) FILTER (WHERE mb.status = 'failed') AS failed_batches,
                     max(mb.created_at) AS last_batch_at
              FROM memory_batches AS mb
              GROUP BY mb.owner_address
            ),
          cost_totals AS (
              SELECT ct.wallet_address AS owner_address,
                     count(*) AS paid_operations,
                     sum(ct.total_cost_lamports) AS total_cost_lamports,
                     sum(ct.solana_fee_lamports) AS total_solana_fee_lamports,
                     sum(ct.arweave_cost_winston) AS total_arweave_cost_winston
              FROM cost_tracking AS ct
              GROUP BY ct.wallet_address
            ),
          wallets AS (
              (SELECT ma.owner_address
               FROM memory_assets AS ma

               UNION

               SELECT mb.owner_address
               FROM memory_batches AS mb)

              UNION

              SELECT ct.wallet_address
              FROM cost_tracking AS ct
            )
       SELECT w.owner_address,
              a.first_asset_at,
              a.last_asset_at,
              b.last_batch_at,
              COALESCE(a.total_assets, 0) AS total_assets,
              COALESCE(a.active_assets, 0) AS active_assets,
              COALESCE(b.total_batches, 0) AS total_batches,
              COALESCE(b.completed_batches, 0) AS completed_batches,
              COALESCE(b.failed_batches, 0) AS failed_batches,
              COALESCE(c.paid_operations, 0) AS paid_operations,
              COALESCE(c.total_cost_lamports, 0) AS total_cost_lamports,
              COALESCE(c.total_solana_fee_lamports, 0) AS total_solana_fee_lamports,
              COALESCE(c.total_arweave_cost_winston, 0) AS total_arweave_cost_winston
       FROM wallets AS w
            LEFT JOIN asset_totals AS a ON w.owner_address = a.owner_address
            LEFT JOIN batch_totals AS b ON w.owner_address = b.owner_address
            LEFT JOIN cost_totals AS c ON w.owner_address = c.owner_address;

-- source: schema/views/user_statistics.sql:69
ALTER VIEW user_statistics OWNER TO memory_owner;

-- source: schema/triggers/update_access_grants_updated_at.sql:1
CREATE TRIGGER update_access_grants_updated_at
  BEFORE UPDATE
  ON access_grants
  FOR EACH ROW
    EXECUTE PROCEDURE set_updated_at();

-- source: schema/triggers/check_memory_assets_rules.sql:1
CREATE TRIGGER check_memory_assets_rules
  BEFORE INSERT OR UPDATE
  ON memory_assets
  FOR EACH ROW
    EXECUTE PROCEDURE memory_assets_rules();

-- source: schema/triggers/update_memory_assets_updated_at.sql:1
CREATE TRIGGER update_memory_assets_updated_at
  BEFORE UPDATE
  ON memory_assets
  FOR EACH ROW
    EXECUTE PROCEDURE set_updated_at();

-- source: schema/triggers/update_memory_batches_updated_at.sql:1
CREATE TRIGGER update_memory_batches_updated_at
  BEFORE UPDATE
  ON memory_batches
  FOR EACH ROW
    EXECUTE PROCEDURE set_updated_at();

-- source: schema/triggers/update_merkle_trees_updated_at.sql:1
CREATE TRIGGER update_merkle_trees_updated_at
  BEFORE UPDATE
  ON merkle_trees
  FOR EACH ROW
    EXECUTE PROCEDURE set_updated_at();

-- source: schema/triggers/check_minting_queue_rules.sql:1
CREATE TRIGGER check_minting_queue_rules
  BEFORE INSERT OR UPDATE OF batch_id, owner_address
  ON minting_queue
  FOR EACH ROW
    EXECUTE PROCEDURE minting_queue_rules();

-- source: schema/triggers/update_minting_queue_updated_at.sql:1
CREATE TRIGGER update_minting_queue_updated_at
  BEFORE UPDATE
  ON minting_queue
  FOR EACH ROW
    EXECUTE PROCEDURE set_updated_at();

-- source: schema/triggers/check_transfer_history_rules.sql:1
CREATE TRIGGER check_transfer_history_rules
  BEFORE INSERT
  ON transfer_history
  FOR EACH ROW
    EXECUTE PROCEDURE transfer_history_rules();

-- source: schema/triggers/check_version_history_rules.sql:1
CREATE TRIGGER check_version_history_rules
  BEFORE INSERT
  ON version_history
  FOR EACH ROW
    EXECUTE PROCEDURE version_history_rules();

-- source: schema/policies/access_grants.sql:19
CREATE POLICY grantee_read ON access_grants AS PERMISSIVE FOR select TO blockchain_service USING (grantee_address = current_setting('app.current_user', TRUE));

-- source: schema/policies/access_grants.sql:8
CREATE POLICY grantor_access ON access_grants AS PERMISSIVE FOR all TO blockchain_service USING (grantor_address = current_setting('app.current_user', TRUE)) WITH CHECK (grantor_address = current_setting('app.current_user', TRUE));

-- source: schema/policies/access_grants.sql:30
CREATE POLICY schema_owner_all ON access_grants AS PERMISSIVE FOR all TO memory_owner USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/blockchain_audit_logs.sql:3
CREATE POLICY actor_access ON blockchain_audit_logs AS PERMISSIVE FOR all TO blockchain_service USING (actor_address = current_setting('app.current_user', TRUE)) WITH CHECK (actor_address = current_setting('app.current_user', TRUE));

-- source: schema/policies/blockchain_audit_logs.sql:24
CREATE POLICY schema_owner_all ON blockchain_audit_logs AS PERMISSIVE FOR all TO memory_owner USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/blockchain_audit_logs.sql:12
CREATE POLICY worker_access ON blockchain_audit_logs AS PERMISSIVE FOR all TO memory_worker USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/blockchain_audit_logs_archive.sql:6
CREATE POLICY schema_owner_all ON blockchain_audit_logs_archive AS PERMISSIVE FOR all TO memory_owner USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/cost_tracking.sql:2
CREATE POLICY owner_read ON cost_tracking AS PERMISSIVE FOR select TO blockchain_service USING (wallet_address = current_setting('app.current_user', TRUE));

-- source: schema/policies/cost_tracking.sql:22
CREATE POLICY schema_owner_all ON cost_tracking AS PERMISSIVE FOR all TO memory_owner USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/cost_tracking.sql:10
CREATE POLICY worker_access ON cost_tracking AS PERMISSIVE FOR all TO memory_worker USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/memory_assets.sql:13
CREATE POLICY owner_access ON memory_assets AS PERMISSIVE FOR all TO blockchain_service USING (owner_address = current_setting('app.current_user', TRUE)) WITH CHECK (owner_address = current_setting('app.current_user', TRUE)
                                                                                                                                                                  AND status IN ('active', 'archived'));

-- source: schema/policies/memory_assets.sql:27
CREATE POLICY owner_updates_settled ON memory_assets AS RESTRICTIVE FOR update TO blockchain_service USING (status IN ('active', 'archived'));

-- source: schema/policies/memory_assets.sql:49
CREATE POLICY schema_owner_all ON memory_assets AS PERMISSIVE FOR all TO memory_owner USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/memory_assets.sql:37
CREATE POLICY worker_access ON memory_assets AS PERMISSIVE FOR all TO memory_worker USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/memory_batches.sql:3
CREATE POLICY owner_access ON memory_batches AS PERMISSIVE FOR all TO blockchain_service USING (owner_address = current_setting('app.current_user', TRUE)) WITH CHECK (owner_address = current_setting('app.current_user', TRUE));

-- source: schema/policies/memory_batches.sql:25
CREATE POLICY schema_owner_all ON memory_batches AS PERMISSIVE FOR all TO memory_owner USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/memory_batches.sql:13
CREATE POLICY worker_access ON memory_batches AS PERMISSIVE FOR all TO memory_worker USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/merkle_trees.sql:3
CREATE POLICY public_read ON merkle_trees AS PERMISSIVE FOR select TO blockchain_service USING (TRUE);

-- source: schema/policies/merkle_trees.sql:23
CREATE POLICY schema_owner_all ON merkle_trees AS PERMISSIVE FOR all TO memory_owner USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/merkle_trees.sql:11
CREATE POLICY worker_access ON merkle_trees AS PERMISSIVE FOR all TO memory_worker USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/minting_queue.sql:19
CREATE POLICY owner_cancel ON minting_queue AS PERMISSIVE FOR update TO blockchain_service USING (owner_address = current_setting('app.current_user', TRUE)
                                                                                              AND status = 'pending') WITH CHECK (owner_address = current_setting('app.current_user', TRUE)
                                                                                                                              AND status = 'cancelled');

-- source: schema/policies/minting_queue.sql:11
CREATE POLICY owner_enqueue ON minting_queue AS PERMISSIVE FOR insert TO blockchain_service WITH CHECK (owner_address = current_setting('app.current_user', TRUE));

-- source: schema/policies/minting_queue.sql:3
CREATE POLICY owner_read ON minting_queue AS PERMISSIVE FOR select TO blockchain_service USING (owner_address = current_setting('app.current_user', TRUE));

-- source: schema/policies/minting_queue.sql:41
CREATE POLICY schema_owner_all ON minting_queue AS PERMISSIVE FOR all TO memory_owner USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/minting_queue.sql:29
CREATE POLICY worker_access ON minting_queue AS PERMISSIVE FOR all TO memory_worker USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/transfer_history.sql:3
CREATE POLICY party_read ON transfer_history AS PERMISSIVE FOR select TO blockchain_service USING (from_address = current_setting('app.current_user', TRUE)
                                                                                                OR to_address = current_setting('app.current_user', TRUE)
                                                                                                OR EXISTS (SELECT 1
                                                                                                           FROM memory_assets AS ma
                                                                                                           WHERE ma.asset_id = transfer_history.asset_id
                                                                                                             AND ma.owner_address = current_setting('app.current_user', TRUE)));

-- source: schema/policies/transfer_history.sql:24
CREATE POLICY schema_owner_all ON transfer_history AS PERMISSIVE FOR all TO memory_owner USING (TRUE) WITH CHECK (TRUE);

-- source: schema/policies/version_history.sql:4
CREATE POLICY asset_owner_access ON version_history AS PERMISSIVE FOR all TO blockchain_service USING (EXISTS (SELECT 1
                                                                                                               FROM memory_assets AS ma
                                                                                                               WHERE ma.asset_id = version_history.asset_id
                                                                                                                 AND ma.owner_address = current_setting('app.current_user', TRUE))) WITH CHECK (EXISTS (SELECT 1
                                                                                                                                                                                                        FROM memory_assets AS ma
                                                                                                                                                                                                        WHERE ma.asset_id = version_history.asset_id
                                                                                                                                                                                                          AND ma.owner_address = current_setting('app.current_user', TRUE)));

-- source: schema/policies/version_history.sql:32
CREATE POLICY schema_owner_all ON version_history AS PERMISSIVE FOR all TO memory_owner USING (TRUE) WITH CHECK (TRUE);

-- source: schema/functions/archive_audit_logs.sql:87
ALTER FUNCTION archive_audit_logs (interval, integer, integer) OWNER TO memory_owner;

-- source: schema/functions/cleanup_minting_queue.sql:56
ALTER FUNCTION cleanup_minting_queue (interval, integer, integer) OWNER TO memory_owner;

-- source: schema/functions/complete_batch.sql:39
ALTER FUNCTION complete_batch (uuid, text, text[], bigint, numeric) OWNER TO memory_owner;

-- source: schema/functions/memory_assets_rules.sql:74
ALTER FUNCTION memory_assets_rules () OWNER TO memory_owner;

-- source: schema/functions/minting_queue_rules.sql:24
ALTER FUNCTION minting_queue_rules () OWNER TO memory_owner;

-- source: schema/monitoring/slow_queries.sql:49
ALTER FUNCTION monitoring.slow_queries (integer) OWNER TO memory_owner;

-- source: schema/functions/record_grant_use.sql:27
ALTER FUNCTION record_grant_use (bigint) OWNER TO memory_owner;

-- source: schema/functions/set_updated_at.sql:13
ALTER FUNCTION set_updated_at () OWNER TO memory_owner;

-- source: schema/functions/shared_with_me.sql:55
ALTER FUNCTION shared_with_me () OWNER TO memory_owner;

-- source: schema/functions/transfer_asset.sql:46
ALTER FUNCTION transfer_asset (text, text, text) OWNER TO memory_owner;

-- source: schema/functions/transfer_history_rules.sql:22
ALTER FUNCTION transfer_history_rules () OWNER TO memory_owner;

-- source: schema/functions/version_history_rules.sql:26
ALTER FUNCTION version_history_rules () OWNER TO memory_owner;

-- source: schema/schemas/monitoring.sql:6
ALTER SCHEMA monitoring OWNER TO memory_owner;

-- source: schema/grants/database.sql:6
DO $role$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO "blockchain_service"', current_database()); END $role$;

-- source: schema/grants/database.sql:8
DO $role$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO "memory_backup"', current_database()); END $role$;

-- source: schema/grants/database.sql:11
DO $role$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO "memory_deploy"', current_database()); END $role$;

-- source: schema/grants/database.sql:7
DO $role$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO "memory_worker"', current_database()); END $role$;

-- source: schema/functions/complete_batch.sql:45
GRANT EXECUTE
  ON FUNCTION complete_batch (uuid, text, text[], bigint, numeric)
  TO memory_worker;

-- source: schema/functions/record_grant_use.sql:33
GRANT EXECUTE
  ON FUNCTION record_grant_use (bigint)
  TO blockchain_service;

-- source: schema/functions/shared_with_me.sql:61
GRANT EXECUTE
  ON FUNCTION shared_with_me ()
  TO blockchain_service;

-- source: schema/functions/transfer_asset.sql:52
GRANT EXECUTE
  ON FUNCTION transfer_asset (text, text, text)
  TO blockchain_service;

-- source: schema/grants/blockchain_service.sql:25
GRANT INSERT (asset_id,
              grantor_address,
              grantee_address,
              permission,
              max_uses,
              expires_at)
  ON TABLE access_grants
  TO blockchain_service;

-- source: schema/grants/memory_worker.sql:8
GRANT INSERT (asset_id,
              owner_address,
              batch_id,
              merkle_tree,
              leaf_index,
              mint_signature,
              arweave_tx_id,
              content_hash,
              title,
              description,
              tags,
              metadata,
              status)
  ON TABLE memory_assets
  TO memory_worker;

-- source: schema/grants/memory_worker.sql:26
GRANT INSERT (tree_address,
              authority_address,
              max_depth,
              max_buffer_size,
              canopy_depth,
              is_public,
              creation_signature,
              creation_cost_lamports)
  ON TABLE merkle_trees
  TO memory_worker;

-- source: schema/grants/memory_worker.sql:37
GRANT INSERT (wallet_address,
              operation,
              batch_id,
              tx_signature,
              solana_fee_lamports,
              rent_lamports,
              arweave_cost_winston,
              total_cost_lamports)
  ON TABLE cost_tracking
  TO memory_worker;

-- source: schema/grants/blockchain_service.sql:43
GRANT INSERT (asset_id, version, arweave_tx_id, content_hash, change_note)
  ON TABLE version_history
  TO blockchain_service;

-- source: schema/grants/blockchain_service.sql:46
GRANT INSERT (operation,
              status,
              actor_address,
              asset_id,
              batch_id,
              tx_signature,
              details)
  ON TABLE blockchain_audit_logs
  TO blockchain_service;

-- source: schema/grants/memory_worker.sql:34
GRANT INSERT (operation,
              status,
              actor_address,
              asset_id,
              batch_id,
              tx_signature,
              details)
  ON TABLE blockchain_audit_logs
  TO memory_worker;

-- source: schema/grants/blockchain_service.sql:21
GRANT INSERT (owner_address, asset_count)
  ON TABLE memory_batches
  TO blockchain_service;

-- source: schema/grants/blockchain_service.sql:32
GRANT INSERT (owner_address, batch_id, arweave_tx_id, payload)
  ON TABLE minting_queue
  TO blockchain_service;

-- source: schema/grants/blockchain_service.sql:24
GRANT SELECT
  ON TABLE access_grants
  TO blockchain_service;

-- source: schema/grants/blockchain_service.sql:51
GRANT SELECT
  ON TABLE active_memory_assets
  TO blockchain_service;

-- source: schema/grants/blockchain_service.sql:52
GRANT SELECT
  ON TABLE batch_statistics
  TO blockchain_service;

-- source: schema/grants/blockchain_service.sql:45
GRANT SELECT
  ON TABLE blockchain_audit_logs
  TO blockchain_service;

-- source: schema/grants/memory_worker.sql:33
GRANT SELECT
  ON TABLE blockchain_audit_logs
  TO memory_worker;

-- source: schema/grants/blockchain_service.sql:39
GRANT SELECT
  ON TABLE cost_tracking
  TO blockchain_service;

-- source: schema/grants/memory_worker.sql:36
GRANT SELECT
  ON TABLE cost_tracking
  TO memory_worker;

-- source: schema/grants/blockchain_service.sql:15
GRANT SELECT
  ON TABLE memory_assets
  TO blockchain_service;

-- source: schema/grants/memory_worker.sql:7
GRANT SELECT
  ON TABLE memory_assets
  TO memory_worker;

-- source: schema/grants/blockchain_service.sql:20
GRANT SELECT
  ON TABLE memory_batches
  TO blockchain_service;

-- source: schema/grants/memory_worker.sql:15
GRANT SELECT
  ON TABLE memory_batches
  TO memory_worker;

-- source: schema/grants/blockchain_service.sql:37
GRANT SELECT
  ON TABLE merkle_trees
  TO blockchain_service;

-- source: schema/grants/memory_worker.sql:25
GRANT SELECT
  ON TABLE merkle_trees
  TO memory_worker;

-- source: schema/grants/blockchain_service.sql:31
GRANT SELECT
  ON TABLE minting_queue
  TO blockchain_service;

-- source: schema/grants/memory_worker.sql:19
GRANT SELECT
  ON TABLE minting_queue
  TO memory_worker;

-- source: schema/grants/blockchain_service.sql:38
GRANT SELECT
  ON TABLE transfer_history
  TO blockchain_service;

-- source: schema/grants/blockchain_service.sql:53
GRANT SELECT
  ON TABLE user_statistics
  TO blockchain_service;

-- source: schema/grants/blockchain_service.sql:42
GRANT SELECT
  ON TABLE version_history
  TO blockchain_service;

-- source: schema/grants/memory_worker.sql:20
GRANT UPDATE (status,
              attempts,
              scheduled_at,
              started_at,
              completed_at,
              last_error,
              batch_id)
  ON TABLE minting_queue
  TO memory_worker;

-- source: schema/grants/blockchain_service.sql:28
GRANT UPDATE (expires_at, max_uses, revoked_at)
  ON TABLE access_grants
  TO blockchain_service;

-- source: schema/grants/memory_worker.sql:30
GRANT UPDATE (leaves_minted, status)
  ON TABLE merkle_trees
  TO memory_worker;

-- source: schema/grants/blockchain_service.sql:34
GRANT UPDATE (status)
  ON TABLE minting_queue
  TO blockchain_service;

-- source: schema/grants/memory_worker.sql:16
GRANT UPDATE (status, merkle_tree, error_message)
  ON TABLE memory_batches
  TO memory_worker;

-- source: schema/grants/memory_worker.sql:12
GRANT UPDATE (status, mint_signature)
  ON TABLE memory_assets
  TO memory_worker;

-- source: schema/grants/blockchain_service.sql:16
GRANT UPDATE (title, description, tags, metadata, status)
  ON TABLE memory_assets
  TO blockchain_service;

-- source: schema/grants/blockchain_service.sql:11
GRANT USAGE
  ON SCHEMA public
  TO blockchain_service;

-- source: schema/grants/memory_worker.sql:4
GRANT USAGE
  ON SCHEMA public
  TO memory_worker;

-- source: schema/grants/database.sql:5
DO $role$ BEGIN EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()); END $role$;

-- source: schema/grants/blockchain_service.sql:10
REVOKE CREATE
  ON SCHEMA public
  FROM PUBLIC;

-- source: schema/functions/archive_audit_logs.sql:93
REVOKE EXECUTE
  ON FUNCTION archive_audit_logs (interval, integer, integer)
  FROM PUBLIC;

-- source: schema/functions/cleanup_minting_queue.sql:62
REVOKE EXECUTE
  ON FUNCTION cleanup_minting_queue (interval, integer, integer)
  FROM PUBLIC;

-- source: schema/functions/complete_batch.sql:44
REVOKE EXECUTE
  ON FUNCTION complete_batch (uuid, text, text[], bigint, numeric)
  FROM PUBLIC;

-- source: schema/functions/memory_assets_rules.sql:80
REVOKE EXECUTE
  ON FUNCTION memory_assets_rules ()
  FROM PUBLIC;

-- source: schema/functions/minting_queue_rules.sql:29
REVOKE EXECUTE
  ON FUNCTION minting_queue_rules ()
  FROM PUBLIC;

-- source: schema/monitoring/slow_queries.sql:54
REVOKE EXECUTE
  ON FUNCTION monitoring.slow_queries (integer)
  FROM PUBLIC;

-- source: schema/functions/record_grant_use.sql:32
REVOKE EXECUTE
  ON FUNCTION record_grant_use (bigint)
  FROM PUBLIC;

-- source: schema/functions/set_updated_at.sql:19
REVOKE EXECUTE
  ON FUNCTION set_updated_at ()
  FROM PUBLIC;

-- source: schema/functions/shared_with_me.sql:60
REVOKE EXECUTE
  ON FUNCTION shared_with_me ()
  FROM PUBLIC;

-- source: schema/functions/transfer_asset.sql:51
REVOKE EXECUTE
  ON FUNCTION transfer_asset (text, text, text)
  FROM PUBLIC;

-- source: schema/functions/transfer_history_rules.sql:27
REVOKE EXECUTE
  ON FUNCTION transfer_history_rules ()
  FROM PUBLIC;

-- source: schema/functions/version_history_rules.sql:31
REVOKE EXECUTE
  ON FUNCTION version_history_rules ()
  FROM PUBLIC;

-- source: schema/roles/blockchain_service.sql:27
DO $role$ BEGIN IF shobj_description((SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'blockchain_service'), 'pg_authid') IS DISTINCT FROM 'Application service account of the memory platform: least-privilege DML on the domain tables, subject to row-level security. Password managed out of band.'::text THEN EXECUTE 'COMMENT ON ROLE "blockchain_service" IS ''Application service account of the memory platform: least-privilege DML on the domain tables, subject to row-level security. Password managed out of band.'''; END IF; END $role$;

-- source: schema/roles/memory_backup.sql:23
DO $role$ BEGIN IF shobj_description((SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'memory_backup'), 'pg_authid') IS DISTINCT FROM 'Backup and operator read-only account: reads every row (BYPASSRLS, pg_read_all_data), writes nothing. Password managed out of band.'::text THEN EXECUTE 'COMMENT ON ROLE "memory_backup" IS ''Backup and operator read-only account: reads every row (BYPASSRLS, pg_read_all_data), writes nothing. Password managed out of band.'''; END IF; END $role$;

-- source: schema/roles/memory_deploy.sql:18
DO $role$ BEGIN IF shobj_description((SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'memory_deploy'), 'pg_authid') IS DISTINCT FROM 'Deploy account: applies migrations as a member of memory_owner. Not a superuser. Password managed out of band.'::text THEN EXECUTE 'COMMENT ON ROLE "memory_deploy" IS ''Deploy account: applies migrations as a member of memory_owner. Not a superuser. Password managed out of band.'''; END IF; END $role$;

-- source: schema/roles/memory_owner.sql:22
DO $role$ BEGIN IF shobj_description((SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'memory_owner'), 'pg_authid') IS DISTINCT FROM 'Owner of every object of the memory platform schema. NOLOGIN; the deploy role acts through membership.'::text THEN EXECUTE 'COMMENT ON ROLE "memory_owner" IS ''Owner of every object of the memory platform schema. NOLOGIN; the deploy role acts through membership.'''; END IF; END $role$;

-- source: schema/roles/memory_worker.sql:22
DO $role$ BEGIN IF shobj_description((SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'memory_worker'), 'pg_authid') IS DISTINCT FROM 'Background worker account of the memory platform: minting queue, batches, trees, audit and cost rows across wallets. Password managed out of band.'::text THEN EXECUTE 'COMMENT ON ROLE "memory_worker" IS ''Background worker account of the memory platform: minting queue, batches, trees, audit and cost rows across wallets. Password managed out of band.'''; END IF; END $role$;

-- source: schema/schemas/monitoring.sql:8
COMMENT ON SCHEMA monitoring
  IS 'Operator monitoring: table_sizes, index_usage, connection_counts and slow_queries(). Owner only.';

-- source: schema/monitoring/connection_counts.sql:20
COMMENT ON VIEW monitoring.connection_counts
  IS 'Client connections by database, role and state, with lock waits, the oldest open transaction, the longest active query and max_connections.';

-- source: schema/monitoring/connection_counts.sql:24
COMMENT ON COLUMN monitoring.connection_counts.oldest_transaction_age
  IS 'Age of the oldest open transaction in the group (long ones hold back VACUUM).';

-- source: schema/monitoring/connection_counts.sql:22
COMMENT ON COLUMN monitoring.connection_counts.waiting_on_locks
  IS 'Connections of the group currently waiting for a lock.';

-- source: schema/monitoring/index_usage.sql:38
COMMENT ON VIEW monitoring.index_usage
  IS 'Scans and tuples read per user index since the last statistics reset, least used first, with index size; unused marks non-unique indexes never scanned.';

-- source: schema/monitoring/index_usage.sql:42
COMMENT ON COLUMN monitoring.index_usage.supports_foreign_key
  IS 'TRUE when the index leads with exactly the columns of a foreign key of its table: keep it, deletes on the referenced table need it.';

-- source: schema/monitoring/index_usage.sql:40
COMMENT ON COLUMN monitoring.index_usage.unused
  IS 'TRUE for a non-unique index, not serving a foreign key, with no scans since the last statistics reset: a candidate to drop.';

-- source: schema/monitoring/slow_queries.sql:51
COMMENT ON FUNCTION monitoring.slow_queries (integer)
  IS 'Top max_rows statements of the current database by mean execution time, from pg_stat_statements; a NOTICE and no rows when the extension is not installed or not loaded.';

-- source: schema/monitoring/table_sizes.sql:25
COMMENT ON VIEW monitoring.table_sizes
  IS 'Size of every user table, largest first: total, table (heap, TOAST, maps) and index bytes, the estimated row count, and a readable total.';

-- source: schema/monitoring/table_sizes.sql:27
COMMENT ON COLUMN monitoring.table_sizes.row_estimate
  IS 'Rows as estimated by the last ANALYZE (-1 if the table was never analyzed).';

-- source: schema/monitoring/table_sizes.sql:29
COMMENT ON COLUMN monitoring.table_sizes.total_bytes
  IS 'pg_total_relation_size: table, TOAST and all indexes.';

-- source: schema/tables/access_grants.sql:61
COMMENT ON TABLE access_grants
  IS 'Access grants on memory assets: time-limited (expires_at), usage-limited (max_uses) and revocable (revoked_at).';

-- source: schema/tables/access_grants.sql:73
COMMENT ON COLUMN access_grants.expires_at
  IS 'End of validity; NULL means no expiry.';

-- source: schema/tables/access_grants.sql:65
COMMENT ON COLUMN access_grants.grantee_address
  IS 'Base58 wallet that receives access.';

-- source: schema/policies/access_grants.sql:24
COMMENT ON POLICY grantee_read ON access_grants
  IS 'blockchain_service may read the grants received by the wallet in app.current_user.';

-- source: schema/policies/access_grants.sql:14
COMMENT ON POLICY grantor_access ON access_grants
  IS 'blockchain_service reads and writes only the grants given by the wallet in app.current_user; fails closed when the setting is unset.';

-- source: schema/tables/access_grants.sql:63
COMMENT ON COLUMN access_grants.grantor_address
  IS 'Base58 wallet that gave the grant (normally the asset owner).';

-- source: schema/tables/access_grants.sql:77
COMMENT ON COLUMN access_grants.last_used_at
  IS 'When the grant was last used.';

-- source: schema/tables/access_grants.sql:69
COMMENT ON COLUMN access_grants.max_uses
  IS 'Maximum number of uses; NULL means unlimited.';

-- source: schema/tables/access_grants.sql:67
COMMENT ON COLUMN access_grants.permission
  IS 'view: see the asset and its content; download: also fetch the original content.';

-- source: schema/tables/access_grants.sql:75
COMMENT ON COLUMN access_grants.revoked_at
  IS 'When the grant was revoked; NULL while it stands. Grants are revoked, never deleted.';

-- source: schema/policies/access_grants.sql:36
COMMENT ON POLICY schema_owner_all ON access_grants
  IS 'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';

-- source: schema/triggers/update_access_grants_updated_at.sql:6
COMMENT ON TRIGGER update_access_grants_updated_at ON access_grants
  IS 'Keeps access_grants.updated_at at the time of the last update.';

-- source: schema/tables/access_grants.sql:71
COMMENT ON COLUMN access_grants.use_count
  IS 'Uses so far; never exceeds max_uses.';

-- source: schema/views/active_memory_assets.sql:41
COMMENT ON VIEW active_memory_assets
  IS 'Active memory assets with batch information and the count of grants in force (given by the owner, not revoked, not expired, uses left). Runs with the caller''s privileges (security_invoker).';

-- source: schema/views/active_memory_assets.sql:45
COMMENT ON COLUMN active_memory_assets.active_grant_count
  IS 'Grants on the asset given by its owner that are not revoked, not expired and not used up (as visible to the caller under row-level security).';

-- source: schema/views/active_memory_assets.sql:43
COMMENT ON COLUMN active_memory_assets.batch_status
  IS 'Status of the minting batch; NULL for assets without a batch.';

-- source: schema/functions/archive_audit_logs.sql:89
COMMENT ON FUNCTION archive_audit_logs (interval, integer, integer)
  IS 'Maintenance: moves blockchain_audit_logs rows older than retention (default 90 days) into blockchain_audit_logs_archive, in batches of batch_size rows (at most max_batches, NULL = until done), one statement per batch so nothing is lost. Returns the number of rows moved.';

-- source: schema/views/batch_statistics.sql:26
COMMENT ON VIEW batch_statistics
  IS 'Daily (UTC) batch minting statistics: batches by status, assets requested and minted, wallets, Solana and Arweave costs, average completion time.';

-- source: schema/views/batch_statistics.sql:34
COMMENT ON COLUMN batch_statistics.avg_completion_time
  IS 'Average time from creation to completion of the completed batches.';

-- source: schema/views/batch_statistics.sql:28
COMMENT ON COLUMN batch_statistics.date
  IS 'UTC calendar day the batches were created (indexed expression on memory_batches).';

-- source: schema/views/batch_statistics.sql:32
COMMENT ON COLUMN batch_statistics.total_arweave_cost_winston
  IS 'Sum of the batches'' Arweave costs in winston.';

-- source: schema/views/batch_statistics.sql:30
COMMENT ON COLUMN batch_statistics.total_cost_lamports
  IS 'Sum of the batches'' Solana costs in lamports.';

-- source: schema/tables/blockchain_audit_logs.sql:59
COMMENT ON TABLE blockchain_audit_logs
  IS 'Append-only audit trail of blockchain operations (mints, transfers, grants, uploads), successful or not.';

-- source: schema/policies/blockchain_audit_logs.sql:9
COMMENT ON POLICY actor_access ON blockchain_audit_logs
  IS 'blockchain_service reads and appends only the audit rows whose actor is the wallet in app.current_user.';

-- source: schema/tables/blockchain_audit_logs.sql:65
COMMENT ON COLUMN blockchain_audit_logs.actor_address
  IS 'Base58 wallet on whose behalf the operation ran; NULL for system operations.';

-- source: schema/tables/blockchain_audit_logs.sql:67
COMMENT ON COLUMN blockchain_audit_logs.asset_id
  IS 'Asset concerned, if any. Not a foreign key: the trail outlives deleted rows.';

-- source: schema/tables/blockchain_audit_logs.sql:69
COMMENT ON COLUMN blockchain_audit_logs.batch_id
  IS 'Batch concerned, if any. Not a foreign key, for the same reason.';

-- source: schema/tables/blockchain_audit_logs.sql:73
COMMENT ON COLUMN blockchain_audit_logs.details
  IS 'Operation-specific details (JSON object): parameters, error, costs.';

-- source: schema/tables/blockchain_audit_logs.sql:61
COMMENT ON COLUMN blockchain_audit_logs.operation
  IS 'Operation name, a lowercase identifier (mint, batch_mint, transfer, grant_access, ...).';

-- source: schema/policies/blockchain_audit_logs.sql:30
COMMENT ON POLICY schema_owner_all ON blockchain_audit_logs
  IS 'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';

-- source: schema/tables/blockchain_audit_logs.sql:63
COMMENT ON COLUMN blockchain_audit_logs.status
  IS 'Outcome of the operation: success or failure.';

-- source: schema/tables/blockchain_audit_logs.sql:75
COMMENT ON COLUMN blockchain_audit_logs.timestamp
  IS 'When the operation was recorded.';

-- source: schema/tables/blockchain_audit_logs.sql:71
COMMENT ON COLUMN blockchain_audit_logs.tx_signature
  IS 'Base58 signature of the transaction, when one was sent.';

-- source: schema/policies/blockchain_audit_logs.sql:18
COMMENT ON POLICY worker_access ON blockchain_audit_logs
  IS 'memory_worker appends and reads the audit rows of every wallet (no UPDATE or DELETE is granted).';

-- source: schema/tables/blockchain_audit_logs_archive.sql:37
COMMENT ON TABLE blockchain_audit_logs_archive
  IS 'Archived audit trail: rows of blockchain_audit_logs older than the retention period (default 90 days), moved by archive_audit_logs().';

-- source: schema/tables/blockchain_audit_logs_archive.sql:43
COMMENT ON COLUMN blockchain_audit_logs_archive.archived_at
  IS 'When archive_audit_logs() moved the row here.';

-- source: schema/tables/blockchain_audit_logs_archive.sql:39
COMMENT ON COLUMN blockchain_audit_logs_archive.log_id
  IS 'The row''s log_id in blockchain_audit_logs, unchanged.';

-- source: schema/policies/blockchain_audit_logs_archive.sql:12
COMMENT ON POLICY schema_owner_all ON blockchain_audit_logs_archive
  IS 'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';

-- source: schema/tables/blockchain_audit_logs_archive.sql:41
COMMENT ON COLUMN blockchain_audit_logs_archive.timestamp
  IS 'When the operation was recorded (unchanged by archiving).';

-- source: schema/functions/cleanup_minting_queue.sql:58
COMMENT ON FUNCTION cleanup_minting_queue (interval, integer, integer)
  IS 'Maintenance: deletes completed minting_queue entries with completed_at older than retention (default 7 days), in batches of batch_size rows (at most max_batches, NULL = until done), skipping rows locked by workers. Returns the number of entries deleted.';

-- source: schema/functions/complete_batch.sql:41
COMMENT ON FUNCTION complete_batch (uuid, text, text[], bigint, numeric)
  IS 'Marks a pending or processing batch completed with its signatures and costs; minted_count is the number of assets recorded for it. Returns that count.';

-- source: schema/tables/cost_tracking.sql:58
COMMENT ON TABLE cost_tracking
  IS 'Cost of every paid operation (Solana fees and rent in lamports, Arweave storage in winston) for cost analytics.';

-- source: schema/tables/cost_tracking.sql:72
COMMENT ON COLUMN cost_tracking.arweave_cost_winston
  IS 'Arweave storage cost in winston (1 AR = 10^12 winston); numeric because totals can exceed bigint.';

-- source: schema/tables/cost_tracking.sql:64
COMMENT ON COLUMN cost_tracking.batch_id
  IS 'Batch the cost belongs to, if any.';

-- source: schema/tables/cost_tracking.sql:62
COMMENT ON COLUMN cost_tracking.operation
  IS 'Operation name, a lowercase identifier (mint, batch_mint, upload, transfer, tree_create, ...).';

-- source: schema/policies/cost_tracking.sql:7
COMMENT ON POLICY owner_read ON cost_tracking
  IS 'blockchain_service reads only the costs of the wallet in app.current_user.';

-- source: schema/tables/cost_tracking.sql:70
COMMENT ON COLUMN cost_tracking.rent_lamports
  IS 'Rent paid for new Solana accounts, in lamports.';

-- source: schema/policies/cost_tracking.sql:28
COMMENT ON POLICY schema_owner_all ON cost_tracking
  IS 'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';

-- source: schema/tables/cost_tracking.sql:68
COMMENT ON COLUMN cost_tracking.solana_fee_lamports
  IS 'Solana transaction fees in lamports (1 SOL = 10^9 lamports).';

-- source: schema/tables/cost_tracking.sql:76
COMMENT ON COLUMN cost_tracking.timestamp
  IS 'When the cost was incurred.';

-- source: schema/tables/cost_tracking.sql:74
COMMENT ON COLUMN cost_tracking.total_cost_lamports
  IS 'Total cost in lamports: Solana fee + rent + the Arweave cost converted at the time of the operation.';

-- source: schema/tables/cost_tracking.sql:66
COMMENT ON COLUMN cost_tracking.tx_signature
  IS 'Base58 signature of the paid transaction, when there was one.';

-- source: schema/tables/cost_tracking.sql:60
COMMENT ON COLUMN cost_tracking.wallet_address
  IS 'Base58 wallet the cost is attributed to.';

-- source: schema/policies/cost_tracking.sql:16
COMMENT ON POLICY worker_access ON cost_tracking
  IS 'memory_worker records and reads the costs of every wallet (no UPDATE or DELETE is granted).';

-- source: schema/tables/memory_assets.sql:79
COMMENT ON TABLE memory_assets
  IS 'Indexed memory assets: one row per compressed NFT minted on Solana, with its Arweave content reference and searchable metadata. Row-level security scopes rows to app.current_user.';

-- source: schema/tables/memory_assets.sql:93
COMMENT ON COLUMN memory_assets.arweave_tx_id
  IS 'Arweave transaction id (43 characters of base64url) of the stored content.';

-- source: schema/tables/memory_assets.sql:81
COMMENT ON COLUMN memory_assets.asset_id
  IS 'Base58 asset id of the compressed NFT (derived from the tree address and leaf nonce).';

-- source: schema/tables/memory_assets.sql:85
COMMENT ON COLUMN memory_assets.batch_id
  IS 'Batch that minted the asset; NULL for assets indexed from chain without a platform batch.';

-- source: schema/triggers/check_memory_assets_rules.sql:6
COMMENT ON TRIGGER check_memory_assets_rules ON memory_assets
  IS 'Enforces the cross-row rules of memory_assets (see function memory_assets_rules).';

-- source: schema/tables/memory_assets.sql:95
COMMENT ON COLUMN memory_assets.content_hash
  IS 'SHA-256 of the content stored on Arweave, lowercase hex: proves the content was not altered.';

-- source: schema/tables/memory_assets.sql:89
COMMENT ON COLUMN memory_assets.leaf_index
  IS 'Position of the asset''s leaf in the tree (0-based, below the tree capacity).';

-- source: schema/tables/memory_assets.sql:87
COMMENT ON COLUMN memory_assets.merkle_tree
  IS 'Address of the concurrent Merkle tree holding the asset''s leaf.';

-- source: schema/tables/memory_assets.sql:99
COMMENT ON COLUMN memory_assets.metadata
  IS 'Off-chain metadata (JSON object) as stored with the NFT.';

-- source: schema/tables/memory_assets.sql:91
COMMENT ON COLUMN memory_assets.mint_signature
  IS 'Base58 signature of the transaction that minted the asset, when known.';

-- source: schema/policies/memory_assets.sql:22
COMMENT ON POLICY owner_access ON memory_assets
  IS 'blockchain_service reads and writes only the assets owned by the wallet in app.current_user; fails closed (no rows) when the setting is unset.';

-- source: schema/tables/memory_assets.sql:83
COMMENT ON COLUMN memory_assets.owner_address
  IS 'Base58 wallet that currently owns the asset; row-level security compares it with app.current_user.';

-- source: schema/policies/memory_assets.sql:33
COMMENT ON POLICY owner_updates_settled ON memory_assets
  IS 'blockchain_service may update only active or archived assets (pending and burned are the worker''s).';

-- source: schema/policies/memory_assets.sql:55
COMMENT ON POLICY schema_owner_all ON memory_assets
  IS 'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';

-- source: schema/tables/memory_assets.sql:103
COMMENT ON COLUMN memory_assets.search
  IS 'Generated full-text document of title and description (simple configuration, GIN-indexed).';

-- source: schema/tables/memory_assets.sql:101
COMMENT ON COLUMN memory_assets.status
  IS 'pending: mint not yet confirmed; active: live; archived: hidden by the owner; burned: burned on chain.';

-- source: schema/tables/memory_assets.sql:97
COMMENT ON COLUMN memory_assets.tags
  IS 'Free-form tags chosen by the owner (GIN-indexed).';

-- source: schema/triggers/update_memory_assets_updated_at.sql:6
COMMENT ON TRIGGER update_memory_assets_updated_at ON memory_assets
  IS 'Keeps memory_assets.updated_at at the time of the last update.';

-- source: schema/tables/memory_assets.sql:105
COMMENT ON COLUMN memory_assets.updated_at
  IS 'Maintained by trigger update_memory_assets_updated_at.';

-- source: schema/policies/memory_assets.sql:43
COMMENT ON POLICY worker_access ON memory_assets
  IS 'memory_worker records minted assets and their chain status for every wallet (column privileges limit what it writes).';

-- source: schema/functions/memory_assets_rules.sql:76
COMMENT ON FUNCTION memory_assets_rules ()
  IS 'Trigger function: fixed chain facts, one-way status, leaf within tree capacity, asset and batch agree on owner and tree, batch size respected.';

-- source: schema/tables/memory_batches.sql:76
COMMENT ON TABLE memory_batches
  IS 'Batch mints: a set of memory assets minted together into one Merkle tree, with status, transaction signatures and costs.';

-- source: schema/tables/memory_batches.sql:94
COMMENT ON COLUMN memory_batches.arweave_cost_winston
  IS 'Arweave storage cost in winston (1 AR = 10^12 winston); numeric because totals can exceed bigint.';

-- source: schema/tables/memory_batches.sql:84
COMMENT ON COLUMN memory_batches.asset_count
  IS 'Number of assets the batch was asked to mint.';

-- source: schema/tables/memory_batches.sql:98
COMMENT ON COLUMN memory_batches.completed_at
  IS 'Set exactly when status is completed.';

-- source: schema/tables/memory_batches.sql:96
COMMENT ON COLUMN memory_batches.error_message
  IS 'Last error when status is failed.';

-- source: schema/tables/memory_batches.sql:80
COMMENT ON COLUMN memory_batches.merkle_tree
  IS 'Tree the batch mints into; NULL until the minting worker assigns one.';

-- source: schema/tables/memory_batches.sql:86
COMMENT ON COLUMN memory_batches.minted_count
  IS 'Number of assets minted so far (0..asset_count).';

-- source: schema/policies/memory_batches.sql:9
COMMENT ON POLICY owner_access ON memory_batches
  IS 'blockchain_service reads and requests only the batches of the wallet in app.current_user; fails closed when the setting is unset.';

-- source: schema/tables/memory_batches.sql:78
COMMENT ON COLUMN memory_batches.owner_address
  IS 'Base58 wallet that requested the batch and owns the minted assets.';

-- source: schema/tables/memory_batches.sql:88
COMMENT ON COLUMN memory_batches.primary_signature
  IS 'Base58 signature (87-88 characters) of the batch''s main minting transaction.';

-- source: schema/policies/memory_batches.sql:31
COMMENT ON POLICY schema_owner_all ON memory_batches
  IS 'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';

-- source: schema/tables/memory_batches.sql:82
COMMENT ON COLUMN memory_batches.status
  IS 'pending -> processing -> completed | failed.';

-- source: schema/tables/memory_batches.sql:92
COMMENT ON COLUMN memory_batches.total_cost_lamports
  IS 'Total Solana cost of the batch (fees and rent) in lamports (1 SOL = 10^9 lamports).';

-- source: schema/tables/memory_batches.sql:90
COMMENT ON COLUMN memory_batches.tx_signatures
  IS 'Base58 signatures of every transaction the batch needed, in submission order.';

-- source: schema/triggers/update_memory_batches_updated_at.sql:6
COMMENT ON TRIGGER update_memory_batches_updated_at ON memory_batches
  IS 'Keeps memory_batches.updated_at at the time of the last update.';

-- source: schema/policies/memory_batches.sql:19
COMMENT ON POLICY worker_access ON memory_batches
  IS 'memory_worker processes the batches of every wallet (column privileges limit what it writes).';

-- source: schema/tables/merkle_trees.sql:54
COMMENT ON TABLE merkle_trees
  IS 'Concurrent Merkle trees (Solana account compression) that compressed NFTs are minted into; one row per tree account.';

-- source: schema/tables/merkle_trees.sql:58
COMMENT ON COLUMN merkle_trees.authority_address
  IS 'Base58 address of the tree authority (the wallet or PDA allowed to mint into the tree).';

-- source: schema/tables/merkle_trees.sql:64
COMMENT ON COLUMN merkle_trees.canopy_depth
  IS 'Number of upper tree levels cached on chain (0..max_depth); larger canopies mean shorter proofs.';

-- source: schema/tables/merkle_trees.sql:66
COMMENT ON COLUMN merkle_trees.capacity
  IS 'Generated: 2^max_depth, the maximum number of leaves (assets) the tree can hold.';

-- source: schema/tables/merkle_trees.sql:76
COMMENT ON COLUMN merkle_trees.creation_cost_lamports
  IS 'Rent and fees paid to create the tree account, in lamports.';

-- source: schema/tables/merkle_trees.sql:74
COMMENT ON COLUMN merkle_trees.creation_signature
  IS 'Base58 signature of the transaction that created the tree account.';

-- source: schema/tables/merkle_trees.sql:70
COMMENT ON COLUMN merkle_trees.is_public
  IS 'Whether anyone may mint into the tree (Bubblegum public tree) rather than only its authority.';

-- source: schema/tables/merkle_trees.sql:68
COMMENT ON COLUMN merkle_trees.leaves_minted
  IS 'Leaves used so far; never exceeds capacity.';

-- source: schema/tables/merkle_trees.sql:62
COMMENT ON COLUMN merkle_trees.max_buffer_size
  IS 'Concurrent change-log buffer size chosen at creation (8..2048): how many writes per slot the tree tolerates.';

-- source: schema/tables/merkle_trees.sql:60
COMMENT ON COLUMN merkle_trees.max_depth
  IS 'Tree depth chosen at creation (3..30); the tree holds 2^max_depth leaves.';

-- source: schema/policies/merkle_trees.sql:8
COMMENT ON POLICY public_read ON merkle_trees
  IS 'blockchain_service reads every tree (public chain accounts); it writes none.';

-- source: schema/policies/merkle_trees.sql:29
COMMENT ON POLICY schema_owner_all ON merkle_trees
  IS 'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';

-- source: schema/tables/merkle_trees.sql:72
COMMENT ON COLUMN merkle_trees.status
  IS 'active: accepts mints; full: capacity reached; retired: no longer used for new mints.';

-- source: schema/tables/merkle_trees.sql:56
COMMENT ON COLUMN merkle_trees.tree_address
  IS 'Base58 address of the tree account on Solana.';

-- source: schema/triggers/update_merkle_trees_updated_at.sql:6
COMMENT ON TRIGGER update_merkle_trees_updated_at ON merkle_trees
  IS 'Keeps merkle_trees.updated_at at the time of the last update.';

-- source: schema/policies/merkle_trees.sql:17
COMMENT ON POLICY worker_access ON merkle_trees
  IS 'memory_worker creates trees and keeps their counters and status (column privileges limit what it writes).';

-- source: schema/tables/minting_queue.sql:66
COMMENT ON TABLE minting_queue
  IS 'Pending and processed minting operations of the asynchronous minting workflow.';

-- source: schema/tables/minting_queue.sql:72
COMMENT ON COLUMN minting_queue.arweave_tx_id
  IS 'Arweave transaction id of the already uploaded content, when the upload preceded queueing.';

-- source: schema/tables/minting_queue.sql:80
COMMENT ON COLUMN minting_queue.attempts
  IS 'Processing attempts so far (0..max_attempts).';

-- source: schema/tables/minting_queue.sql:70
COMMENT ON COLUMN minting_queue.batch_id
  IS 'Batch the entry was assigned to; NULL until a worker batches it.';

-- source: schema/triggers/check_minting_queue_rules.sql:6
COMMENT ON TRIGGER check_minting_queue_rules ON minting_queue
  IS 'Enforces the cross-row rules of minting_queue (see function minting_queue_rules).';

-- source: schema/tables/minting_queue.sql:86
COMMENT ON COLUMN minting_queue.completed_at
  IS 'Set exactly when status is completed; the retention cleanup keys on it.';

-- source: schema/tables/minting_queue.sql:88
COMMENT ON COLUMN minting_queue.last_error
  IS 'Error of the last failed attempt.';

-- source: schema/tables/minting_queue.sql:68
COMMENT ON COLUMN minting_queue.owner_address
  IS 'Base58 wallet the asset will be minted to.';

-- source: schema/policies/minting_queue.sql:25
COMMENT ON POLICY owner_cancel ON minting_queue
  IS 'blockchain_service may only cancel a pending entry of the wallet in app.current_user.';

-- source: schema/policies/minting_queue.sql:16
COMMENT ON POLICY owner_enqueue ON minting_queue
  IS 'blockchain_service enqueues mints only for the wallet in app.current_user.';

-- source: schema/policies/minting_queue.sql:8
COMMENT ON POLICY owner_read ON minting_queue
  IS 'blockchain_service reads only the queue entries of the wallet in app.current_user.';

-- source: schema/tables/minting_queue.sql:74
COMMENT ON COLUMN minting_queue.payload
  IS 'Mint request (JSON object): title, description, tags, metadata of the asset to mint.';

-- source: schema/tables/minting_queue.sql:78
COMMENT ON COLUMN minting_queue.priority
  IS 'Higher runs first.';

-- source: schema/tables/minting_queue.sql:82
COMMENT ON COLUMN minting_queue.scheduled_at
  IS 'Earliest time a worker may pick the entry (moved forward on retry with backoff).';

-- source: schema/policies/minting_queue.sql:47
COMMENT ON POLICY schema_owner_all ON minting_queue
  IS 'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';

-- source: schema/tables/minting_queue.sql:84
COMMENT ON COLUMN minting_queue.started_at
  IS 'When a worker last started processing the entry.';

-- source: schema/tables/minting_queue.sql:76
COMMENT ON COLUMN minting_queue.status
  IS 'pending -> processing -> completed | failed; cancelled by the user or an operator.';

-- source: schema/triggers/update_minting_queue_updated_at.sql:6
COMMENT ON TRIGGER update_minting_queue_updated_at ON minting_queue
  IS 'Keeps minting_queue.updated_at at the time of the last update.';

-- source: schema/policies/minting_queue.sql:35
COMMENT ON POLICY worker_access ON minting_queue
  IS 'memory_worker processes the queue entries of every wallet (column privileges limit what it writes).';

-- source: schema/functions/minting_queue_rules.sql:26
COMMENT ON FUNCTION minting_queue_rules ()
  IS 'Trigger function: a queue entry and its batch have the same owner.';

-- source: schema/functions/record_grant_use.sql:29
COMMENT ON FUNCTION record_grant_use (bigint)
  IS 'Counts one use of a grant by its grantee (app.current_user) if the grant is in force and comes from the asset''s current owner; returns whether it was counted.';

-- source: schema/functions/set_updated_at.sql:15
COMMENT ON FUNCTION set_updated_at ()
  IS 'Trigger function: stamps NEW.updated_at with now() (the transaction start time) before every row update.';

-- source: schema/functions/shared_with_me.sql:57
COMMENT ON FUNCTION shared_with_me ()
  IS 'Active assets shared with the wallet in app.current_user by grants in force from their current owners, newest first, with the grant''s permission, expiry and uses left.';

-- source: schema/functions/transfer_asset.sql:48
COMMENT ON FUNCTION transfer_asset (text, text, text)
  IS 'Transfers an asset owned by the wallet in app.current_user to new_owner, recording the transfer (signature) in transfer_history; returns the transfer_id. The only way the application moves an asset.';

-- source: schema/tables/transfer_history.sql:45
COMMENT ON TABLE transfer_history
  IS 'Ownership transfers of memory assets: the complete, append-only provenance trail.';

-- source: schema/triggers/check_transfer_history_rules.sql:6
COMMENT ON TRIGGER check_transfer_history_rules ON transfer_history
  IS 'Enforces the cross-row rules of transfer_history (see function transfer_history_rules).';

-- source: schema/tables/transfer_history.sql:47
COMMENT ON COLUMN transfer_history.from_address
  IS 'Base58 wallet that owned the asset before the transfer.';

-- source: schema/policies/transfer_history.sql:18
COMMENT ON POLICY party_read ON transfer_history
  IS 'blockchain_service reads the transfers of the assets the wallet in app.current_user owns, sent or received.';

-- source: schema/policies/transfer_history.sql:30
COMMENT ON POLICY schema_owner_all ON transfer_history
  IS 'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';

-- source: schema/tables/transfer_history.sql:49
COMMENT ON COLUMN transfer_history.to_address
  IS 'Base58 wallet that owns the asset after the transfer.';

-- source: schema/tables/transfer_history.sql:53
COMMENT ON COLUMN transfer_history.transferred_at
  IS 'Block time of the transfer.';

-- source: schema/tables/transfer_history.sql:51
COMMENT ON COLUMN transfer_history.tx_signature
  IS 'Base58 signature (87-88 characters) of the transfer transaction.';

-- source: schema/functions/transfer_history_rules.sql:24
COMMENT ON FUNCTION transfer_history_rules ()
  IS 'Trigger function: a transfer must leave the asset''s current owner.';

-- source: schema/views/user_statistics.sql:71
COMMENT ON VIEW user_statistics
  IS 'Per-wallet statistics: assets owned (as visible to the caller under row-level security), batches requested, paid operations and their costs.';

-- source: schema/views/user_statistics.sql:73
COMMENT ON COLUMN user_statistics.owner_address
  IS 'Base58 wallet: an asset owner, a batch requester or a wallet with recorded costs.';

-- source: schema/views/user_statistics.sql:75
COMMENT ON COLUMN user_statistics.paid_operations
  IS 'Number of cost_tracking records of the wallet.';

-- source: schema/views/user_statistics.sql:79
COMMENT ON COLUMN user_statistics.total_arweave_cost_winston
  IS 'Sum of the wallet''s Arweave costs in winston.';

-- source: schema/views/user_statistics.sql:77
COMMENT ON COLUMN user_statistics.total_cost_lamports
  IS 'Sum of cost_tracking.total_cost_lamports of the wallet.';

-- source: schema/tables/version_history.sql:34
COMMENT ON TABLE version_history
  IS 'Content versions of memory assets: every Arweave upload of an asset, numbered from 1.';

-- source: schema/tables/version_history.sql:38
COMMENT ON COLUMN version_history.arweave_tx_id
  IS 'Arweave transaction id (43 characters of base64url) of this version''s content.';

-- source: schema/policies/version_history.sql:26
COMMENT ON POLICY asset_owner_access ON version_history
  IS 'blockchain_service reads and adds versions only of the assets owned by the wallet in app.current_user.';

-- source: schema/tables/version_history.sql:42
COMMENT ON COLUMN version_history.change_note
  IS 'Optional description of what changed.';

-- source: schema/triggers/check_version_history_rules.sql:6
COMMENT ON TRIGGER check_version_history_rules ON version_history
  IS 'Enforces the cross-row rules of version_history (see function version_history_rules).';

-- source: schema/tables/version_history.sql:40
COMMENT ON COLUMN version_history.content_hash
  IS 'SHA-256 of this version''s content, lowercase hex.';

-- source: schema/tables/version_history.sql:44
COMMENT ON COLUMN version_history.created_by_address
  IS 'Base58 wallet that uploaded the version.';

-- source: schema/policies/version_history.sql:38
COMMENT ON POLICY schema_owner_all ON version_history
  IS 'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';

-- source: schema/tables/version_history.sql:36
COMMENT ON COLUMN version_history.version
  IS 'Version number within the asset, from 1, unique per asset.';

-- source: schema/functions/version_history_rules.sql:28
COMMENT ON FUNCTION version_history_rules ()
  IS 'Trigger function: versions of an asset are contiguous (next = latest + 1); stamps the acting wallet as author.';
