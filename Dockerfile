# quizgrad: the API server and the web app (Fastify + Prisma on PostgreSQL). See docker-compose.yml to run it
# with PostgreSQL 16.

# --- build: install the locked dependencies and generate the Prisma client ------------------
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY web ./web
# `npm ci` would run the project's postinstall (scripts/prisma-generate.mjs, offline
# `prisma generate` into src/generated/) and also every dependency's install scripts, among
# them Prisma's engine download, which the service never uses (it talks to PostgreSQL through
# @prisma/adapter-pg). So: dependencies without their scripts, then the postinstall step
# itself and the web app's build (Vite, into web/dist), then drop the dev dependencies (the Prisma CLI) once the client is generated.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && node scripts/prisma-generate.mjs \
 && node scripts/build-web.mjs \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime -------------------------------------------------------------------------------
FROM node:24-slim
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY --from=build /app/src/generated ./src/generated
COPY --from=build /app/web/dist ./web/dist
# Migrations are applied at start (advisory-locked, so several replicas may start at once);
# problems/ is the built-in catalogue, loaded into the database at start.
COPY prisma ./prisma
COPY problems ./problems
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# What `npm start` runs, without npm and its `sh -c` in between: npm passes SIGTERM to that
# shell, which dies without passing it on, so `docker stop` would leave the server to be
# killed mid-request. Started directly, the server gets SIGTERM, stops accepting, finishes
# in-flight requests and closes the pool. (Use an init, e.g. `init: true` in compose.)
CMD ["node", "--import", "tsx", "src/server.ts"]
