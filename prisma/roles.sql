-- The database's roles (least privilege, issue 15), run by a superuser before the migrations, on
-- every start (idempotent: a role that exists gets its password set again). psql variables:
-- db, owner, owner_pass, app_pass, asterisk_pass and, where an edge runs, edge_pass. Used by scripts/stack.sh, the fleet
-- (scripts/lib/fleet-services.sh) and docker-compose.yml (docker/postgres-init/).
--   owner            runs the migrations and owns every object (may create databases: Prisma's
--                    shadow database when a migration is authored); not a superuser
--   calling_app      the controller: rows only (grants in the migration 20261207220000_least_privilege_roles)
--   calling_asterisk PJSIP realtime: its ps_* tables only (same migration)
--   calling_edge     the Kamailio edge (fleet): the columns of carriers that recognise a carrier
\set ON_ERROR_STOP 1
SELECT format('CREATE ROLE %I LOGIN CREATEDB NOSUPERUSER NOCREATEROLE', :'owner')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'owner', :'owner_pass') \gexec
SELECT 'CREATE ROLE calling_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS'
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'calling_app') \gexec
SELECT format('ALTER ROLE calling_app PASSWORD %L', :'app_pass') \gexec
SELECT 'CREATE ROLE calling_asterisk LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS'
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'calling_asterisk') \gexec
SELECT format('ALTER ROLE calling_asterisk PASSWORD %L', :'asterisk_pass') \gexec
-- The edge's role only where an edge runs (edge_pass given).
\if :{?edge_pass}
SELECT 'CREATE ROLE calling_edge LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS'
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'calling_edge') \gexec
SELECT format('ALTER ROLE calling_edge PASSWORD %L', :'edge_pass') \gexec
\endif
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
-- Nobody but the roles granted below (in the migration) connects; PUBLIC's default CONNECT goes.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
-- The roles may connect from the start: the edge and Asterisk start before the migrations that grant
-- them their tables (a Kamailio child that cannot connect at start takes the whole edge down).
SELECT format('GRANT CONNECT ON DATABASE %I TO calling_app, calling_asterisk', :'db') \gexec
\if :{?edge_pass}
SELECT format('GRANT CONNECT ON DATABASE %I TO calling_edge', :'db') \gexec
\endif
