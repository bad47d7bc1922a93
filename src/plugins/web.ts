/**
 * The browser app (web/, built by Vite into WEB_DIST_DIR), served from `/` by the API's own
 * server, so the app and the API share an origin (no CORS, and the refresh cookie stays
 * SameSite=Strict). Vite names every file under assets/ by its content hash, so those are
 * cached for a year as immutable; index.html is revalidated on every load (no-cache), so a new
 * deployment is picked up at once. Each file has .br and .gz siblings made at build time,
 * sent by Accept-Encoding (no compression work per request).
 *
 * Unknown paths a browser navigates to (/exams/…) get index.html: the app routes on the client.
 * That fallback lives in the not-found handler (plugins/errors.ts), through `app.sendWebApp`.
 */
import { existsSync } from 'node:fs';
import { relative, sep } from 'node:path';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** Sends the app's index.html (the SPA fallback), or null when the app is not built. */
    sendWebApp: ((reply: FastifyReply) => FastifyReply) | null;
  }
}

/**
 * The page's Content-Security-Policy: nothing inline, nothing from elsewhere. KaTeX writes its
 * layout into style attributes (style-src-attr), never inline <style> or scripts; images may be
 * data: URLs (KaTeX's SVG pieces). No other site may frame a page, except the registered LTI
 * platforms (frameAncestors: 'self' and their origins), where a launch opens the app, and a
 * page that posts a form to a platform names it in form-action.
 */
export function contentSecurityPolicy(opts: { frameAncestors?: readonly string[]; formAction?: readonly string[] } = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "font-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `frame-ancestors ${opts.frameAncestors?.length ? opts.frameAncestors.join(' ') : "'none'"}`,
    `form-action ${["'self'", ...(opts.formAction ?? [])].join(' ')}`,
  ].join('; ');
}

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/**
 * A launch opens the app in the platform's iframe at /lti/session or /lti/deep-link/…, and the
 * student goes on from there (the exam, the attempt, the result), and may reload any of those
 * pages: so every page of the app may be framed by the registered platforms, except the
 * password pages, which never appear inside another site (an LMS signs its users in by launch).
 */
export const UNFRAMEABLE_PAGES = /^\/(signin|register)(\/|$)/;

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Headers of every page: the CSP, no MIME sniffing, no full URLs (with their ids) sent to other sites. */
function pageHeaders(reply: FastifyReply): void {
  void reply
    .header('cache-control', 'no-cache')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin');
}

/** Paths that belong to the service, never to the app: unknown ones stay a JSON 404. */
const SERVICE_PATHS = /^\/(api|docs|health)(\/|$)/;

/**
 * wantsWebApp(request): a browser navigating to a path of the app — a GET or HEAD for HTML
 * outside /api, /docs and /health. Scripts, styles and fetches do not ask for text/html, so a
 * missing asset stays a 404.
 */
export function wantsWebApp(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?', 1)[0];
  return !SERVICE_PATHS.test(path) && (request.headers.accept ?? '').includes('text/html');
}

export default fp(
  async function webPlugin(app: FastifyInstance, opts: { dir: string }) {
    const { dir } = opts;
    if (!existsSync(`${dir}/index.html`)) {
      app.decorate('sendWebApp', null);
      // Not built (a checkout without `npm run build:web`): say so at `/` instead of a bare 404.
      app.get('/', { schema: { hide: true } }, async (_request, reply) => {
        pageHeaders(reply);
        return reply
          .status(404)
          .type('text/html; charset=utf-8')
          .send(
            '<!doctype html><html lang="en"><meta charset="utf-8"><title>quizgrad</title>' +
              '<p>The web app is not built: run <code>npm run build:web</code>, then restart the server.</p>' +
              '<p>The API is at <code>/api/v1</code>, its documentation at <a href="/docs">/docs</a>.</p></html>',
          );
      });
      app.log.warn(`web app not built (no ${dir}/index.html): run npm run build:web`);
      return;
    }
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      preCompressed: true,
      index: ['index.html'],
      // Nothing of the build starts with a dot; whatever else does (.env, .git) is not ours to send.
      dotfiles: 'ignore',
      // The service's paths are never files of the app, whatever the build directory holds.
      allowedPath: (pathName) => !SERVICE_PATHS.test(pathName),
      // Set below, per kind of file.
      cacheControl: false,
      setHeaders: (reply, path) => {
        const file = relative(dir, path);
        if (/\.html(\.br|\.gz)?$/.test(file)) pageHeaders(reply);
        else {
          // Hashed names change with their content; anything else (favicon, robots.txt) is revalidated.
          void reply
            .header('cache-control', file.startsWith(`assets${sep}`) ? IMMUTABLE : 'no-cache')
            .header('x-content-type-options', 'nosniff')
            .header('referrer-policy', 'same-origin');
        }
      },
    });
    app.decorate('sendWebApp', (reply: FastifyReply) => reply.sendFile('index.html'));
    // The one per-request decision of the CSP: the app's pages may be framed by the registered
    // platforms (the password pages, and every page while no platform is registered, by nobody).
    app.addHook('onSend', async (request, reply, payload) => {
      if (reply.getHeader('content-security-policy') !== CONTENT_SECURITY_POLICY) return payload;
      if (UNFRAMEABLE_PAGES.test(request.url.split('?', 1)[0])) return payload;
      const origins = await app.lti.registrations.frameOrigins();
      if (origins.length === 0) return payload;
      void reply.header('content-security-policy', contentSecurityPolicy({ frameAncestors: ["'self'", ...origins] }));
      return payload;
    });
  },
  { name: 'web' },
);
