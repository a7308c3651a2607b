-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "username" VARCHAR(40) NOT NULL,
    "phone_number" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ps_endpoints" (
    "id" VARCHAR(40) NOT NULL,
    "transport" VARCHAR(40),
    "aors" VARCHAR(200),
    "auth" VARCHAR(40),
    "outbound_auth" VARCHAR(40),
    "context" VARCHAR(40),
    "disallow" VARCHAR(200),
    "allow" VARCHAR(200),
    "direct_media" VARCHAR(5),
    "dtmf_mode" VARCHAR(10),
    "force_rport" VARCHAR(5),
    "rewrite_contact" VARCHAR(5),
    "rtp_symmetric" VARCHAR(5),
    "callerid" VARCHAR(80),
    "identify_by" VARCHAR(80),
    "trust_id_inbound" VARCHAR(5),
    "trust_id_outbound" VARCHAR(5),
    "send_pai" VARCHAR(5),
    "from_user" VARCHAR(40),
    "from_domain" VARCHAR(40),
    "device_state_busy_at" INTEGER,
    "rtp_timeout" INTEGER,
    "timers" VARCHAR(10),
    "timers_sess_expires" INTEGER,
    "language" VARCHAR(40),
    "send_connected_line" VARCHAR(5),

    CONSTRAINT "ps_endpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ps_auths" (
    "id" VARCHAR(40) NOT NULL,
    "auth_type" VARCHAR(20),
    "md5_cred" VARCHAR(40),
    "password" VARCHAR(80),
    "realm" VARCHAR(40),
    "username" VARCHAR(40),

    CONSTRAINT "ps_auths_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ps_aors" (
    "id" VARCHAR(40) NOT NULL,
    "contact" VARCHAR(255),
    "default_expiration" INTEGER,
    "minimum_expiration" INTEGER,
    "maximum_expiration" INTEGER,
    "max_contacts" INTEGER,
    "remove_existing" VARCHAR(5),
    "remove_unavailable" VARCHAR(5),
    "qualify_frequency" INTEGER,
    "qualify_timeout" DOUBLE PRECISION,
    "support_path" VARCHAR(5),

    CONSTRAINT "ps_aors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ps_contacts" (
    "id" VARCHAR(255) NOT NULL,
    "uri" VARCHAR(511),
    "expiration_time" BIGINT,
    "qualify_frequency" INTEGER,
    "outbound_proxy" VARCHAR(256),
    "path" TEXT,
    "user_agent" VARCHAR(255),
    "qualify_timeout" DOUBLE PRECISION,
    "reg_server" VARCHAR(255),
    "authenticate_qualify" VARCHAR(5),
    "via_addr" VARCHAR(40),
    "via_port" INTEGER,
    "call_id" VARCHAR(255),
    "endpoint" VARCHAR(40),
    "prune_on_boot" VARCHAR(5),
    "qualify_2xx_only" VARCHAR(5),

    CONSTRAINT "ps_contacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ps_endpoint_id_ips" (
    "id" VARCHAR(40) NOT NULL,
    "endpoint" VARCHAR(40),
    "match" VARCHAR(80),
    "srv_lookups" VARCHAR(5),
    "match_header" VARCHAR(255),

    CONSTRAINT "ps_endpoint_id_ips_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE UNIQUE INDEX "users_phone_number_key" ON "users"("phone_number");

-- CreateIndex
CREATE INDEX "ps_contacts_endpoint_idx" ON "ps_contacts"("endpoint");

-- CreateIndex
CREATE INDEX "ps_contacts_qualify_frequency_expiration_time_idx" ON "ps_contacts"("qualify_frequency", "expiration_time");
