CREATE TABLE metric (device_id integer NOT NULL, taken_on date NOT NULL) PARTITION BY RANGE (taken_on);
