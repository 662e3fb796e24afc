-- Rules of memory_assets that a CHECK cannot express, because they span rows or compare with
-- the row before the update; they bind every role, the owner's included:
-- * chain facts are fixed once recorded: asset_id, merkle_tree, leaf_index, created_at, and
--   mint_signature once set;
-- * status moves one way: nothing returns to pending, nothing comes back from burned;
-- * the leaf lies inside its tree (leaf_index below the tree's capacity);
-- * an asset of a batch belongs to the batch's owner and tree, and a batch holds at most
--   asset_count assets (the batch row is locked, so concurrent inserts count one by one).
-- SECURITY DEFINER: the lookups must see the tree and batch whatever the caller's policies.
CREATE FUNCTION memory_assets_rules()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
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

ALTER FUNCTION memory_assets_rules() OWNER TO memory_owner;

COMMENT ON FUNCTION memory_assets_rules() IS
'Trigger function: fixed chain facts, one-way status, leaf within tree capacity, asset and batch agree on owner and tree, batch size respected.';

-- Only its trigger calls it; triggers do not check EXECUTE.
REVOKE EXECUTE ON FUNCTION memory_assets_rules() FROM PUBLIC;
