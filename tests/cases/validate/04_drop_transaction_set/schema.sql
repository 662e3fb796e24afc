BEGIN;
SET search_path = app, public;
SET lock_timeout = '5s';

CREATE TABLE memory_batches (
    batch_id uuid PRIMARY KEY,
    status text NOT NULL
);

DROP TABLE IF EXISTS old_batches;
DROP INDEX memory_batches_status_idx;
DROP ROLE legacy_service;
DROP FUNCTION set_updated_at();
COMMIT;
ROLLBACK;
RESET search_path;
