#!/usr/bin/env bash
# 数据备份: one compressed, consistent dump of the platform's database (pg_dump custom format) and, beside it, an
# archive of the stored files (uploads, bank files, case documents: MEDIA_ROOT, see minzheng/files.py).
#   deploy/backup.sh [DIRECTORY]          (DATABASE_URL, MEDIA_ROOT, FILE_STORAGE from the environment,
#                                          e.g. /etc/minzheng/minzheng.env)
# Writes minzheng-<time>.dump and minzheng-<time>.media.tar.gz and keeps the newest $KEEP of each (default 14)
# in DIRECTORY (default /var/backups/minzheng). Run it daily from a systemd timer or cron as a user who can read
# the database and MEDIA_ROOT; copy the directory off the machine. The files are archived AFTER the dump: a file
# is stored before its row commits, so the archive holds every file the dump names.
# With FILE_STORAGE=s3 the files are in the bucket, not archived here: back the bucket up with the object
# store's own versioning or replication (the script says so and backs up the database only).
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must be set (postgres://user@host:port/name)}"
dir="${1:-/var/backups/minzheng}"
keep="${KEEP:-14}"
media="${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media}"
mkdir -p "$dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
file="$dir/minzheng-$stamp.dump"
# --no-owner/--no-acl: restorable into a database owned by another user; -Z 6: compressed.
pg_dump --dbname="$DATABASE_URL" --format=custom --compress=6 --no-owner --no-acl --file="$file.part"
mv "$file.part" "$file"
pg_restore --list "$file" >/dev/null   # the dump is readable, or the script fails here
if [ "${FILE_STORAGE:-local}" = "s3" ]; then
  echo "FILE_STORAGE=s3: stored files are in bucket ${S3_BUCKET:-?}; back the bucket up separately" >&2
else
  archive="$dir/minzheng-$stamp.media.tar.gz"
  mkdir -p "$media"
  tar -C "$media" -czf "$archive.part" .
  mv "$archive.part" "$archive"
  tar -tzf "$archive" >/dev/null       # the archive is readable, or the script fails here
  ls -1t "$dir"/minzheng-*.media.tar.gz | tail -n +"$((keep + 1))" | xargs -r rm --
  echo "$archive"
fi
ls -1t "$dir"/minzheng-*.dump | tail -n +"$((keep + 1))" | xargs -r rm --
echo "$file"
