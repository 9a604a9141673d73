#!/bin/sh
# Runs once, on the first start of an empty PostgreSQL volume (docker-entrypoint-initdb.d):
# creates the runtime role with its password from a secret file. Its grants are given by
# runtime-role.sql after each migration.
set -eu
password=$(cat "$CARTREC_APP_PASSWORD_FILE")
psql -v ON_ERROR_STOP=1 -v password="$password" \
     --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE cartrec_app LOGIN PASSWORD :'password';
SQL
