"""Database backups kept apart from the key file: `flask --app wsgi backup create|restore|verify`.

A backup is the database dump (pg_dump's custom format for PostgreSQL, SQLite's online backup
for SQLite) plus a small JSON manifest beside it: format, dialect, size, SHA-256, migration
revision and the ids of the key-encryption keys the stored data keys need. Key material is
never in a backup: encrypted fields stay ciphertext, and a restore is only readable with the
key file, which is backed up separately (see README, "Backup and restore").
"""
