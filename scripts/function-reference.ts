/**
 * The authors' reference of template functions, generated from the registry
 * (src/engine/registry.ts): `npm run docs:functions` rewrites docs/functions.md. The drift test
 * (test/engine/function-reference.test.ts) fails when the committed file no longer matches.
 *
 * For each registry entry the TypeScript compiler API finds the function it refers to (through
 * the `offers` of the module that offers it) and reads its JSDoc (description, @param, @returns,
 * @example) and its signature, which is rendered in template terms: `Vector` is a vector,
 * `SameShape<T>` is "the same shape as x", a result interface is an object whose fields are
 * listed with their own doc comments. A TypeScript type the renderer does not know is an error,
 * so the reference never shows a template author a type they cannot write.
 */
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import ts from 'typescript';
import { CONSTANTS, MATHJS_FUNCTIONS } from '../src/engine/expr.js';
import { REGISTRY, SOURCES, type RegistryEntry } from '../src/engine/registry.js';

const ROOT = resolve(import.meta.dirname, '..');
const ENGINE = resolve(ROOT, 'src/engine');
export const FUNCTIONS_FILE = resolve(ROOT, 'docs/functions.md');

export interface ParamDoc {
  readonly name: string;
  /** The type in template terms: "vector", "number | vector | matrix", "same shape as x". */
  readonly type: string;
  readonly optional: boolean;
  /** The default value's source text, when it has one. */
  readonly default?: string;
  readonly doc: string;
}

export interface FieldDoc {
  readonly name: string;
  readonly type: string;
  readonly doc: string;
}

export interface FunctionDoc {
  readonly name: string;
  readonly module: string;
  readonly topic: string;
  /** `svmLoss(scores: vector, y: number, margin: number = 1) → number`. */
  readonly signature: string;
  readonly description: string;
  readonly params: readonly ParamDoc[];
  readonly returns: { readonly type: string; readonly doc: string; readonly fields: readonly FieldDoc[] };
  /** The @example texts: a template expression, optionally followed by `// result`. */
  readonly examples: readonly string[];
}

export interface ModuleDoc {
  readonly module: string;
  readonly topic: string;
  /** The first paragraph of the module's header comment. */
  readonly intro: string;
  readonly functions: readonly FunctionDoc[];
}

/** Type names shown as they are (with the template's word for them). */
const NAMED: Readonly<Record<string, string>> = { Vector: 'vector', Matrix: 'matrix' };
/** Primitive types; `unknown` is any value (the helpers that take one say which they print). */
const KEYWORDS: ReadonlyMap<ts.SyntaxKind, string> = new Map([
  [ts.SyntaxKind.NumberKeyword, 'number'],
  [ts.SyntaxKind.StringKeyword, 'string'],
  [ts.SyntaxKind.BooleanKeyword, 'boolean'],
  [ts.SyntaxKind.UnknownKeyword, 'value'],
]);
/** Types a template cannot make: left out of the unions they appear in. */
const UNREACHABLE: ReadonlySet<string> = new Set(['ExprGraph']);

class Renderer {
  constructor(
    private readonly checker: ts.TypeChecker,
    /** The function being rendered, for error messages. */
    private readonly fn: string,
    /** The parameter that has each type parameter as its type: `T` → "x" (for SameShape<T>). */
    private readonly carriers: ReadonlyMap<string, string>,
  ) {}

  fail(node: ts.Node, why: string): never {
    throw new Error(`${this.fn}: cannot show the type \`${node.getText()}\` in template terms (${why}); extend scripts/function-reference.ts`);
  }

  /** The type in template terms, or undefined for a type a template cannot make. */
  type(node: ts.TypeNode): string | undefined {
    const keyword = KEYWORDS.get(node.kind);
    if (keyword !== undefined) return keyword;
    if (ts.isParenthesizedTypeNode(node)) return this.type(node.type);
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return JSON.stringify(node.literal.text);
    if (ts.isUnionTypeNode(node)) {
      const parts = [...new Set(node.types.map((t) => this.type(t)).filter((t): t is string => t !== undefined))];
      return parts.length === 0 ? undefined : parts.join(' | ');
    }
    if (ts.isArrayTypeNode(node)) {
      const element = node.elementType;
      if (element.kind === ts.SyntaxKind.NumberKeyword) return 'vector';
      if (ts.isArrayTypeNode(element) && element.elementType.kind === ts.SyntaxKind.NumberKeyword) return 'matrix';
      if (element.kind === ts.SyntaxKind.UnknownKeyword) return 'list';
      const inner = this.type(element) ?? this.fail(node, 'a list of values a template cannot make');
      return `list of (${inner})`;
    }
    if (ts.isTypeLiteralNode(node)) return this.objectOf(node.members.map((m) => m.name?.getText() ?? this.fail(node, 'an unnamed member')));
    if (ts.isTypeReferenceNode(node)) return this.reference(node);
    return this.fail(node, `a ${ts.SyntaxKind[node.kind]}`);
  }

