/**
 * The exam page: questions (all at once or one at a time), inputs per part, autosave with a
 * visible state, per-question submit where the policy grades during the attempt, the countdown,
 * and finishing with a confirmation that names unanswered parts.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ErrorMessage, PageTitle, formatPoints } from '../components/ui';
import { QuestionBody, type PartResult } from '../components/question';
import { fromStored, isBlank, toRequest, type Answers } from './answers';
import { AttemptOutbox, overallState } from './outbox';
import { Countdown } from './timer';
import { asApiError } from '../lib/resource';
import type { Attempt, Exam } from '../pages/attempt';

type Question = Attempt['questions'][number];

interface Graded {
  triesUsed: number;
  triesLeft: number;
  earned?: number;
  lastTry?: { tryNumber: number; score: number; parts: PartResult[] } | null;
  correctAnswers?: Record<string, unknown>;
  solution?: string;
}

/** Credit of try n (1-based) relative to the first, by the tries schedule. */
function tryCredit(schedule: number[] | undefined, n: number): number {
  if (!schedule?.length) return 1;
  return schedule[Math.min(n, schedule.length) - 1] / schedule[0];
}

function initialAnswers(attempt: Attempt, outbox: AttemptOutbox): Record<number, Answers> {
  const local = outbox.read();
  const out: Record<number, Answers> = {};
  for (const q of attempt.questions) {
    const mine = local[q.position];
    const serverAt = q.savedAt ? new Date(q.savedAt).getTime() : 0;
    if (mine && (!mine.sent || mine.editedAt > serverAt)) out[q.position] = mine.answers;
    else {
      const a: Answers = {};
      for (const p of q.parts) if (q.savedAnswers && q.savedAnswers[p.id] !== undefined) a[p.id] = fromStored(p, q.savedAnswers[p.id]);
      out[q.position] = a;
    }
  }
  return out;
}

export function unansweredParts(questions: Question[], answers: Record<number, Answers>): string[] {
  const out: string[] = [];
  questions.forEach((q, i) => {
    const blank = q.parts.filter((p) => isBlank(answers[q.position]?.[p.id]));
    if (blank.length) out.push(`Question ${i + 1}: ${blank.map((p) => p.label.replace(/\$/g, '')).join('; ')}`);
  });
  return out;
}

