-- Privileges on the current database (GRANT/REVOKE ... ON DATABASE), the owner's own entries left out.
-- Columns: grantee ('PUBLIC' for public), privilege, grantable.
SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type, a.is_grantable
FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
WHERE d.datname = current_database() AND a.grantee <> d.datdba
ORDER BY 1, 2
