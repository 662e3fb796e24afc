-- Least privilege for the wallet-scoped API role, object by object and column by column (no
-- GRANT ... ON ALL TABLES: that is a one-off action, not a declaration of the desired state).
-- Row-level security decides whose rows; these grants decide which statements and columns.
-- No INSERT or UPDATE privilege reaches an identity column (so OVERRIDING SYSTEM VALUE is
-- refused), a creation or audit timestamp (defaults stamp them), or an on-chain fact.
-- No DELETE anywhere: assets are burned or archived, grants revoked, queue entries cancelled.
-- Identity columns need no sequence privileges (their nextval is not permission-checked).

-- Nobody but the owner creates objects in public (the PostgreSQL 15 default, made explicit).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO blockchain_service;

-- Own assets: read, edit the descriptive fields, archive or re-activate. Assets are recorded
-- by the worker; ownership moves through transfer_asset().
GRANT SELECT ON TABLE memory_assets TO blockchain_service;
GRANT UPDATE (title, description, tags, metadata, status)
ON TABLE memory_assets TO blockchain_service;

-- Own batches: request one; its progress, costs and completion are the worker's.
GRANT SELECT ON TABLE memory_batches TO blockchain_service;
GRANT INSERT (owner_address, asset_count) ON TABLE memory_batches TO blockchain_service;

-- Grants given: give, change expiry or limit, revoke. Uses go through record_grant_use().
GRANT SELECT ON TABLE access_grants TO blockchain_service;
GRANT INSERT (
    asset_id, grantor_address, grantee_address, permission, max_uses, expires_at
) ON TABLE access_grants TO blockchain_service;
GRANT UPDATE (expires_at, max_uses, revoked_at) ON TABLE access_grants TO blockchain_service;

-- Own queue entries: enqueue, and cancel a pending one (policy owner_cancel).
GRANT SELECT ON TABLE minting_queue TO blockchain_service;
GRANT INSERT (owner_address, batch_id, arweave_tx_id, payload)
ON TABLE minting_queue TO blockchain_service;
GRANT UPDATE (status) ON TABLE minting_queue TO blockchain_service;

-- Read only: trees, transfers (written by transfer_asset()), costs (written by the worker).
GRANT SELECT ON TABLE merkle_trees TO blockchain_service;
GRANT SELECT ON TABLE transfer_history TO blockchain_service;
GRANT SELECT ON TABLE cost_tracking TO blockchain_service;

-- Append-only: new versions of own assets, own audit rows.
GRANT SELECT ON TABLE version_history TO blockchain_service;
GRANT INSERT (asset_id, version, arweave_tx_id, content_hash, change_note)
ON TABLE version_history TO blockchain_service;
GRANT SELECT ON TABLE blockchain_audit_logs TO blockchain_service;
GRANT INSERT (operation, status, actor_address, asset_id, batch_id, tx_signature, details)
ON TABLE blockchain_audit_logs TO blockchain_service;

-- Reporting views (security_invoker: the caller's policies apply, so each wallet sees its own
-- figures; the caller also needs SELECT on their tables).
GRANT SELECT ON TABLE active_memory_assets TO blockchain_service;
GRANT SELECT ON TABLE batch_statistics TO blockchain_service;
GRANT SELECT ON TABLE user_statistics TO blockchain_service;
