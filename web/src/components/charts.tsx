/**
 * Charts drawn as SVG, each with its data as a table beside it: the picture is for the eye
 * (role="img" with a one-line summary), the table for a screen reader, a keyboard or a printout.
 */
import type { ComponentChildren } from 'preact';

export interface Bar {
  label: string;
  value: number;
  /** Text shown for the value (default: the number). */
  text?: string;
}

const W = 560;
const BAR_H = 22;
const GAP = 6;
const LABEL_W = 170;

/** Horizontal bars, longest = `max` (default the largest value), with their values written at their ends. */
export function BarChart(props: { id: string; title: string; summary: string; bars: Bar[]; max?: number; valueHeading: string; labelHeading: string }) {
  const max = props.max ?? Math.max(1e-9, ...props.bars.map((b) => b.value));
  const h = props.bars.length * (BAR_H + GAP) + GAP;
  const inner = W - LABEL_W - 70;
  return (
    <figure class="chart" aria-labelledby={`${props.id}-cap`}>
      <figcaption id={`${props.id}-cap`}>{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-label={props.summary} preserveAspectRatio="xMinYMin meet">
        {props.bars.map((b, i) => {
          const y = GAP + i * (BAR_H + GAP);
          const w = Math.max(0, (b.value / max) * inner);
          return (
            <g key={i}>
              <text x={LABEL_W - 8} y={y + BAR_H * 0.72} text-anchor="end" class="chart-label">
                {b.label.length > 24 ? `${b.label.slice(0, 23)}…` : b.label}
              </text>
              <rect x={LABEL_W} y={y} width={w} height={BAR_H} class="chart-bar" />
              <text x={LABEL_W + w + 6} y={y + BAR_H * 0.72} class="chart-value">
                {b.text ?? String(b.value)}
              </text>
            </g>
          );
        })}
      </svg>
      <DataTable caption={props.title} headings={[props.labelHeading, props.valueHeading]} rows={props.bars.map((b) => [b.label, b.text ?? String(b.value)])} />
    </figure>
  );
}

export interface Point {
  label: string;
  x: number;
  y: number;
}

/** Points on x ∈ [0, 1] against y ∈ [−1, 1] (difficulty against discrimination), labelled by number. */
export function ScatterChart(props: { id: string; title: string; summary: string; points: Point[]; xLabel: string; yLabel: string }) {
  const w = 520;
  const h = 320;
  const m = { l: 56, r: 16, t: 12, b: 44 };
  const px = (x: number) => m.l + x * (w - m.l - m.r);
  const py = (y: number) => m.t + ((1 - y) / 2) * (h - m.t - m.b);
  return (
    <figure class="chart" aria-labelledby={`${props.id}-cap`}>
      <figcaption id={`${props.id}-cap`}>{props.title}</figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={props.summary} preserveAspectRatio="xMinYMin meet">
        <line x1={px(0)} y1={py(0)} x2={px(1)} y2={py(0)} class="chart-axis" />
        <line x1={px(0)} y1={py(-1)} x2={px(0)} y2={py(1)} class="chart-axis" />
        {[0, 0.5, 1].map((x) => (
          <text key={`x${x}`} x={px(x)} y={h - m.b + 18} text-anchor="middle" class="chart-label">
            {x}
          </text>
        ))}
        {[-1, 0, 1].map((y) => (
          <text key={`y${y}`} x={m.l - 8} y={py(y) + 5} text-anchor="end" class="chart-label">
            {y}
          </text>
        ))}
        <text x={(px(0) + px(1)) / 2} y={h - 6} text-anchor="middle" class="chart-label">
          {props.xLabel}
        </text>
        <text x={14} y={(py(-1) + py(1)) / 2} text-anchor="middle" class="chart-label" transform={`rotate(-90 14 ${(py(-1) + py(1)) / 2})`}>
          {props.yLabel}
        </text>
        {props.points.map((p, i) => (
          <g key={i}>
            <circle cx={px(p.x)} cy={py(p.y)} r={6} class="chart-dot" />
            <text x={px(p.x) + 9} y={py(p.y) + 5} class="chart-value">
              {i + 1}
            </text>
          </g>
        ))}
      </svg>
      <DataTable
        caption={props.title}
        headings={['#', 'Template', props.xLabel, props.yLabel]}
        rows={props.points.map((p, i) => [String(i + 1), p.label, p.x.toFixed(2), p.y.toFixed(2)])}
      />
    </figure>
  );
}

/** The data of a chart as a table (scrolls sideways on a phone). */
export function DataTable(props: { caption: string; headings: string[]; rows: ComponentChildren[][] }) {
  return (
    <div class="table-wrap" tabIndex={0} role="group" aria-label={`${props.caption}: data table; scrolls sideways on narrow screens`}>
      <table class="data chart-data">
        <caption class="visually-hidden">{props.caption} (data)</caption>
        <thead>
          <tr>
            {props.headings.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
