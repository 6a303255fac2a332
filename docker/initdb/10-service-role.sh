#!/bin/sh
# First start of the database volume: the role the service connects as. It owns nothing;
# `gis-service db prepare` (run as the owner, POSTGRES_USER) grants it rows-only access.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v service_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE gis_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'service_password';
SQL
