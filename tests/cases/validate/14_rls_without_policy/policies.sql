CREATE POLICY owner_access ON memory_assets
USING (owner_address = current_setting('app.current_user', TRUE));
