# Image of the controller (ARI call control + admin API). The same image runs the one-shot
# `prisma migrate deploy` of a release (service "migrate" in docker-compose.yml).
# Build from the repository root: docker build -t calling-platform/app .
ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------- build: compile the TypeScript
FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV CHECKPOINT_DISABLE=1
COPY package.json package-lock.json ./
# No install scripts: nothing here needs them, and Prisma's would try to download engine binaries.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY prisma ./prisma
COPY app ./app
COPY scripts/build-console.mjs ./scripts/
# Prisma 6 falls back to downloading an engine when DATABASE_URL is unset, even for generate;
# generate never connects, so any well-formed URL does.
RUN DATABASE_URL=postgresql://generate:only@127.0.0.1:1/generate node_modules/.bin/prisma generate \
  && node_modules/.bin/tsc -p tsconfig.build.json \
  && node scripts/build-console.mjs \
  && test -f dist/app/main.js && test -f dist/app/bin/workers-main.js && test -f dist/app/bin/routing-batch.js && test -f dist/app/bin/intercept-verify.js && test -f dist/console/assets/main.js

# ---------------------------------------------------------------- deps: production node_modules
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# `prisma` is a devDependency, but the lockfile marks it (and its config loader: c12, jiti)
# devOptional, as @prisma/client's optional peer, so --omit=dev keeps it. The check below fails
# the build if that ever changes, instead of shipping an image whose migrate service cannot run.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && node -e ' \
    const fs = require("node:fs"); \
    const version = (p) => JSON.parse(fs.readFileSync(`node_modules/${p}/package.json`, "utf8")).version; \
    const want = version("@prisma/client"); \
    for (const p of ["prisma", "@prisma/adapter-pg"]) { \
      if (version(p) !== want) { console.error(`${p} ${version(p)} does not match @prisma/client ${want}`); process.exit(1); } \
    }' \
  && test -x node_modules/.bin/prisma

# ---------------------------------------------------------------- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    CHECKPOINT_DISABLE=1
WORKDIR /app
# Everything stays owned by root and read-only to the process; nothing is written under /app.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json prisma.config.ts ./
# prisma.config.ts loads prisma/cli-adapter.ts (through Prisma's own jiti loader, no TypeScript
# compiler needed); migrate deploy reads prisma/schema.prisma and prisma/migrations.
COPY prisma ./prisma
COPY --from=build /src/dist/app ./dist/app
# The operations console's front end (CONSOLE_ASSETS_DIR, dist/console by default).
COPY --from=build /src/dist/console ./dist/console
# The web phone's page (PHONE_ASSETS_DIR, dist/phone by default).
COPY --from=build /src/dist/phone ./dist/phone
# The one place the process writes: the lawful intercept log (INTERCEPT_LOG_FILE), a volume in
# docker-compose.yml; created here so that the volume starts owned by the runtime user.
RUN mkdir -p /var/log/calling && chown node:node /var/log/calling && chmod 700 /var/log/calling
USER node
# The admin API (ADMIN_PORT, 8080 unless set), on 127.0.0.1 unless ADMIN_HOST says otherwise
# (docker-compose.yml): published beyond the host only over TLS or behind a TLS reverse proxy.
EXPOSE 8080
# Healthy when /healthz answers 200, i.e. PostgreSQL, Redis, NATS and ARI all answer.
# No curl in slim images: node's http(s). A wildcard ADMIN_HOST is reached on the loopback; over TLS
# (ADMIN_TLS_CERT_FILE) the certificate is not checked here: this asks whether the process is
# alive, not who it is, and the name in the certificate is not the loopback's.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const h = process.env.ADMIN_HOST; const host = !h || h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h; require(process.env.ADMIN_TLS_CERT_FILE ? 'https' : 'http').get({ host, port: process.env.ADMIN_PORT || 8080, path: '/healthz', timeout: 4000, rejectUnauthorized: false }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1)).on('timeout', () => process.exit(1))"]
# The controller (the call path and the admin API); the workers run from the same image with
# `node dist/app/bin/workers-main.js` (docker-compose.yml's workers service).
CMD ["node", "--enable-source-maps", "dist/app/main.js"]