export function ExamTaking(props: { attempt: Attempt; exam: Exam; onFinished: (a: Attempt) => void }) {
  const { attempt, exam } = props;
  const policies = exam.blueprint.policies;
  const attemptId = attempt.id;
  const outbox = useMemo(
    () =>
      new AttemptOutbox(attemptId, (position, answers) =>
        must(
          api.PUT('/api/v1/attempts/{attemptId}/questions/{position}/answers', {
            params: { path: { attemptId, position: String(position) } },
            body: { answers: toRequest(answers) },
          }),
        ),
      ),
    [attemptId],
  );
  const [questions, setQuestions] = useState(attempt.questions);
  const [answers, setAnswers] = useState<Record<number, Answers>>(() => initialAnswers(attempt, outbox));
  const [graded, setGraded] = useState<Record<number, Graded>>(() =>
    Object.fromEntries(
      attempt.questions.map((q) => [
        q.position,
        { triesUsed: q.triesUsed, triesLeft: q.triesLeft, earned: q.earned, lastTry: q.lastTry, correctAnswers: q.correctAnswers, solution: q.solution },
      ]),
    ),
  );
  const [oneAtATime, setOneAtATime] = useState(false);
  const [current, setCurrent] = useState(0);
  const [finishError, setFinishError] = useState<ApiError | null>(null);
  const [finishing, setFinishing] = useState(false);
  const [network, setNetwork] = useState(navigator.onLine ? '' : 'You are offline. Answers are kept on this device and sent when the network returns.');
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    void outbox.flushAll(); // answers restored from this device that the server has not acknowledged
    const off = () => setNetwork('You are offline. Answers are kept on this device and sent when the network returns.');
    const on = () => setNetwork('Back online. Sending kept answers.');
    window.addEventListener('offline', off);
    window.addEventListener('online', on);
    return () => {
      window.removeEventListener('offline', off);
      window.removeEventListener('online', on);
      outbox.dispose();
    };
  }, [outbox]);

  const edit = (position: number, partId: string, v: Answers[string]) => {
    setAnswers((all) => {
      const next = { ...all, [position]: { ...all[position], [partId]: v } };
      outbox.edit(position, next[position]);
      return next;
    });
  };

  const finish = async () => {
    setFinishing(true);
    setFinishError(null);
    try {
      await outbox.flushAll();
      const done = await must(api.POST('/api/v1/attempts/{attemptId}/finish', { params: { path: { attemptId } } }));
      outbox.clear();
      props.onFinished(done);
    } catch (e) {
      setFinishError(asApiError(e));
    } finally {
      setFinishing(false);
    }
  };

  const onExpire = () => {
    // The server grades what it has at the deadline; send what is kept here first.
    void outbox.flushAll().finally(() => void finish());
  };

  const states = outbox.states.value;
  const overall = overallState(states, outbox.unsentPositions().length);
  const shown = oneAtATime ? [questions[current]] : questions;
  const unanswered = unansweredParts(questions, answers);

  return (
    <div class="exam">
      <PageTitle sub={`Attempt ${attempt.number} · ${formatPoints(attempt.maxPoints)} points`}>{attempt.examTitle}</PageTitle>
      <div class="exam-bar" aria-label="Exam status" role="region">
        {attempt.deadline && <Countdown deadline={attempt.deadline} onExpire={onExpire} />}
        <span class={`save-state ${overall.kind}`} data-testid="save-state">
          {overall.text}
        </span>
        <span class="visually-hidden" aria-live="polite">
          {network}
        </span>
        <label class="toggle">
          <input type="checkbox" checked={oneAtATime} onChange={(e) => setOneAtATime(e.currentTarget.checked)} /> One question at a time
        </label>
      </div>
      {oneAtATime && (
        <nav aria-label="Questions" class="qnav">
          {questions.map((q, i) => (
            <button type="button" key={q.position} aria-current={i === current ? 'step' : undefined} onClick={() => setCurrent(i)}>
              {i + 1}
              <span class="visually-hidden">{unansweredParts([q], answers).length ? ' (not fully answered)' : ' (answered)'}</span>
            </button>
          ))}
        </nav>
      )}
      {shown.map((q) => {
        const i = questions.indexOf(q);
        const g = graded[q.position];
        const qs = states[q.position];
        return (
          <section key={`${q.position}-${q.templateId}`} class="question" aria-labelledby={`q${q.position}-h`}>
            <h2 id={`q${q.position}-h`}>
              Question {i + 1}: {q.title} <span class="muted">({formatPoints(q.maxPoints)} points)</span>
            </h2>
            <QuestionBody
              idPrefix={`q${q.position}`}
              prompt={q.prompt}
              parts={q.parts}
              answers={answers[q.position] ?? {}}
              onChange={(partId, v) => edit(q.position, partId, v)}
              disabled={g.triesLeft === 0 && policies.gradeDuringAttempt}
              results={g.lastTry?.parts}
              correctAnswers={g.correctAnswers}
              solution={g.solution}
            />
            {qs?.kind === 'error' && <ErrorMessage error={qs.error} />}
            {policies.gradeDuringAttempt && (
              <SubmitQuestion
                attemptId={attemptId}
                number={i + 1}
                question={q}
                graded={g}
                answers={answers[q.position] ?? {}}
                credit={tryCredit(policies.triesSchedule, g.triesUsed + 1)}
                outbox={outbox}
                onGraded={(r, newVariant) => {
                  setGraded((all) => ({ ...all, [q.position]: r }));
                  if (newVariant) {
                    void must(api.GET('/api/v1/attempts/{attemptId}', { params: { path: { attemptId } } })).then((a) => {
                      setQuestions(a.questions);
                      setAnswers((all) => ({ ...all, [q.position]: {} }));
                    });
                  }
                }}
              />
            )}
          </section>
        );
      })}
      {oneAtATime && (
        <div class="buttons">
          <button type="button" disabled={current === 0} onClick={() => setCurrent(current - 1)}>
            Previous question
          </button>
          <button type="button" disabled={current === questions.length - 1} onClick={() => setCurrent(current + 1)}>
            Next question
          </button>
        </div>
      )}
      <div class="finish">
        <button type="button" class="primary" onClick={() => dialog.current?.showModal()}>
          Finish the exam…
        </button>
        <ErrorMessage error={finishError} />
      </div>
      <dialog ref={dialog} aria-labelledby="finish-h" aria-describedby="finish-d">
        <h2 id="finish-h">Finish the exam?</h2>
        <div id="finish-d">
          {unanswered.length ? (
            <>
              <p>These parts have no answer yet:</p>
              <ul>
                {unanswered.map((u) => (
                  <li key={u}>{u}</li>
                ))}
              </ul>
            </>
          ) : (
            <p>Every part has an answer.</p>
          )}
          <p>After finishing you cannot change your answers.</p>
        </div>
        <div class="buttons">
          <button
            type="button"
            class="primary"
            aria-disabled={finishing}
            onClick={() => {
              dialog.current?.close();
              void finish();
            }}
          >
            Finish now
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Keep working
          </button>
        </div>
      </dialog>
    </div>
  );
}

