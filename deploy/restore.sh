#!/usr/bin/env bash
# 数据恢复: restore a dump made by deploy/backup.sh into a NEW, empty database, then check it; and the stored
# files archived beside it (DUMPFILE with .dump replaced by .media.tar.gz) into a NEW or empty folder.
#   deploy/restore.sh DUMPFILE TARGET_DATABASE_URL [TARGET_MEDIA_DIRECTORY]
# The target database must not exist yet (it is created here) and the media folder must be missing or empty: a
# restore never writes over live data. Point DATABASE_URL and MEDIA_ROOT at them and run `manage.py migrate`
# (a no-op for a dump of the same version; it brings an older dump forward) before serving from them.
# With FILE_STORAGE=s3 there is no archive: restore the bucket from the object store's versioning or replica.
set -euo pipefail
dump="${1:?usage: restore.sh DUMPFILE TARGET_DATABASE_URL [TARGET_MEDIA_DIRECTORY]}"
target="${2:?usage: restore.sh DUMPFILE TARGET_DATABASE_URL [TARGET_MEDIA_DIRECTORY]}"
media="${3:-}"
archive="${dump%.dump}.media.tar.gz"
name="${target##*/}"; name="${name%%\?*}"
server="${target%/*}/postgres"
if [ -n "$media" ] && [ -d "$media" ] && [ -n "$(ls -A "$media")" ]; then
  echo "media folder $media is not empty: a restore never writes over stored files" >&2
  exit 1
fi
if [ -n "$media" ] && [ ! -f "$archive" ]; then
  echo "no file archive $archive beside the dump" >&2
  exit 1
fi
psql --dbname="$server" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$name\""
pg_restore --dbname="$target" --no-owner --no-acl --exit-on-error --jobs="${JOBS:-2}" "$dump"
psql --dbname="$target" -v ON_ERROR_STOP=1 -qc "ANALYZE"
echo "restored into $name"
if [ -n "$media" ]; then
  mkdir -p "$media"
  tar -C "$media" -xzf "$archive"
  echo "stored files restored into $media"
fi
