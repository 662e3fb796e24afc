CREATE TABLE memory_batches (
    batch_id uuid PRIMARY KEY,
    owner_address text NOT NULL
);

-- A chain is fine: each view reads the one before it.
CREATE VIEW batch_owners AS SELECT batch_id, owner_address FROM memory_batches;
CREATE VIEW batch_owner_counts AS SELECT owner_address, count(*) AS batches FROM batch_owners GROUP BY owner_address;

-- A CTE named like a view is not that view.
CREATE VIEW recent_batches AS
    WITH recent_batches AS (SELECT batch_id FROM memory_batches)
    SELECT batch_id FROM recent_batches;

-- Three views in a circle.
CREATE VIEW circle_a AS SELECT batch_id FROM circle_c;
CREATE VIEW circle_b AS SELECT batch_id FROM circle_a;
CREATE VIEW circle_c AS SELECT batch_id FROM circle_b JOIN memory_batches USING (batch_id);

-- A view and a materialized view that read each other.
CREATE MATERIALIZED VIEW owner_totals AS SELECT owner_address FROM owner_summary;
CREATE VIEW owner_summary AS SELECT owner_address FROM public.owner_totals;

-- A view that reads itself.
CREATE VIEW self_reader AS SELECT batch_id FROM self_reader;
