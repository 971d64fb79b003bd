"""Database backups kept apart from the key file: `flask --app wsgi backup
create|restore|verify|drill`.

A backup is the database dump (pg_dump's custom format for PostgreSQL, SQLite's online backup
for SQLite) plus a small JSON manifest beside it: format, dialect, size, SHA-256, migration
revision, the ids of the key-encryption keys the stored data keys need, the blind-index key
and the number of attachments (their encrypted chunks are in the database, decision 0073).
`backup drill` restores a dump into a scratch database and checks it (decision 0074). Key
material is never in a backup: encrypted fields stay ciphertext, and a restore is only
readable with the key file, which is backed up separately (see README, "Backup and restore").
"""
