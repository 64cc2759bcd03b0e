/**
 * The tokenizer.json normalizer with the Rust library's alignments: for every UTF-16 unit of the
 * normalized text, the [start, stop) range of the original text it came from. Token offsets
 * (TEI's /tokenize) are read through these. The rules follow the Rust `NormalizedString`:
 * - a replaced character takes the range of the character it replaces;
 * - an inserted character (one replacement growing into several) takes the range of the
 *   character before it;
 * - Precompiled builds its edit list per grapheme cluster (Rust's `replace` helper in
 *   normalizers/precompiled.rs), including its quirk that a deletion is charged to the previous
 *   edit, so a deletion at the very start shifts the ranges after it;
 * - Replace removes each match and inserts its content after the match's last character.
 * The text produced is the same as text-normalizer.ts produces (tests hold them equal).
 */
import { graphemeClusters } from './grapheme-clusters.ts';
import { PrecompiledCharsmap } from './precompiled-charsmap.ts';
import type { NormalizerStep } from './tokenizer-json.ts';

export type Range = readonly [number, number];

/** Text with one original range per UTF-16 unit. */
export interface AlignedText {
  text: string;
  ranges: Range[];
}

/** An edit of Rust's `transform`: a new character and how many old characters it consumes beyond one (change). */
type Edit = [char: string, change: number];

type AlignedStep = (input: AlignedText) => AlignedText;

/** Each unit of `text` (from `start` in the original) aligned to its own code point. */
export function identityAligned(text: string, start: number): AlignedText {
  const ranges: Range[] = [];
  let at = start;
  for (const char of text) {
    const range: Range = [at, at + char.length];
    for (let i = 0; i < char.length; i++) ranges.push(range);
    at += char.length;
  }
  return { text, ranges };
}

export function buildAlignedNormalizer(steps: readonly NormalizerStep[]): AlignedStep {
  const fns = steps.map(alignedStep);
  return (input) => fns.reduce((current, step) => step(current), input);
}

function alignedStep(step: NormalizerStep): AlignedStep {
  if (step.kind === 'precompiled') {
    const charsmap = PrecompiledCharsmap.fromBase64(step.charsmapBase64);
    return (input) => applyEdits(input, precompiledEdits(input.text, charsmap));
  }
  if (step.config.type === 'Replace') return replaceStep(step.config);
  throw new Error(`token offsets: the ${JSON.stringify(step.config.type)} normalizer is not supported`);
}

/** Rust's Precompiled::normalize edit list. */
function precompiledEdits(text: string, charsmap: PrecompiledCharsmap): Edit[] {
  const edits: Edit[] = [];
  for (const cluster of graphemeClusters(text)) {
    if (Buffer.byteLength(cluster, 'utf8') < 6) {
      const whole = charsmap.replacement(cluster);
      if (whole !== undefined) {
        replaceEdits(edits, cluster, whole);
        continue;
      }
    }
    for (const char of cluster) {
      const norm = charsmap.replacement(char);
      if (norm !== undefined) replaceEdits(edits, char, norm);
      else edits.push([char, 0]);
    }
  }
  return edits;
}

/** Rust's precompiled.rs `replace`: new characters, the surplus marked inserted, a shortfall charged to the last edit. */
function replaceEdits(edits: Edit[], oldPart: string, newPart: string): void {
  const newChars = [...newPart];
  const diff = newChars.length - [...oldPart].length;
  for (const c of newChars) edits.push([c, 0]);
  if (diff > 0) for (let i = edits.length - diff; i < edits.length; i++) edits[i][1] = 1;
  else if (diff < 0 && edits.length > 0) edits[edits.length - 1][1] += diff;
}

/** Rust's NormalizedString::transform over the whole text. */
function applyEdits(input: AlignedText, edits: Edit[]): AlignedText {
  const oldChars = [...input.text];
  const oldStarts: number[] = [];
  let unit = 0;
  for (const c of oldChars) {
    oldStarts.push(unit);
    unit += c.length;
  }
  const rangeOfOld = (i: number): Range => input.ranges[oldStarts[i]] ?? emptyAt(input);
  let text = '';
  const ranges: Range[] = [];
  let next = 0; // index of the next old character
  for (const [c, change] of edits) {
    let range: Range;
    if (change > 0) {
      range = next > 0 ? rangeOfOld(next - 1) : emptyAt(input);
    } else {
      range = rangeOfOld(next);
      next += 1 - change;
    }
    text += c;
    for (let i = 0; i < c.length; i++) ranges.push(range);
  }
  return { text, ranges };
}

function emptyAt(input: AlignedText): Range {
  const start = input.ranges[0]?.[0] ?? 0;
  return [start, start];
}

function replaceStep(config: Record<string, unknown>): AlignedStep {
  const pattern = config.pattern as { String?: string; Regex?: string } | undefined;
  const content = typeof config.content === 'string' ? config.content : '';
  let regex: RegExp;
  if (typeof pattern?.Regex === 'string') regex = new RegExp(pattern.Regex, 'gu');
  else if (typeof pattern?.String === 'string') regex = new RegExp(pattern.String.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gu');
  else throw new Error('token offsets: Replace normalizer without a String or Regex pattern');
  return (input) => {
    let text = '';
    const ranges: Range[] = [];
    let last = 0;
    for (const m of input.text.matchAll(regex)) {
      const start = m.index!;
      const end = start + m[0].length;
      if (end === start) continue;
      text += input.text.slice(last, start);
      appendRanges(ranges, input.ranges, last, start);
      const range = input.ranges[end - 1];
      text += content;
      for (let i = 0; i < content.length; i++) ranges.push(range);
      last = end;
    }
    text += input.text.slice(last);
    appendRanges(ranges, input.ranges, last, input.ranges.length);
    return { text, ranges };
  };
}

/** A loop, not push(...slice): spreading more than about 120,000 ranges as arguments overflows the stack. */
function appendRanges(to: Range[], from: readonly Range[], start: number, end: number): void {
  for (let i = start; i < end; i++) to.push(from[i]);
}
