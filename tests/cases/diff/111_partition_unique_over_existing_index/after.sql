CREATE TABLE measurement (
    sensor_id bigint NOT NULL,
    taken_on date NOT NULL
) PARTITION BY RANGE (taken_on);
CREATE TABLE measurement_2026 PARTITION OF measurement FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE UNIQUE INDEX measurement_2026_sensor_day ON measurement_2026 (sensor_id, taken_on);
ALTER TABLE measurement_2026 ADD CONSTRAINT measurement_2026_sensor_day UNIQUE USING INDEX measurement_2026_sensor_day;
