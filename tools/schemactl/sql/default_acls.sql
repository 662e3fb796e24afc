-- Default privileges (ALTER DEFAULT PRIVILEGES), one row per entry of each pg_default_acl row.
-- Columns: role whose future objects they apply to, schema ('' = every schema), object type
-- (r tables, S sequences, f functions, T types, n schemas), grantee ('PUBLIC' for public),
-- privilege, grantable. A row with an empty ACL still names its key (grantee NULL).
SELECT pg_get_userbyid(d.defaclrole), coalesce(n.nspname, ''), d.defaclobjtype::text,
       CASE WHEN a.grantee IS NULL THEN NULL WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
       a.privilege_type, a.is_grantable
FROM pg_default_acl d
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
LEFT JOIN LATERAL aclexplode(d.defaclacl) a ON true
WHERE n.nspname IS NULL OR n.nspname <> ALL(%(excluded)s)
ORDER BY 1, 2, 3, 4, 5
