/** Webhook endpoints of a course (instructors): create (the secret shown once), list, disable, the deliveries and a manual redelivery. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { authorizeCourse } from '../../authz/index.js';
import { notFound } from '../../errors.js';
import { newWebhookSecret } from '../../webhooks/signature.js';
import { errors, uuid } from '../schemas.js';

const tags = ['webhooks'];
export const WEBHOOK_EVENTS = ['roster.changed', 'attempt.finished', 'score.changed'] as const;

const courseParams = z.strictObject({ courseId: uuid });
const hookParams = courseParams.extend({ webhookId: uuid });
const endpointOut = z.object({ id: z.uuid(), url: z.string(), events: z.array(z.string()), createdAt: z.date(), disabledAt: z.date().nullable() });
const deliveryOut = z.object({
  id: z.uuid(),
  eventId: z.uuid(),
  eventType: z.string(),
  status: z.enum(['PENDING', 'DELIVERED', 'FAILED']),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.date(),
  deliveredAt: z.date().nullable(),
  createdAt: z.date(),
  tries: z
    .array(z.object({ at: z.date(), status: z.number().int().nullable(), error: z.string().nullable(), durationMs: z.number().int() }))
    .describe('the log of its tries, newest first (the last 20)'),
});

type DeliveryRow = {
  endpointId: string;
  leaseUntil: Date | null;
  status: string;
  event: { type: string };
  tries: { at: Date; status: number | null; error: string | null; durationMs: number }[];
} & Omit<z.infer<typeof deliveryOut>, 'eventType' | 'status' | 'tries'>;

/** What a delivery row is read with: its event's type and the newest tries. */
const withLog = {
  event: { select: { type: true } },
  tries: { orderBy: { at: 'desc' }, take: 20, select: { at: true, status: true, error: true, durationMs: true } },
} as const;

/** A delivery as the API shows it: its event's type and its log, without the dispatcher's bookkeeping. */
function deliveryView({ event, endpointId: _e, leaseUntil: _l, ...d }: DeliveryRow): z.infer<typeof deliveryOut> {
  return { ...d, eventType: event.type, status: deliveryOut.shape.status.parse(d.status) };
}

export default (async function webhookRoutes(app) {
  const endpointOf = async (courseId: string, webhookId: string) => {
    const w = await app.prisma.webhookEndpoint.findFirst({ where: { id: webhookId, courseId } });
    if (!w) throw notFound('webhook');
    return w;
  };

  app.post(
    '/courses/:courseId/webhooks',
    {
      schema: {
        tags,
        summary: 'Adds a webhook receiver (instructors); its signing secret is in this response only',
        description:
          'Each event is POSTed as JSON { id, type, courseId, createdAt, data } with headers quizgrad-event-id, quizgrad-event-type and ' +
          'quizgrad-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>. A 2xx within 10 s is delivered; anything else is retried with exponential backoff and jitter (15 tries over about 8 hours).',
        params: courseParams,
        body: z.strictObject({
          url: z.url({ protocol: /^https?$/, message: 'must be an http or https URL' }).max(2000),
          events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
        }),
        response: { 201: endpointOut.extend({ secret: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const course = await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'instructor');
      const w = await app.prisma.webhookEndpoint.create({
        data: { courseId: course.courseId, url: request.body.url, events: [...new Set(request.body.events)], secret: newWebhookSecret() },
      });
      return reply.code(201).send(w);
    },
  );

  app.get(
    '/courses/:courseId/webhooks',
    {
      schema: {
        tags,
        summary: "The course's webhook receivers (instructors; secrets are not shown again)",
        params: courseParams,
        response: { 200: z.object({ items: z.array(endpointOut) }), ...errors },
      },
    },
    async (request) => {
      const course = await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'instructor');
      const items = await app.prisma.webhookEndpoint.findMany({ where: { courseId: course.courseId }, orderBy: { createdAt: 'asc' }, omit: { secret: true } });
      return { items };
    },
  );

  app.delete(
    '/courses/:courseId/webhooks/:webhookId',
    {
      schema: {
        tags,
        summary: 'Disables a webhook receiver (its delivery log stays; pending deliveries are not sent)',
        params: hookParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const course = await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'instructor');
      const w = await endpointOf(course.courseId, request.params.webhookId);
      await app.prisma.webhookEndpoint.update({ where: { id: w.id }, data: { disabledAt: w.disabledAt ?? app.now() } });
      await app.prisma.webhookDelivery.updateMany({
        where: { endpointId: w.id, status: 'PENDING' },
        data: { status: 'FAILED', lastError: 'the webhook was disabled' },
      });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/courses/:courseId/webhooks/:webhookId/deliveries',
    {
      schema: {
        tags,
        summary: "A receiver's deliveries, newest first (the last 200)",
        params: hookParams,
        response: { 200: z.object({ items: z.array(deliveryOut) }), ...errors },
      },
    },
    async (request) => {
      const course = await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'instructor');
      const w = await endpointOf(course.courseId, request.params.webhookId);
      const rows = await app.prisma.webhookDelivery.findMany({
        where: { endpointId: w.id },
        orderBy: [{ createdAt: 'desc' }, { event: { seq: 'desc' } }],
        take: 200,
        include: withLog,
      });
      return { items: rows.map(deliveryView) };
    },
  );

  app.post(
    '/courses/:courseId/webhooks/:webhookId/deliveries/:deliveryId/redeliver',
    {
      schema: {
        tags,
        summary: 'Sends a delivery again now, with a fresh set of retries (the same event id: receivers de-duplicate by it)',
        params: hookParams.extend({ deliveryId: uuid }),
        response: { 200: deliveryOut, ...errors },
      },
    },
    async (request) => {
      const course = await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'instructor');
      const w = await endpointOf(course.courseId, request.params.webhookId);
      const found = await app.prisma.webhookDelivery.findFirst({ where: { id: request.params.deliveryId, endpointId: w.id } });
      if (!found) throw notFound('delivery');
      const d = await app.prisma.webhookDelivery.update({
        where: { id: found.id },
        data: { status: 'PENDING', attempts: 0, nextAttemptAt: app.now(), leaseUntil: null },
        include: withLog,
      });
      return deliveryView(d);
    },
  );
} satisfies FastifyPluginAsyncZod);
