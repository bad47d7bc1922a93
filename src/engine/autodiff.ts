/**
 * Reverse-mode automatic differentiation of small scalar expressions, for backpropagation
 * exercises: `gradient("(x + y) * z", { x: -2, y: 5, z: -4 })` → `{ x: -4, y: -4, z: 3 }`.
 *
 * The expression is parsed (never evaluated as code) by a recursive-descent parser into a
 * computational graph stored as flat arrays in topological order: a node's inputs always have
 * smaller indices. The forward pass walks the arrays upwards, the backward pass downwards,
 * accumulating each node's upstream gradient into its inputs. Every variable is a single
 * node, so a variable used twice (`x * x`) receives the sum of both paths.
 *
 * Grammar (usual precedence; `^` is right-associative and binds tighter than unary minus,
 * so `-x^2` is `-(x^2)` and `2^-x` is `2^(-x)`):
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := primary ('^' unary)?
 *   primary := number | variable | name '(' expr (',' expr)* ')' | '(' expr ')'
 * Functions: exp, log (natural), sqrt, abs, sigmoid, tanh, relu (one argument) and max, min
 * (one or more). Gradients at kinks: relu'(0) = 0, abs'(0) = 0, and max/min send the whole
 * gradient to the first argument attaining the extreme.
 */
import type { Offers } from './registry.js';

/** Longest accepted expression, in characters. */
export const MAX_EXPRESSION_LENGTH = 1000;
/** Deepest accepted nesting of parentheses, calls, unary signs and exponents. */
export const MAX_EXPRESSION_DEPTH = 64;
const CACHE_LIMIT = 512;

// Node kinds. Plain numeric constants (not an enum) keep the switch on small integers.
const CONST = 0;
const VAR = 1;
const ADD = 2;
const SUB = 3;
const MUL = 4;
const DIV = 5;
const POW = 6;
const NEG = 7;
const EXP = 8;
const LOG = 9;
const SQRT = 10;
const ABS = 11;
const SIGMOID = 12;
const TANH = 13;
const RELU = 14;
const MAX = 15;
const MIN = 16;

const OP_NAMES = [
  'constant',
  'variable',
  'addition',
  'subtraction',
  'multiplication',
  'division',
  'power',
  'negation',
  'exp',
  'log',
  'sqrt',
  'abs',
  'sigmoid',
  'tanh',
  'relu',
  'max',
  'min',
];
const INFIX = ['', '', '+', '-', '*', '/', '^'];

// "1 / 0 = Infinity", "log(-1) = NaN": the failing operation with its actual operands.
function showOperation(op: number, x: number, y: number, v: number): string {
  if (op >= ADD && op <= POW) return `${x} ${INFIX[op]} ${y} = ${v}`;
  if (op === NEG) return `-(${x}) = ${v}`;
  if (op === MAX || op === MIN) return `${OP_NAMES[op]}(${x}, ${y}) = ${v}`;
  return `${OP_NAMES[op]}(${x}) = ${v}`;
}

const UNARY_FUNCTIONS: ReadonlyMap<string, number> = new Map([
  ['exp', EXP],
  ['log', LOG],
  ['sqrt', SQRT],
  ['abs', ABS],
  ['sigmoid', SIGMOID],
  ['tanh', TANH],
  ['relu', RELU],
]);
const VARIADIC_FUNCTIONS: ReadonlyMap<string, number> = new Map([
  ['max', MAX],
  ['min', MIN],
]);

/**
 * A parsed expression: a computational graph in topological order. Node `k` has kind `op[k]`,
 * inputs `a[k]`, `b[k]` (node indices, −1 if unused; for a variable node `a[k]` is the index
 * into `variables`), constant value `value[k]` and source position `at[k]` (0-based).
 */
export interface ExprGraph {
  readonly source: string;
  /** Distinct variable names in order of first appearance. */
  readonly variables: readonly string[];
  readonly op: Int32Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly value: Float64Array;
  readonly at: Int32Array;
  /** 0-based position of the first occurrence of each variable. */
  readonly variableAt: Int32Array;
  /** Node index of each variable. */
  readonly variableNode: Int32Array;
  /** Index of the output node (always the last node). */
  readonly root: number;
}

