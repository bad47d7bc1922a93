/**
 * The built-in catalogue: every `problems/<topic>/<id>.yaml`, validated and compiled. A file's
 * folder must be its topic and its name its id, so authors find a problem where its id says.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EngineError, TemplateError } from './errors.js';
import { compileTemplate, type CompiledTemplate } from './template.js';

export interface CatalogueProblem {
  file: string;
  error: TemplateError | EngineError;
}

/** templateFiles(dir): the YAML files under dir, sorted. */
export function templateFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** loadTemplateFile(file, root): parse, validate and compile one file; errors name the file. */
export function loadTemplateFile(file: string, root = ''): CompiledTemplate {
  const where = root ? relative(root, file) : file;
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: 100 });
  } catch (err) {
    throw new TemplateError(`not valid YAML: ${err instanceof Error ? err.message : String(err)}`, where);
  }
  const ct = compileTemplate(raw, where);
  const id = basename(file).replace(/\.ya?ml$/, '');
  if (ct.template.id !== id) throw new TemplateError(`id '${ct.template.id}' must match the file name '${id}'`, where);
  const folder = basename(join(file, '..'));
  if (root && ct.template.topic !== folder) {
    throw new TemplateError(`topic '${ct.template.topic}' must match the folder '${folder}'`, where);
  }
  return ct;
}

/** checkCatalogue(dir): every template, and every file that failed with its error. */
export function checkCatalogue(dir = 'problems'): { templates: CompiledTemplate[]; problems: CatalogueProblem[] } {
  const templates: CompiledTemplate[] = [];
  const problems: CatalogueProblem[] = [];
  const seen = new Map<string, string>();
  for (const file of templateFiles(dir)) {
    try {
      const ct = loadTemplateFile(file, dir);
      const other = seen.get(ct.template.id);
      if (other) throw new TemplateError(`duplicate id '${ct.template.id}' (also in ${other})`, relative(dir, file));
      seen.set(ct.template.id, relative(dir, file));
      templates.push(ct);
    } catch (err) {
      if (err instanceof EngineError) problems.push({ file: relative(dir, file), error: err });
      else throw err;
    }
  }
  return { templates, problems };
}

/** loadCatalogue(dir): every template; throws on the first invalid file. */
export function loadCatalogue(dir = 'problems'): CompiledTemplate[] {
  const { templates, problems } = checkCatalogue(dir);
  const first = problems[0];
  if (first) throw first.error;
  return templates;
}
