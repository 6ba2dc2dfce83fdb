"""token-classification: a tag for each word (named entities, parts of speech, chunks).

Rows are ``{"tokens": [word, ...], "tags": [tag, ...]}``, one tag per word: BIO tags for
entities and chunks, or plain tags such as parts of speech (``tunekit.tagging``). Words are
tokenized as given (``is_split_into_words``), and the tags are aligned to sub-tokens with the
tokenizer's ``word_ids()``: **the first sub-token of each
word carries the word's tag; the word's other sub-tokens and the special tokens carry -100**,
which the loss ignores. So the model learns, and is scored, once per word.

Evaluation reads the prediction at each word's first sub-token and hands the metrics a list of
tag indices per example, one per word. Words cut off by truncation (``max_length``) have no
prediction: they are scored as predicted ``O``, so a too-short ``max_length`` shows in the
scores instead of being hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from ..data import require_rows
from ..errors import DataError, SpecError
from ..tagging import OUTSIDE, entities, tag_scheme, tags_problem
from .base import Task
from .text_classification import json_lines, pad_id_of, read_texts, read_utf8

TOKEN_CLASSIFICATION = "token-classification"
IGNORE = -100  # the label of sub-tokens that are not the first of a word (CrossEntropy skips it)


def check_row(row: Any, split: str, index: int, source: str) -> str | None:
    """Why a row cannot train a tagger (named by its split and number), or None."""
    where = f"{split} row {index + 1}"
    if not isinstance(row, dict):
        return f"{where} is not a mapping with 'tokens' and 'tags'"
    tokens, tags = row.get("tokens"), row.get("tags")
    for name, value in (("tokens", tokens), ("tags", tags)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"{where}: {name!r} must be a list of strings"
    if not tokens:
        return f"{where} has no tokens"
    if len(tokens) != len(tags):
        return f"{where} has {len(tokens)} tokens but {len(tags)} tags"
    return None


def _tag_problem(splits: Any, where: str) -> None:
    """A DataError at the first tag that breaks the scheme of all the splits' tags together."""
    found = tags_problem(
        ((split, index, row), tag) for split in ("train", "validation", "test")
        for index, row in enumerate(getattr(splits, split) or []) for tag in row["tags"])
    if found:
        (split, index, row), problem = found
        line = row.get("line")
        raise DataError(f"{split} row {index + 1}: {problem}",
                        where=f"{where}:{line}" if line else where,
                        hint="use one scheme: O, B-TYPE and I-TYPE for entities, or plain tags "
                             "(NN, VB...) for parts of speech")


