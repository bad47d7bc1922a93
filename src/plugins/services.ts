/** Shared services the routes use: the clock (injectable for tests) and template versions. */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { TemplateVersions } from '../catalogue/versions.js';
import type { Config } from '../config.js';
import { practiceBatches, type PracticeBatches } from '../practice/batches.js';
import { PracticeLocks } from '../practice/locks.js';

export type Clock = () => Date;

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    /** The server clock: deadlines and limits are enforced against this, never the client's. */
    now: Clock;
    versions: TemplateVersions;
    /** The practice issue and submit statements, batched across concurrent requests. */
    practiceBatches: PracticeBatches;
    /** Practice closed by open exams (cached per course). */
    practiceLocks: PracticeLocks;
  }
}

export default fp(
  async function servicesPlugin(app: FastifyInstance, opts: { config: Config; clock: Clock }) {
    app.decorate('config', opts.config);
    app.decorate('now', opts.clock);
    app.decorate('versions', new TemplateVersions(app.prisma));
    app.decorate('practiceBatches', practiceBatches(app.sql));
    app.decorate('practiceLocks', new PracticeLocks(app.prisma));
  },
  { name: 'services', dependencies: ['db'] },
);
