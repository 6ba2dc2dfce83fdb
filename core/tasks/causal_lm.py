"""causal-lm: adapt a language model to instructions, chats or plain text.

Rows come in three forms, recognised row by row:

- ``{"instruction": str, "response": str}`` (an optional ``"input"`` is appended to the
  instruction): only the response is scored;
- ``{"messages": [{"role": ..., "content": ...}, ...]}``: a chat; only the assistant turns
  are scored;
- ``{"text": str}``: plain text, scored on every token.

Instructions and chats go through the tokenizer's chat template when it has one, else through
a plain template (``### Instruction:`` / ``### Response:``, the response closed by the
end-of-sequence token). Tokens that are not scored carry the label -100. The loss is the
next-token cross-entropy over the scored tokens; an evaluation hands the metrics each
example's summed negative log-likelihood (predictions) and its scored-token count
(references), from which perplexity follows. After each validation evaluation the model
answers a few fixed prompts greedily (``training.generation_prompts``, else the first
validation prompts), and the run records what it said.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

import torch

from ..errors import DataError
from .base import Task
from .text_classification import input_file, json_lines, read_utf8

CAUSAL_LM = "causal-lm"
IGNORE = -100  # the label of a token that is not scored
FORMS = ("instruction", "chat", "text")
ROLES = ("system", "user", "assistant")
GENERATION_PROMPTS = 3  # validation prompts answered after each evaluation, when none are given
MAX_NEW_TOKENS = 32  # after an evaluation
PREDICT_NEW_TOKENS = 64  # tunekit predict


class CausalLM(Task):
    name = CAUSAL_LM
    labelled = False

    def __init__(self) -> None:
        # where encode leaves its notes: the data notes of the run being prepared
        self._notes: list[str] = []

    # ------------------------------------------------------------------ data

    def labels(self, splits: Any, where: str) -> list[str]:
        from ..data import require_rows

        require_rows(splits, where)
        for name in ("train", "validation", "test"):
            for index, row in enumerate(getattr(splits, name) or []):
                form_of(row, f"{where}: {name} example {index + 1}")
        self._notes = splits.notes
        return []

    def describe_data(self, splits: Any) -> dict[str, Any]:
        forms = {form: 0 for form in FORMS}
        for row in splits.train:
            forms[form_of(row, "train")] += 1
        return {"train_forms": {k: v for k, v in forms.items() if v}}

    # ------------------------------------------------------------------ batches

    def encode(self, rows: list[dict[str, Any]], built: Any, label_ids: dict[str, int],
               max_length: int) -> list[dict[str, Any]]:
        features, cut = [], []
        for index, row in enumerate(rows):
            feature = encode_row(row, built, max_length)
            if any(label != IGNORE for label in feature["labels"]):
                features.append(feature)
            else:
                cut.append(index + 1)
        if cut and not features:
            raise DataError(f"every example's scored part lies beyond max_length {max_length} "
                            "tokens: nothing is left to train on", where="training.max_length",
                            hint="raise training.max_length, or shorten the prompts")
        if cut:
            shown = ", ".join(map(str, cut[:5])) + (" ..." if len(cut) > 5 else "")
            note = (f"{len(cut)} of {len(rows)} examples left out: their prompt fills "
                    f"max_length ({max_length} tokens), so nothing of the response remains to "
                    f"score (examples {shown}); raise training.max_length to keep them")
            self._notes.append(note)
            print(f"note: {note}", file=sys.stderr)
        return features

    def length(self, feature: dict[str, Any]) -> int:
        return len(feature["input_ids"])

    def collate(self, features: list[dict[str, Any]], built: Any, *,
                train: bool) -> dict[str, torch.Tensor]:
        return pad_batch(features, pad_id(built))

    def loss_function(self, training: Any, labels: list[str], train_rows: list[dict[str, Any]],
                      device: Any) -> Callable[[Any, dict[str, torch.Tensor]], torch.Tensor]:
        def loss(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
            nll, counts = token_nll(model, batch)
            return nll.sum() / counts.sum().clamp(min=1)

        return loss

    def evaluate_batch(self, model: Any, batch: dict[str, torch.Tensor]) -> dict[str, Any]:
        nll, counts = token_nll(model, batch)
        summed = nll.sum(-1)
        scored = counts.sum(-1)
        return {"loss": summed / scored.clamp(min=1), "predictions": summed,
                "references": scored}

    def extra_scores(self, gathered: dict[str, list[Any]],
                     labels: list[str]) -> tuple[dict[str, float], dict[str, Any]]:
        token_loss = mean_token_loss(gathered["predictions"], gathered["references"])
        return {"perplexity": perplexity(token_loss), "token_loss": token_loss}, {}

    def after_evaluation(self, model: Any, built: Any,
                         options: dict[str, Any]) -> dict[str, Any]:
        """Greedy answers to the spec's ``generation_prompts`` (``options["prompts"]``), else
        to the first validation prompts (``options["validation"]``)."""
        prompts = list(options.get("prompts") or [])
        rows = options.get("validation") or []
        plain = bool(rows) and all(form_of(r, "validation") == "text" for r in rows)
        if prompts:
            items = [{"text": p} if plain else {"instruction": p} for p in prompts]
        else:
            items = [prompt_row(r) for r in rows[:GENERATION_PROMPTS]]
        outputs = generate(model, built, items, options.get("max_length", built.max_length),
                           options.get("max_new_tokens", MAX_NEW_TOKENS))
        return {"generations": [{"prompt": shown_prompt(item), "output": output}
                                for item, output in zip(items, outputs, strict=True)]}

    # ------------------------------------------------------------------ using the model

    def read_inputs(self, value: str) -> list[Any]:
        return read_prompts(value)

    def predict(self, model: Any, built: Any, inputs: list[Any], labels: list[str],
                max_length: int) -> list[dict[str, Any]]:
        items = [item if isinstance(item, dict) else {"instruction": str(item)}
                 for item in inputs]
        outputs = generate(model, built, items, max_length, PREDICT_NEW_TOKENS)
        return [{"input": original, "output": output}
                for original, output in zip(inputs, outputs, strict=True)]


# ---------------------------------------------------------------- rows


def form_of(row: Any, where: str) -> str:
    """Which of the three forms a row has (instruction, chat, text), or a DataError."""
    if isinstance(row, dict):
        if "messages" in row:
            messages = row["messages"]
            if not isinstance(messages, list) or not messages or not all(
                    isinstance(m, dict) and isinstance(m.get("content"), str)
                    and m.get("role") in ROLES for m in messages):
                raise DataError("'messages' must be a list of {role, content} with roles "
                                f"{', '.join(ROLES)}", where=where)
            if not any(m["role"] == "assistant" for m in messages):
                raise DataError("the chat has no assistant turn: nothing to learn from it",
                                where=where, hint="add the assistant's answer")
            return "chat"
        if "instruction" in row or "response" in row:
            for key in ("instruction", "response"):
                if not isinstance(row.get(key), str) or not row[key].strip():
                    raise DataError(f"'{key}' must be a non-empty text", where=where)
            if row.get("input") is not None and not isinstance(row["input"], str):
                raise DataError("'input' must be a text", where=where)
            return "instruction"
        if isinstance(row.get("text"), str):
            if not row["text"].strip():
                raise DataError("'text' is empty", where=where)
            return "text"
    raise DataError("expected {instruction, response}, {messages: [...]} or {text}",
                    where=where, hint="see `tunekit plugins show text-jsonl` for the forms")


def instruction_text(row: dict[str, Any]) -> str:
    extra = row.get("input")
    return f"{row['instruction']}\n\n{extra}" if extra else row["instruction"]


def as_messages(row: dict[str, Any]) -> list[dict[str, str]]:
    """An instruction or chat row as a conversation."""
    if "messages" in row:
        return [{"role": m["role"], "content": m["content"]} for m in row["messages"]]
    messages = [{"role": "user", "content": instruction_text(row)}]
    if row.get("response") is not None:
        messages.append({"role": "assistant", "content": row["response"]})
    return messages


def prompt_row(row: dict[str, Any]) -> dict[str, Any]:
    """What the model is asked to continue for ``row``: the conversation up to its last
    assistant turn, the instruction, or the first half of a text (at most 16 words)."""
    if "messages" in row:
        messages = row["messages"]
        last = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"),
                   default=len(messages))
        return {"messages": messages[:last]}
    if "instruction" in row:
        return {"instruction": row["instruction"], "input": row.get("input")}
    words = str(row.get("text", "")).split()
    return {"text": " ".join(words[:max(1, min(16, len(words) // 2))])}


def shown_prompt(item: dict[str, Any]) -> str:
    """A prompt as a person reads it (not as the template renders it)."""
    if "messages" in item:
        return "\n".join(f"{m['role']}: {m['content']}" for m in item["messages"])
    if "instruction" in item:
        return instruction_text(item)
    return item["text"]


# ---------------------------------------------------------------- templates and tokens


def pad_id(built: Any) -> int:
    tokenizer = built.tokenizer
    for value in (tokenizer.pad_token_id, tokenizer.eos_token_id):
        if value is not None:
            return int(value)
    return 0


def eos_id(built: Any) -> int | None:
    """The token that ends a response: the tokenizer's, else the model's, else [SEP]."""
    tokenizer = built.tokenizer
    config_eos = getattr(getattr(built.model, "config", None), "eos_token_id", None)
    if isinstance(config_eos, list):
        config_eos = config_eos[0] if config_eos else None
    for value in (tokenizer.eos_token_id, config_eos, getattr(tokenizer, "sep_token_id", None)):
        if value is not None:
            return int(value)
    return None


def _template(tokenizer: Any) -> bool:
    return bool(getattr(tokenizer, "chat_template", None))


def _render(tokenizer: Any, messages: list[dict[str, str]], prompt: bool) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=prompt)


# a piece of a row's text: (text, scored), or the end-of-sequence token (None, scored)
Piece = tuple[str | None, bool]


def chat_pieces(tokenizer: Any, messages: list[dict[str, str]]) -> list[Piece] | None:
    """The conversation through the chat template, cut where each assistant turn starts and
    ends; None when the template does not render a conversation's beginnings as prefixes of
    the whole (the turns cannot be found then)."""
    try:
        full = _render(tokenizer, messages, False)
        pieces: list[Piece] = []
        done = 0
        for index, message in enumerate(messages):
            if message["role"] != "assistant":
                continue
            asked = _render(tokenizer, messages[:index], True) if index else ""
            answered = _render(tokenizer, messages[:index + 1], False)
            if not (full.startswith(asked) and full.startswith(answered)
                    and done <= len(asked) <= len(answered)):
                return None
            pieces += [(full[done:len(asked)], False), (full[len(asked):len(answered)], True)]
            done = len(answered)
    except Exception:  # noqa: BLE001 - a template that cannot render this conversation
        return None
    pieces.append((full[done:], False))
    return [p for p in pieces if p[0]]


PLAIN_HEADINGS = {"system": "### System:\n", "user": "### Instruction:\n"}
PLAIN_RESPONSE = "### Response:\n"


def plain_pieces(messages: list[dict[str, str]], prompt: bool = False) -> list[Piece]:
    """The plain template: headed turns, each response closed by the end-of-sequence token;
    with ``prompt``, ending on an open response heading."""
    pieces: list[Piece] = []
    for message in messages:
        if message["role"] == "assistant":
            pieces += [(PLAIN_RESPONSE, False), (message["content"], True), (None, True),
                       ("\n\n", False)]
        else:
            pieces.append((PLAIN_HEADINGS[message["role"]] + message["content"] + "\n\n", False))
    if prompt:
        pieces.append((PLAIN_RESPONSE, False))
    return pieces


def row_pieces(row: dict[str, Any], tokenizer: Any) -> list[Piece]:
    """A training row as pieces of text, each scored or not."""
    if "text" in row and "messages" not in row and "instruction" not in row:
        return [(row["text"], True), (None, True)]
    messages = as_messages(row)
    if _template(tokenizer):
        pieces = chat_pieces(tokenizer, messages)
        if pieces is not None:
            return pieces
    return plain_pieces(messages)


def prompt_pieces(item: dict[str, Any], tokenizer: Any) -> list[Piece]:
    """A prompt to continue, as the model saw prompts in training."""
    if "text" in item and "messages" not in item and "instruction" not in item:
        return [(item["text"], False)]
    messages = as_messages({k: v for k, v in item.items() if k != "response"})
    if _template(tokenizer):
        try:
            return [(_render(tokenizer, messages, True), False)]
        except Exception:  # noqa: BLE001 - fall back to the plain template
            pass
    return plain_pieces(messages, prompt=True)


def tokenize_pieces(pieces: list[Piece], built: Any) -> tuple[list[int], list[int]]:
    """Token ids and labels of the pieces (the unscored ones' labels -100), the beginning-of-
    sequence token first when the tokenizer has one. The text is tokenized as a whole where
    the tokenizer gives character offsets, so words are split as they will be at inference."""
    tokenizer = built.tokenizer
    ids: list[int] = []
    labels: list[int] = []
    bos = tokenizer.bos_token_id
    if bos is not None and not (pieces and pieces[0][0] and tokenizer.bos_token
                                and pieces[0][0].startswith(tokenizer.bos_token)):
        ids, labels = [int(bos)], [IGNORE]
    eos = eos_id(built)
    run: list[Piece] = []
    for piece in [*pieces, (None, False)]:
        if piece[0] is not None:
            run.append(piece)
            continue
        new_ids, new_labels = _tokenize_text(run, tokenizer)
        ids += new_ids
        labels += new_labels
        run = []
        if piece[1] and eos is not None:  # the end-of-sequence token, scored
            ids.append(eos)
            labels.append(eos)
    return ids, labels


def _tokenize_text(pieces: list[Piece], tokenizer: Any) -> tuple[list[int], list[int]]:
    if not pieces:
        return [], []
    if getattr(tokenizer, "is_fast", False):
        text = "".join(p[0] for p in pieces)
        spans, at = [], 0
        for piece_text, scored in pieces:
            if scored:
                spans.append((at, at + len(piece_text)))
            at += len(piece_text)
        encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        ids = list(encoded["input_ids"])
        labels = [token if any(a <= start < b for a, b in spans) else IGNORE
                  for token, (start, _end) in zip(ids, encoded["offset_mapping"], strict=True)]
        return ids, labels
    ids, labels = [], []
    for piece_text, scored in pieces:
        tokens = tokenizer(piece_text, add_special_tokens=False)["input_ids"]
        ids += tokens
        labels += tokens if scored else [IGNORE] * len(tokens)
    return ids, labels


def encode_row(row: dict[str, Any], built: Any, max_length: int) -> dict[str, Any]:
    """One row's features: ids, mask and labels, cut to ``max_length`` keeping the start."""
    ids, labels = tokenize_pieces(row_pieces(row, built.tokenizer), built)
    ids, labels = ids[:max_length], labels[:max_length]
    return {"input_ids": ids, "attention_mask": [1] * len(ids), "labels": labels}


def pad_batch(features: list[dict[str, Any]], pad: int) -> dict[str, torch.Tensor]:
    """Pad on the right to the longest example: ids with ``pad``, mask 0, labels -100."""
    width = max(len(f["input_ids"]) for f in features)
    fills = {"input_ids": pad, "attention_mask": 0, "labels": IGNORE}
    return {key: torch.tensor([f[key] + [fill] * (width - len(f[key])) for f in features])
            for key, fill in fills.items()}


# ---------------------------------------------------------------- loss and perplexity


def token_nll(model: Any, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-token negative log-likelihood of the next token (0 where it is not scored) and a
    mask of the scored tokens, both batch x (length - 1)."""
    labels = batch["labels"]
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    logits, targets = logits[:, :-1].float(), labels[:, 1:]
    nll = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)),
                                            targets.reshape(-1), ignore_index=IGNORE,
                                            reduction="none").view(targets.shape)
    return nll, (targets != IGNORE).to(nll.dtype)


def mean_token_loss(summed: list[float], counts: list[float]) -> float:
    """The negative log-likelihood per scored token over a whole split."""
    tokens = sum(counts)
    return float(sum(summed) / tokens) if tokens else float("nan")


def perplexity(token_loss: float) -> float:
    """exp(mean token loss): how many tokens the model hesitates between, on average."""
    try:
        return math.exp(token_loss)
    except OverflowError:
        return float("inf")


# ---------------------------------------------------------------- generation


def generate(model: Any, built: Any, items: list[dict[str, Any]], max_length: int,
             max_new_tokens: int, batch_size: int = 16) -> list[str]:
    """Greedy continuations of the prompts ``items`` (rows in any of the three forms, the
    response left out), batch by batch, padded on the left."""
    tokenizer = built.tokenizer
    device = next(model.parameters()).device
    pad, eos = pad_id(built), eos_id(built)
    # the model's own stop tokens too (an end-of-turn token that is not the end of sequence)
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    stops = [t for t in dict.fromkeys([eos, *(configured if isinstance(configured, list)
                                               else [configured])]) if t is not None]
    room = max(1, max_length - max_new_tokens)  # the prompt keeps its end when too long
    was_training = model.training
    model.eval()
    outputs: list[str] = []
    try:
        for start in range(0, len(items), batch_size):
            prompts = [tokenize_pieces(prompt_pieces(item, tokenizer), built)[0][-room:]
                       for item in items[start:start + batch_size]]
            width = max(len(p) for p in prompts)
            ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts], device=device)
            mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts],
                                device=device)
            with torch.no_grad():
                generated = model.generate(input_ids=ids, attention_mask=mask,
                                           max_new_tokens=max_new_tokens, do_sample=False,
                                           pad_token_id=pad, eos_token_id=stops or None)
            for row in generated[:, width:].tolist():
                ends = [row.index(t) for t in stops if t in row]
                row = row[:min(ends)] if ends else row
                outputs.append(tokenizer.decode(row, skip_special_tokens=True).strip())
    finally:
        model.train(was_training)
    return outputs


def read_prompts(value: str) -> list[Any]:
    """What ``tunekit predict --input`` was given: a prompt, or a file of prompts (one per
    line, or JSON lines with ``instruction`` (and ``input``), ``messages`` or ``text``)."""
    path = input_file(value)
    if path is None:
        return [value]
    raw = read_utf8(path)
    if path.suffix.lower() not in (".jsonl", ".json"):
        prompts: list[Any] = [line for line in raw.splitlines() if line.strip()]
        if not prompts:
            raise DataError("no prompts in the file", where=str(path))
        return prompts
    prompts = []
    for where, item in json_lines(path, raw):
        if isinstance(item, dict) and "instruction" in item and "response" not in item:
            item = {**item, "response": "-"}  # a prompt needs no response: check the rest
            form_of(item, where)
            item = {k: v for k, v in item.items() if k != "response"}
        elif isinstance(item, dict) and "messages" in item and isinstance(item["messages"],
                                                                          list):
            turns = item["messages"]
            form_of({"messages": [*turns, {"role": "assistant", "content": ""}]}, where)
        else:
            form_of(item, where)
        prompts.append(item)
    if not prompts:
        raise DataError("no prompts in the file", where=str(path))
    return prompts
