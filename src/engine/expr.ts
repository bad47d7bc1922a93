/**
 * The one sandboxed mathjs instance that evaluates template expressions.
 *
 * Templates come from instructors over the API, so their expressions are untrusted. Instead of
 * trusting mathjs's own guards alone we allow-list: every node type, every function name and
 * every symbol is checked at compile time, and the functions that parse or alter the instance
 * (import, evaluate, parse, simplify, …) are disabled too, so that even a name that slipped
 * through could not reach them. Ranges (`1:n`) are only allowed inside an index, because a
 * free range like `1:1e9` allocates until the process dies.
 *
 * The engine functions a template may call are exactly those of the registry (registry.ts),
 * which each module's `offers` declares; nothing else the engine exports is installed.
 */
import { create, all, type MathNode } from 'mathjs';
import { REGISTRY } from './registry.js';
import { ExpressionError } from './errors.js';
import { createFastCompiler } from './fast-eval.js';

export const MAX_EXPRESSION_LENGTH = 1000;
export const MAX_EXPRESSION_DEPTH = 40;

const math = create(all, { matrix: 'Array', number: 'number' });
// Captured before the sandbox replaces `math.parse` with a function that throws.
const parse = math.parse;

/**
 * The mathjs built-ins a template may call: arithmetic, elementary functions, reductions, linear
 * algebra. (`zeros`, `ones` and `identity` are capped at 10 000 elements; `sort` sorts a copy.)
 */
export const MATHJS_FUNCTIONS: readonly string[] = [
  'abs',
  'add',
  'subtract',
  'multiply',
  'divide',
  'pow',
  'sqrt',
  'cbrt',
  'square',
  'cube',
  'exp',
  'expm1',
  'log',
  'log10',
  'log2',
  'log1p',
  'nthRoot',
  'hypot',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'atan2',
  'sinh',
  'cosh',
  'floor',
  'ceil',
  'round',
  'fix',
  'sign',
  'mod',
  'gcd',
  'lcm',
  'max',
  'min',
  'sum',
  'prod',
  'mean',
  'median',
  'std',
  'variance',
  'norm',
  'dot',
  'cross',
  'transpose',
  'det',
  'inv',
  'trace',
  'size',
  'map',
  'filter',
  'sort',
  'concat',
  'flatten',
  'diag',
  'subset',
  'index',
  'column',
  'row',
  'squeeze',
  'count',
  'cumsum',
  'dotMultiply',
  'dotDivide',
  'dotPow',
  'unaryMinus',
  'unaryPlus',
  'equal',
  'unequal',
  'smaller',
  'larger',
  'smallerEq',
  'largerEq',
  'and',
  'or',
  'not',
  'xor',
  'isInteger',
  'isZero',
  'isPositive',
  'isNegative',
  'isNaN',
  'deepEqual',
  'equalText',
  'compareText',
  'number',
  'reshape',
  'zeros',
  'ones',
  'identity',
];

// mathjs functions that parse, compile or alter the instance: replaced by stubs that throw, last.
const DISABLED = [
  'import',
  'createUnit',
  'evaluate',
  'parse',
  'compile',
  'parser',
  'simplify',
  'simplifyConstant',
  'simplifyCore',
  'derivative',
  'resolve',
  'reviver',
  'replacer',
  'rationalize',
  'chain',
  'symbolicEqual',
  'leafCount',
];

// A registry function named like an allowed built-in would silently replace it, and one named
// like a disabled function would be replaced by the throwing stub below: both are mistakes.
for (const name of REGISTRY.keys()) {
  if (MATHJS_FUNCTIONS.includes(name)) throw new Error(`the registry's '${name}' would replace the mathjs built-in of that name`);
  if (DISABLED.includes(name)) throw new Error(`the registry's '${name}' is the name of a disabled mathjs function`);
}
// The nn library's `tanh` replaces mathjs's (which templates are not allowed): it validates its
// argument and applies elementwise.
math.import(Object.fromEntries([...REGISTRY.values()].map((entry) => [entry.name, entry.fn])), { override: true });

/** Every function name a template may call: the mathjs built-ins above and the registry's functions. */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([...MATHJS_FUNCTIONS, ...REGISTRY.keys()]);
/** The constants a template may use. */
export const CONSTANTS: ReadonlySet<string> = new Set(['pi', 'e', 'true', 'false', 'PI', 'E']);

// Shape-creating built-ins are wrapped so an author cannot ask for a billion-element matrix.
const MAX_ELEMENTS = 10_000;
// mathjs's functions are plain functions that do not use `this`; this view of the instance as a
// table of them lets the originals be kept (and called) detached.
const builtins = math as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of ['zeros', 'ones', 'identity'] as const) {
  const original = builtins[name];
  math.import(
    {
      [name]: (...args: unknown[]) => {
        const dims = args.flat().filter((a): a is number => typeof a === 'number');
        const n = dims.reduce((p, d) => p * d, 1);
        if (!(n <= MAX_ELEMENTS)) throw new RangeError(`${name}: at most ${MAX_ELEMENTS} elements`);
        return original(...args);
      },
    },
    { override: true },
  );
}

// diag of an n-vector is an n×n matrix (n + |k| square with an offset k): the same bound. (An
// outer product or a broadcast sum can also grow n² from two n-vectors; those are bounded by
// the sandbox's heap limit, where a course's template runs.)
const originalDiag = builtins.diag;
math.import(
  {
    diag: (x: unknown, ...rest: unknown[]) => {
      const k = typeof rest[0] === 'number' ? Math.abs(rest[0]) : 0;
      if (Array.isArray(x) && !Array.isArray(x[0]) && !((x.length + k) ** 2 <= MAX_ELEMENTS)) {
        throw new RangeError(`diag: at most ${MAX_ELEMENTS} elements`);
      }
      return originalDiag(x, ...rest);
    },
  },
  { override: true },
);

