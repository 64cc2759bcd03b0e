// Checks source files against layering rules: every import a file makes
// (import-specifiers.ts), resolved to a repo path, must stay clear of what a
// rule forbids that file. Paths are repo-relative with '/' separators; a
// pattern ending in '/' names a folder, any other pattern one file. Packages
// and node: builtins are never a rule's concern.
import path from 'node:path';
import { importSpecifiers } from './import-specifiers.ts';

export interface SourceFile {
  path: string;
  text: string;
}

export interface LayerRule {
  /** The rule in words, for the failure message. */
  says: string;
  /** Files the rule binds. */
  files: string[];
  /** Files under `files` that it does not bind. */
  except?: string[];
  /** What the bound files must not import. */
  forbidden?: string[];
  /** Or: the only repo files they may import. */
  only?: string[];
}

/** A known violation, tolerated: imports of `target` from `file` (patterns, as in rules). */
export interface Allowance {
  file: string;
  target: string;
  why: string;
}

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  /** The repo path the specifier resolves to. */
  target: string;
  rule: string;
}

export interface LayerReport {
  violations: Violation[];
  /** Allowances that matched nothing: their violation is gone, so they must go too. */
  unusedAllowances: Allowance[];
}

export function checkLayers(files: readonly SourceFile[], rules: readonly LayerRule[], allowances: readonly Allowance[] = []): LayerReport {
  const violations: Violation[] = [];
  const used = new Set<Allowance>();
  for (const file of files) {
    const bound = rules.filter((r) => r.files.some((p) => matches(file.path, p)) && !r.except?.some((p) => matches(file.path, p)));
    if (bound.length === 0) continue;
    for (const { specifier, line } of importSpecifiers(file.text)) {
      const target = resolveTarget(file.path, specifier);
      if (target === null) continue;
      for (const rule of bound.filter((r) => breaks(r, target))) {
        const allowance = allowances.find((a) => matches(file.path, a.file) && matches(target, a.target));
        if (allowance) used.add(allowance);
        else violations.push({ file: file.path, line, specifier, target, rule: rule.says });
      }
    }
  }
  return { violations, unusedAllowances: allowances.filter((a) => !used.has(a)) };
}

export function describeViolation(v: Violation): string {
  return `${v.file}:${v.line} imports '${v.specifier}' (${v.target}), which breaks the rule: ${v.rule}`;
}

/** The repo path a relative specifier names, or null for a package or builtin. */
export function resolveTarget(from: string, specifier: string): string | null {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
}

function breaks(rule: LayerRule, target: string): boolean {
  if (rule.forbidden?.some((p) => matches(target, p))) return true;
  return rule.only !== undefined && !rule.only.some((p) => matches(target, p));
}

function matches(file: string, pattern: string): boolean {
  return pattern.endsWith('/') ? file.startsWith(pattern) : file === pattern;
}
