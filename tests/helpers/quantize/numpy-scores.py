# Independent oracle for score_compact with vector_type: the dense and ColBERT
# scores a database holding the quantized vectors computes, from the values the
# API returned (JSON numbers) and the calibration's ranges, written in numpy.
# Reads {"type", "dim", "ranges": {"dense": {min, max}, "colbert": {min, max}},
#        "query": {"dense": [...], "colbert": [[...], ...]}, "texts": [{"dense", "colbert"}, ...]}
# and writes {"dense": [...], "colbert": [...]}.
import json
import sys

import numpy as np

req = json.load(sys.stdin)
t, dim = req['type'], req['dim']


def decode(values, ranges):
    """Rows of returned values -> the float rows a database scores with."""
    v = np.asarray(values, dtype=np.float64).reshape(-1, np.shape(values)[-1] if len(values) else 1)
    if t == 'float16':
        return v
    if t in ('int8', 'uint8'):
        q = v + 128 if t == 'int8' else v
        lo = np.asarray(ranges['min'], dtype=np.float64)
        hi = np.asarray(ranges['max'], dtype=np.float64)
        step = (hi - lo) / 255
        step[step == 0] = 1
        return lo + (q + 0.5) * step
    if t in ('binary', 'ubinary'):
        raw = (v + 128 if t == 'binary' else v).astype(np.uint8)
        bits = np.unpackbits(raw, axis=-1)[:, :dim].astype(np.float64)
        return (2 * bits - 1) / np.sqrt(dim)
    raise SystemExit('unknown type ' + t)


ranges = req.get('ranges') or {'dense': None, 'colbert': None}
qd = decode([req['query']['dense']], ranges['dense'])[0]
qc = decode(req['query']['colbert'], ranges['colbert'])
dense, colbert = [], []
for text in req['texts']:
    dense.append(float(decode([text['dense']], ranges['dense'])[0] @ qd))
    rows = decode(text['colbert'], ranges['colbert'])
    colbert.append(float((qc @ rows.T).max(axis=1).mean()))
json.dump({'dense': dense, 'colbert': colbert}, sys.stdout)
