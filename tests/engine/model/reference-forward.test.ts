// The reference forward pass's own building blocks, checked against outside values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { erf, referencePositionIds } from '../../helpers/model/reference-forward.ts';

describe('reference forward pass helpers', () => {
  it('erf matches Python math.erf', () => {
    // Printed by CPython 3 math.erf.
    const cases: [number, number][] = [
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [-3.3, -0.9999969422902035],
      [4, 0.9999999845827421],
      [1e-3, 0.0011283787909692365],
      [0, 0],
    ];
    for (const [x, want] of cases) assert.ok(Math.abs(erf(x) - want) < 1e-15, `erf(${x}) = ${erf(x)}, want ${want}`);
  });

  it('position ids follow create_position_ids_from_input_ids (padding_idx 1)', () => {
    assert.deepEqual(referencePositionIds([0, 5, 6, 2, 1, 1], 1), [2, 3, 4, 5, 1, 1]);
    assert.deepEqual(referencePositionIds([1, 1, 0, 5, 2], 1), [1, 1, 2, 3, 4]);
  });
});