  private reference(node: ts.TypeReferenceNode): string | undefined {
    const name = node.typeName.getText();
    if (Object.hasOwn(NAMED, name)) return NAMED[name];
    if (UNREACHABLE.has(name)) return undefined;
    if (name === 'SameShape') {
      const arg = node.typeArguments?.[0];
      const carrier = arg && this.carriers.get(arg.getText());
      return carrier ? `same shape as ${carrier}` : this.fail(node, 'no argument has its type parameter as its type');
    }
    if (name === 'Record') {
      const [key, value] = node.typeArguments ?? [];
      if (key?.kind !== ts.SyntaxKind.StringKeyword || !value) return this.fail(node, 'a record not keyed by strings');
      return `object (name → ${this.type(value) ?? this.fail(node, 'values a template cannot make')})`;
    }
    const declaration = this.declarationOf(node.typeName);
    if (!declaration) return this.fail(node, 'no declaration found');
    if (ts.isTypeParameterDeclaration(declaration)) {
      return declaration.constraint ? this.type(declaration.constraint) : this.fail(node, 'an unconstrained type parameter');
    }
    if (ts.isTypeAliasDeclaration(declaration)) return this.type(declaration.type);
    if (ts.isInterfaceDeclaration(declaration)) return this.objectOf(declaration.members.map((m) => m.name?.getText() ?? this.fail(node, 'an unnamed member')));
    return this.fail(node, `declared as a ${ts.SyntaxKind[declaration.kind]}`);
  }

  /** The type of an argument declared without one (`margin = 1`): its default's primitive type. */
  inferred(p: ts.ParameterDeclaration): string {
    const type = this.checker.getBaseTypeOfLiteralType(this.checker.getTypeAtLocation(p));
    const name = this.checker.typeToString(type);
    if (name === 'number' || name === 'string' || name === 'boolean') return name;
    return this.fail(p, `inferred as ${name}`);
  }

  private objectOf(fields: readonly string[]): string {
    return `{ ${fields.join(', ')} }`;
  }

  declarationOf(name: ts.EntityName): ts.Declaration | undefined {
    let symbol = this.checker.getSymbolAtLocation(name);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    return symbol?.declarations?.[0];
  }

  /** The fields of an object result (an interface or a type literal), each with its doc comment. */
  fields(node: ts.TypeNode): FieldDoc[] {
    let members: readonly ts.TypeElement[] | undefined;
    if (ts.isTypeLiteralNode(node)) members = node.members;
    if (ts.isTypeReferenceNode(node)) {
      const declaration = this.declarationOf(node.typeName);
      if (declaration && ts.isInterfaceDeclaration(declaration)) members = declaration.members;
    }
    return (members ?? []).map((member) => {
      if (!ts.isPropertySignature(member) || !member.type) return this.fail(member, 'a member that is not a property');
      const symbol = this.checker.getSymbolAtLocation(member.name);
      return {
        name: member.name.getText(),
        type: this.type(member.type) ?? this.fail(member.type, 'a field a template cannot read'),
        doc: symbol ? oneLine(ts.displayPartsToString(symbol.getDocumentationComment(this.checker))) : '',
      };
    });
  }
}

/** A doc text as Markdown: the comment's own line breaks are kept (Markdown joins them). */
function text(comment: string | ts.NodeArray<ts.JSDocComment> | undefined): string {
  return (ts.getTextOfJSDocComment(comment) ?? '').trim();
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** The function a property of an `offers` object literal refers to. */
function offeredFunction(checker: ts.TypeChecker, property: ts.ObjectLiteralElementLike): ts.FunctionDeclaration | undefined {
  let symbol: ts.Symbol | undefined;
  if (ts.isShorthandPropertyAssignment(property)) symbol = checker.getShorthandAssignmentValueSymbol(property);
  else if (ts.isPropertyAssignment(property)) symbol = checker.getSymbolAtLocation(property.initializer);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  return declaration && ts.isFunctionDeclaration(declaration) ? declaration : undefined;
}

/** The properties of `export const offers = { … } satisfies Offers`, by name. */
function offersOf(file: ts.SourceFile): Map<string, ts.ObjectLiteralElementLike> {
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (declaration.name.getText() !== 'offers' || !declaration.initializer) continue;
      let init: ts.Expression = declaration.initializer;
      while (ts.isSatisfiesExpression(init) || ts.isAsExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
      if (!ts.isObjectLiteralExpression(init)) throw new Error(`${file.fileName}: offers must be an object literal`);
      return new Map(init.properties.map((p) => [p.name?.getText() ?? '', p]));
    }
  }
  throw new Error(`${file.fileName}: no \`export const offers = { … }\``);
}

