/**
 * A faster evaluator for checked mathjs expression trees. mathjs's own compiled code routes
 * every operation through typed-function dispatch, and some paths (`mod`, `and`, array
 * arithmetic) cost microseconds each; templates evaluate dozens of expressions per variant.
 *
 * Numbers and plain numeric vectors/matrices take direct JavaScript paths with mathjs's exact
 * semantics (its relTol/absTol comparisons, its modulo and floor); everything else is handed
 * to the same functions mathjs's compiled code would call (`mathWithTransform`, which maps
 * 1-based dimension arguments), and node types we do not specialise (indexing, accessors with
 * brackets, ranges, chained comparisons) are evaluated by mathjs itself. A test evaluates every
 * expression of the catalogue both ways and requires identical results.
 */
import type { MathNode } from 'mathjs';

export type Scope = Map<string, unknown>;
export type Evaluator = (scope: Scope) => unknown;
type AnyFn = (...args: unknown[]) => unknown;

interface MathLike {
  config(): { relTol: number; absTol: number };
  expression: { mathWithTransform: Record<string, unknown> };
}

type N = MathNode & {
  name?: string;
  fn?: N | string;
  args?: N[];
  value?: unknown;
  content?: N;
  items?: N[];
  condition?: N;
  trueExpr?: N;
  falseExpr?: N;
  properties?: Record<string, N>;
  object?: N;
  index?: N & { dimensions?: N[]; dotNotation?: boolean };
};

const CONSTANTS: Record<string, unknown> = { pi: Math.PI, PI: Math.PI, e: Math.E, E: Math.E, true: true, false: false };

function isNum(x: unknown): x is number {
  return typeof x === 'number';
}

/** A 1-D array of numbers. */
function isVec(x: unknown): x is number[] {
  if (!Array.isArray(x)) return false;
  for (let i = 0; i < x.length; i++) if (typeof x[i] !== 'number') return false;
  return true;
}

