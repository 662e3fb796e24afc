CREATE TABLE cache_entry (cache_key text CONSTRAINT cache_entry_pkey PRIMARY KEY, payload jsonb);
