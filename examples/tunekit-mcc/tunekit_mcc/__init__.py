"""tunekit-mcc: two tunekit plugins for looking at a classifier's mistakes.

- ``tunekit_mcc.metric``: the ``mcc`` metric, Matthews correlation (any number of classes);
- ``tunekit_mcc.predictions_csv``: the ``predictions-csv`` exporter, one row per validation
  (and test) example with its text, its true label and the predicted one.

Each module is a plugin of its own (see the entry points in pyproject.toml).
"""