export function createFastCompiler(math: MathLike) {
  const { relTol, absTol } = math.config();
  const ns = math.expression.mathWithTransform;
  const fn = (name: string): AnyFn => {
    const f = ns[name];
    if (typeof f !== 'function') throw new Error(`Undefined function ${name}`);
    return f as AnyFn;
  };

  // mathjs's number comparison (utils/number.js nearlyEqual with the instance's tolerances).
  const nearly = (a: number, b: number): boolean => {
    if (Number.isNaN(a) || Number.isNaN(b)) return false;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
    if (a === b) return true;
    return Math.abs(a - b) <= Math.max(relTol * Math.max(Math.abs(a), Math.abs(b)), absTol);
  };
  // mathjs's floor for numbers: an x within tolerance of an integer r counts as r. (mathjs
  // rounds half away from zero and Math.round half up, but they differ only at .5, where x is
  // never within tolerance of r, so the result is the same.)
  const floorN = (x: number): number => {
    const f = Math.floor(x);
    const r = Math.round(x);
    if (f === r) return f;
    return nearly(x, r) && !nearly(x, f) ? r : f;
  };

  const add = fn('add');
  const subtract = fn('subtract');
  const multiply = fn('multiply');
  const divide = fn('divide');
  const pow = fn('pow');
  const unaryMinus = fn('unaryMinus');
  const mathAnd = fn('and');
  const mathOr = fn('or');

  type Binary = (a: unknown, b: unknown) => unknown;
  const elementwise =
    (op: (x: number, y: number) => number, fallback: AnyFn): Binary =>
    (a, b) => {
      if (isNum(a) && isNum(b)) return op(a, b);
      if (isVec(a) && isVec(b) && a.length === b.length) {
        const out = new Array<number>(a.length);
        for (let i = 0; i < a.length; i++) out[i] = op(a[i], b[i]);
        return out;
      }
      return fallback(a, b);
    };
  const scaling =
    (op: (x: number, y: number) => number, fallback: AnyFn, scalarLeftOk: boolean): Binary =>
    (a, b) => {
      if (isNum(a) && isNum(b)) return op(a, b);
      if (isVec(a) && isNum(b)) return a.map((x) => op(x, b));
      if (scalarLeftOk && isNum(a) && isVec(b)) return b.map((y) => op(a, y));
      return fallback(a, b);
    };
  const compare = (test: (a: number, b: number) => boolean, name: string): Binary => {
    const fallback = fn(name);
    return (a, b) => (isNum(a) && isNum(b) ? test(a, b) : fallback(a, b));
  };

  const BINARY: Record<string, Binary> = {
    add: elementwise((x, y) => x + y, add),
    subtract: elementwise((x, y) => x - y, subtract),
    multiply: scaling((x, y) => x * y, multiply, true),
    divide: scaling((x, y) => x / y, divide, false),
    pow: (a, b) => (isNum(a) && isNum(b) && (a >= 0 || Number.isInteger(b)) ? Math.pow(a, b) : pow(a, b)),
    mod: (a, b) => (isNum(a) && isNum(b) ? (b === 0 ? a : a - b * floorN(a / b)) : fn('mod')(a, b)),
    larger: compare((a, b) => a > b && !nearly(a, b), 'larger'),
    smaller: compare((a, b) => a < b && !nearly(a, b), 'smaller'),
    largerEq: compare((a, b) => a > b || nearly(a, b), 'largerEq'),
    smallerEq: compare((a, b) => a < b || nearly(a, b), 'smallerEq'),
    equal: compare((a, b) => nearly(a, b), 'equal'),
    unequal: compare((a, b) => !nearly(a, b), 'unequal'),
  };

  const truthy = (x: unknown): boolean | undefined => (typeof x === 'number' || typeof x === 'boolean' ? !!x : undefined);

  // mathjs's max/min: keep the first value unless a later one is larger (smaller) beyond tolerance.
  const extreme = (xs: number[], largest: boolean): number => {
    let res = xs[0];
    if (Number.isNaN(res)) return fn(largest ? 'max' : 'min')(xs) as number;
    for (let i = 1; i < xs.length; i++) {
      const v = xs[i];
      if (Number.isNaN(v)) return fn(largest ? 'max' : 'min')(xs) as number;
      if (largest ? v > res && !nearly(v, res) : v < res && !nearly(v, res)) res = v;
    }
    return res;
  };

  /** Fast versions of hot functions for the plain cases; anything else goes to mathjs. */
  const FUNCTIONS: Record<string, AnyFn> = {
    abs: (...a) => (a.length === 1 && isNum(a[0]) ? Math.abs(a[0]) : fn('abs')(...a)),
    exp: (...a) => (a.length === 1 && isNum(a[0]) ? Math.exp(a[0]) : fn('exp')(...a)),
    sqrt: (...a) => (a.length === 1 && isNum(a[0]) && a[0] >= 0 ? Math.sqrt(a[0]) : fn('sqrt')(...a)),
    log: (...a) => (a.length === 1 && isNum(a[0]) && a[0] > 0 ? Math.log(a[0]) : fn('log')(...a)),
    mod: (...a) => (a.length === 2 ? BINARY.mod(a[0], a[1]) : fn('mod')(...a)),
    max: (...a) => {
      const xs = a.length === 1 ? a[0] : a;
      return isVec(xs) && xs.length > 0 ? extreme(xs, true) : fn('max')(...a);
    },
    min: (...a) => {
      const xs = a.length === 1 ? a[0] : a;
      return isVec(xs) && xs.length > 0 ? extreme(xs, false) : fn('min')(...a);
    },
    // mean(v) and mean(M, dim) with a 1-based dim, as the expression transform takes it.
    mean: (...a) => {
      const [m, dim] = a;
      if (a.length === 1 && isVec(m) && m.length > 0) {
        let sum = 0;
        for (const x of m) sum += x;
        return sum / m.length;
      }
      if (a.length === 2 && (dim === 1 || dim === 2) && Array.isArray(m) && m.length > 0 && m.every(isVec)) {
        const rows = m;
        const cols = rows[0].length;
        if (cols > 0 && rows.every((r) => r.length === cols)) {
          if (dim === 2) return rows.map((r) => r.reduce((p, x) => p + x) / cols);
          const out = rows[0].slice();
          for (let i = 1; i < rows.length; i++) for (let j = 0; j < cols; j++) out[j] = out[j] + rows[i][j];
          return out.map((x) => x / rows.length);
        }
      }
      return fn('mean')(...a);
    },
    sum: (...a) => {
      if (a.length === 1 && isVec(a[0])) {
        let s = 0;
        for (const x of a[0]) s += x;
        return s;
      }
      return fn('sum')(...a);
    },
  };

  function compile(node: N): Evaluator {
    switch (node.type) {
      case 'ConstantNode': {
        const v = node.value;
        return () => v;
      }
      case 'ParenthesisNode':
        return compile(node.content as N);
      case 'SymbolNode': {
        const name = node.name as string;
        // The scope comes first, as in mathjs: a parameter may be called E or e.
        const constant = Object.hasOwn(CONSTANTS, name) ? CONSTANTS[name] : undefined;
        const asFunction = ns[name];
        return (s) => {
          const v = s.get(name);
          if (v !== undefined || s.has(name)) return v;
          if (constant !== undefined) return constant;
          if (typeof asFunction === 'function') return asFunction;
          throw new Error(`Undefined symbol ${name}`);
        };
      }
      case 'ArrayNode': {
        const items = (node.items as N[]).map(compile);
        return (s) => items.map((f) => f(s));
      }
      case 'ObjectNode': {
        const entries = Object.entries(node.properties as Record<string, N>).map(([k, v]) => [k, compile(v)] as const);
        return (s) => {
          const o: Record<string, unknown> = {};
          for (const [k, f] of entries) o[k] = f(s);
          return o;
        };
      }
      case 'ConditionalNode': {
        const c = compile(node.condition as N);
        const t = compile(node.trueExpr as N);
        const f = compile(node.falseExpr as N);
        const whole = mathjsEvaluator(node);
        return (s) => {
          const v = truthy(c(s));
          // Strings, matrices and friends follow mathjs's own rules.
          if (v === undefined) return whole(s);
          return v ? t(s) : f(s);
        };
      }
      case 'OperatorNode':
        return compileOperator(node);
      case 'FunctionNode':
        return compileFunction(node);
      case 'AccessorNode': {
        const idx = node.index;
        const key = idx?.dotNotation && idx.dimensions?.length === 1 && idx.dimensions[0]?.type === 'ConstantNode' ? idx.dimensions[0].value : undefined;
        if (typeof key !== 'string') return mathjsEvaluator(node);
        const obj = compile(node.object as N);
        const whole = mathjsEvaluator(node);
        return (s) => {
          const o = obj(s);
          // Own data properties of plain objects (what engine functions return); mathjs for the rest.
          if (o !== null && typeof o === 'object' && Object.getPrototypeOf(o) === Object.prototype && Object.hasOwn(o, key)) {
            return (o as Record<string, unknown>)[key];
          }
          return whole(s);
        };
      }
      default:
        return mathjsEvaluator(node);
    }
  }

  function compileOperator(node: N): Evaluator {
    const name = node.fn as string;
    const args = (node.args as N[]).map(compile);
    const [a, b] = args as [Evaluator, Evaluator | undefined];
    if (name === 'and' || name === 'or') {
      const fallback = name === 'and' ? mathAnd : mathOr;
      const isAnd = name === 'and';
      return (s) => {
        const x = a(s);
        const tx = truthy(x);
        // Short-circuit exactly where mathjs's lazy and/or does: on a scalar first operand.
        if (tx !== undefined && tx !== isAnd) return !isAnd;
        const y = (b as Evaluator)(s);
        const ty = truthy(y);
        return tx !== undefined && ty !== undefined ? ty : fallback(x, y);
      };
    }
    if (args.length === 1) {
      if (name === 'unaryMinus') {
        return (s) => {
          const x = a(s);
          if (isNum(x)) return -x;
          if (isVec(x)) return x.map((v) => -v);
          return unaryMinus(x);
        };
      }
      if (name === 'unaryPlus') {
        const plus = fn('unaryPlus');
        return (s) => {
          const x = a(s);
          return isNum(x) ? x : plus(x);
        };
      }
      if (name === 'not') {
        const not = fn('not');
        return (s) => {
          const x = a(s);
          const t = truthy(x);
          return t === undefined ? not(x) : !t;
        };
      }
      const f = fn(name);
      return (s) => f(a(s));
    }
    if (args.length === 2) {
      const op = BINARY[name] ?? fn(name);
      return (s) => op(a(s), (b as Evaluator)(s));
    }
    const f = fn(name);
    return (s) => f(...args.map((g) => g(s)));
  }

  function compileFunction(node: N): Evaluator {
    const callee = node.fn as N;
    if (callee.type !== 'SymbolNode') return mathjsEvaluator(node);
    const name = callee.name as string;
    const f = ns[name];
    // map/filter/forEach take unevaluated arguments; let mathjs do those.
    if (typeof f !== 'function' || (f as { rawArgs?: boolean }).rawArgs === true) return mathjsEvaluator(node);
    const impl = FUNCTIONS[name] ?? f;
    const args = (node.args as N[]).map(compile);
    switch (args.length) {
      case 0:
        return () => impl();
      case 1: {
        const [a] = args as [Evaluator];
        return (s) => impl(a(s));
      }
      case 2: {
        const [a, b] = args as [Evaluator, Evaluator];
        return (s) => impl(a(s), b(s));
      }
      default:
        return (s) => impl(...args.map((g) => g(s)));
    }
  }

  function mathjsEvaluator(node: N): Evaluator {
    const code = node.compile();
    return (s): unknown => code.evaluate(s);
  }

  return (node: MathNode): Evaluator => compile(node);
}
