CREATE TABLE reading (reading_id integer CONSTRAINT reading_pkey PRIMARY KEY, celsius numeric);
ALTER TABLE reading ADD CONSTRAINT reading_celsius_check CHECK (celsius > -273.15) NOT VALID;
