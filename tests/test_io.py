import json

import pytest

from summarize.io import BadRow, InputError, atomic_open, atomic_write_jsonl, iter_jsonl, read_text


def test_read_text_detects_utf8_and_gb18030(tmp_path):
    (tmp_path / "u.txt").write_bytes("高新区\n".encode("utf-8"))
    (tmp_path / "g.txt").write_bytes("高新区新闻\n".encode("gb18030"))
    assert read_text(tmp_path / "u.txt") == ("高新区\n", "utf-8")
    assert read_text(tmp_path / "g.txt") == ("高新区新闻\n", "gb18030")


def test_utf8_bom_is_dropped(tmp_path):
    (tmp_path / "b.txt").write_bytes(b"\xef\xbb\xbf" + "标题".encode())
    assert read_text(tmp_path / "b.txt")[0] == "标题"


def test_undecodable_input_is_an_error_not_mojibake(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"ok \xff\xfe\xff\xff")
    with pytest.raises(InputError, match=r"bad.txt: cannot decode as utf-8 or gb18030"):
        read_text(path)


@pytest.mark.parametrize("kind", ["missing", "empty", "dir"])
def test_unusable_inputs_are_clear_errors(tmp_path, kind):
    path = tmp_path / "x"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "dir":
        path.mkdir()
    expected = {"missing": "no such file", "empty": "file is empty", "dir": "is a directory"}[kind]
    with pytest.raises(InputError, match=expected):
        read_text(path)


def test_iter_jsonl_reports_bad_lines_with_numbers(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"a": 1}\n\nnot json\n[1]\n{"a": 2}\n', encoding="utf-8")
    rows = list(iter_jsonl(path))
    assert rows[0] == (1, {"a": 1}) and rows[-1] == (5, {"a": 2})
    bad = [r for _, r in rows if isinstance(r, BadRow)]
    assert [b.line for b in bad] == [3, 4]
    assert str(bad[0]).startswith(f"{path}:3: invalid JSON")
    assert "expected a JSON object, got list" in bad[1].reason


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("old\n", encoding="utf-8")

    def rows():
        yield {"a": 1}
        raise RuntimeError("killed mid-way")

    with pytest.raises(RuntimeError):
        atomic_write_jsonl(path, rows())
    assert path.read_text(encoding="utf-8") == "old\n"
    assert list(tmp_path.iterdir()) == [path]  # no temp file left behind


def test_atomic_write_replaces_on_success(tmp_path):
    path = tmp_path / "sub" / "out.jsonl"
    assert atomic_write_jsonl(path, [{"t": "标题"}, {"t": "二"}]) == 2
    assert [json.loads(x)["t"] for x in path.read_text(encoding="utf-8").splitlines()] == ["标题", "二"]
    with atomic_open(path) as handle:
        handle.write("new")
    assert path.read_text(encoding="utf-8") == "new"


def test_atomic_output_follows_umask(tmp_path):
    import os

    path = tmp_path / "perm.txt"
    atomic_write_jsonl(path, [{"a": 1}])
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
