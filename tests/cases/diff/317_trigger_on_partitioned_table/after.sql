CREATE TABLE cost_entry (wallet text NOT NULL, booked_on date NOT NULL, lamports bigint NOT NULL) PARTITION BY RANGE (booked_on);
CREATE INDEX cost_entry_wallet_idx ON cost_entry (wallet);
CREATE TABLE cost_entry_2026 PARTITION OF cost_entry FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE FUNCTION cost_entry_rules() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN IF NEW.lamports < 0 THEN RAISE EXCEPTION 'negative'; END IF; RETURN NEW; END$$;
CREATE TRIGGER check_cost_entry BEFORE INSERT OR UPDATE ON cost_entry FOR EACH ROW EXECUTE FUNCTION cost_entry_rules();
