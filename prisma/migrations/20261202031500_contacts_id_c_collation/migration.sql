-- Asterisk (res_config_pgsql, sorcery realtime) finds an AOR's contacts on every REGISTER and call
-- with `SELECT * FROM ps_contacts WHERE id LIKE '<aor>^3B@%' ESCAPE '\' ORDER BY id`. A btree index
-- serves such a prefix only under the C collation; under the cluster's C.UTF-8/en_US it scans the
-- whole table, once per lookup. The ids are ASCII keys, so byte order is the right order anyway.
-- (Prisma has no column collation, so the schema file does not show it and does not undo it.)
ALTER TABLE "ps_contacts" ALTER COLUMN "id" TYPE VARCHAR(255) COLLATE "C";
