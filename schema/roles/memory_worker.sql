-- The platform's background workers: the cross-wallet work no single wallet may do
-- (processing the minting queue, recording minted assets, completing batches, keeping trees'
-- counters, writing audit and cost rows). Its policies see every wallet's rows of the tables
-- it works on; its column privileges limit what it may write. No DELETE anywhere.
-- Password set out of band.
-- noqa: disable=LT02
CREATE ROLE memory_worker WITH
    LOGIN
    NOSUPERUSER
    NOCREATEDB
    NOCREATEROLE
    INHERIT
    NOREPLICATION
    NOBYPASSRLS;
-- noqa: enable=LT02

-- Guardrails: worker steps are longer than API requests but still bounded.
ALTER ROLE memory_worker SET statement_timeout = '60s';
ALTER ROLE memory_worker SET lock_timeout = '5s';
ALTER ROLE memory_worker SET idle_in_transaction_session_timeout = '60s';

COMMENT ON ROLE memory_worker IS
'Background worker account of the memory platform: minting queue, batches, trees, audit and cost rows across wallets. Password managed out of band.';
