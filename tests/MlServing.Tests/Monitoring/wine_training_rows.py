#!/usr/bin/python3
"""Prints the rows the sample wine-classifier was trained on (models/build_sample_models.py: scikit-learn load_wine,
train_test_split(test_size=0.25, random_state=0, stratify=y)) as CSV: the 13 features, the true class and the class
the fitted pipeline predicts. Requires Debian's python3-sklearn."""
import csv
import sys

from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

data = load_wine()
X_train, _, y_train, _ = train_test_split(data.data, data.target, test_size=0.25, random_state=0, stratify=data.target)
pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000, C=1.0, random_state=0)).fit(X_train, y_train)
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(list(data.feature_names) + ["target", "predicted"])
for row, target, predicted in zip(X_train, y_train, pipe.predict(X_train)):
    out.writerow([repr(float(v)) for v in row] + [int(target), int(predicted)])
