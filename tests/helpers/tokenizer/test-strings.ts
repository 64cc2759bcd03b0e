/**
 * Test inputs for tokenizer parity: curated edge cases plus strings generated from a seeded
 * PRNG out of per-category pools (scripts, emoji, combining marks, whitespace and invisible
 * characters, controls, full/half-width forms).
 */
import { seededRandom } from '../../../tools/fixtures/tokenizer/corpus.ts';

export const CURATED: string[] = [
  '',
  ' ',
  '   ',
  '\t',
  '\n',
  '\r\n',
  'x',
  'What is BGE M3?',
  'Hello world!',
  'What is the capital of France?',
  'Hi  Hello',
  'trailing space   ',
  '   leading spaces',
  '  leading and trailing spaces  ',
  'tab\tseparated\tvalues',
  'line one\nline two\r\nline three',
  'multiple   internal    spaces',
  'nbsp\u00a0between\u00a0words',
  'ideographic\u3000space',
  'zero\u200bwidth\u200bspace',
  'zero\u200cwidth\u200dnon-joiner and joiner',
  '\ufeffbyte order mark at start',
  'bom\ufeffin the middle',
  'soft\u00adhyphen',
  'bidi \u200eLTR\u200f RTL \u202aembedding\u202c \u2066isolate\u2069',
  'control \u0001\u0002\u0007 chars \u001b[31m',
  'NUL \u0000 inside',
  'DEL \u007f and C1 \u0085 \u009f',
  '▁already▁has▁metaspace',
  'Ａ Ｂ Ｃ ａｂｃ １２３ ！？',
  'Ａ\u0301 full-width A with combining acute',
  'ｶﾀｶﾅ半角 ﾊﾟﾋﾟﾌﾟ ｶﾞｷﾞｸﾞ',
  'ﾊﾟ',
  'ﾃﾞｰﾀﾍﾞｰｽ',
  'e\u0301 cafe\u0301 vs café',
  'a\u0301\u0302\u0303\u0304\u0305 stacked',
  'Z\u0351\u0334\u0322\u0327\u0310\u0357algo text',
  '\u0301 leading combining mark',
  '👨‍👩‍👧‍👦 family',
  '👩‍💻 technologist 👨🏽‍🚀 astronaut',
  '👍👍🏻👍🏼👍🏽👍🏾👍🏿',
  '🇫🇷🇩🇪🇯🇵🇺🇸 flags',
  '🏳️‍🌈 🏴‍☠️',
  '❤️ ❤ ☺️ ☺',
  '#️⃣ 1️⃣ keycaps',
  '🫠 🫥 🪿 newer emoji',
  'क्षत्रिय ज्ञान श्रम',
  'नमस्ते दुनिया',
  'ภาษาไทย สวัสดีครับ',
  'مرحبا بالعالم',
  'שלום עולם',
  'Привет, мир! Ёлка',
  'Γειά σου Κόσμε ΐ ΰ',
  '你好，世界！',
  'こんにちは世界。カタカナ',
  '안녕하세요 세계',
  '\u1100\u1161\u11a8 conjoining jamo (decomposed 각)',
  'Ⅻ ① ﬁ ﬂ ½ ² ™ ℃ № ㍿ ㌀',
  'ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ',
  '～ wave dash 〜',
  '<s>',
  '</s>',
  '<mask>',
  '<pad><unk>',
  'a <mask> b',
  'a\u3000 <mask>b',
  'text <s> inside </s> text',
  '＜s＞ full-width special',
  '＜unk＞',
  '<mask<mask>>',
  '$19.99 €5,50 £3 ¥1200 ₹450',
  'x² + y² = z², ½ + ¼ = ¾',
  'user@example.com https://example.org/path?q=1&x=2#frag',
  'Supercalifragilisticexpialidocious',
  'a'.repeat(300),
  '東京'.repeat(150),
  'ab'.repeat(100) + ' ' + 'ﾊﾟ'.repeat(20),
  '\ud800 lone high surrogate',
  'lone low \udc00 surrogate',
  '\u2028line separator\u2029paragraph separator',
  '\u0600\u0601 prepend marks',
  '\u180e mongolian vowel separator',
  'variation\ufe0f selectors\ufe0e',
  '🇦',
  '🇦🇧🇨',
];

interface Pool {
  name: string;
  items: string[];
}

const POOLS: Pool[] = [
  { name: 'latin', items: ['search', 'Straße', 'naïve', 'façade', 'œuvre', 'Ærø', 'ĳ', 'Ǆ', 'ﬀ', 'Zażółć', 'tiếng', 'İstanbul'] },
  { name: 'cyrillic-greek', items: ['город', 'Ёж', 'їжак', 'θάλασσα', 'ΐ', 'Ω', 'ς', 'ϐ'] },
  { name: 'rtl', items: ['كتاب', 'مدرسة', '\u0644\u0627', 'ספר', 'שָׁלוֹם', '\u200f', '\u200e', '\u202b', '\u202c'] },
  { name: 'cjk', items: ['中国', '學習', '東京', 'ひらがな', 'カタカナ', 'ｶﾀｶﾅ', 'ﾊﾟ', 'ｶﾞ', 'ﾟ', 'ﾞ', '한국어', '\u1100\u1161', '。', '、', '「', '」'] },
  { name: 'indic-thai', items: ['क्ष', 'हिन्दी', 'ज्ञ', 'ि', '्', 'ภาษา', 'ำ', 'ั', 'ไทย'] },
  { name: 'emoji', items: ['😀', '👍🏽', '👨‍👩‍👧', '🇫🇷', '🏳️‍🌈', '❤️', '\u200d', '\ufe0f', '🏻', '1️⃣', '🧑🏿‍🤝‍🧑🏻'] },
  { name: 'marks', items: ['\u0301', '\u0308', '\u0323', '\u0327', '\u20dd', '\u0e31', '\u3099', '\u309a', '\u0345'] },
  { name: 'space', items: [' ', '  ', '\t', '\n', '\u00a0', '\u2003', '\u3000', '\u200b', '\u200c', '\u200d', '\ufeff', '\u2581', '\u00ad', '\u2060'] },
  { name: 'control', items: ['\u0000', '\u0001', '\u001f', '\u007f', '\u0085', '\u009c', '\ufffd', '\ufff9'] },
  { name: 'width', items: ['Ａ', 'ｚ', '０', '９', '！', '？', '（', '）', '～', '＄', 'Ⅳ', '①', '㎏', 'ﬁ', '²', '½'] },
  { name: 'ascii', items: ['a', 'Z', '0', '42', '.', ',', '!', '?', '-', '_', '<', '>', 's', '/', 'mask', "'", '"'] },
];

/** Random strings mixing 1-12 items from random pools. */
export function generatedStrings(count: number, seed = 7): string[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const strings: string[] = [];
  for (let i = 0; i < count; i++) {
    const parts = 1 + Math.floor(random() * 12);
    let text = '';
    for (let p = 0; p < parts; p++) text += pick(pick(POOLS).items);
    strings.push(text);
  }
  return strings;
}

/** Sentences sampled from the training corpus generator's hand-written lines, with light noise. */
export function sentenceVariants(sentences: readonly string[], count: number, seed = 11): string[] {
  const random = seededRandom(seed);
  const noise = ['', ' ', '  ', '\u00a0', '\u200b', 'ﾟ', '\u0301', '👍🏽', '\t'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const sentence = sentences[Math.floor(random() * sentences.length)];
    const at = Math.floor(random() * (sentence.length + 1));
    out.push(sentence.slice(0, at) + noise[Math.floor(random() * noise.length)] + sentence.slice(at));
  }
  return out;
}
