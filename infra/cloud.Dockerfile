# syntax=docker/dockerfile:1
# The OpenAos cloud (apps/cloud): console, tRPC API and upload endpoint on one port.
# Build from the repository root:
#   docker build -f infra/cloud.Dockerfile -t openaos-cloud .
# infra/cloud.Dockerfile.dockerignore keeps node_modules, dist and local data out of the context.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: install the locked dependencies and build the cloud and the packages it uses ----
FROM ${NODE_IMAGE} AS build
ENV CI=true \
    TURBO_TELEMETRY_DISABLED=1 \
    NEXT_TELEMETRY_DISABLED=1
# The version pinned in package.json "packageManager"; installed with npm, not corepack
# (the registry has no signatures for corepack to check).
RUN npm install --global pnpm@12.4.2
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile
# "@openaos/cloud..." = the cloud and every workspace package it depends on, in dependency order.
RUN pnpm --filter "@openaos/cloud..." build

# ---- run ----
FROM ${NODE_IMAGE} AS run
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOST=0.0.0.0 \
    OPENAOS_DATA_DIR=/var/lib/openaos
# The built workspace as is: the server resolves the workspace packages' dist/ through
# node_modules symlinks, and Next reads apps/cloud/.next and next.config.ts at start.
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /var/lib/openaos && chown node:node /var/lib/openaos
USER node
WORKDIR /app/apps/cloud
VOLUME ["/var/lib/openaos"]
EXPOSE 3000
# apps/cloud/package.json "start" is `NODE_ENV=production node dist/server.js`; run node
# directly so it is PID 1's only child and gets SIGTERM (the server closes the database on it).
CMD ["node", "dist/server.js"]
