/** A course's webhook receivers (instructors): add one (its secret shown once), its deliveries, send one again, disable. */
import { useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ActionButton, ErrorMessage, Loading, PageTitle, formatDateTime } from '../components/ui';
import { Field } from '../components/field';
import { asApiError, useResource } from '../lib/resource';
import { useCourse } from './course';
import type { PageProps } from '../routes';
import { formText } from '../lib/form';

const EVENTS = ['roster.changed', 'attempt.finished', 'score.changed'] as const;
type EventName = (typeof EVENTS)[number];
const isEvent = (v: string): v is EventName => (EVENTS as readonly string[]).includes(v);

export function WebhooksPage({ params }: PageProps) {
  const courseId = params.courseId;
  const course = useCourse(courseId);
  const hooks = useResource(() => must(api.GET('/api/v1/courses/{courseId}/webhooks', { params: { path: { courseId } } })), [courseId]);
  const [addError, setAddError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  if (course.error) return <ErrorMessage error={course.error} />;
  return (
    <>
      <PageTitle sub={course.data?.title}>Webhooks</PageTitle>
      <p>
        <a href={`/courses/${courseId}`}>Back to the course</a>
      </p>
      <p>
        Each event is POSTed as JSON with the headers <code>quizgrad-event-id</code> (de-duplicate by it), <code>quizgrad-event-type</code> and{' '}
        <code>quizgrad-signature: t=…,v1=…</code> (HMAC-SHA256 of <code>t.body</code> with the receiver’s secret). A receiver that does not answer 2xx is
        retried for about 8 hours.
      </p>
      <section aria-labelledby="add-h">
        <h2 id="add-h">Add a receiver</h2>
        <form
          aria-label="Add a webhook receiver"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const events = f
              .getAll('events')
              .filter((v): v is string => typeof v === 'string')
              .filter(isEvent);
            setAddError(null);
            setCreated(null);
            must(api.POST('/api/v1/courses/{courseId}/webhooks', { params: { path: { courseId } }, body: { url: formText(f, 'url'), events } }))
              .then((w) => {
                setCreated({ url: w.url, secret: w.secret });
                hooks.reload();
              })
              .catch((err: unknown) => setAddError(asApiError(err)));
          }}
        >
          <Field label="Receiver URL" name="url" type="url" required error={addError?.fieldErrors().get('body.url')} />
          <fieldset>
            <legend>Events</legend>
            {EVENTS.map((ev) => (
              <label key={ev} class="check">
                <input type="checkbox" name="events" value={ev} defaultChecked /> {ev}
              </label>
            ))}
          </fieldset>
          <button type="submit" class="primary">
            Add the receiver
          </button>
          <ErrorMessage error={addError} />
        </form>
        {created && (
          <div class="notice" role="status">
            <p>
              Added {created.url}. Its signing secret, shown only now: <code class="secret">{created.secret}</code>
            </p>
          </div>
        )}
      </section>
      <section aria-labelledby="hooks-h">
        <h2 id="hooks-h">Receivers</h2>
        <ErrorMessage error={hooks.error} />
        {!hooks.data && !hooks.error && <Loading what="the receivers" />}
        {hooks.data && hooks.data.items.length === 0 && <p>None yet.</p>}
        {hooks.data?.items.map((w) => (
          <Receiver key={w.id} courseId={courseId} hook={w} onChange={hooks.reload} />
        ))}
      </section>
    </>
  );
}

function Receiver(props: { courseId: string; hook: { id: string; url: string; events: string[]; disabledAt: string | null }; onChange: () => void }) {
  const { courseId, hook } = props;
  const webhookId = hook.id;
  const deliveries = useResource(
    () => must(api.GET('/api/v1/courses/{courseId}/webhooks/{webhookId}/deliveries', { params: { path: { courseId, webhookId } } })),
    [courseId, webhookId],
  );
  return (
    <article class="receiver" aria-label={`Receiver ${hook.url}`}>
      <h3>{hook.url}</h3>
      <p>
        {hook.events.join(', ')}
        {hook.disabledAt ? ` · disabled ${formatDateTime(hook.disabledAt)}` : ''}
      </p>
      {!hook.disabledAt && (
        <ActionButton
          kind="danger"
          onClick={() =>
            must(api.DELETE('/api/v1/courses/{courseId}/webhooks/{webhookId}', { params: { path: { courseId, webhookId } } })).then(props.onChange)
          }
        >
          Disable<span class="visually-hidden"> {hook.url}</span>
        </ActionButton>
      )}
      <ErrorMessage error={deliveries.error} />
      {deliveries.data && deliveries.data.items.length === 0 && <p>No deliveries yet.</p>}
      {deliveries.data && deliveries.data.items.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="group" aria-label={`Deliveries to ${hook.url}; scrolls sideways on narrow screens`}>
          <table class="data">
            <caption class="visually-hidden">Deliveries to {hook.url}</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">State</th>
                <th scope="col">Tries</th>
                <th scope="col">Last answer</th>
                <th scope="col">When</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.items.map((d) => (
                <tr key={d.id}>
                  <td>
                    {d.eventType} <span class="muted mono">{d.eventId.slice(0, 8)}</span>
                  </td>
                  <td>{d.status === 'PENDING' ? `pending (next try ${formatDateTime(d.nextAttemptAt)})` : d.status.toLowerCase()}</td>
                  <td>
                    {d.tries.length === 0 ? (
                      d.attempts
                    ) : (
                      <details>
                        <summary>
                          {d.attempts}
                          <span class="visually-hidden">, the log of the tries of {d.eventType}</span>
                        </summary>
                        <ul class="try-log">
                          {d.tries.map((t) => (
                            <li key={t.at}>
                              {formatDateTime(t.at)}: {t.error ?? `HTTP ${t.status}`} ({t.durationMs} ms)
                            </li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </td>
                  <td>{d.lastError ?? (d.lastStatus !== null ? `HTTP ${d.lastStatus}` : '–')}</td>
                  <td>{formatDateTime(d.deliveredAt ?? d.createdAt)}</td>
                  <td>
                    <ActionButton
                      onClick={() =>
                        must(
                          api.POST('/api/v1/courses/{courseId}/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver', {
                            params: { path: { courseId, webhookId, deliveryId: d.id } },
                          }),
                        ).then(deliveries.reload)
                      }
                    >
                      Send again<span class="visually-hidden"> {d.eventType}</span>
                    </ActionButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </article>
  );
}
