/**
 * Where template code runs for authoring: validation, compiling, preview and self-test. The
 * in-process runner is for trusted templates (the built-ins, the command line); course
 * templates, written by instructors over the API, go through the sandbox's runner.
 */
import { parse as parseYaml } from 'yaml';
import { compileTemplate, EngineError, instantiate, type CompiledTemplate, type Template, type Variant } from '../engine/index.js';
import { selfTest, type SelfTestReport } from './self-test.js';
import type { TemplateSandbox } from '../sandbox/index.js';

export interface ValidationIssue {
  /** Where in the template: field names and list indexes ("answers", 1, "expr"). */
  path: (string | number)[];
  /** 1-based position in the YAML source, when known. */
  line?: number;
  column?: number;
  code: string;
  message: string;
}

export interface ValidationReport {
  ok: boolean;
  template?: Template;
  hash?: string;
  /** Set when the runner compiled in this thread. */
  compiled?: CompiledTemplate;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

export interface TemplateRunner {
  validate(source: string): Promise<ValidationReport>;
  compile(content: unknown): Promise<CompiledTemplate>;
  preview(compiled: CompiledTemplate, seed: number): Promise<Variant>;
  selfTest(compiled: CompiledTemplate, n: number, firstSeed?: number, onProgress?: (done: number, total: number) => void): Promise<SelfTestReport>;
}

/** "answers[1].expr" → ["answers", 1, "expr"]. */
function splitPath(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : (m[1] ?? '')));
}

export const inProcessRunner: TemplateRunner = {
  validate(source) {
    let raw: unknown;
    try {
      raw = parseYaml(source, { maxAliasCount: 100 });
    } catch (err) {
      const e = err as Error & { linePos?: { line: number; col: number }[] };
      return Promise.resolve({
        ok: false,
        errors: [{ path: [], code: 'YAML_SYNTAX', message: e.message, line: e.linePos?.[0]?.line, column: e.linePos?.[0]?.col }],
        warnings: [],
      });
    }
    try {
      const compiled = compileTemplate(raw);
      return Promise.resolve({ ok: true, template: compiled.template, hash: compiled.hash, compiled, errors: [], warnings: [] });
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      const issues = (err as EngineError & { issues?: { path: string; message: string }[] }).issues ?? [{ path: err.path, message: err.message }];
      return Promise.resolve({ ok: false, errors: issues.map((i) => ({ path: splitPath(i.path), code: err.code, message: i.message })), warnings: [] });
    }
  },
  compile: (content) => Promise.resolve(compileTemplate(content)),
  preview: (compiled, seed) => Promise.resolve(instantiate(compiled, seed)),
  selfTest: (compiled, n, firstSeed = 1, onProgress) => Promise.resolve(selfTest(compiled, n, firstSeed, onProgress)),
};

/**
 * The runner for course templates: validation (with every issue's YAML line), preview and
 * self-test in the sandbox. Compiling a validated template here only parses its expressions
 * (bounded in length and depth); nothing of the template is evaluated in this thread.
 */
export function sandboxRunner(sandbox: () => TemplateSandbox): TemplateRunner {
  return {
    async validate(source) {
      const r = await sandbox().validate(source);
      return { ok: r.ok, ...(r.template ? { template: r.template } : {}), ...(r.hash ? { hash: r.hash } : {}), errors: r.errors, warnings: r.warnings };
    },
    compile: (content) => Promise.resolve(compileTemplate(content)),
    preview: (compiled, seed) => sandbox().preview(compiled.template, seed, { key: compiled.hash, where: compiled.template.id }),
    selfTest: (compiled, n, firstSeed = 1, onProgress) =>
      sandbox().selfTest(compiled.template, n, firstSeed, onProgress, { key: compiled.hash, where: compiled.template.id }),
  };
}