/** The first paragraph of the file's header comment (the rest is for the code's readers). */
function moduleIntro(file: ts.SourceFile): string {
  const first = ts.getLeadingCommentRanges(file.text, 0)?.find((r) => file.text.startsWith('/**', r.pos));
  if (!first) return '';
  const body = file.text
    .slice(first.pos + 3, first.end - 2)
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
  return body.split(/\n\s*\n/)[0].trim();
}

function functionDoc(checker: ts.TypeChecker, entry: RegistryEntry, fn: ts.FunctionDeclaration): FunctionDoc {
  const carriers = new Map<string, string>();
  for (const p of fn.parameters)
    if (p.type && ts.isTypeReferenceNode(p.type) && !carriers.has(p.type.getText())) carriers.set(p.type.getText(), p.name.getText());
  const render = new Renderer(checker, entry.name, carriers);
  const tags = ts.getJSDocTags(fn);
  const paramDocs = new Map(tags.filter(ts.isJSDocParameterTag).map((t) => [t.name.getText(), text(t.comment)]));
  const jsDoc = ts.getJSDocCommentsAndTags(fn).filter(ts.isJSDoc).at(-1);
  const params: ParamDoc[] = fn.parameters.map((p) => {
    return {
      name: p.name.getText(),
      type: p.type ? (render.type(p.type) ?? render.fail(p.type, 'an argument a template cannot make')) : render.inferred(p),
      optional: p.questionToken !== undefined || p.initializer !== undefined,
      ...(p.initializer ? { default: p.initializer.getText() } : {}),
      doc: paramDocs.get(p.name.getText()) ?? '',
    };
  });
  if (!fn.type) throw new Error(`${entry.name}: no return type`);
  const returnType = render.type(fn.type) ?? 'value';
  const returnsTag = tags.find((t) => t.tagName.text === 'returns' || t.tagName.text === 'return');
  const shown = params.map((p) => `${p.name}${p.optional && p.default === undefined ? '?' : ''}: ${p.type}${p.default === undefined ? '' : ` = ${p.default}`}`);
  return {
    name: entry.name,
    module: entry.module,
    topic: entry.topic,
    signature: `${entry.name}(${shown.join(', ')}) → ${returnType}`,
    description: text(jsDoc?.comment),
    params,
    returns: { type: returnType, doc: text(returnsTag?.comment), fields: render.fields(fn.type) },
    examples: tags.filter((t) => t.tagName.text === 'example').map((t) => text(t.comment)),
  };
}

/** Reads every registry entry's doc comment and signature, grouped by module in SOURCES order. */
export function readReference(): ModuleDoc[] {
  const tsconfig = ts.readConfigFile(resolve(ROOT, 'tsconfig.json'), (f) => ts.sys.readFile(f));
  const { options } = ts.parseJsonConfigFileContent(tsconfig.config, ts.sys, ROOT);
  const program = ts.createProgram([resolve(ENGINE, 'registry.ts')], options);
  const checker = program.getTypeChecker();
  return SOURCES.map(({ module, topic }) => {
    const file = program.getSourceFile(resolve(ENGINE, `${module}.ts`));
    if (!file) throw new Error(`the registry's module ${module} is not src/engine/${module}.ts`);
    const offers = offersOf(file);
    const entries = [...REGISTRY.values()].filter((e) => e.module === module);
    if (entries.length !== offers.size) throw new Error(`${module}: its offers and the registry disagree`);
    const functions = entries.map((entry) => {
      const property = offers.get(entry.name);
      const fn = property && offeredFunction(checker, property);
      if (!fn) throw new Error(`${module} offers '${entry.name}', which is not a function declaration the reference can read`);
      return functionDoc(checker, entry, fn);
    });
    return { module, topic, intro: moduleIntro(file), functions };
  });
}

