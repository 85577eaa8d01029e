#!/usr/bin/env bash
# 数据库恢复: restore a dump made by deploy/backup.sh into a NEW, empty database, then check it.
#   deploy/restore.sh DUMPFILE TARGET_DATABASE_URL
# The target must not exist yet (it is created here): a restore never writes over a live database. Point
# DATABASE_URL at it and run `manage.py migrate` (a no-op for a dump of the same version; it brings an older
# dump forward) before serving from it.
set -euo pipefail
dump="${1:?usage: restore.sh DUMPFILE TARGET_DATABASE_URL}"
target="${2:?usage: restore.sh DUMPFILE TARGET_DATABASE_URL}"
name="${target##*/}"; name="${name%%\?*}"
server="${target%/*}/postgres"
psql --dbname="$server" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$name\""
pg_restore --dbname="$target" --no-owner --no-acl --exit-on-error --jobs="${JOBS:-2}" "$dump"
psql --dbname="$target" -v ON_ERROR_STOP=1 -qc "ANALYZE"
echo "restored into $name"
