# SciPy's answer for colbert_pool_factor: reads JSON cases from stdin, each
# {"rows": [[...], ...], "k": clusters} or {"condensed": [...], "n": n, "k": k},
# and writes one list of fcluster labels per case (linkage(method="ward") on the
# condensed 1 - cos distance, fcluster(criterion="maxclust")) to stdout.
import json
import sys

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage


def condensed_cosine(rows):
    x = np.asarray(rows, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1)
    cos = (x @ x.T) / np.outer(norms, norms)
    i, j = np.triu_indices(len(x), 1)
    return 1 - cos[i, j]


answers = []
for case in json.load(sys.stdin):
    y = np.asarray(case["condensed"], dtype=np.float64) if "condensed" in case else condensed_cosine(case["rows"])
    z = linkage(y, method="ward")
    answers.append(fcluster(z, t=case["k"], criterion="maxclust").tolist())
json.dump(answers, sys.stdout)
