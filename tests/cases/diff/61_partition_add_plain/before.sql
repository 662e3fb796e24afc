CREATE TABLE page_view (
    viewed_on date NOT NULL,
    path text NOT NULL,
    visitor text
) PARTITION BY RANGE (viewed_on);

CREATE TABLE page_view_2024 PARTITION OF page_view
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
