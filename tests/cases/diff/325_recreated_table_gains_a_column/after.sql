CREATE TABLE audit_event (logged_on date NOT NULL, actor text NOT NULL, details jsonb) PARTITION BY RANGE (logged_on);
CREATE TABLE audit_event_2026 PARTITION OF audit_event FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
