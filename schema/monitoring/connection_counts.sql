-- Client connections (the description's "Connection count"), by database, role and state,
-- with the headroom to max_connections and the longest-running work in each group.
CREATE VIEW monitoring.connection_counts WITH (security_invoker = TRUE) AS
SELECT
    a.datname,
    a.usename,
    -- NULL when the caller may not see another role's sessions.
    a.state,
    count(*) AS connections,
    count(*) FILTER (WHERE a.wait_event_type = 'Lock') AS waiting_on_locks,
    max(now() - a.xact_start) AS oldest_transaction_age,
    max(now() - a.state_change) FILTER (WHERE a.state = 'active') AS longest_active_query,
    current_setting('max_connections')::integer AS max_connections
FROM pg_stat_activity AS a
WHERE a.backend_type = 'client backend'
GROUP BY a.datname, a.usename, a.state;

ALTER VIEW monitoring.connection_counts OWNER TO memory_owner;

COMMENT ON VIEW monitoring.connection_counts IS
'Client connections by database, role and state, with lock waits, the oldest open transaction, the longest active query and max_connections.';
COMMENT ON COLUMN monitoring.connection_counts.waiting_on_locks IS
'Connections of the group currently waiting for a lock.';
COMMENT ON COLUMN monitoring.connection_counts.oldest_transaction_age IS
'Age of the oldest open transaction in the group (long ones hold back VACUUM).';
