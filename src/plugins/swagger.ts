/** OpenAPI 3 generated from the routes' zod schemas, at /docs (UI) and /docs/json. */
import fp from 'fastify-plugin';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from '@fastify/type-provider-zod';
import type { FastifyInstance } from 'fastify';
import { OPTIONAL_BODY } from '../routes/schemas.js';

interface Operation {
  responses?: Record<string, { content?: unknown }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Record<string, unknown> }> };
}

export default fp(
  async function swaggerPlugin(app: FastifyInstance) {
    await app.register(fastifySwagger, {
      openapi: {
        // 3.1: its JSON Schema keeps what the zod schemas say (the answer-key pattern as propertyNames).
        openapi: '3.1.0',
        info: { title: 'quizgrad API', description: 'Randomized, auto-graded practice exams for a deep-learning course.', version: '1.0.0' },
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
            apiKey: {
              type: 'http',
              scheme: 'bearer',
              description: "A course's API key (qgk_…), sent as a bearer token; the scopes a route accepts are listed with it.",
            },
          },
        },
      },
      transform: jsonSchemaTransform,
      // A 204 has no body: documented without content, not as JSON null; a body marked by
      // optionalBody() is documented as one that may be left out (Fastify's swagger says every body is required).
      transformObject: (documentObject) => {
        // The zod schemas registered with an id (the Error shape) become components first.
        const doc = jsonSchemaTransformObject(documentObject);
        const paths: Record<string, Record<string, unknown> | undefined> = doc.paths ?? {};
        for (const ops of Object.values(paths)) {
          for (const op of Object.values(ops ?? {}) as (Operation | undefined)[]) {
            const responses = op?.responses;
            if (responses?.['204']) delete responses['204'].content;
            const body = op?.requestBody;
            // The marker stays in the schema (an x- keyword is allowed there): the schema objects may be shared.
            if (body && Object.values(body.content ?? {}).some((media) => media.schema?.[OPTIONAL_BODY] === true)) body.required = false;
          }
        }
        return doc;
      },
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  },
  { name: 'swagger' },
);
