#!/usr/bin/python3
"""Build the sample model repository (Triton layout) shipped with MlServing.

Writes, relative to this file's folder:

    wine-classifier/1/model.onnx   input FP32 [N,13] -> label INT64 [N], probabilities FP32 [N,3]
    wine-classifier/config.json    feature names, class labels, maxBatchSize
    wine-classifier/reference.json 8 held-out rows with scikit-learn's own predict / predict_proba
    wine-classifier/data/train.csv the training rows (feature columns by name, then the true class), the
                                   data `mlserving profile` builds wine-classifier/profile.json from

Model: StandardScaler + LogisticRegression(C=1.0, max_iter=5000, random_state=0) trained on
scikit-learn's `load_wine` (train_test_split(test_size=0.25, random_state=0, stratify=y)).
The scaler is folded into the linear layer (in float64, then cast to float32):

    scores        = Gemm(input, W', b')            W' = coef / scale, b' = intercept - W' . mean
    probabilities = Softmax(scores, axis=1)
    label         = ArgMax(scores, axis=1, keepdims=0)

Requires Debian's python3-sklearn and python3-onnx (opset 15, ai.onnx.ml 3, IR 8).
Deterministic: rerunning produces byte-identical files.

    /usr/bin/python3 models/build_sample_models.py

The reference profile is then rebuilt from the training data with the CLI (docs/CLI.md):

    dotnet run --project src/MlServing.Cli -- profile --repo models --model wine-classifier \
        --data models/wine-classifier/data/train.csv
"""

import csv

import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = [helper.make_opsetid("", 15), helper.make_opsetid("ai.onnx.ml", 3)]
IR_VERSION = 8
ABS_TOL = 1e-5
REL_TOL = 1e-4
N_REFERENCE_ROWS = 8


def f32_list(a):
    """Flat list of float32 values as the shortest decimals that round-trip to the same float32."""
    return [float(repr(np.float32(v))) for v in np.asarray(a, dtype=np.float32).ravel()]


def dump_json(obj, path):
    """Pretty-print with 2-space indent, but keep lists of scalars on one line."""

    def fmt(o, level):
        pad = "  " * level
        if isinstance(o, dict):
            if not o:
                return "{}"
            items = [f'{pad}  {json.dumps(k)}: {fmt(v, level + 1)}' for k, v in o.items()]
            return "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if isinstance(o, list):
            if all(not isinstance(v, (dict, list)) for v in o):
                return "[" + ", ".join(json.dumps(v) for v in o) + "]"
            items = [f"{pad}  {fmt(v, level + 1)}" for v in o]
            return "[\n" + ",\n".join(items) + "\n" + pad + "]"
        return json.dumps(o)

    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(fmt(obj, 0) + "\n")


