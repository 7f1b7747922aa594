# The anymesh controller image (deploy/chart/anymesh). Node 24 slim, as package.json's engines ask.
# Not built by the test suite: this machine has no container runtime and no registry but npm's.
#   docker build -t anymesh:0.1.0 .
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm ci --ignore-scripts && npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
# The node image's unprivileged user.
USER node
EXPOSE 8080 8081
ENTRYPOINT ["node", "/app/bin/anymesh.js"]
CMD ["controller", "--help"]
