CREATE TABLE measurement (
    sensor_id bigint NOT NULL,
    taken_on date NOT NULL
) PARTITION BY RANGE (taken_on);
CREATE TABLE measurement_2026 PARTITION OF measurement FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX measurement_2026_taken_local ON measurement_2026 (taken_on);
CREATE INDEX measurement_taken_idx ON ONLY measurement (taken_on);
ALTER INDEX measurement_taken_idx ATTACH PARTITION measurement_2026_taken_local;
