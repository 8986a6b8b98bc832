#!/usr/bin/python3
"""Build the tiny edge-case ONNX models used by MlServing's tests.

Each model is written to `models/<name>/1/model.onnx` next to this script (no config.json).
Opset 15 (ai.onnx), 3 (ai.onnx.ml), IR version 8. `N`, `H`, `W` are symbolic dims (dim_param).
Deterministic: rerunning produces byte-identical files.

    /usr/bin/python3 tests/MlServing.Tests/Fixtures/build_fixture_models.py

| model | inputs | outputs | math |
|---|---|---|---|
| fixed-batch | input FP32 [1,4] | output FP32 [1,2] | output = input · W, W = [[1,0],[0,1],[1,0],[0,1]] → [x0+x2, x1+x3]; all dims fixed |
| multi-input | a FP32 [N,3], b FP32 [N,3] | sum FP32 [N,3], product FP32 [N,3] | sum = a + b, product = a * b |
| fp64-regressor | x FP64 [N,2] | y FP64 [N,1] | y = 2·x0 + 3·x1 + 0.5 (MatMul + Add) |
| int64-math | x INT64 [N,3] | doubled INT64 [N,3], total INT64 [N] | doubled = 2·x, total = x0 + x1 + x2 (ReduceSum axes [1], keepdims 0) |
| string-labels | text STRING [N] | code INT64 [N], echo STRING [N] | code = LabelEncoder {"cat":0, "dog":1, "bird":2}, else -1; echo = text |
| string-lookup | code INT64 [N] | name STRING [N] | name = LabelEncoder {0:"cat", 1:"dog", 2:"bird"}, else "unknown" |
| zipmap-classifier | input FP32 [N,4] | output_label INT64 [N], output_probability seq(map(string, FP32)) | s = input · W, W = [[1,0,0],[0,1,0],[0,0,1],[1,-1,0]] → [x0+x3, x1-x3, x2]; output_label = argmax(s); output_probability = ZipMap(["a","b","c"], softmax(s)) |
| zipmap-int-classifier | input FP32 [N,4] | output_label INT64 [N], output_probability seq(map(int64, FP32)) | as zipmap-classifier, ZipMap keys [10,20,30]; output_label is the index 0..2 |
| identity-`T` | x `T` [N,2] | y `T` [N,2] | y = x, for `T` in BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64 (model names use lower case: identity-bool … identity-fp64) |
| scalar-scale | x FP32 [N,3], scale FP32 [] | y FP32 [N,3] | y = x * scale (0-d scalar input: not batchable) |
| dynamic-hw | image FP32 [N,1,H,W] | mean FP32 [N,1] | mean = ReduceMean(image, axes [2,3], keepdims 0) |

The script also writes models/README.md with this table.
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "models")
OPSET = [helper.make_opsetid("", 15), helper.make_opsetid("ai.onnx.ml", 3)]
IR_VERSION = 8
N = "N"

f32, f64, i64, s = TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.INT64, TensorProto.STRING


def tensor(name, elem_type, shape):
    return helper.make_tensor_value_info(name, elem_type, shape)


def check(model):
    """onnx.checker with full_check (strict type and shape inference) on every model.

    onnx 1.12 (Debian's python3-onnx) cannot run shape inference through any map-typed value
    ("type case unsupported for symbolic shape inference. inferred=5"; fixed upstream in
    onnx/onnx#5188, onnx 1.15). For the ZipMap models that one error is tolerated: the model gets
    the structural check, and the same graph without its ZipMap node (probabilities as a plain
    FP32 [N,C] output) gets the full check.
    """
    try:
        onnx.checker.check_model(model, full_check=True)
        return
    except onnx.shape_inference.InferenceError as e:
        zipmaps = [n for n in model.graph.node if n.op_type == "ZipMap"]
        if not zipmaps or "type case unsupported for symbolic shape inference. inferred=5" not in str(e):
            raise
    onnx.checker.check_model(model, full_check=False)
    stripped = onnx.ModelProto()
    stripped.CopyFrom(model)
    zipmap_outputs = {o for n in zipmaps for o in n.output}
    kept = [n for n in stripped.graph.node if n.op_type != "ZipMap"]
    del stripped.graph.node[:]
    stripped.graph.node.extend(kept)
    outputs = [o for o in stripped.graph.output if o.name not in zipmap_outputs]
    del stripped.graph.output[:]
    stripped.graph.output.extend(outputs)
    for n in zipmaps:
        n_classes = len(n.attribute[0].strings or n.attribute[0].ints)
        stripped.graph.output.append(tensor(n.input[0], f32, [N, n_classes]))
    onnx.checker.check_model(stripped, full_check=True)


def save(name, nodes, inputs, outputs, initializers=(), doc=""):
    graph = helper.make_graph(nodes, name.replace("-", "_"), inputs, outputs,
                              initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=OPSET,
                              producer_name="MlServing build_fixture_models.py", doc_string=doc)
    model.ir_version = IR_VERSION
    check(model)
    path = os.path.join(OUT, name, "1", "model.onnx")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    print(f"wrote {os.path.relpath(path, HERE)}")


def fixed_batch():
    w = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=np.float32)
    save("fixed-batch",
         [helper.make_node("MatMul", ["input", "W"], ["output"])],
         [tensor("input", f32, [1, 4])],
         [tensor("output", f32, [1, 2])],
         [numpy_helper.from_array(w, "W")],
         "output = [x0+x2, x1+x3]; all dims fixed")


def multi_input():
    save("multi-input",
         [helper.make_node("Add", ["a", "b"], ["sum"]),
          helper.make_node("Mul", ["a", "b"], ["product"])],
         [tensor("a", f32, [N, 3]), tensor("b", f32, [N, 3])],
         [tensor("sum", f32, [N, 3]), tensor("product", f32, [N, 3])],
         doc="sum = a + b, product = a * b")


def fp64_regressor():
    w = np.array([[2.0], [3.0]], dtype=np.float64)
    b = np.array([0.5], dtype=np.float64)
    save("fp64-regressor",
         [helper.make_node("MatMul", ["x", "W"], ["xw"]),
          helper.make_node("Add", ["xw", "B"], ["y"])],
         [tensor("x", f64, [N, 2])],
         [tensor("y", f64, [N, 1])],
         [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")],
         "y = 2*x0 + 3*x1 + 0.5")


def int64_math():
    save("int64-math",
         [helper.make_node("Mul", ["x", "two"], ["doubled"]),
          helper.make_node("ReduceSum", ["x", "axes"], ["total"], keepdims=0)],
         [tensor("x", i64, [N, 3])],
         [tensor("doubled", i64, [N, 3]), tensor("total", i64, [N])],
         [numpy_helper.from_array(np.array(2, dtype=np.int64), "two"),
          numpy_helper.from_array(np.array([1], dtype=np.int64), "axes")],
         "doubled = 2*x, total = x0 + x1 + x2")


def string_models():
    save("string-labels",
         [helper.make_node("LabelEncoder", ["text"], ["code"], domain="ai.onnx.ml",
                           keys_strings=["cat", "dog", "bird"], values_int64s=[0, 1, 2],
                           default_int64=-1),
          helper.make_node("Identity", ["text"], ["echo"])],
         [tensor("text", s, [N])],
         [tensor("code", i64, [N]), tensor("echo", s, [N])],
         doc='code = {"cat":0, "dog":1, "bird":2}[text] else -1; echo = text')
    save("string-lookup",
         [helper.make_node("LabelEncoder", ["code"], ["name"], domain="ai.onnx.ml",
                           keys_int64s=[0, 1, 2], values_strings=["cat", "dog", "bird"],
                           default_string="unknown")],
         [tensor("code", i64, [N])],
         [tensor("name", s, [N])],
         doc='name = {0:"cat", 1:"dog", 2:"bird"}[code] else "unknown"')


def zipmap_models():
    w = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, -1, 0]], dtype=np.float32)
    for name, key_type, labels in (
            ("zipmap-classifier", s, {"classlabels_strings": ["a", "b", "c"]}),
            ("zipmap-int-classifier", i64, {"classlabels_int64s": [10, 20, 30]})):
        map_type = onnx.TypeProto()  # onnx 1.12's helper has no make_map_type_proto
        map_type.map_type.key_type = key_type
        map_type.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(f32, None))
        prob_type = helper.make_sequence_type_proto(map_type)
        keys = next(iter(labels.values()))
        save(name,
             [helper.make_node("MatMul", ["input", "W"], ["scores"]),
              helper.make_node("ArgMax", ["scores"], ["output_label"], axis=1, keepdims=0),
              helper.make_node("Softmax", ["scores"], ["probabilities"], axis=1),
              helper.make_node("ZipMap", ["probabilities"], ["output_probability"],
                               domain="ai.onnx.ml", **labels)],
             [tensor("input", f32, [N, 4])],
             [tensor("output_label", i64, [N]),
              helper.make_value_info("output_probability", prob_type)],
             [numpy_helper.from_array(w, "W")],
             f"scores = [x0+x3, x1-x3, x2]; output_label = argmax(scores); "
             f"output_probability = ZipMap({keys}, softmax(scores))")


IDENTITY_TYPES = [
    ("bool", TensorProto.BOOL),
    ("uint8", TensorProto.UINT8),
    ("uint16", TensorProto.UINT16),
    ("uint32", TensorProto.UINT32),
    ("uint64", TensorProto.UINT64),
    ("int8", TensorProto.INT8),
    ("int16", TensorProto.INT16),
    ("int32", TensorProto.INT32),
    ("int64", TensorProto.INT64),
    ("fp16", TensorProto.FLOAT16),
    ("fp32", TensorProto.FLOAT),
    ("fp64", TensorProto.DOUBLE),
]


def identity_models():
    for suffix, elem_type in IDENTITY_TYPES:
        save(f"identity-{suffix}",
             [helper.make_node("Identity", ["x"], ["y"])],
             [tensor("x", elem_type, [N, 2])],
             [tensor("y", elem_type, [N, 2])],
             doc=f"y = x ({suffix})")


def scalar_scale():
    save("scalar-scale",
         [helper.make_node("Mul", ["x", "scale"], ["y"])],
         [tensor("x", f32, [N, 3]), tensor("scale", f32, [])],
         [tensor("y", f32, [N, 3])],
         doc="y = x * scale; scale is a 0-d scalar")


def dynamic_hw():
    save("dynamic-hw",
         [helper.make_node("ReduceMean", ["image"], ["mean"], axes=[2, 3], keepdims=0)],
         [tensor("image", f32, [N, 1, "H", "W"])],
         [tensor("mean", f32, [N, 1])],
         doc="mean = mean of image over H and W")


def write_readme():
    table = [line for line in __doc__.splitlines() if line.startswith("|")]
    text = "\n".join([
        "# Test fixture models",
        "",
        "Tiny ONNX models for MlServing's edge-case tests, one folder per model, each holding",
        "`1/model.onnx`. Opset 15 (ai.onnx), 3 (ai.onnx.ml), IR version 8. `N`, `H`, `W` are symbolic",
        "dims (`dim_param`); every other dim is fixed. Generated (do not edit) by:",
        "",
        "    /usr/bin/python3 tests/MlServing.Tests/Fixtures/build_fixture_models.py",
        "",
        "(needs Debian's `python3-onnx` and `python3-numpy`; the output is byte-identical on every run).",
        "",
        *table,
        "",
    ])
    path = os.path.join(OUT, "README.md")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(path, HERE)}")


def main():
    fixed_batch()
    multi_input()
    fp64_regressor()
    int64_math()
    string_models()
    zipmap_models()
    identity_models()
    scalar_scale()
    dynamic_hw()
    write_readme()


if __name__ == "__main__":
    main()
