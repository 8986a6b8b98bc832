#!/usr/bin/python3
"""Writes the request bodies of the fast-path comparison (fastpath.sh), the same seeded tensors in two encodings:

  OUT.json  one Open Inference Protocol JSON body a line (for bodies.lua, POST /v2/models/MODEL/infer)
  OUT.bin   binary tensor extension bodies: per body a line "JSON_LENGTH TOTAL_LENGTH" then TOTAL_LENGTH bytes
            (the JSON header, then the raw little-endian tensors); binary.lua sends them over REST, and the gRPC
            load generator turns each into a ModelInfer request with raw_input_contents.

  make_fastpath_bodies.py MODEL COUNT OUT        (MODEL: paddleocr-cls or digits-mlp-large; stdlib only)
"""
import json, random, struct, sys

SHAPES = {
    # name: (input name, shape, value range)
    "paddleocr-cls": ("x", [1, 3, 48, 64], (-1.0, 1.0)),
    "digits-mlp-large": ("input", [1, 64], (0.0, 16.0)),
}

model, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
name, shape, (low, high) = SHAPES[model]
size = 1
for d in shape:
    size *= d
rnd = random.Random(13)
with open(out + ".json", "w") as text, open(out + ".bin", "wb") as binary:
    for _ in range(count):
        values = [round(rnd.uniform(low, high), 5) for _ in range(size)]
        text.write(json.dumps({"inputs": [{"name": name, "datatype": "FP32", "shape": shape, "data": values}]}) + "\n")
        raw = struct.pack("<%df" % size, *values)
        header = json.dumps({"inputs": [{"name": name, "datatype": "FP32", "shape": shape,
                                         "parameters": {"binary_data_size": len(raw)}}],
                             "parameters": {"binary_data_output": True}}).encode()
        binary.write(b"%d %d\n" % (len(header), len(header) + len(raw)))
        binary.write(header + raw)
