"""Test oracle: loads .pt files with real torch, checks each is an nn.Linear state_dict
that nn.Linear.load_state_dict accepts, and prints dtype, shapes and float32 bit patterns
as JSON.  Usage: /usr/bin/python3 torch-load-oracle.py FILE..."""
import json
import struct
import sys

import torch


def bits(tensor):
    return [struct.unpack('<I', struct.pack('<f', v))[0] for v in tensor.float().view(-1).tolist()]


def describe(path):
    sd = torch.load(path)
    weight, bias = sd['weight'], sd['bias']
    linear = torch.nn.Linear(weight.shape[1], weight.shape[0]).to(weight.dtype)
    linear.load_state_dict(sd)
    return {
        'type': type(sd).__name__, 'keys': list(sd.keys()), 'dtype': str(weight.dtype).replace('torch.', ''),
        'weightShape': list(weight.shape), 'biasShape': list(bias.shape),
        'contiguous': weight.is_contiguous() and bias.is_contiguous(),
        'weightBits': bits(weight), 'biasBits': bits(bias),
    }


print(json.dumps({path: describe(path) for path in sys.argv[1:]}))
