/** Shared services the routes use: the clock (injectable for tests), the catalogue, practice batching and locks. */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Catalogue } from '../catalogue/catalogue.js';
import type { Config } from '../config.js';
import { practiceBatches, type PracticeBatches } from '../repos/practice/batches.js';
import { PracticeLocks } from '../practice/locks.js';
import { TemplateSandbox } from '../sandbox/index.js';
import { VariantBuffer } from '../catalogue/variant-buffer.js';
import { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { outboundFetch, type OutboundFetch } from '../net/outbound.js';
import { LtiService } from '../lti/service.js';

export type Clock = () => Date;

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    /** The server clock: deadlines and limits are enforced against this, never the client's. */
    now: Clock;
    /** fetch for URLs others chose (webhooks, LMS platforms): private addresses refused unless allowed (src/net/outbound.ts). */
    outboundFetch: OutboundFetch;
    /** Templates, versions and each course's view of them (every cache of them lives here). */
    catalogue: Catalogue;
    /** The practice issue and submit statements, batched across concurrent requests. */
    practiceBatches: PracticeBatches;
    /** Practice closed by open exams (cached per course). */
    practiceLocks: PracticeLocks;
    /** Where course templates' code runs (worker threads, started on first use). */
    sandbox: TemplateSandbox;
    /** Course templates' variants, made ahead in the sandbox in batches (see drawVariant). */
    variantBuffer: VariantBuffer;
    /** Delivers outbox events to webhook endpoints (started by the server; tests call runOnce). */
    webhooks: WebhookDispatcher;
    /** The LTI 1.3 tool: registrations, platforms' keys, service tokens (lti/). */
    lti: LtiService;
  }
}

export default fp(
  async function servicesPlugin(app: FastifyInstance, opts: { config: Config; clock: Clock }) {
    app.decorate('config', opts.config);
    app.decorate('now', opts.clock);
    const catalogue = new Catalogue(app.prisma, app.sql);
    await catalogue.listen(app.db);
    app.addHook('onClose', () => catalogue.close());
    app.decorate('catalogue', catalogue);
    app.decorate('practiceBatches', practiceBatches(app.sql));
    const locks = new PracticeLocks(app.prisma, catalogue);
    catalogue.onInvalidate((courseId) => locks.invalidate(courseId ?? undefined));
    app.decorate('practiceLocks', locks);
    // Started on first use: an instance that never meets a course template starts no worker.
    let sandbox: TemplateSandbox | undefined;
    app.decorate('sandbox', {
      getter: () => (sandbox ??= new TemplateSandbox({ onWorkerError: (err) => app.log.error({ err }, 'template sandbox worker failed') })),
    });
    app.decorate('variantBuffer', new VariantBuffer(() => app.sandbox));
    const refuse = (opts.config.OUTBOUND_PRIVATE_ADDRESSES ?? (opts.config.NODE_ENV === 'production' ? 'refuse' : 'allow')) === 'refuse';
    app.decorate('outboundFetch', outboundFetch(refuse));
    // Platform URLs come from registrations (an administrator, or a platform registering itself): the same outbound policy as webhooks.
    app.decorate('lti', new LtiService(app.prisma, opts.clock, { jwksCooldownMs: opts.config.LTI_JWKS_COOLDOWN_SECONDS * 1000, fetch: app.outboundFetch }));
    const webhooks = new WebhookDispatcher(app);
    app.decorate('webhooks', webhooks);
    app.addHook('onClose', () => webhooks.stop());
    app.addHook('onClose', async () => {
      await sandbox?.close();
    });
  },
  { name: 'services', dependencies: ['db'] },
);
