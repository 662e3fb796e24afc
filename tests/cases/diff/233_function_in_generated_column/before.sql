CREATE TABLE parcel (parcel_id integer CONSTRAINT parcel_pkey PRIMARY KEY, grams integer NOT NULL);
