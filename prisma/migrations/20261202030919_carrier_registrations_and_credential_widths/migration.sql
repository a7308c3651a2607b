-- AlterTable
ALTER TABLE "carriers" ADD COLUMN     "register" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "registration_client_uri" VARCHAR(255),
ADD COLUMN     "registration_contact_user" VARCHAR(40),
ADD COLUMN     "registration_expiration_seconds" INTEGER NOT NULL DEFAULT 3600,
ADD COLUMN     "registration_retry_seconds" INTEGER NOT NULL DEFAULT 60,
ADD COLUMN     "registration_server_uri" VARCHAR(255);

-- AlterTable
ALTER TABLE "ps_aors" ALTER COLUMN "contact" SET DATA TYPE VARCHAR(512);

-- AlterTable
ALTER TABLE "ps_auths" ALTER COLUMN "password" SET DATA TYPE VARCHAR(128),
ALTER COLUMN "username" SET DATA TYPE VARCHAR(64);

-- AlterTable
ALTER TABLE "ps_endpoint_id_ips" ALTER COLUMN "match" SET DATA TYPE VARCHAR(255);

-- CreateTable
CREATE TABLE "ps_registrations" (
    "id" VARCHAR(40) NOT NULL,
    "server_uri" VARCHAR(512),
    "client_uri" VARCHAR(512),
    "contact_user" VARCHAR(40),
    "expiration" INTEGER,
    "retry_interval" INTEGER,
    "forbidden_retry_interval" INTEGER,
    "fatal_retry_interval" INTEGER,
    "max_retries" INTEGER,
    "auth_rejection_permanent" VARCHAR(5),
    "outbound_auth" VARCHAR(40),
    "transport" VARCHAR(40),
    "endpoint" VARCHAR(40),

    CONSTRAINT "ps_registrations_pkey" PRIMARY KEY ("id")
);
