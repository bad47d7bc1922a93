/** The caller's own account: profile with course memberships, password change. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import { revokeAllForUser } from '../../auth/tokens.js';
import { notFound, unauthorized } from '../../errors.js';
import { userOut, password } from '../auth/schemas.js';
import { errors, noContent } from '../schemas.js';

const meOut = userOut.extend({
  memberships: z.array(z.object({ courseId: z.string(), title: z.string(), code: z.string(), role: z.enum(['STUDENT', 'TA', 'INSTRUCTOR']) })),
});

const meRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/me', { schema: { tags: ['me'], response: { 200: meOut, ...errors } } }, async (request) => {
    const user = await app.prisma.user.findUnique({
      where: { id: request.principal.userId },
      include: { memberships: { include: { course: { select: { title: true, code: true } } }, orderBy: { createdAt: 'asc' } } },
    });
    if (!user) throw notFound('user');
    return {
      ...user,
      memberships: user.memberships.map((m) => ({ courseId: m.courseId, title: m.course.title, code: m.course.code, role: m.role })),
    };
  });

  app.put(
    '/me/password',
    {
      config: { rateLimit: { max: app.config.LOGIN_RATE_LIMIT_MAX, timeWindow: 60_000 } },
      schema: {
        tags: ['me'],
        summary: 'Change my password; signs out every other session',
        body: z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: password }),
        response: { 204: noContent, ...errors },
      },
    },
    async (request, reply) => {
      const user = await app.prisma.user.findUnique({ where: { id: request.principal.userId } });
      if (!user) throw notFound('user');
      if (!(await verifyPassword(user.passwordHash, request.body.currentPassword))) throw unauthorized('wrong current password');
      await app.prisma.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(request.body.newPassword) } });
      await revokeAllForUser(app, user.id);
      return reply.status(204).send(null);
    },
  );
};
export default meRoutes;
