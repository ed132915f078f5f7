"""Tiny article-headline pairs shared by the headline training tests.

Loaded as a plugin by conftest.py; tests take the ``headline_kit`` fixture rather than importing this module."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

PLACES = ["高新区", "临港园区", "科技城", "开发区", "创新港", "软件园", "物流园", "新材料园"]
THINGS = ["人工智能平台", "新能源项目", "物流中心", "研发基地", "孵化器", "数据中心", "芯片工厂", "医疗器械园"]
ACTS = ["正式启用", "开工建设", "签约落地", "投入运营", "通过验收", "揭牌成立", "完成融资", "扩建完工"]


def make_pairs(n=8):
    rows = []
    for i in range(n):
        place, thing, act = PLACES[i % 8], THINGS[(i * 3) % 8], ACTS[(i * 5) % 8]
        title = f"{place}{thing}{act}"
        text = (f"本报讯(记者王明)6月{20 + i}日，{place}{thing}{act}。该{thing}总投资{3 + i}亿元，"
                f"预计年产值{10 * (i + 1)}亿元。相关负责人表示，将继续优化营商环境。")
        rows.append({"id": f"a{i}", "title": title, "text": text})
    return rows


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def headline_kit():
    """``headline_kit.make_pairs(n)`` (8 distinct pairs by default) and ``headline_kit.write_jsonl(path, rows)``."""
    return SimpleNamespace(make_pairs=make_pairs, write_jsonl=write_jsonl)
