CREATE TABLE metric (device_id integer NOT NULL, taken_on date NOT NULL) PARTITION BY LIST (device_id);
