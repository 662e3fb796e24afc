-- Privileges of the background worker: the tables of the minting workflow, across wallets
-- (its policies see every row), column by column. No DELETE, no identity values, no creation
-- or audit timestamps; batches are completed through complete_batch().
GRANT USAGE ON SCHEMA public TO memory_worker;

-- Minted assets are recorded with their chain facts; afterwards only the chain status moves.
GRANT SELECT ON TABLE memory_assets TO memory_worker;
GRANT INSERT (
    asset_id, owner_address, batch_id, merkle_tree, leaf_index, mint_signature, arweave_tx_id,
    content_hash, title, description, tags, metadata, status
) ON TABLE memory_assets TO memory_worker;
GRANT UPDATE (status, mint_signature) ON TABLE memory_assets TO memory_worker;

-- Batches: pick a tree, move to processing or failed; completion is complete_batch().
GRANT SELECT ON TABLE memory_batches TO memory_worker;
GRANT UPDATE (status, merkle_tree, error_message) ON TABLE memory_batches TO memory_worker;

-- The queue: claim, retry, finish or fail entries.
GRANT SELECT ON TABLE minting_queue TO memory_worker;
GRANT UPDATE (
    status, attempts, scheduled_at, started_at, completed_at, last_error, batch_id
) ON TABLE minting_queue TO memory_worker;

-- Trees: record new ones, keep their counters and status.
GRANT SELECT ON TABLE merkle_trees TO memory_worker;
GRANT INSERT (
    tree_address, authority_address, max_depth, max_buffer_size, canopy_depth, is_public,
    creation_signature, creation_cost_lamports
) ON TABLE merkle_trees TO memory_worker;
GRANT UPDATE (leaves_minted, status) ON TABLE merkle_trees TO memory_worker;

-- Audit and cost rows, append-only.
GRANT SELECT ON TABLE blockchain_audit_logs TO memory_worker;
GRANT INSERT (operation, status, actor_address, asset_id, batch_id, tx_signature, details)
ON TABLE blockchain_audit_logs TO memory_worker;
GRANT SELECT ON TABLE cost_tracking TO memory_worker;
GRANT INSERT (
    wallet_address, operation, batch_id, tx_signature, solana_fee_lamports, rent_lamports,
    arweave_cost_winston, total_cost_lamports
) ON TABLE cost_tracking TO memory_worker;