class TokenClassification(Task):
    name = TOKEN_CLASSIFICATION

    def labels(self, splits: Any, where: str) -> list[str]:
        """``O`` then the other tags of the training split, sorted. A set of plain tags
        (parts of speech) has no ``O`` of its own: it is added all the same, as the "no tag"
        a word cut off by ``max_length`` is scored as."""
        require_rows(splits, where)
        for split in ("train", "validation", "test"):
            for index, row in enumerate(getattr(splits, split) or []):
                problem = check_row(row, split, index, where)
                if problem:
                    line = row.get("line") if isinstance(row, dict) else None
                    raise DataError(problem, where=f"{where}:{line}" if line else where,
                                    hint="each row needs a list of tokens and as many tags")
        _tag_problem(splits, where)
        seen = {tag for row in splits.train for tag in row["tags"]}
        if seen <= {OUTSIDE}:
            raise DataError("the training split has no entity tags (every word is O)",
                            where=where, hint="check the tag column or field")
        labels = [OUTSIDE, *sorted(seen - {OUTSIDE})]
        for split in ("validation", "test"):
            unseen = sorted({tag for row in getattr(splits, split) or [] for tag in row["tags"]}
                            - set(labels))
            if unseen:
                raise DataError(
                    f"the {split} split has tags never seen in training: {', '.join(unseen[:5])}",
                    where=where, hint="add training sentences with those tags or drop those "
                                      "sentences")
        return labels

    def describe_data(self, splits: Any) -> dict[str, Any]:
        types: dict[str, int] = {}
        words = 0
        scheme = tag_scheme(tag for row in splits.train for tag in row["tags"])
        for row in splits.train:
            words += len(row["tokens"])
            for type_, _, _ in entities(row["tags"], scheme):
                types[type_] = types.get(type_, 0) + 1
        return {"train_entities": dict(sorted(types.items())), "train_words": words}

    def encode(self, rows: list[dict[str, Any]], built: Any, label_ids: dict[str, int],
               max_length: int) -> list[dict[str, Any]]:
        encoded = tokenize_words(built.tokenizer, [r["tokens"] for r in rows], max_length)
        keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in encoded]
        features = []
        for i, row in enumerate(rows):
            tags = [label_ids[tag] for tag in row["tags"]]
            starts = first_subtokens(encoded.word_ids(i), len(tags))
            labels = [IGNORE] * len(encoded["input_ids"][i])
            for word, position in enumerate(starts):
                if position >= 0:
                    labels[position] = tags[word]
            features.append({**{k: encoded[k][i] for k in keys}, "labels": labels,
                             "word_starts": starts, "word_labels": tags})
        return features

    def length(self, feature: dict[str, Any]) -> int:
        return len(feature["input_ids"])

    def collate(self, features: list[dict[str, Any]], built: Any, *,
                train: bool) -> dict[str, torch.Tensor]:
        fills = {"input_ids": pad_id_of(built), "labels": IGNORE, "word_starts": -1,
                 "word_labels": IGNORE}
        batch = {}
        for key in features[0]:
            width = max(len(f[key]) for f in features)
            fill = fills.get(key, 0)
            batch[key] = torch.tensor([f[key] + [fill] * (width - len(f[key]))
                                       for f in features])
        return batch

    def loss_function(self, training: Any, labels: list[str], train_rows: list[dict[str, Any]],
                      device: Any) -> Callable[[Any, dict[str, torch.Tensor]], torch.Tensor]:
        if training.class_weights:
            raise SpecError("class weights are not supported for token-classification",
                            where="training.class_weights", hint="leave it unset")

        def loss(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
            logits = _logits(model, batch)
            return torch.nn.functional.cross_entropy(
                logits.flatten(0, 1), batch["labels"].flatten(), ignore_index=IGNORE,
                label_smoothing=training.label_smoothing)

        return loss

    def evaluate_batch(self, model: Any, batch: dict[str, torch.Tensor]) -> dict[str, Any]:
        logits = _logits(model, batch)
        targets = batch["labels"]
        per_token = torch.nn.functional.cross_entropy(
            logits.transpose(1, 2), targets, ignore_index=IGNORE, reduction="none")
        counted = (targets != IGNORE).sum(-1).clamp(min=1)
        best = logits.argmax(-1).cpu().tolist()
        predictions, references = [], []
        for row, starts, gold in zip(best, batch["word_starts"].tolist(),
                                     batch["word_labels"].tolist(), strict=True):
            words = [tag for tag in gold if tag != IGNORE]
            # a word truncated away has no sub-token: it counts as predicted O (index 0)
            predictions.append([row[p] if p >= 0 else 0 for p in starts[:len(words)]])
            references.append(words)
        return {"loss": per_token.sum(-1) / counted, "predictions": predictions,
                "references": references}

    def read_inputs(self, value: str) -> list[Any]:
        """A sentence (split on whitespace), or a file of them: one per line (.txt), a
        ``text`` column (.csv), a ``text`` or ``tokens`` field per line (.jsonl)."""
        path = Path(value)
        try:
            is_jsonl = len(value) < 4096 and path.is_file() and \
                path.suffix.lower() in (".jsonl", ".json")
        except OSError:
            is_jsonl = False
        if is_jsonl:
            return _read_token_lines(path)
        sentences = [text.split() for text in read_texts(value)]
        empty = next((i for i, words in enumerate(sentences) if not words), None)
        if empty is not None:
            raise DataError("an input has no words", where=value if len(sentences) == 1
                            else f"{value}: input {empty + 1}")
        return sentences

    def predict(self, model: Any, built: Any, inputs: list[Any], labels: list[str],
                max_length: int) -> list[dict[str, Any]]:
        device = next(model.parameters()).device
        scheme = tag_scheme(labels)
        results = []
        for start in range(0, len(inputs), 32):
            chunk = [list(words) for words in inputs[start:start + 32]]
            encoded = tokenize_words(built.tokenizer, chunk, max_length, tensors=True)
            keys = [k for k in ("input_ids", "attention_mask", "token_type_ids")
                    if k in encoded]
            logits = model(**{k: encoded[k].to(device) for k in keys}).logits
            best = logits.argmax(-1).cpu().tolist()
            for i, words in enumerate(chunk):
                starts = first_subtokens(encoded.word_ids(i), len(words))
                tags = [labels[best[i][p]] if p >= 0 else OUTSIDE for p in starts]
                results.append({
                    "input": " ".join(words), "tokens": words, "tags": tags,
                    "entities": [{"type": type_, "text": " ".join(words[first:last + 1]),
                                  "start": first, "end": last + 1}
                                 for type_, first, last in entities(tags, scheme)]})
        return results


# ---------------------------------------------------------------- word alignment


def tokenize_words(tokenizer: Any, sentences: list[list[str]], max_length: int,
                   tensors: bool = False) -> Any:
    """Tokenize sentences given as words; a clear error for tokenizers that cannot say which
    word each sub-token came from (the slow, pure-Python ones)."""
    if not getattr(tokenizer, "is_fast", False):
        raise SpecError(f"the backbone's tokenizer ({type(tokenizer).__name__}) cannot map "
                        "sub-tokens back to words, which token-classification needs",
                        where="backbone", hint="use a backbone with a fast (Rust) tokenizer, "
                        "e.g. minilm-l6 or a BERT, RoBERTa or GPT-2 model")
    options: dict[str, Any] = {"is_split_into_words": True, "truncation": True,
                               "max_length": max_length}
    if tensors:
        options.update(padding=True, return_tensors="pt")
    try:
        return tokenizer(sentences, **options)
    except Exception as exc:
        if "add_prefix_space" not in str(exc):
            raise
        # byte-level BPE (GPT-2, RoBERTa) must put a space before each given word
        raise SpecError(f"the tokenizer cannot take text split into words as it is set up: "
                        f"{str(exc).splitlines()[0]}", where="backbone",
                        hint="load the tokenizer with add_prefix_space=True") from None


def first_subtokens(word_ids: list[int | None], words: int) -> list[int]:
    """For each of ``words`` words, the position of its first sub-token (-1 when truncation
    cut the word off)."""
    starts = [-1] * words
    for position, word in enumerate(word_ids):
        if word is not None and word < words and starts[word] < 0:
            starts[word] = position
    return starts


def _logits(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    inputs = {k: v for k, v in batch.items()
              if k not in ("labels", "word_starts", "word_labels")}
    return model(**inputs).logits.float()


def _read_token_lines(path: Path) -> list[list[str]]:
    sentences = []
    for where, item in json_lines(path, read_utf8(path)):
        tokens = item.get("tokens") if isinstance(item, dict) else None
        text = item.get("text") if isinstance(item, dict) else None
        if isinstance(tokens, list) and tokens and all(isinstance(t, str) for t in tokens):
            sentences.append(tokens)
        elif isinstance(text, str) and text.split():
            sentences.append(text.split())
        else:
            raise DataError("expected an object with a 'tokens' list or a 'text' field",
                            where=where)
    if not sentences:
        raise DataError("no inputs in the file", where=str(path))
    return sentences
