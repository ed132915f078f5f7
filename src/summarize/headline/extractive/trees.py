"""Score rows with a LightGBM model saved as text, using numpy only.

Importing lightgbm costs about a second (it pulls in pandas and scipy), which
would double the cold start of ``summarize headline``. A trained ranker is a
sum of regression trees, so inference reads the standard LightGBM text file
(``Booster.save_model``) and walks every tree for all rows at once::

    forest = Forest.from_file("model/ranker.txt")
    scores = forest.predict(X)          # equals lightgbm.Booster(model_file=...).predict(X)

Batches of ``BOOSTER_FROM_ROWS`` rows or more use lightgbm itself (imported
then), which is several times faster per row. Only what the trainer produces is supported: numerical splits; leaf values
already include the shrinkage. Features never hold NaN here, so a row goes
left when ``x <= threshold`` (LightGBM's rule for present values).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np


BOOSTER_FROM_ROWS = 2000  # about 40 articles' candidates


class ForestError(ValueError):
    """The file is not a LightGBM text model this reader understands."""


@dataclass
class Forest:
    feature_names: list[str]
    feature: np.ndarray  # (trees, nodes) split feature of each internal node
    threshold: np.ndarray  # (trees, nodes)
    left: np.ndarray  # (trees, nodes) child index; a leaf is encoded as ~leaf (negative)
    right: np.ndarray
    leaf: np.ndarray  # (trees, leaves) leaf values
    text: str = ""  # the model file, for LightGBM's own predictor on large batches
    _booster: Any = None  # lightgbm.Booster, built on the first large batch

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> Forest:
        with open(path, encoding="utf-8") as handle:
            return cls.from_text(handle.read())

    @classmethod
    def from_text(cls, text: str) -> Forest:
        header, _, rest = text.partition("\nTree=")
        fields = _fields(header)
        if "feature_names" not in fields:
            raise ForestError("no feature_names line: not a LightGBM text model")
        names = fields["feature_names"].split()
        trees = []
        for block in ("Tree=" + rest).split("\nTree=")[: None]:
            if not block.strip() or block.startswith("end of trees"):
                continue
            tree = _fields(block.split("end of trees")[0])
            if "leaf_value" not in tree:
                continue
            if int(tree.get("num_cat", "0")):
                raise ForestError("categorical splits are not supported")
            trees.append(tree)
        if not trees:
            raise ForestError("the model holds no trees")
        nodes = max(int(t["num_leaves"]) - 1 for t in trees) or 1
        leaves = max(int(t["num_leaves"]) for t in trees)
        shape = (len(trees), nodes)
        feature = np.zeros(shape, dtype=np.int64)
        threshold = np.zeros(shape, dtype=np.float64)
        left = np.full(shape, -1, dtype=np.int64)  # a single-leaf tree: always leaf 0
        right = np.full(shape, -1, dtype=np.int64)
        leaf = np.zeros((len(trees), leaves), dtype=np.float64)
        for t, tree in enumerate(trees):
            values = np.array(tree["leaf_value"].split(), dtype=np.float64)
            leaf[t, : len(values)] = values
            if int(tree["num_leaves"]) == 1:
                continue
            k = int(tree["num_leaves"]) - 1
            feature[t, :k] = np.array(tree["split_feature"].split(), dtype=np.int64)
            threshold[t, :k] = np.array(tree["threshold"].split(), dtype=np.float64)
            left[t, :k] = np.array(tree["left_child"].split(), dtype=np.int64)
            right[t, :k] = np.array(tree["right_child"].split(), dtype=np.int64)
        return cls(names, feature, threshold, left, right, leaf, text)

    def predict(self, x: np.ndarray, *, many: bool = False) -> np.ndarray:
        """Sum of tree outputs for each row of ``x`` (rows x features).

        Large batches go to LightGBM's C++ predictor (the same numbers; its import
        costs a second once, which a batch job repays and a single headline would not).
        ``many``: more batches follow (a long job), so every batch goes there; so does
        every batch once LightGBM is loaded.
        """
        x = np.asarray(x, dtype=np.float64)
        large = many or len(x) >= BOOSTER_FROM_ROWS or self._booster is not None
        if large and self.text and x.ndim == 2 and x.shape[1] == len(self.feature_names):
            if self._booster is None:
                import lightgbm

                self._booster = lightgbm.Booster(model_str=self.text)
            return self._booster.predict(x, num_threads=1)
        return self.predict_numpy(x)

    def predict_numpy(self, x: np.ndarray) -> np.ndarray:
        """Sum of tree outputs for each row of ``x`` (rows x features), with numpy only.

        Every (row, tree) pair walks down together; pairs that reach a leaf leave
        the active set, so the work follows the average path, not the deepest one.
        """
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != len(self.feature_names):
            raise ForestError(f"expected rows of {len(self.feature_names)} features, got shape {x.shape}")
        n, (trees, nodes) = x.shape[0], self.feature.shape
        if n == 0:
            return np.zeros(0)
        flat_x = x.ravel()
        feature, threshold = self.feature.ravel(), self.threshold.ravel()
        left, right = self.left.ravel(), self.right.ravel()
        pairs = np.arange(n * trees)
        row_base = (pairs // trees) * x.shape[1]  # where each pair's row starts in flat_x
        tree_base = (pairs % trees) * nodes  # where each pair's tree starts in the node tables
        leaf = np.empty(n * trees, dtype=np.int64)
        active, node = pairs, np.zeros(n * trees, dtype=np.int64)
        while active.size:
            at = tree_base[active] + node
            go_left = flat_x[row_base[active] + feature[at]] <= threshold[at]
            nxt = np.where(go_left, left[at], right[at])
            done = nxt < 0
            leaf[active[done]] = ~nxt[done]
            active, node = active[~done], nxt[~done]
        values = self.leaf.ravel()[(pairs % trees) * self.leaf.shape[1] + leaf]
        return values.reshape(n, trees).sum(axis=1)


def _fields(block: str) -> dict[str, str]:
    out = {}
    for line in block.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out