def save_model(model, path):
    onnx.checker.check_model(model, full_check=True)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def write_training_csv(path, feature_names, rows, classes):
    """The training rows as CSV: one column per feature (by name), then the true class."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(list(feature_names) + ["class"])
        for row, cls in zip(rows, classes):
            writer.writerow([repr(float(v)) for v in row] + [cls])


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def build_wine_classifier():
    data = load_wine()
    X, y = data.data, data.target
    feature_names = list(data.feature_names)
    labels = [str(n) for n in data.target_names]
    n_features, n_classes = X.shape[1], len(labels)
    assert n_features == 13 and n_classes == 3

    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y)
    pipe = make_pipeline(
        StandardScaler(),
        LogisticRegression(max_iter=5000, C=1.0, random_state=0))
    pipe.fit(X_train, y_train)
    scaler, clf = pipe[0], pipe[1]
    assert list(clf.classes_) == list(range(n_classes))

    # Fold the scaler into the linear layer, in float64.
    coef = clf.coef_.astype(np.float64)            # [3, 13]
    intercept = clf.intercept_.astype(np.float64)  # [3]
    w64 = coef / scaler.scale_[np.newaxis, :]
    b64 = intercept - w64 @ scaler.mean_
    w = w64.astype(np.float32)
    b = b64.astype(np.float32)

    # Oracle: scikit-learn itself on float32 rows of the held-out set.
    x_ref = X_test[:N_REFERENCE_ROWS].astype(np.float32)
    want_label = pipe.predict(x_ref).astype(np.int64)
    want_proba = pipe.predict_proba(x_ref).astype(np.float32)

    # The folded float32 weights must reproduce scikit-learn within the reference tolerance,
    # on the reference rows and on the whole held-out set.
    for xs in (x_ref, X_test.astype(np.float32)):
        scores = xs @ w.T + b
        got_proba = softmax(scores.astype(np.float32)).astype(np.float32)
        got_label = scores.argmax(axis=1).astype(np.int64)
        sk_proba = pipe.predict_proba(xs)
        sk_label = pipe.predict(xs)
        if not np.array_equal(got_label, sk_label):
            sys.exit(f"wine-classifier: folded labels {got_label} != sklearn {sk_label}")
        err = np.abs(got_proba.astype(np.float64) - sk_proba)
        bound = ABS_TOL + REL_TOL * np.abs(sk_proba)
        if not np.all(err <= bound):
            sys.exit(f"wine-classifier: folded probabilities off by up to {err.max():.3g} "
                     f"(tolerance abs {ABS_TOL}, rel {REL_TOL})")
    if len(set(want_label.tolist())) != n_classes:
        sys.exit(f"wine-classifier: reference rows cover only classes {sorted(set(want_label))}")

    # ONNX graph.
    n = "N"
    graph = helper.make_graph(
        nodes=[
            helper.make_node("Gemm", ["input", "coef", "intercept"], ["scores"],
                             name="linear", transB=1),
            helper.make_node("Softmax", ["scores"], ["probabilities"], name="softmax", axis=1),
            helper.make_node("ArgMax", ["scores"], ["label"], name="argmax", axis=1, keepdims=0),
        ],
        name="wine_classifier",
        inputs=[helper.make_tensor_value_info("input", TensorProto.FLOAT, [n, n_features])],
        outputs=[
            helper.make_tensor_value_info("label", TensorProto.INT64, [n]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [n, n_classes]),
        ],
        initializer=[
            numpy_helper.from_array(w, "coef"),
            numpy_helper.from_array(b, "intercept"),
        ],
    )
    model = helper.make_model(
        graph, opset_imports=OPSET, producer_name="MlServing build_sample_models.py",
        doc_string="StandardScaler + LogisticRegression(C=1.0) on scikit-learn load_wine, "
                   "scaler folded into Gemm; Softmax -> probabilities, ArgMax -> label")
    model.ir_version = IR_VERSION

    root = os.path.join(HERE, "wine-classifier")
    save_model(model, os.path.join(root, "1", "model.onnx"))

    # Warm up with a real training row: it exercises the model as traffic will, and the Swagger
    # example body is built from it.
    warmup_row = X_train[0].astype(np.float32)
    dump_config = {
        "features": feature_names,
        "labels": labels,
        "maxBatchSize": 64,
        "warmup": {"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, n_features],
                               "data": f32_list(warmup_row.reshape(1, -1))}]},
    }
    with open(os.path.join(root, "config.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(dump_config, indent=2) + "\n")

    reference = {
        "source": "scikit-learn load_wine (UCI Wine data set); StandardScaler + "
                  "LogisticRegression(C=1.0, max_iter=5000, random_state=0) fitted on the train part "
                  "of train_test_split(test_size=0.25, random_state=0, stratify=y); inputs are the "
                  f"first {N_REFERENCE_ROWS} held-out test rows as float32",
        "license": "BSD-3-Clause",
        "oracle": "sklearn",
        "inputs": [
            {"name": "input", "datatype": "FP32", "shape": [N_REFERENCE_ROWS, n_features],
             "data": f32_list(x_ref)},
        ],
        "outputs": [
            {"name": "label", "datatype": "INT64", "shape": [N_REFERENCE_ROWS],
             "data": [int(v) for v in want_label]},
            {"name": "probabilities", "datatype": "FP32", "shape": [N_REFERENCE_ROWS, n_classes],
             "data": f32_list(want_proba)},
        ],
        "tolerance": {"abs": ABS_TOL, "rel": REL_TOL},
    }
    dump_json(reference, os.path.join(root, "reference.json"))
    write_training_csv(os.path.join(root, "data", "train.csv"), feature_names, X_train,
                       [labels[i] for i in y_train])
    print(f"wine-classifier: test accuracy {pipe.score(X_test, y_test):.3f}, "
          f"reference labels {want_label.tolist()}")


def main():
    build_wine_classifier()


if __name__ == "__main__":
    main()