/** GitHub's heading anchor. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function example(source: string): string {
  const at = source.indexOf(' // ');
  if (at < 0) return `\`${source}\``;
  return `\`${source.slice(0, at)}\` → \`${source.slice(at + 4)}\``;
}

/** The Markdown of docs/functions.md. */
export function renderReference(modules: readonly ModuleDoc[]): string {
  const out: string[] = [];
  const anchors = new Set<string>();
  const heading = (level: number, title: string): string => {
    const a = anchor(title);
    if (anchors.has(a)) throw new Error(`two headings would have the anchor #${a}`);
    anchors.add(a);
    return `${'#'.repeat(level)} ${title}`;
  };
  const count = modules.reduce((n, m) => n + m.functions.length, 0);
  out.push(
    heading(1, 'Functions for template expressions'),
    '',
    '<!-- Generated by `npm run docs:functions` (scripts/function-reference.ts) from the doc comments of the',
    "     registry's functions. Do not edit: change the doc comment and regenerate. -->",
    '',
    `A template expression (see [Writing problem templates](templates.md#expressions)) may call the ${count}`,
    'engine functions below, the [mathjs built-ins](#mathjs-built-ins) listed at the end, and nothing',
    'else: any other name is an error when the template is compiled. The engine functions are',
    'those of the registry (`src/engine/registry.ts`), which each module declares in its `offers`.',
    '',
    'Types, as templates write them: a *number*; a *vector* `[1, 2, 3]`; a *matrix* `[[1, 2], [3, 4]]`',
    '(a list of rows); a *string* `"l1"`; an *object* `{x: 1, y: 2}`. A function returning an object',
    'is read with `.field`: `adamStep(x, m, v, dx, 1, 0.1, 0.9, 0.999).x`. Class labels and the',
    'positions of `at` and `argmax` count from 0; mathjs indexing (`v[1]`) counts from 1.',
    'Arguments shown `name = value` may be left out.',
    '',
  );
  for (const m of modules) {
    out.push(`- [${m.topic}](#${anchor(m.topic)}): ${m.functions.map((f) => `[\`${f.name}\`](#${anchor(f.name)})`).join(', ')}`);
  }
  out.push(`- [mathjs built-ins](#mathjs-built-ins)`, '');
  for (const m of modules) {
    out.push(heading(2, m.topic), '', `From \`src/engine/${m.module}.ts\`. ${m.intro}`, '');
    for (const f of m.functions) {
      out.push(heading(3, `\`${f.name}\``), '', '```', f.signature, '```', '', f.description, '');
      for (const p of f.params) out.push(`- \`${p.name}\` (${p.type}${p.default === undefined ? '' : `, default ${p.default}`}): ${oneLine(p.doc)}`);
      if (f.params.length > 0) out.push('');
      out.push(`Returns (${f.returns.type})${f.returns.doc ? `: ${oneLine(f.returns.doc)}` : '.'}`, '');
      for (const field of f.returns.fields) out.push(`- \`.${field.name}\` (${field.type}): ${field.doc}`);
      if (f.returns.fields.length > 0) out.push('');
      if (f.examples.length > 0) {
        out.push(f.examples.length === 1 ? 'Example:' : 'Examples:', '');
        for (const e of f.examples) out.push(`- ${example(e)}`);
        out.push('');
      }
    }
  }
  out.push(
    heading(2, 'mathjs built-ins'),
    '',
    "These mathjs functions may be called too (each links to mathjs's documentation), with the",
    "operators `+ - * / ^ .* ./ .^ '` (transpose), `==` `!=` `<` `<=` `>` `>=`, `and or not xor`,",
    '`? :`, indexing `v[i]`, `M[i, j]`, `M[i, :]` and the constants ' + [...CONSTANTS].map((c) => `\`${c}\``).join(', ') + '.',
    '`zeros`, `ones` and `identity` make at most 10 000 elements; `sort` returns a sorted copy.',
    '',
    [...MATHJS_FUNCTIONS]
      .sort((a, b) => a.localeCompare(b))
      .map((name) => `[\`${name}\`](https://mathjs.org/docs/reference/functions/${name}.html)`)
      .join(' · '),
    '',
  );
  return out.join('\n');
}

/** Registry entries whose doc comment is empty, as `module: name`. */
export function undocumented(modules: readonly ModuleDoc[]): string[] {
  return modules.flatMap((m) => m.functions.filter((f) => f.description === '').map((f) => `${m.module}: ${f.name}`));
}

if (process.argv[1] === import.meta.filename) {
  const modules = readReference();
  const missing = undocumented(modules);
  if (missing.length > 0) {
    console.error(`these template functions have no doc comment:\n  ${missing.join('\n  ')}`);
    process.exit(1);
  }
  writeFileSync(FUNCTIONS_FILE, renderReference(modules));
  console.log(`wrote ${relative(process.cwd(), FUNCTIONS_FILE)}`);
}
