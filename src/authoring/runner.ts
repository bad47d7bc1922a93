/**
 * Where template code runs for authoring: validation, compiling, preview and self-test. Course
 * templates, written by instructors over the API, go through the sandbox's runner.
 */
import { compileTemplate, type CompiledTemplate, type Template, type Variant } from '../engine/index.js';
import type { SelfTestReport } from './self-test.js';
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
