"""Score rows with a LightGBM model saved as text, using numpy only.

Importing lightgbm costs about a second (it pulls in pandas and scipy), which
would double the cold start of ``summarize headline``. A trained ranker is a
sum of regression trees, so inference reads the standard LightGBM text file
(``Booster.save_model``) and walks every tree for all rows at once::

    forest = Forest.from_file("model/ranker.txt")
    scores = forest.predict(X)          # equals lightgbm.Booster(model_file=...).predict(X)

Only what the trainer produces is supported: numerical splits; leaf values
already include the shrinkage. Features never hold NaN here, so a row goes
left when ``x <= threshold`` (LightGBM's rule for present values).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np


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
    depth: int

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
        depth = max(_depth(l, r) for l, r in zip(left, right))
        return cls(names, feature, threshold, left, right, leaf, depth)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Sum of tree outputs for each row of ``x`` (rows x features)."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != len(self.feature_names):
            raise ForestError(f"expected rows of {len(self.feature_names)} features, got shape {x.shape}")
        n, trees = x.shape[0], self.feature.shape[0]
        if n == 0:
            return np.zeros(0)
        tree_idx = np.arange(trees)[None, :]
        node = np.zeros((n, trees), dtype=np.int64)  # >= 0: internal node; < 0: ~leaf
        rows = np.arange(n)[:, None]
        for _ in range(self.depth):
            active = node >= 0
            if not active.any():
                break
            at = np.where(active, node, 0)
            feat = self.feature[tree_idx, at]
            go_left = x[rows, feat] <= self.threshold[tree_idx, at]
            nxt = np.where(go_left, self.left[tree_idx, at], self.right[tree_idx, at])
            node = np.where(active, nxt, node)
        return self.leaf[tree_idx, ~node].sum(axis=1)


def _fields(block: str) -> dict[str, str]:
    out = {}
    for line in block.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def _depth(left: np.ndarray, right: np.ndarray) -> int:
    """Longest root-to-leaf path of one tree (1 for a single leaf)."""
    if left[0] < 0 and right[0] < 0 and (left == -1).all():
        return 1
    best, stack = 1, [(0, 1)]
    while stack:
        node, d = stack.pop()
        best = max(best, d)
        for child in (left[node], right[node]):
            if child >= 0:
                stack.append((child, d + 1))
    return best
