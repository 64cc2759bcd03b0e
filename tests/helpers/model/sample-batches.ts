// Token id rows used by the test-model tests: real-looking rows (<s> … </s>)
// of different lengths, including the highest id and the special ids.

/** Deterministic filler ids in [4, vocabSize - 1), i.e. ordinary pieces. */
export function fillerIds(count: number, vocabSize: number, salt: number): number[] {
  return Array.from({ length: count }, (_, i) => 4 + (((i * 2654435761 + salt * 40503) >>> 0) % (vocabSize - 5)));
}

export function sampleRows(vocabSize: number): number[][] {
  return [
    [0, 17, 342, 1999, vocabSize - 1, 6, 2],
    [0, 88, 3, 2500 % vocabSize, 2],
    [0, 2],
    [0, ...fillerIds(14, vocabSize, 7), 2],
  ];
}
