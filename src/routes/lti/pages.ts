/**
 * The small server-rendered pages of the LTI flows (errors, the dynamic registration's
 * closing page, the deep-linking form): no inline script (the CSP forbids it), the scripts are
 * static files under /lti/; frameable by the platforms that may show them.
 */
import type { FastifyReply } from 'fastify';
import { contentSecurityPolicy } from '../../plugins/web.js';

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function sendPage(
  reply: FastifyReply,
  status: number,
  page: { title: string; body: string; script?: string },
  csp: { frameAncestors: readonly string[]; formAction?: readonly string[] },
): FastifyReply {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .header('content-security-policy', contentSecurityPolicy(csp))
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<title>${escapeHtml(page.title)} · quizgrad</title>${page.script ? `<script src="${page.script}" defer></script>` : ''}</head>` +
        `<body><main>${page.body}</main></body></html>`,
    );
}

/** Posts org.imsglobal.lti.close to the window that opened (or frames) the dynamic registration. */
export const CLOSE_JS = `(function () {
  var target = window.opener || window.parent;
  if (target && target !== window) target.postMessage({ subject: 'org.imsglobal.lti.close' }, '*');
})();
`;

/** Submits the page's form marked data-autosubmit (the deep-linking response), once loaded. */
export const AUTOSUBMIT_JS = `document.addEventListener('DOMContentLoaded', function () {
  var form = document.querySelector('form[data-autosubmit]');
  if (form) form.submit();
});
`;