function sigmoid1(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

// The forward rule of every operation; shared by the evaluator and by constant folding.
function apply(op: number, x: number, y: number): number {
  switch (op) {
    case ADD:
      return x + y;
    case SUB:
      return x - y;
    case MUL:
      return x * y;
    case DIV:
      return x / y;
    case POW:
      return Math.pow(x, y);
    case NEG:
      return -x;
    case EXP:
      return Math.exp(x);
    case LOG:
      return Math.log(x);
    case SQRT:
      return Math.sqrt(x);
    case ABS:
      return Math.abs(x);
    case SIGMOID:
      return sigmoid1(x);
    case TANH:
      return Math.tanh(x);
    case RELU:
      return x > 0 ? x : 0;
    case MAX:
      return x >= y ? x : y;
    case MIN:
      return x <= y ? x : y;
    default:
      throw new Error(`autodiff: unknown node kind ${op}`);
  }
}

// The expression quoted in an error, shortened around the position when it is long.
function excerpt(src: string, at: number): string {
  if (src.length <= 80) return JSON.stringify(src);
  const from = Math.max(0, at - 30);
  const to = Math.min(src.length, at + 30);
  return `${from > 0 ? '…' : ''}${JSON.stringify(src.slice(from, to))}${to < src.length ? '…' : ''}`;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

class Parser {
  private pos = 0;
  // −1 so that the top level is depth 0 and MAX_EXPRESSION_DEPTH counts nesting levels below it.
  private depth = -1;
  readonly op: number[] = [];
  readonly a: number[] = [];
  readonly b: number[] = [];
  readonly value: number[] = [];
  readonly at: number[] = [];
  readonly variables: string[] = [];
  readonly variableAt: number[] = [];
  readonly variableNode: number[] = [];
  private readonly variableIndex = new Map<string, number>();

  constructor(
    private readonly fn: string,
    private readonly src: string,
  ) {}

  private fail(message: string, at: number): never {
    throw new SyntaxError(`${this.fn}: at position ${at + 1} of ${excerpt(this.src, at)}: ${message}`);
  }

  private skipSpace(): void {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  private push(op: number, a: number, b: number, value: number, at: number): number {
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    this.value.push(value);
    this.at.push(at);
    return this.op.length - 1;
  }

  private constant(v: number, at: number): number {
    return this.push(CONST, -1, -1, v, at);
  }

  // Folding constant subexpressions keeps the graph small, and the CONST kind then tells the
  // backward pass which inputs need no gradient (e.g. the exponent of x^2, so ln x is never taken).
  private node(op: number, a: number, b: number, at: number): number {
    if (this.op[a] === CONST && (b < 0 || this.op[b] === CONST)) {
      const v = apply(op, this.value[a], b < 0 ? 0 : this.value[b]);
      if (!Number.isFinite(v)) {
        this.fail(`${OP_NAMES[op]} of constants is not finite (${showOperation(op, this.value[a], b < 0 ? 0 : this.value[b], v)})`, at);
      }
      // Drop the folded inputs: they are the last nodes pushed, as nothing was built after them.
      const first = b < 0 ? a : Math.min(a, b);
      if (first === this.op.length - (b < 0 ? 1 : 2)) this.truncate(first);
      return this.constant(v, at);
    }
    return this.push(op, a, b, 0, at);
  }

  private truncate(n: number): void {
    this.op.length = n;
    this.a.length = n;
    this.b.length = n;
    this.value.length = n;
    this.at.length = n;
  }

  parse(): number {
    if (this.src.length > MAX_EXPRESSION_LENGTH) {
      throw new RangeError(`${this.fn}: the expression is ${this.src.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}`);
    }
    const root = this.parseExpr();
    this.skipSpace();
    if (this.pos < this.src.length) this.unexpected();
    return root;
  }

  private unexpected(): never {
    this.skipSpace();
    if (this.pos >= this.src.length) this.fail('unexpected end of expression', this.pos);
    this.fail(`unexpected '${this.src[this.pos]}'`, this.pos);
  }

  private parseExpr(): number {
    let left = this.parseTerm();
    for (;;) {
      this.skipSpace();
      const c = this.src.charCodeAt(this.pos);
      if (c !== 43 && c !== 45) return left; // + -
      const at = this.pos++;
      const right = this.parseTerm();
      left = this.node(c === 43 ? ADD : SUB, left, right, at);
    }
  }

  private parseTerm(): number {
    let left = this.parseUnary();
    for (;;) {
      this.skipSpace();
      const c = this.src.charCodeAt(this.pos);
      if (c !== 42 && c !== 47) return left; // * /
      const at = this.pos++;
      if (c === 42 && this.src.charCodeAt(this.pos) === 42) this.fail("'**' is not an operator; use '^' for powers", at);
      const right = this.parseUnary();
      left = this.node(c === 42 ? MUL : DIV, left, right, at);
    }
  }

  private parseUnary(): number {
    this.skipSpace();
    if (++this.depth > MAX_EXPRESSION_DEPTH) this.fail(`the expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels`, this.pos);
    let result: number;
    const c = this.src.charCodeAt(this.pos);
    if (c === 45) {
      const at = this.pos++;
      result = this.node(NEG, this.parseUnary(), -1, at);
    } else if (c === 43) {
      this.pos++;
      result = this.parseUnary();
    } else {
      result = this.parsePower();
    }
    this.depth--;
    return result;
  }

  private parsePower(): number {
    const base = this.parsePrimary();
    this.skipSpace();
    if (this.src.charCodeAt(this.pos) !== 94) return base; // ^
    const at = this.pos++;
    // The exponent is a unary: right-associative (2^3^2 = 2^9) and may carry a sign (2^-1).
    const exponent = this.parseUnary();
    return this.node(POW, base, exponent, at);
  }

  private parsePrimary(): number {
    this.skipSpace();
    const s = this.src;
    const start = this.pos;
    if (start >= s.length) this.fail('unexpected end of expression', start);
    const c = s.charCodeAt(start);
    if (isDigit(c) || c === 46) return this.parseNumber();
    if (c === 40) {
      this.pos++;
      const inner = this.parseExpr();
      this.expect(41, ')', start);
      return inner;
    }
    if (!isIdentStart(c)) this.unexpected();
    let end = start + 1;
    while (end < s.length && isIdentPart(s.charCodeAt(end))) end++;
    const name = s.slice(start, end);
    this.pos = end;
    this.skipSpace();
    const isCall = s.charCodeAt(this.pos) === 40;
    const unary = UNARY_FUNCTIONS.get(name);
    const variadic = VARIADIC_FUNCTIONS.get(name);
    if (isCall) {
      if (unary === undefined && variadic === undefined) {
        this.fail(`unknown function '${name}' (known: exp, log, sqrt, abs, sigmoid, tanh, relu, max, min)`, start);
      }
      this.pos++;
      const args = this.parseArguments(name, start);
      if (unary !== undefined) {
        if (args.length !== 1) this.fail(`${name} takes 1 argument, got ${args.length}`, start);
        return this.node(unary, args[0], -1, start);
      }
      // max(a, b, c) = max(max(a, b), c): with ties going left at every step, the first
      // argument attaining the maximum is the one that receives the gradient.
      let acc = args[0];
      for (let i = 1; i < args.length; i++) acc = this.node(variadic as number, acc, args[i], start);
      return acc;
    }
    if (unary !== undefined || variadic !== undefined) this.fail(`'${name}' is a function; call it as ${name}(…)`, start);
    return this.variable(name, start);
  }

  private parseArguments(name: string, at: number): number[] {
    const args: number[] = [];
    this.skipSpace();
    if (this.src.charCodeAt(this.pos) === 41) this.fail(`${name}() needs at least one argument`, at);
    for (;;) {
      args.push(this.parseExpr());
      this.skipSpace();
      const c = this.src.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      this.expect(41, ')', at);
      return args;
    }
  }

  private expect(code: number, ch: string, openedAt: number): void {
    this.skipSpace();
    if (this.src.charCodeAt(this.pos) === code) {
      this.pos++;
      return;
    }
    if (this.pos >= this.src.length) this.fail(`missing '${ch}' to close the '(' at position ${openedAt + 1}`, this.pos);
    this.fail(`expected '${ch}' but found '${this.src[this.pos]}'`, this.pos);
  }

  private parseNumber(): number {
    const s = this.src;
    const start = this.pos;
    let p = start;
    while (p < s.length && isDigit(s.charCodeAt(p))) p++;
    if (s.charCodeAt(p) === 46) {
      p++;
      while (p < s.length && isDigit(s.charCodeAt(p))) p++;
    }
    if (p === start + 1 && s.charCodeAt(start) === 46) this.fail("a lone '.' is not a number", start);
    const e = s.charCodeAt(p);
    if (e === 101 || e === 69) {
      // Only an exponent if digits follow, so "2e" fails as "unexpected 'e'" rather than silently.
      let q = p + 1;
      const sign = s.charCodeAt(q);
      if (sign === 43 || sign === 45) q++;
      if (isDigit(s.charCodeAt(q))) {
        while (q < s.length && isDigit(s.charCodeAt(q))) q++;
        p = q;
      }
    }
    const v = Number(s.slice(start, p));
    if (!Number.isFinite(v)) this.fail(`number '${s.slice(start, p)}' is out of range`, start);
    this.pos = p;
    return this.constant(v, start);
  }

  private variable(name: string, at: number): number {
    const known = this.variableIndex.get(name);
    if (known !== undefined) return this.variableNode[known];
    const index = this.variables.length;
    this.variableIndex.set(name, index);
    this.variables.push(name);
    this.variableAt.push(at);
    const node = this.push(VAR, index, -1, 0, at);
    this.variableNode.push(node);
    return node;
  }
}

const cache = new Map<string, ExprGraph>();
const built = new WeakSet<ExprGraph>();

/**
 * Parses an expression into its computational graph (cached by expression string, since
 * templates differentiate the same expression at many points).
 * @example parseGraph("x*y + max(x, y)").variables // ['x', 'y']
 */
export function parseGraph(expr: string, fn = 'parseGraph'): ExprGraph {
  if (typeof expr !== 'string') throw new TypeError(`${fn}: the expression must be a string, got ${typeof expr}`);
  const hit = cache.get(expr);
  if (hit !== undefined) return hit;
  const p = new Parser(fn, expr);
  // The root is always the last node: every operation is pushed after its inputs, and a bare
  // variable as the whole expression is the only node.
  const root = p.parse();
  const graph: ExprGraph = {
    source: expr,
    variables: p.variables,
    op: Int32Array.from(p.op),
    a: Int32Array.from(p.a),
    b: Int32Array.from(p.b),
    value: Float64Array.from(p.value),
    at: Int32Array.from(p.at),
    variableAt: Int32Array.from(p.variableAt),
    variableNode: Int32Array.from(p.variableNode),
    root,
  };
  // Oldest-first eviction (Map keeps insertion order) bounds memory for generated expressions.
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(expr, graph);
  built.add(graph);
  return graph;
}

// Scratch buffers reused across calls: allocation would dominate for small graphs.
let vals = new Float64Array(64);
let adj = new Float64Array(64);

function bind(fn: string, g: ExprGraph, point: Record<string, number>): void {
  if (typeof point !== 'object' || point === null || Array.isArray(point)) {
    throw new TypeError(`${fn}: the point must be an object mapping variable names to numbers`);
  }
  for (const key of Object.keys(point)) {
    if (key === '__proto__') throw new RangeError(`${fn}: '__proto__' cannot be a variable name`);
    const v: unknown = point[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`${fn}: the value of ${key} must be a finite number, got ${typeof v === 'number' ? v : typeof v}`);
    }
  }
  for (let i = 0; i < g.variables.length; i++) {
    const name = g.variables[i];
    if (!Object.hasOwn(point, name)) {
      throw new RangeError(
        `${fn}: at position ${g.variableAt[i] + 1} of ${excerpt(g.source, g.variableAt[i])}: unknown variable '${name}' (the point has ${describeKeys(point)})`,
      );
    }
  }
  if (vals.length < g.op.length) {
    const n = Math.max(g.op.length, vals.length * 2);
    vals = new Float64Array(n);
    adj = new Float64Array(n);
  }
}

function describeKeys(point: Record<string, number>): string {
  const keys = Object.keys(point);
  return keys.length === 0 ? 'no variables' : keys.join(', ');
}

function forward(fn: string, g: ExprGraph, point: Record<string, number>): number {
  const { op, a, b, value } = g;
  const n = op.length;
  for (let k = 0; k < n; k++) {
    const o = op[k];
    let v: number;
    if (o === CONST) v = value[k];
    else if (o === VAR) v = point[g.variables[a[k]]];
    else {
      v = apply(o, vals[a[k]], b[k] < 0 ? 0 : vals[b[k]]);
      if (!Number.isFinite(v)) {
        const shown = showOperation(o, vals[a[k]], b[k] < 0 ? 0 : vals[b[k]], v);
        throw new RangeError(`${fn}: at position ${g.at[k] + 1} of ${excerpt(g.source, g.at[k])}: ${OP_NAMES[o]} is not finite at this point (${shown})`);
      }
    }
    vals[k] = v;
  }
  return vals[g.root];
}

function backward(g: ExprGraph): void {
  const { op, a, b } = g;
  adj.fill(0, 0, op.length);
  adj[g.root] = 1;
  for (let k = g.root; k >= 0; k--) {
    const up = adj[k];
    // Skipping zero upstream gradients avoids 0·∞ = NaN from branches that do not matter
    // (e.g. relu(−1)·sqrt(x) at x = 0).
    if (up === 0) continue;
    const o = op[k];
    if (o <= VAR) continue;
    const i = a[k];
    const j = b[k];
    switch (o) {
      case ADD:
        adj[i] += up;
        adj[j] += up;
        break;
      case SUB:
        adj[i] += up;
        adj[j] -= up;
        break;
      case MUL:
        adj[i] += up * vals[j];
        adj[j] += up * vals[i];
        break;
      case DIV:
        adj[i] += up / vals[j];
        adj[j] -= (up * vals[k]) / vals[j];
        break;
      case POW: {
        const x = vals[i];
        const y = vals[j];
        // d/dx x^y = y·x^(y−1), which is 0 for y = 0 (Math.pow(0, −1) = ∞ would give NaN).
        if (op[i] !== CONST && y !== 0) adj[i] += up * y * Math.pow(x, y - 1);
        // d/dy x^y = x^y·ln x; only taken when the exponent varies, and 0 when x^y = 0.
        if (op[j] !== CONST && x !== 0) adj[j] += up * vals[k] * Math.log(x);
        break;
      }
      case NEG:
        adj[i] -= up;
        break;
      case EXP:
        adj[i] += up * vals[k];
        break;
      case LOG:
        adj[i] += up / vals[i];
        break;
      case SQRT:
        adj[i] += (0.5 * up) / vals[k];
        break;
      case ABS: {
        const x = vals[i];
        if (x > 0) adj[i] += up;
        else if (x < 0) adj[i] -= up;
        break;
      }
      case SIGMOID: {
        const s = vals[k];
        adj[i] += up * s * (1 - s);
        break;
      }
      case TANH: {
        const t = vals[k];
        adj[i] += up * (1 - t * t);
        break;
      }
      case RELU:
        if (vals[i] > 0) adj[i] += up;
        break;
      case MAX:
        if (vals[i] >= vals[j]) adj[i] += up;
        else adj[j] += up;
        break;
      case MIN:
        if (vals[i] <= vals[j]) adj[i] += up;
        else adj[j] += up;
        break;
      default:
        throw new Error(`autodiff: unknown node kind ${o}`);
    }
  }
}

function collect(fn: string, g: ExprGraph, point: Record<string, number>): Record<string, number> {
  const grad: Record<string, number> = {};
  const keys = Object.keys(point);
  for (let k = 0; k < keys.length; k++) grad[keys[k]] = 0;
  for (let i = 0; i < g.variables.length; i++) {
    const d = adj[g.variableNode[i]];
    if (!Number.isFinite(d)) {
      throw new RangeError(`${fn}: the derivative with respect to ${g.variables[i]} of ${excerpt(g.source, 0)} is not finite at this point (${d})`);
    }
    grad[g.variables[i]] = d;
  }
  return grad;
}

// Only graphs built by parseGraph are accepted: a hand-made object could index out of bounds.
function graphOf(fn: string, expr: string | ExprGraph): ExprGraph {
  if (typeof expr === 'string') return parseGraph(expr, fn);
  if (typeof expr === 'object' && expr !== null && built.has(expr)) return expr;
  throw new TypeError(`${fn}: the expression must be a string (or a graph from parseGraph), got ${expr === null ? 'null' : typeof expr}`);
}

/**
 * The value of a scalar expression at a point (the forward pass of its computational graph).
 * The expression is a string in the small language of `gradient`.
 * @param expr The expression, a string such as "(x + y) * z".
 * @param point The value of every variable of the expression: an object such as {x: -2, y: 5, z: -4}.
 * @returns The value, a number.
 * @example evaluateGraph("x^2 + 1", {x: 3}) // 10
 */
export function evaluateGraph(expr: string | ExprGraph, point: Record<string, number>): number {
  const fn = 'evaluateGraph';
  const g = graphOf(fn, expr);
  bind(fn, g, point);
  return forward(fn, g, point);
}

/**
 * Backpropagation through a scalar expression: the gradient ∂f/∂v of f at `point` for every
 * variable v of `point` (0 for one the expression does not use), computed by one forward and one
 * backward pass over its computational graph. A variable used twice (`x * x`) receives the sum of
 * both paths. Read one partial derivative with `.x`.
 * The expression is a string: numbers, variables, `+ - * / ^` (`^` binds tighter than unary minus,
 * so `-x^2` is −(x²)), parentheses, and the functions exp, log (natural), sqrt, abs, sigmoid,
 * tanh, relu (one argument) and max, min (one or more). At kinks, relu'(0) = abs'(0) = 0, and max
 * and min send the whole gradient to the first argument attaining the extreme.
 * @param expr The expression f, a string such as "(x + y) * z".
 * @param point The value of every variable of the expression: an object such as {x: -2, y: 5, z: -4}.
 * @returns An object with one number per variable of point: ∂f/∂v at point.
 * @example gradient("(x + y) * z", {x: -2, y: 5, z: -4}).x // -4
 * @example gradient("(x + y) * z", {x: -2, y: 5, z: -4}).z // 3
 */
export function gradient(expr: string | ExprGraph, point: Record<string, number>): Record<string, number> {
  const fn = 'gradient';
  const g = graphOf(fn, expr);
  bind(fn, g, point);
  forward(fn, g, point);
  backward(g);
  return collect(fn, g, point);
}

/** Result of `valueAndGradient`. */
export interface ValueAndGradient {
  /** f(point). */
  value: number;
  /** ∂f/∂v at point, one number per variable v of point. */
  grad: Record<string, number>;
}

/**
 * The value f(point) and the gradient of `gradient` together, from one forward and one backward
 * pass.
 * @param expr The expression f, a string (see `gradient` for what it may contain).
 * @param point The value of every variable of the expression: an object such as {x: 3}.
 * @returns f(point) and the gradient (one number per variable).
 * @example valueAndGradient("x * x", {x: 3}).value // 9
 * @example valueAndGradient("x * x", {x: 3}).grad.x // 6
 */
export function valueAndGradient(expr: string | ExprGraph, point: Record<string, number>): ValueAndGradient {
  const fn = 'valueAndGradient';
  const g = graphOf(fn, expr);
  bind(fn, g, point);
  const value = forward(fn, g, point);
  backward(g);
  return { value, grad: collect(fn, g, point) };
}

/** What this module offers to template expressions (see registry.ts). */
export const offers = { evaluateGraph, gradient, valueAndGradient } satisfies Offers;