// mathjs's sort reorders a plain-array argument in place, which would silently change a stored
// parameter (or a template's own choice values): sort a copy instead.
const originalSort = builtins.sort;
math.import({ sort: (x: unknown, ...rest: unknown[]) => originalSort(Array.isArray(x) ? structuredClone(x) : x, ...rest) }, { override: true });

// Last: nothing can be imported after this.
math.import(
  Object.fromEntries(
    DISABLED.map((name) => [
      name,
      () => {
        throw new Error(`function ${name} is disabled`);
      },
    ]),
  ),
  { override: true },
);

const fastCompile = createFastCompiler(math as unknown as Parameters<typeof createFastCompiler>[0]);

export interface CompiledExpression {
  readonly source: string;
  /** Names of parameters/answers the expression reads (not functions or constants). */
  readonly symbols: ReadonlySet<string>;
  evaluate(scope: Map<string, unknown>): unknown;
}

function positionOf(err: unknown): number | undefined {
  const m = /\(char (\d+)\)/.exec(err instanceof Error ? err.message : '');
  return m ? Number(m[1]) : undefined;
}

type Node = MathNode & { name?: string; fn?: MathNode; isRange?: boolean; dotNotation?: boolean };

function check(node: Node, depth: number, inIndex: boolean, names: ReadonlySet<string>, used: Set<string>, path: string): void {
  if (depth > MAX_EXPRESSION_DEPTH) {
    throw new ExpressionError(`nesting deeper than ${MAX_EXPRESSION_DEPTH} levels`, path);
  }
  switch (node.type) {
    case 'ConstantNode':
    case 'ParenthesisNode':
    case 'OperatorNode':
    case 'ArrayNode':
    case 'ConditionalNode':
    case 'RelationalNode':
    case 'ObjectNode':
    case 'AccessorNode':
      break;
    case 'IndexNode':
      inIndex = true;
      break;
    case 'RangeNode':
      if (!inIndex) throw new ExpressionError('ranges (a:b) are only allowed inside an index such as M[1, :]', path);
      break;
    case 'SymbolNode': {
      const name = node.name ?? '';
      if (name === 'end' && inIndex) break;
      if (CONSTANTS.has(name) || ALLOWED_FUNCTIONS.has(name)) break;
      if (!names.has(name)) {
        throw new ExpressionError(`unknown name '${name}' (not a parameter, earlier answer or allowed function)`, path);
      }
      used.add(name);
      break;
    }
    case 'FunctionNode': {
      const fn: Node | undefined = node.fn;
      const name = fn?.type === 'SymbolNode' ? (fn.name ?? '') : '';
      if (!ALLOWED_FUNCTIONS.has(name)) {
        throw new ExpressionError(name ? `function '${name}' is not allowed` : 'only named functions can be called', path);
      }
      // The callee symbol is checked here; only the arguments are walked below.
      for (const arg of (node as unknown as { args: Node[] }).args) check(arg, depth + 1, inIndex, names, used, path);
      return;
    }
    default:
      throw new ExpressionError(`${node.type} is not allowed in a template expression (no assignments or blocks)`, path);
  }
  node.forEach((child) => check(child, depth + 1, inIndex, names, used, path));
}

const parsed = new Map<string, MathNode>();

/** mathjs's own compiled code for node (its evaluate is typed `any`; the value is unknown). */
function mathjsCompile(node: MathNode): (scope: Map<string, unknown>) => unknown {
  const code = node.compile();
  return (scope): unknown => code.evaluate(scope);
}

/**
 * compileExpression(source, names, path): checks and compiles a template expression.
 * `names` are the symbols it may read; `path` names the template field for error messages.
 * Example: compileExpression('svmLoss(s, y)', new Set(['s', 'y']), 'answers[0].expr').
 */
export function compileExpression(
  source: unknown,
  names: ReadonlySet<string>,
  path: string,
  /** 'mathjs' evaluates with mathjs's own compiled code (the reference the fast path is tested against). */
  evaluator: 'fast' | 'mathjs' = 'fast',
): CompiledExpression {
  if (typeof source !== 'string' || source.trim() === '') {
    throw new ExpressionError('an expression must be a non-empty string', path);
  }
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`expression longer than ${MAX_EXPRESSION_LENGTH} characters`, path);
  }
  const bare = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(source)?.[1];
  if (bare !== undefined && names.has(bare)) {
    // Placeholders like {{ W }} are most of a prompt: read the scope directly, skip mathjs.
    return { source, symbols: new Set([bare]), evaluate: (scope) => scope.get(bare) };
  }
  let node = parsed.get(source);
  if (!node) {
    try {
      node = parse(source);
    } catch (err) {
      const pos = positionOf(err);
      const msg = err instanceof Error ? err.message : String(err);
      throw new ExpressionError(`cannot parse "${source}": ${msg}`, path, pos);
    }
    if (parsed.size > 5000) parsed.clear();
    parsed.set(source, node);
  }
  const used = new Set<string>();
  check(node, 0, false, names, used, path);
  const run = evaluator === 'fast' ? fastCompile(node) : mathjsCompile(node);
  return {
    source,
    symbols: used,
    evaluate(scope) {
      try {
        return run(scope);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        throw new ExpressionError(`evaluating "${source}": ${msg}`, path);
      }
    },
  };
}
