/**
 * The countdown to the server's deadline, corrected for the local clock's skew (exam/clock.ts).
 * It is recomputed from the deadline every second, so a reload shows the same time left. At
 * 5 and 1 minutes a live region says so (screen readers speak it); the visible timer itself is
 * not live, so it does not talk every second.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatRemaining, serverNow } from './clock';

const WARNINGS = [5, 1];

export function Countdown(props: { deadline: string; onExpire: () => void }) {
  const end = new Date(props.deadline).getTime();
  const [left, setLeft] = useState(() => end - serverNow());
  const [spoken, setSpoken] = useState('');
  const warned = useRef(new Set<number>(WARNINGS.filter((m) => end - serverNow() <= m * 60_000)));
  const expired = useRef(false);
  useEffect(() => {
    const tick = () => {
      const ms = end - serverNow();
      setLeft(ms);
      for (const m of WARNINGS) {
        if (ms <= m * 60_000 && !warned.current.has(m)) {
          warned.current.add(m);
          setSpoken(`${m} ${m === 1 ? 'minute' : 'minutes'} left. Your answers are being saved.`);
        }
      }
      if (ms <= 0 && !expired.current) {
        expired.current = true;
        props.onExpire();
      }
    };
    tick();
    const t = setInterval(tick, 1000);
    return () => clearInterval(t);
  }, [end]);
  const urgent = left <= 5 * 60_000;
  return (
    <div class={`countdown ${urgent ? 'urgent' : ''}`}>
      <span class="visually-hidden" aria-live="assertive" role="alert">
        {spoken}
      </span>
      <span role="timer" aria-live="off" aria-label={`Time left: ${formatRemaining(left)}`}>
        <span aria-hidden="true">Time left </span>
        <strong aria-hidden="true">{left > 0 ? formatRemaining(left) : 'time is up'}</strong>
      </span>
    </div>
  );
}