function SubmitQuestion(props: {
  attemptId: string;
  number: number;
  question: Question;
  graded: Graded;
  answers: Answers;
  credit: number;
  outbox: AttemptOutbox;
  onGraded: (g: Graded, newVariant: boolean) => void;
}) {
  const { question: q, graded: g } = props;
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const infoId = `q${q.position}-tries`;
  const available = q.maxPoints * props.credit;
  return (
    <div class="submit-question">
      <p id={infoId} class="muted">
        {g.triesLeft} {g.triesLeft === 1 ? 'try' : 'tries'} left
        {g.triesLeft > 0 && (
          <>
            {' '}
            · a correct answer now earns {formatPoints(available)} of {formatPoints(q.maxPoints)} points
          </>
        )}
        {g.earned !== undefined && <> · earned so far {formatPoints(g.earned)}</>}
      </p>
      {g.triesLeft > 0 && (
        <button
          type="button"
          aria-describedby={infoId}
          aria-disabled={busy}
          onClick={() => {
            if (busy) return;
            setBusy(true);
            setError(null);
            const submit = async () => {
              const edited = await props.outbox.beforeSubmit(q.position);
              try {
                const r = await must(
                  api.POST('/api/v1/attempts/{attemptId}/questions/{position}/submissions', {
                    params: { path: { attemptId: props.attemptId, position: String(q.position) } },
                    body: { answers: toRequest(props.answers) },
                  }),
                );
                props.outbox.submitted(q.position, edited, new Date().toISOString());
                return r;
              } catch (e) {
                void props.outbox.flush(q.position); // not graded: the answers still autosave
                throw e;
              }
            };
            submit()
              .then((r) =>
                props.onGraded(
                  {
                    triesUsed: r.tryNumber,
                    triesLeft: r.triesLeft,
                    earned: r.earned,
                    lastTry: { tryNumber: r.tryNumber, score: r.score, parts: r.parts },
                    correctAnswers: r.correctAnswers,
                    solution: r.solution,
                  },
                  r.newVariant,
                ),
              )
              .catch((e: unknown) => setError(asApiError(e)))
              .finally(() => setBusy(false));
          }}
        >
          Submit question {props.number} for grading
        </button>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}
