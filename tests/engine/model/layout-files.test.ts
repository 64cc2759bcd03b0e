// Each layout directory has the files of the public export it mirrors, and its
// weights live in the external data file under the export's file name.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import { Tokenizer } from 'tokenizers';
import { LAYOUT_NAMES, LAYOUTS } from '../../../tools/fixtures/test-model/layouts.ts';
import { TOKENIZER_FIXTURE } from '../../../tools/fixtures/test-model/tokenizer-fixture.ts';
import { ensureTestModels, type TestModels } from '../../helpers/model/test-models.ts';

const { onnx } = onnxProto;

describe('generated layout directories', () => {
  let models: TestModels;
  before(async () => {
    models = await ensureTestModels();
  });

  it('the model vocabulary is the tokenizer vocabulary', () => {
    assert.equal(models.config.vocabSize, Tokenizer.fromFile(TOKENIZER_FIXTURE).getVocabSize(true));
  });

  for (const name of LAYOUT_NAMES) {
    it(`${name}: files, opset and external data`, () => {
      const dir = models.dirs[name];
      const layout = LAYOUTS[name];
      assert.ok(readFileSync(join(dir, 'tokenizer.json')).equals(readFileSync(TOKENIZER_FIXTURE)));
      for (const head of ['sparse_linear.pt', 'colbert_linear.pt']) assert.equal(existsSync(join(dir, head)), layout.headFiles, head);

      const modelFile = join(dir, layout.modelPath);
      const model = onnx.ModelProto.decode(readFileSync(modelFile));
      assert.deepEqual(
        model.opsetImport.map((o) => [o.domain, Number(o.version)]),
        [['', 17]],
      );
      const graph = model.graph!;
      assert.deepEqual(
        (graph.input ?? []).map((i) => i.name),
        ['input_ids', 'attention_mask'],
      );
      assert.deepEqual(
        (graph.output ?? []).map((o) => o.name),
        Object.values(layout.outputs),
      );

      // External tensors tile the data file exactly, in order.
      let end = 0;
      for (const t of (graph.initializer ?? []).filter((i) => i.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)) {
        const kv = Object.fromEntries((t.externalData ?? []).map((e) => [e.key, e.value]));
        assert.equal(kv.location, layout.dataFile, t.name!);
        assert.equal(Number(kv.offset), end, t.name!);
        end += Number(kv.length);
      }
      assert.equal(statSync(join(dirname(modelFile), layout.dataFile)).size, end);
      assert.ok(end > 0.9 * (statSync(modelFile).size + end), 'most weights should be external');
    });
  }
});
