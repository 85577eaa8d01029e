#!/usr/bin/env bash
# 数据库备份: one compressed, consistent dump of the platform's database (pg_dump custom format: the uploads, bank
# files and documents are stored in the database, so this one file is the whole platform's data).
#   deploy/backup.sh [DIRECTORY]          (DATABASE_URL from the environment, e.g. /etc/minzheng/minzheng.env)
# Keeps the newest $KEEP dumps (default 14) in DIRECTORY (default /var/backups/minzheng). Run it daily from a
# systemd timer or cron as a user who can read the database; copy the directory off the machine.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must be set (postgres://user@host:port/name)}"
dir="${1:-/var/backups/minzheng}"
keep="${KEEP:-14}"
mkdir -p "$dir"
file="$dir/minzheng-$(date -u +%Y%m%dT%H%M%SZ).dump"
# --no-owner/--no-acl: restorable into a database owned by another user; -Z 6: compressed.
pg_dump --dbname="$DATABASE_URL" --format=custom --compress=6 --no-owner --no-acl --file="$file.part"
mv "$file.part" "$file"
pg_restore --list "$file" >/dev/null   # the dump is readable, or the script fails here
ls -1t "$dir"/minzheng-*.dump | tail -n +"$((keep + 1))" | xargs -r rm --
echo "$file"
