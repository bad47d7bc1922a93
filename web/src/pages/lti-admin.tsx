/**
 * LTI registrations (administrators): the tool's URLs to paste into a platform, a one-time
 * dynamic registration URL, the registered platforms (change their deployment ids, delete), and
 * a form to add one by hand.
 */
import { useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ActionButton, ErrorMessage, Loading, PageTitle, formatDateTime } from '../components/ui';
import { Field, SelectField } from '../components/field';
import { asApiError, useResource } from '../lib/resource';
import { formText } from '../lib/form';

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

export function LtiAdminPage() {
  const tool = useResource(() => must(api.GET('/api/v1/lti/tool')), []);
  const regs = useResource(() => must(api.GET('/api/v1/lti/registrations')), []);
  const keys = useResource(() => must(api.GET('/api/v1/lti/keys')), []);
  const [addError, setAddError] = useState<ApiError | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [invite, setInvite] = useState<{ url: string; expiresAt: string } | null>(null);
  const fe = (p: string) => addError?.fieldErrors().get(`body.${p}`);
  return (
    <>
      <PageTitle>LTI 1.3</PageTitle>
      <ErrorMessage error={tool.error} />
      {!tool.data && !tool.error && <Loading what="the tool's URLs" />}
      {tool.data && (
        <section aria-labelledby="urls-h">
          <h2 id="urls-h">The tool’s URLs</h2>
          <p>Paste these into the learning platform when you add quizgrad as an LTI 1.3 tool.</p>
          <dl class="facts">
            <dt>Login initiation URL</dt>
            <dd>
              <code>{tool.data.loginUrl}</code>
            </dd>
            <dt>Redirect (launch) URL, also for deep linking</dt>
            <dd>
              <code>{tool.data.launchUrl}</code>
            </dd>
            <dt>Public keyset (JWKS) URL</dt>
            <dd>
              <code>{tool.data.jwksUrl}</code>
            </dd>
            <dt>Dynamic registration URL</dt>
            <dd>
              <code>{tool.data.dynamicRegistrationUrl}?invite=…</code> (make a one-time one below)
            </dd>
          </dl>
        </section>
      )}
      <section aria-labelledby="dyn-h">
        <h2 id="dyn-h">Dynamic registration</h2>
        <p>A one-time URL, valid for a week: paste it into the platform’s “register a tool by URL”.</p>
        <ActionButton kind="primary" onClick={() => must(api.POST('/api/v1/lti/registration-invites')).then(setInvite)}>
          Make a registration URL
        </ActionButton>
        {invite && (
          <div class="notice" role="status">
            <p>
              <code class="secret">{invite.url}</code> (until {formatDateTime(invite.expiresAt)})
            </p>
          </div>
        )}
      </section>
      <section aria-labelledby="regs-h">
        <h2 id="regs-h">Registered platforms</h2>
        <ErrorMessage error={regs.error} />
        {regs.data && regs.data.items.length === 0 && <p>None yet.</p>}
        {regs.data && regs.data.items.length > 0 && (
          <div class="table-wrap" tabIndex={0} role="group" aria-label="Registered platforms; scrolls sideways on narrow screens">
            <table class="data">
              <caption class="visually-hidden">Registered platforms</caption>
              <thead>
                <tr>
                  <th scope="col">Issuer</th>
                  <th scope="col">Client id</th>
                  <th scope="col">Deployments</th>
                  <th scope="col">Added</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {regs.data.items.map((r) => (
                  <tr key={r.id}>
                    <td>{r.issuer}</td>
                    <td class="mono">{r.clientId}</td>
                    <td>{r.deploymentIds.join(', ') || '–'}</td>
                    <td>
                      {formatDateTime(r.createdAt)} ({r.source})
                    </td>
                    <td>
                      <ActionButton
                        kind="danger"
                        onClick={() =>
                          must(api.DELETE('/api/v1/lti/registrations/{registrationId}', { params: { path: { registrationId: r.id } } })).then(regs.reload)
                        }
                      >
                        Delete<span class="visually-hidden"> {r.issuer}</span>
                      </ActionButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {regs.data && regs.data.items.length > 0 && <DeploymentsForm platforms={regs.data.items} onSaved={regs.reload} />}
      </section>
      <section aria-labelledby="keys-h">
        <h2 id="keys-h">The tool’s signing keys</h2>
        <p>
          A new key signs from the moment it is made; older keys stay in the keyset until retired, so platforms that cached them keep working. Retire an old key
          once the platforms have had time to fetch the new keyset.
        </p>
        <ErrorMessage error={keys.error} />
        {keys.data && (
          <ul class="key-list">
            {keys.data.items.map((k) => (
              <li key={k.kid}>
                <code>{k.kid.slice(0, 16)}…</code> made {formatDateTime(k.createdAt)}
                {k.current ? ' · current' : k.retiredAt ? ` · retired ${formatDateTime(k.retiredAt)}` : ' · published'}{' '}
                {!k.current && !k.retiredAt && (
                  <ActionButton
                    kind="danger"
                    onClick={() => must(api.POST('/api/v1/lti/keys/{kid}/retire', { params: { path: { kid: k.kid } } })).then(keys.reload)}
                  >
                    Retire<span class="visually-hidden"> key {k.kid.slice(0, 16)}</span>
                  </ActionButton>
                )}
              </li>
            ))}
          </ul>
        )}
        <ActionButton onClick={() => must(api.POST('/api/v1/lti/keys')).then(keys.reload)}>Rotate the signing key</ActionButton>
      </section>
      <section aria-labelledby="add-h">
        <h2 id="add-h">Add a platform by hand</h2>
        <form
          aria-label="Add an LTI platform"
          onSubmit={(e) => {
            e.preventDefault();
            const form = e.currentTarget;
            const f = new FormData(form);
            const origins = list(formText(f, 'platformOrigins'));
            setAddError(null);
            setAdded(null);
            must(
              api.POST('/api/v1/lti/registrations', {
                body: {
                  issuer: formText(f, 'issuer'),
                  clientId: formText(f, 'clientId'),
                  deploymentIds: list(formText(f, 'deploymentIds')),
                  authLoginUrl: formText(f, 'authLoginUrl'),
                  tokenUrl: formText(f, 'tokenUrl'),
                  jwksUrl: formText(f, 'jwksUrl'),
                  ...(origins.length ? { platformOrigins: origins } : {}),
                },
              }),
            )
              .then((r) => {
                setAdded(r.issuer);
                form.reset();
                regs.reload();
              })
              .catch((err: unknown) => setAddError(asApiError(err)));
          }}
        >
          <Field label="Issuer" name="issuer" required error={fe('issuer')} hint="The platform's issuer, e.g. https://canvas.instructure.com" />
          <Field label="Client id" name="clientId" required error={fe('clientId')} />
          <Field label="Deployment ids" name="deploymentIds" required error={fe('deploymentIds')} hint="Separated by commas" />
          <Field label="Authentication (OIDC auth) URL" name="authLoginUrl" type="url" required error={fe('authLoginUrl')} />
          <Field label="Access token URL" name="tokenUrl" type="url" required error={fe('tokenUrl')} />
          <Field label="Platform keyset (JWKS) URL" name="jwksUrl" type="url" required error={fe('jwksUrl')} />
          <Field
            label="Origins that may frame quizgrad (optional)"
            name="platformOrigins"
            error={fe('platformOrigins')}
            hint="Separated by commas; by default the issuer's and the authentication URL's"
          />
          <button type="submit" class="primary">
            Add the platform
          </button>
          <ErrorMessage error={addError} />
        </form>
        {added && (
          <p class="notice" role="status">
            Added {added}.
          </p>
        )}
      </section>
    </>
  );
}

/**
 * A platform's deployment ids, replaced: a deployment added in the platform after registering
 * (or a dynamic registration that came back without one) launches once it is listed here.
 */
function DeploymentsForm(props: { platforms: { id: string; issuer: string; clientId: string; deploymentIds: string[] }[]; onSaved: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <form
      aria-label="Change a platform's deployment ids"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        const registrationId = formText(f, 'platform');
        const deploymentIds = list(formText(f, 'deployments'));
        setError(null);
        setSaved(null);
        must(api.PATCH('/api/v1/lti/registrations/{registrationId}', { params: { path: { registrationId } }, body: { deploymentIds } }))
          .then((r) => {
            setSaved(`${r.issuer}: deployments ${r.deploymentIds.join(', ')}`);
            props.onSaved();
          })
          .catch((err: unknown) => setError(asApiError(err)));
      }}
    >
      <h3>Change a platform’s deployment ids</h3>
      <SelectField label="Platform" name="platform" options={props.platforms.map((p) => [p.id, `${p.issuer} (${p.clientId})`] as [string, string])} />
      <Field
        label="New deployment ids"
        name="deployments"
        required
        hint="Separated by commas; they replace the platform's list"
        error={error?.fieldErrors().get('body.deploymentIds')}
      />
      <button type="submit">Save the deployment ids</button>
      <ErrorMessage error={error} />
      {saved && (
        <p class="notice" role="status">
          Saved. {saved}
        </p>
      )}
    </form>
  );
}
