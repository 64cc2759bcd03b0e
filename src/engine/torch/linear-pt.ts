// Front door: reads an nn.Linear state_dict saved with torch.save (BGE-M3's
// sparse_linear.pt and colbert_linear.pt) into float32 arrays, without Python.
import { readFile } from 'node:fs/promises';
import { TorchFileError } from './errors.ts';
import { widenToFloat32 } from './tensor-widen.ts';
import { readTorchStateDict, type TorchTensor } from './torch-state-dict.ts';

export { TorchFileError } from './errors.ts';

export interface LinearWeights {
  weight: Float32Array;
  bias: Float32Array;
  outFeatures: number;
  inFeatures: number;
}

/** Reads a torch.save'd nn.Linear state_dict (fp16, bf16 or fp32 storages; honours storage offset, shape, strides (contiguous only; otherwise a clear error)) and widens to float32. `source` names the file in error messages. */
export function readLinearPt(bytes: Uint8Array, source = 'linear .pt file'): LinearWeights {
  const tensors = readTorchStateDict(bytes, source);
  const weight = requireTensor(tensors, 'weight', source);
  const bias = requireTensor(tensors, 'bias', source);
  const [outFeatures, inFeatures] = checkShapes(weight, bias, source);
  return {
    weight: widenToFloat32(weight, 'weight', source),
    bias: widenToFloat32(bias, 'bias', source),
    outFeatures,
    inFeatures,
  };
}

export async function loadLinearPt(path: string): Promise<LinearWeights> {
  return readLinearPt(await readFile(path), path);
}

function requireTensor(tensors: Map<string, TorchTensor>, key: string, source: string): TorchTensor {
  const tensor = tensors.get(key);
  if (!tensor) {
    throw new TorchFileError(
      source,
      `has no '${key}' tensor (keys: ${[...tensors.keys()].join(', ') || 'none'}) — expected torch.save(nn.Linear(...).state_dict(), path) with keys 'weight' and 'bias'`,
    );
  }
  return tensor;
}

function checkShapes(weight: TorchTensor, bias: TorchTensor, source: string): [number, number] {
  const [outFeatures, inFeatures] = weight.shape;
  const ok = weight.shape.length === 2 && bias.shape.length === 1 && bias.shape[0] === outFeatures && outFeatures > 0 && inFeatures > 0;
  if (!ok) {
    throw new TorchFileError(source, `weight shape [${weight.shape}] and bias shape [${bias.shape}] do not form an nn.Linear (weight [out, in], bias [out])`);
  }
  return [outFeatures, inFeatures];
}
