CREATE FUNCTION grams_to_kg(grams integer) RETURNS numeric LANGUAGE sql IMMUTABLE RETURN grams / 1000.0;
CREATE TABLE parcel (parcel_id integer CONSTRAINT parcel_pkey PRIMARY KEY, grams integer NOT NULL,
    kg numeric GENERATED ALWAYS AS (grams_to_kg(grams)) STORED);
