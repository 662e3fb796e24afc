"""Versioned migrations in generated/migrations: the history and the runner that applies it.

A migration is a pair of files, `NNN_name.sql` and `NNN_name_rollback.sql`, listed with
their checksums in `schemactl.sum`. The modules:

- `manifest`: the checksum manifest (`schemactl.sum`);
- `script`: one migration file, split into its statements, and running it on a connection;
- `history`: the folder of migration files, replaying it into a scratch database, and
  `migrate new`, which writes the next pair from the plan between that replay and schema/;
- `runner`: the tracking table `schemactl.schema_migrations` and the advisory lock, and
  `migrate up`, `status`, `down`, `reset` and `baseline` on a target.
"""
