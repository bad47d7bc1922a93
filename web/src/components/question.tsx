/** A problem: its typeset prompt, an input per part, and (after grading) feedback per part and the released answers and solution. */
import { AnswerInput } from './answer-input';
import { emptyAnswer, type AnswerValue, type Answers, type PartShape } from '../exam/answers';
import { answerText, explainMiss } from '../exam/explain';
import { renderInline, renderMarkdown } from '../lib/markdown';

export interface PartResult {
  id: string;
  status: 'correct' | 'partial' | 'incorrect' | 'format-error' | 'missing';
  score: number;
  points: number;
  maxPoints: number;
  feedback: string;
  elements?: boolean[];
  followThrough?: boolean;
  hint?: 'insufficient-precision';
  /** The named mistake the answer matched: its feedback (which may hold LaTeX) is `feedback`. */
  mistake?: string;
}

const STATUS_WORDS: Record<PartResult['status'], string> = {
  correct: 'Correct',
  partial: 'Partly correct',
  incorrect: 'Incorrect',
  'format-error': 'Not readable',
  missing: 'Not answered',
};

export function Markdown(props: { text: string; class?: string }) {
  return <div class={props.class ?? 'prose'} dangerouslySetInnerHTML={{ __html: renderMarkdown(props.text) }} />;
}

export function QuestionBody(props: {
  idPrefix: string;
  prompt: string;
  parts: PartShape[];
  answers: Answers;
  onChange?: (partId: string, v: AnswerValue) => void;
  disabled?: boolean;
  results?: PartResult[];
  correctAnswers?: Record<string, unknown>;
  solution?: string;
}) {
  const resultOf = (id: string) => props.results?.find((r) => r.id === id);
  return (
    <>
      <Markdown text={props.prompt} />
      {props.parts.map((part) => {
        const r = resultOf(part.id);
        const value = props.answers[part.id] ?? emptyAnswer(part);
        const correct = props.correctAnswers?.[part.id];
        const why = r && r.status !== 'correct' && correct !== undefined && typeof value === 'string' ? explainMiss(value, correct, part.tolerance) : undefined;
        return (
          <div key={part.id} class={`part-wrap ${r ? `is-${r.status}` : ''}`}>
            <AnswerInput
              part={part}
              idPrefix={`${props.idPrefix}-${part.id}`}
              value={value}
              disabled={props.disabled}
              elements={r?.elements}
              onChange={(v) => props.onChange?.(part.id, v)}
            />
            {r && (
              <p class={`feedback ${r.status}`}>
                <strong>{STATUS_WORDS[r.status]}</strong> —{' '}
                {r.mistake ? (
                  // The status is said just before: the feedback's own "Incorrect: " would repeat it.
                  <span class="mistake" dangerouslySetInnerHTML={{ __html: renderInline(r.feedback.replace(/^Incorrect( \([^)]*\))?: /, '')) }} />
                ) : (
                  r.feedback
                )}{' '}
                {r.points !== undefined && (
                  <span>
                    ({Number(r.points.toFixed(2))} of {r.maxPoints} points)
                  </span>
                )}
                {why && <span class="why"> {why}</span>}
              </p>
            )}
            {correct !== undefined && (
              <p class="correct-answer">
                Correct answer: <span class="mono">{answerText(correct)}</span>
              </p>
            )}
          </div>
        );
      })}
      {props.solution && (
        <section class="solution" aria-label="Solution">
          <h3>Solution</h3>
          <Markdown text={props.solution} />
        </section>
      )}
    </>
  );
}
