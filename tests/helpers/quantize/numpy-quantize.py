# Independent oracle for vector_type: sentence-transformers' quantize_embeddings
# definitions written directly in numpy. Reads JSON on stdin:
#   {"type": ..., "vectors": [[...], ...], "ranges": {"min": [...], "max": [...]}}
# and writes {"values": [[...]], "base64": "..."} (rows' bytes, row after row).
# Also {"op": "ranges", "vectors": [...]} -> {"min": [...], "max": [...]}.
import base64
import json
import sys

import numpy as np

req = json.load(sys.stdin)
x = np.asarray(req['vectors'], dtype=np.float32)
if req.get('op') == 'ranges':
    json.dump({'min': x.min(axis=0).astype(np.float64).tolist(), 'max': x.max(axis=0).astype(np.float64).tolist()}, sys.stdout)
    sys.exit(0)
t = req['type']
if t == 'float16':
    v = x.astype(np.float16)
    values, raw = v.astype(np.float64).tolist(), v.astype('<f2').tobytes()
elif t in ('int8', 'uint8'):
    lo = np.asarray(req['ranges']['min'], dtype=np.float64)
    hi = np.asarray(req['ranges']['max'], dtype=np.float64)
    step = (hi - lo) / 255
    step[step == 0] = 1
    q = np.clip(np.floor((x.astype(np.float64) - lo) / step), 0, 255).astype(np.int64)
    v = (q - 128).astype(np.int8) if t == 'int8' else q.astype(np.uint8)
    values, raw = v.tolist(), v.tobytes()
elif t in ('binary', 'ubinary'):
    p = np.packbits(x > 0, axis=-1)
    v = (p.astype(np.int16) - 128).astype(np.int8) if t == 'binary' else p
    values, raw = v.tolist(), v.tobytes()
else:
    raise SystemExit('unknown type ' + t)
json.dump({'values': values, 'base64': base64.b64encode(raw).decode('ascii')}, sys.stdout)
