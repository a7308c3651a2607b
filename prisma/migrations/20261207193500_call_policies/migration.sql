-- Call admission rules (issue 14): per-plan defaults and per-user overrides of concurrent-call
-- limits and fraud caps, CLIR, and the destination blocklist.
CREATE TABLE "plan_call_policies" (
    "plan_id" UUID NOT NULL,
    "max_calls" INTEGER,
    "max_pstn_calls" INTEGER,
    "pstn_calls_per_hour" INTEGER,
    "daily_spend_cap_minor" BIGINT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "plan_call_policies_pkey" PRIMARY KEY ("plan_id")
);

CREATE TABLE "user_call_policies" (
    "user_id" UUID NOT NULL,
    "max_calls" INTEGER,
    "max_pstn_calls" INTEGER,
    "pstn_calls_per_hour" INTEGER,
    "daily_spend_cap_minor" BIGINT,
    "clir" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_call_policies_pkey" PRIMARY KEY ("user_id")
);

CREATE TABLE "blocked_prefixes" (
    "prefix" VARCHAR(16) NOT NULL,
    "reason" VARCHAR(200) NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "blocked_prefixes_pkey" PRIMARY KEY ("prefix")
);
