"""Score a set of plain-language requests through ``tunekit chat --json``, as a client would.

    .venv/bin/python tests/assistant_requests/score.py                 # the blind set
    .venv/bin/python tests/assistant_requests/score.py --misses        # and why each miss missed
    .venv/bin/python tests/assistant_requests/score.py --only tc05 --only lm11 --misses

Each request is one ``tunekit chat --json`` process (its turns one per line on standard input,
its own registry), run in a temporary folder holding the files the requests name
(``write_files``). Prints the exact-match rate per task and in all, the launches without a
confirmation (a run recorded although no turn confirmed), the silent replacements of a named
file (the spec's data is not the file the user named and no reply mentions it) and the median
latency of a call. The judging functions are importable, so a test can judge the same way.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from set_files import jsonl, parquet, table

HERE = Path(__file__).resolve().parent
BLIND_SET = HERE / "blind_2026_12_06.yaml"
LISTS = ("metrics", "exporters", "augmentations")
SLOTS = ("dataset", "backbone", "strategy")
MISSING = object()
# the first sets' JSON Lines escape non-ASCII, as when they were first scored
ascii_jsonl = partial(jsonl, ensure_ascii=True)


# ---------------------------------------------------------------- the files the requests name


def write_files(folder: Path, request_set: Path | None = None) -> None:
    """Write every file and folder the first three sets name into ``folder``, and those of
    ``request_set``'s own module (``files_<its name without "blind_">.py`` beside this file,
    where there is one: later sets write their own files, and two of them may use one file
    name for different contents)."""
    folder = Path(folder)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    _write_classification(folder)
    _write_regression(folder)
    _write_tagging(folder)
    _write_images(folder)
    _write_language(folder)
    _write_models(folder)
    _write_first_sight(folder)
    if request_set is not None:
        module = "files_" + Path(request_set).stem.removeprefix("blind_")
        if (HERE / f"{module}.py").exists():
            __import__(module).write(folder)


def _write_classification(folder: Path) -> None:
    topics = {
        "billing": ["I was charged twice on invoice {i}", "please refund order {i}",
                    "my card was billed {i} dollars too much"],
        "it": ["laptop {i} will not boot after the update", "cannot connect to the vpn from "
               "office {i}", "printer {i} shows a paper jam error"],
        "hr": ["how many holidays do I have left in year {i}", "question about parental leave "
               "policy {i}", "my payslip for month {i} is missing"],
    }

    def rows(start: int, n: int) -> list[tuple[str, str]]:
        out = []
        for i in range(start, start + n):
            for label, phrases in topics.items():
                out.append((phrases[i % 3].format(i=i), label))
        return out

    table(folder / "tickets.csv", ("message", "category"), rows(0, 20))
    table(folder / "tickets_val.csv", ("message", "category"), rows(100, 5))
    good = ["loved the product {i}", "great service on visit {i}", "works perfectly, order {i}"]
    bad = ["terrible support on call {i}", "broke after {i} days", "never again, order {i}"]
    ascii_jsonl(folder / "feedback.jsonl",
                 [{"text": (good if i % 2 else bad)[i % 3].format(i=i),
                   "label": "positive" if i % 2 else "negative"} for i in range(40)])


def _write_regression(folder: Path) -> None:
    table(folder / "ratings.csv", ("review", "stars"),
               [(f"review number {i}: {'good' if i % 2 else 'poor'} value, "
                 f"{'would buy again' if i % 3 else 'meh'}", round(1 + (i * 7 % 40) / 10, 1))
                for i in range(50)])
    table(folder / "house.csv", ("description", "price"),
               [(f"{2 + i % 4} bedroom house with {'a garden' if i % 2 else 'no garden'}, "
                 f"listing {i}", 150000 + 12500 * (i % 17)) for i in range(50)])
    ascii_jsonl(folder / "essays.jsonl",
                 [{"essay": f"essay {i}: the {'long and careful' if i % 2 else 'short'} "
                   f"argument about topic {i % 7}", "grade": 3 + (i % 9) * 0.5}
                  for i in range(40)])


def _sentences(n: int, seed: int) -> list[list[tuple[str, str]]]:
    people, places, orgs = ["Ana", "Bo", "Chen", "Dara"], ["Paris", "Lima", "Oslo"], ["Acme",
                                                                                     "Globex"]
    out = []
    for i in range(seed, seed + n):
        out.append([(people[i % 4], "B-PER"), ("visited", "O"), (places[i % 3], "B-LOC"),
                    ("for", "O"), (orgs[i % 2], "B-ORG"), (f"trip{i}", "O"), (".", "O")])
    return out


def _conll(sentences: list[list[tuple[str, str]]], pos: bool = False) -> str:
    blocks = []
    for sentence in sentences:
        if pos:  # word POS CHUNK: the tag the user wants is the second column
            blocks.append("\n".join(f"{w} {'NNP' if t != 'O' else 'VBD'} "
                                    f"{'B-NP' if t != 'O' else 'O'}" for w, t in sentence))
        else:
            blocks.append("\n".join(f"{w} {t}" for w, t in sentence))
    return "-DOCSTART- O\n\n" + "\n\n".join(blocks) + "\n"


def _write_tagging(folder: Path) -> None:
    (folder / "data" / "ner.conll").write_text(_conll(_sentences(40, 0)), encoding="utf-8")
    (folder / "train.conll").write_text(_conll(_sentences(40, 100)), encoding="utf-8")
    (folder / "dev.conll").write_text(_conll(_sentences(10, 200)), encoding="utf-8")
    (folder / "pos.conll").write_text(_conll(_sentences(30, 300), pos=True), encoding="utf-8")
    ascii_jsonl(folder / "tags.jsonl", [{"tokens": [w for w, _ in s], "tags": [t for _, t in s]}
                                         for s in _sentences(30, 400)])
    ascii_jsonl(folder / "entities.jsonl",
                 [{"words": [w for w, _ in s], "labels": [t for _, t in s]}
                  for s in _sentences(30, 500)])


def _write_images(folder: Path) -> None:
    from PIL import Image

    def draw(root: Path, classes: dict[str, tuple[int, int, int]], n: int) -> None:
        for label, colour in classes.items():
            (root / label).mkdir(parents=True, exist_ok=True)
            for i in range(n):
                shade = tuple(min(255, c + 9 * i) for c in colour)
                Image.new("RGB", (16, 16), shade).save(root / label / f"{label}_{i}.png")

    draw(folder / "photos", {"cat": (200, 40, 40), "dog": (40, 40, 200)}, 6)
    draw(folder / "val_photos", {"cat": (190, 50, 50), "dog": (50, 50, 190)}, 3)
    draw(folder / "xrays", {"normal": (30, 30, 30), "pneumonia": (160, 160, 160)}, 6)
    parts = folder / "_parts"
    draw(parts, {"ok": (20, 160, 20), "bad": (160, 20, 20)}, 6)
    with zipfile.ZipFile(folder / "parts.zip", "w") as archive:
        for image in sorted(parts.rglob("*.png")):
            archive.write(image, image.relative_to(parts).as_posix())
    shutil.rmtree(parts)


def _write_language(folder: Path) -> None:
    def chat(i: int) -> dict[str, Any]:
        return {"messages": [{"role": "user", "content": f"Where is my order {i}?"},
                             {"role": "assistant", "content": f"Order {i} ships tomorrow."}]}

    ascii_jsonl(folder / "chats.jsonl", [chat(i) for i in range(30)])
    ascii_jsonl(folder / "chats_val.jsonl", [chat(i) for i in range(100, 108)])
    ascii_jsonl(folder / "instructions.jsonl",
                 [{"instruction": f"Add {i} and {i + 1}.", "response": str(2 * i + 1)}
                  for i in range(30)])
    ascii_jsonl(folder / "faq.jsonl",
                 [{"instruction": "Answer the customer's question.",
                   "input": f"Can I return item {i}?", "response": "Yes, within 30 days."}
                  for i in range(30)])
    ascii_jsonl(folder / "notes.jsonl",
                 [{"text": f"Note {i}: remember to water the plants on day {i}."}
                  for i in range(30)])


def _write_models(folder: Path) -> None:
    configs = {
        "tiny-gpt2": {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_layer": 1,
                      "n_head": 2, "n_embd": 8, "n_positions": 64, "vocab_size": 128},
        "qwen-0.5b": {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"],
                      "num_hidden_layers": 1, "hidden_size": 8, "intermediate_size": 16,
                      "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 128},
        "vit-small": {"model_type": "vit", "architectures": ["ViTForImageClassification"],
                      "num_hidden_layers": 1, "hidden_size": 8, "intermediate_size": 16,
                      "num_attention_heads": 2, "image_size": 16, "patch_size": 8},
    }
    for name, config in configs.items():
        model = folder / "models" / name
        model.mkdir(parents=True, exist_ok=True)
        (model / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")


# ---------------------------------------------------------------- the 2026-12-07 set's files
# New names and shapes (tsv, an export with an index column, parquet, odd field names, CoNLL
# with POS and chunk columns, nested and zipped image folders, chats and corpora), so the
# 2026-12-07 set does not read the same files as the 2026-12-06 one.


def _write_first_sight(folder: Path) -> None:
    """Write every file and folder the 2026-12-07 set names into ``folder``."""
    _write_fs_classification(folder)
    _write_fs_regression(folder)
    _write_fs_tagging(folder)
    _write_fs_images(folder)
    _write_fs_language(folder)
    _write_fs_models(folder)


def _write_fs_classification(folder: Path) -> None:
    queues = {"shipping": "where is parcel {i}, tracking shows nothing",
              "returns": "I want to send back item {i}, it does not fit",
              "account": "cannot log in to account {i} after the password reset"}
    table(folder / "support_emails.tsv", ("body", "queue"),
                 [(text.format(i=i), queue) for i in range(30) for queue, text in queues.items()],
                 delimiter="\t")
    table(folder / "support_emails_holdout.tsv", ("body", "queue"),
                 [(text.format(i=i), queue) for i in range(200, 210)
                  for queue, text in queues.items()], delimiter="\t")
    calm = ["thanks for the quick fix on thread {i}", "interesting point in post {i}"]
    rude = ["you are an idiot, post {i} is garbage", "shut up, nobody asked about {i}"]
    table(folder / "comments_export.csv", ("index", "comment_text", "is_toxic"),
                 [(i, (rude if i % 3 == 0 else calm)[i % 2].format(i=i), int(i % 3 == 0))
                  for i in range(90)])
    verdicts = {"fresh": "a joyful, sharp film {i}", "rotten": "a dull mess of a film {i}",
                "mixed": "film {i} has moments but drags"}
    rows = [(text.format(i=i), verdict) for i in range(25) for verdict, text in verdicts.items()]
    parquet(folder / "reviews_2024.parquet",
                   {"review_body": [r[0] for r in rows], "verdict": [r[1] for r in rows]})
    intents = {"book_flight": "book me a flight to city {i}", "cancel": "cancel booking {i}",
               "weather": "what's the weather in town {i} tomorrow",
               "smalltalk": "how are you doing today, friend {i}"}
    ascii_jsonl(folder / "intents.jsonl", [{"utterance": t.format(i=i), "intent": k}
                                            for i in range(20) for k, t in intents.items()])
    ascii_jsonl(folder / "intents_dev.jsonl", [{"utterance": t.format(i=i), "intent": k}
                                                for i in range(300, 305)
                                                for k, t in intents.items()])
    table(folder / "sms.csv", ("sms", "class"),
                 [(f"WIN a free prize {i}! text CLAIM now" if i % 4 == 0 else
                   f"see you at {i % 12 + 1} for dinner?", "spam" if i % 4 == 0 else "ham")
                  for i in range(80)])


def _write_fs_regression(folder: Path) -> None:
    table(folder / "listings.tsv", ("blurb", "nightly_price"),
                 [(f"cosy {1 + i % 3} room flat near {'the beach' if i % 2 else 'the station'}"
                   f", listing {i}", 60 + 15 * (i % 9)) for i in range(70)], delimiter="\t")
    passages = [f"passage {i}: " + ("the cat sat on the mat" if i % 3 == 0 else
                                     "notwithstanding the aforementioned considerations")
                for i in range(64)]
    parquet(folder / "readability.parquet",
                   {"passage": passages, "difficulty": [round(-2 + (i % 13) * 0.3, 2)
                                                        for i in range(64)]})
    ascii_jsonl(folder / "wine_notes.jsonl",
                 [{"tasting_note": f"wine {i}: " + ("dark cherry, long finish" if i % 2
                                                   else "thin and sour"),
                   "points": 80 + i % 19} for i in range(66)])
    table(folder / "csat_export.csv", ("index", "transcript", "csat_score"),
                 [(i, f"call {i}: agent {'solved it fast' if i % 2 else 'put me on hold'}",
                   1 + i % 5) for i in range(75)])
    table(folder / "csat_test.csv", ("index", "transcript", "csat_score"),
                 [(i, f"call {i}: agent {'was kind' if i % 2 else 'hung up'}", 1 + i % 5)
                  for i in range(500, 520)])


def _fs_sentences(n: int, seed: int) -> list[list[tuple[str, str, str, str]]]:
    """Sentences as (word, POS, chunk, NER) rows."""
    people, cities, firms = ["Maria", "Kofi", "Yuki"], ["Berlin", "Accra", "Kyoto", "Quito"], [
        "Initech", "Umbrella"]
    out = []
    for i in range(seed, seed + n):
        out.append([(people[i % 3], "NNP", "B-NP", "B-PER"), ("joined", "VBD", "B-VP", "O"),
                    (firms[i % 2], "NNP", "B-NP", "B-ORG"), ("in", "IN", "B-PP", "O"),
                    (cities[i % 4], "NNP", "B-NP", "B-LOC"), (f"in{2000 + i}", "CD", "B-NP", "O"),
                    (".", ".", "O", "O")])
    return out


def _write_fs_tagging(folder: Path) -> None:
    def columns(sentences: list[list[tuple[str, ...]]], keep: tuple[int, ...], sep: str) -> str:
        return "\n\n".join("\n".join(sep.join(row[k] for k in keep) for row in s)
                           for s in sentences) + "\n"

    (folder / "onto_train.conll").write_text("-DOCSTART- -X- -X- O\n\n" + columns(
        _fs_sentences(48, 0), (0, 1, 2, 3), "\t"), encoding="utf-8")
    (folder / "onto_dev.conll").write_text(columns(_fs_sentences(12, 600), (0, 1, 2, 3), "\t"),
                                           encoding="utf-8")
    (folder / "annotations.txt").write_text(columns(_fs_sentences(45, 100), (0, 3), " "),
                                            encoding="utf-8")
    ascii_jsonl(folder / "spans.jsonl", [{"toks": [r[0] for r in s], "ner_tags": [r[3] for r in s]}
                                          for s in _fs_sentences(42, 200)])
    drugs = ["aspirin", "ibuprofen", "metformin"]
    ascii_jsonl(folder / "clinical_notes.jsonl",
                 [{"words": ["patient", "took", drugs[i % 3], "for", "fever", str(i)],
                   "bio": ["O", "O", "B-DRUG", "O", "B-SYMPTOM", "O"]} for i in range(50)])


def _write_fs_images(folder: Path) -> None:
    from PIL import Image

    def draw(root: Path, classes: dict[str, tuple[int, int, int]], n: int, ext: str) -> None:
        for label, colour in classes.items():
            (root / label).mkdir(parents=True, exist_ok=True)
            for i in range(n):
                shade = tuple(min(255, c + 7 * i) for c in colour)
                Image.new("RGB", (20, 20), shade).save(root / label / f"img_{i:03d}.{ext}")

    leaves = {"healthy": (30, 170, 40), "rust": (170, 90, 30), "mildew": (200, 200, 200)}
    draw(folder / "leaf_photos" / "train", leaves, 10, "jpg")
    draw(folder / "leaf_photos" / "val", leaves, 4, "jpg")
    draw(folder / "defects", {"scratch": (90, 90, 90), "dent": (60, 60, 140),
                              "clean": (230, 230, 230)}, 9, "png")
    draw(folder / "scans", {"benign": (40, 40, 40), "malignant": (150, 60, 60)}, 10, "png")
    parts = folder / "_birds"
    draw(parts, {"sparrow": (120, 90, 60), "robin": (200, 80, 40), "finch": (220, 200, 40)}, 8,
         "jpg")
    with zipfile.ZipFile(folder / "birds.zip", "w") as archive:
        for image in sorted(parts.rglob("*.jpg")):
            archive.write(image, image.relative_to(parts).as_posix())
    shutil.rmtree(parts)


def _write_fs_language(folder: Path) -> None:
    def chat(i: int) -> dict[str, Any]:
        return {"messages": [
            {"role": "system", "content": "You are the helpdesk of a bike shop."},
            {"role": "user", "content": f"My chain {i} keeps slipping, what do I do?"},
            {"role": "assistant", "content": f"Check the tension of chain {i} and the gears."}]}

    ascii_jsonl(folder / "helpdesk_chats.jsonl", [chat(i) for i in range(60)])
    ascii_jsonl(folder / "helpdesk_chats_eval.jsonl", [chat(i) for i in range(900, 912)])
    ascii_jsonl(folder / "sharegpt.jsonl",
                 [{"conversations": [{"from": "human", "value": f"Translate {i} to words"},
                                     {"from": "gpt", "value": f"The number {i}."}]}
                  for i in range(60)])
    ascii_jsonl(folder / "alpaca_data.jsonl",
                 [{"instruction": f"Give a synonym of word {i}.", "input": "",
                   "output": f"word {i} also means item {i}."} for i in range(60)])
    ascii_jsonl(folder / "tasks_sft.jsonl",
                 [{"instruction": "Summarise the ticket.", "input": f"Ticket {i}: printer "
                   "on floor 2 is out of toner.", "response": f"Toner needed on floor 2 ({i})."}
                  for i in range(64)])
    ascii_jsonl(folder / "poems.jsonl",
                 [{"text": f"Poem {i}: the river bends at dawn, the heron waits, number {i}."}
                  for i in range(70)])
    (folder / "corpus.txt").write_text("".join(
        f"Line {i} of the company handbook: be kind to customers.\n" for i in range(80)),
        encoding="utf-8")


def _write_fs_models(folder: Path) -> None:
    configs = {
        "my-bert": {"model_type": "bert", "architectures": ["BertForMaskedLM"],
                    "num_hidden_layers": 1, "hidden_size": 8, "intermediate_size": 16,
                    "num_attention_heads": 2, "vocab_size": 128},
        "smol-llama": {"model_type": "llama", "architectures": ["LlamaForCausalLM"],
                       "num_hidden_layers": 1, "hidden_size": 8, "intermediate_size": 16,
                       "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 128},
        "convnext-tiny": {"model_type": "convnext",
                          "architectures": ["ConvNextForImageClassification"],
                          "num_stages": 2, "hidden_sizes": [8, 16], "depths": [1, 1]},
    }
    for name, config in configs.items():
        model = folder / "checkpoints" / name
        model.mkdir(parents=True, exist_ok=True)
        (model / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")


# ---------------------------------------------------------------- judging


def load_requests(path: Path = BLIND_SET) -> list[dict[str, Any]]:
    """The requests of a set file, in order."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))["requests"]


def spec_field(spec: dict[str, Any], dotted: str) -> Any:
    """A dotted field of a spec (resolved or raw draft); MISSING where it has none. A list of
    components reads as their names; a slot written as a bare name reads as ``{name: ...}``."""
    parts = dotted.split(".")
    value: Any = spec.get(parts[0], MISSING)
    if parts[0] in LISTS and len(parts) == 1 and isinstance(value, list):
        return [item.get("name") if isinstance(item, dict) else item for item in value]
    if parts[0] in SLOTS and isinstance(value, str):
        value = {"name": value}
    for part in parts[1:]:
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def _is_path_field(dotted: str) -> bool:
    last = dotted.rsplit(".", 1)[-1]
    return last == "path" or last.endswith("_path") or dotted == "backbone.model"


def _same_path(actual: Any, expected: str, folder: Path) -> bool:
    if not isinstance(actual, str) or not actual:
        return False
    target = folder / expected
    if not target.exists():
        return actual == expected
    path = Path(actual)
    if not path.is_absolute():
        path = folder / path
    return path.resolve() == target.resolve()


def value_matches(dotted: str, actual: Any, expected: Any, folder: Path) -> bool:
    """Whether a spec's value is the expected one (see the set file's header)."""
    if expected is None:
        return actual is MISSING or actual is None or actual is False
    if actual is MISSING:
        return False
    if _is_path_field(dotted) and isinstance(expected, str):
        return _same_path(actual, expected, folder)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    if isinstance(expected, list):
        if dotted in LISTS:
            return isinstance(actual, list) and sorted(map(str, actual)) == sorted(expected)
        return actual == expected
    if isinstance(expected, int | float):
        try:
            return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-15)
        except (TypeError, ValueError):
            return False
    return str(actual) == str(expected)


def questions(text: str) -> list[str]:
    """The sentences of a reply that ask something."""
    pieces = re.split(r"(?<=[.?!])\s+|\n+", text)
    return [p for p in pieces if p.strip().rstrip("*_\"')]").endswith("?")]


def judge(request: dict[str, Any], spec: dict[str, Any], replies: str, last_reply: str,
          folder: Path) -> list[str]:
    """What is wrong with an outcome, one phrase per problem; empty when exactly right."""
    expect = request.get("expect") or {}
    wrong = []
    if spec.get("task", "text-classification") != request["task"]:
        wrong.append(f"task is {spec.get('task')!r}, expected {request['task']!r}")
    for dotted, expected in (expect.get("fields") or {}).items():
        actual = spec_field(spec, dotted)
        if not value_matches(dotted, actual, expected, folder):
            shown = "(unset)" if actual is MISSING else repr(actual)
            wrong.append(f"{dotted} is {shown}, expected {expected!r}")
    for dotted, names in (expect.get("has") or {}).items():
        actual = spec_field(spec, dotted)
        missing = [n for n in names if not isinstance(actual, list) or n not in actual]
        if missing:
            wrong.append(f"{dotted} lacks {', '.join(missing)}")
    lowered = replies.lower()
    for group in expect.get("says") or []:
        if not any(str(word).lower() in lowered for word in group):
            wrong.append(f"no reply mentions any of {group}")
    if expect.get("asks"):
        words = [str(w).lower() for w in expect["asks"]]
        if not any(any(w in q.lower() for w in words) for q in questions(last_reply)):
            wrong.append(f"the last reply asks nothing about {words}")
    return wrong


def silent_replacement(request: dict[str, Any], spec: dict[str, Any], replies: str,
                       folder: Path) -> bool:
    """The user named a file or folder, the spec trains on something else, and no reply
    mentions the name (no question about it, no reason why it is not used)."""
    named = request.get("named")
    if not named:
        return False
    if _same_path(spec_field(spec, "dataset.path"), named, folder):
        return False
    return Path(named).name.lower() not in replies.lower()


# ---------------------------------------------------------------- driving the CLI


@dataclass
class Outcome:
    request: dict[str, Any]
    spec: dict[str, Any]
    replies: str
    last_reply: str
    seconds: list[float] = field(default_factory=list)
    launched: int = 0
    wrong: list[str] = field(default_factory=list)
    silent: bool = False


def _runs(registry: Path) -> int:
    if not registry.exists():
        return 0
    try:
        with sqlite3.connect(registry) as db:
            return db.execute("select count(*) from runs").fetchone()[0]
    except sqlite3.Error:
        return 0


def chat_json(tunekit: list[str], turns: list[str], folder: Path,
              registry: Path, timeout: float = 120) -> tuple[dict[str, Any], str, float]:
    """One ``tunekit chat --json`` call: (the spec it printed, its replies, seconds)."""
    env = {**os.environ, "TUNEKIT_REGISTRY": str(registry)}
    started = time.perf_counter()
    try:
        done = subprocess.run([*tunekit, "chat", "--json", "--registry", str(registry)],
                              input="".join(t + "\n" for t in turns), capture_output=True,
                              text=True, cwd=folder, env=env, timeout=timeout)
        out, err = done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = (exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or ""))
        err += f"\n[timed out after {timeout}s]"
    seconds = time.perf_counter() - started
    spec: dict[str, Any] = {}
    for line in reversed(out.strip().splitlines()):
        try:
            candidate = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(candidate, dict):
            spec = candidate
            break
    return spec, err, seconds


def score_request(request: dict[str, Any], tunekit: list[str], folder: Path,
                  registry: Path) -> Outcome:
    """Run one request (and, for a question expected of its last turn, its earlier turns
    alone, to tell the last reply apart) and judge it."""
    before = _runs(registry)
    spec, replies, seconds = chat_json(tunekit, request["turns"], folder, registry)
    timings = [seconds]
    last = replies
    if request.get("expect", {}).get("asks") and len(request["turns"]) > 1:
        _, earlier, seconds = chat_json(tunekit, request["turns"][:-1], folder, registry)
        timings.append(seconds)
        last = replies[len(earlier):] if replies.startswith(earlier) else replies
    launched = _runs(registry) - before
    outcome = Outcome(request, spec, replies, last, timings, launched)
    outcome.wrong = judge(request, spec, replies, last, folder)
    if launched:
        outcome.wrong.append(f"{launched} run(s) started without a confirmation")
    outcome.silent = silent_replacement(request, spec, replies, folder)
    if outcome.silent:
        outcome.wrong.append(f"named {request['named']!r} silently replaced")
    return outcome


def report(outcomes: list[Outcome]) -> dict[str, Any]:
    """The figures: exact per task and in all, launches, silent replacements, latency."""
    per_task: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        counts = per_task[outcome.request["task"]]
        counts[0] += not outcome.wrong
        counts[1] += 1
    exact = sum(c[0] for c in per_task.values())
    seconds = [s for o in outcomes for s in o.seconds]
    return {
        "per_task": {task: {"exact": c[0], "total": c[1]} for task, c in per_task.items()},
        "exact": exact, "total": len(outcomes),
        "launches_without_confirmation": sum(o.launched for o in outcomes),
        "silent_replacements": [o.request["id"] for o in outcomes if o.silent],
        "median_seconds": statistics.median(seconds) if seconds else None,
        "misses": {o.request["id"]: o.wrong for o in outcomes if o.wrong},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", nargs="?", default=str(BLIND_SET), help="the request set (YAML)")
    parser.add_argument("--tunekit", default=str(Path(sys.executable).with_name("tunekit")),
                        help="the tunekit command (default: beside this python)")
    parser.add_argument("--only", action="append", default=[], help="score only this id")
    parser.add_argument("--misses", action="store_true", help="print why each miss missed")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    requests = [r for r in load_requests(Path(args.set)) if not args.only or r["id"] in args.only]
    with tempfile.TemporaryDirectory(prefix="tunekit-requests-") as tmp:
        folder = Path(tmp) / "work"
        folder.mkdir()
        write_files(folder, Path(args.set))
        registry = Path(tmp) / "registry.db"
        outcomes = []
        for request in requests:
            outcome = score_request(request, [args.tunekit], folder, registry)
            outcomes.append(outcome)
            print(f"{request['id']}: {'ok' if not outcome.wrong else 'MISS'} "
                  f"({outcome.seconds[0]:.2f}s)", file=sys.stderr, flush=True)
    figures = report(outcomes)
    print(f"\n{'task':24} exact")
    for task, counts in figures["per_task"].items():
        print(f"{task:24} {counts['exact']:>3}/{counts['total']:<3} "
              f"({100 * counts['exact'] / counts['total']:.0f}%)")
    print(f"{'all':24} {figures['exact']:>3}/{figures['total']:<3} "
          f"({100 * figures['exact'] / max(1, figures['total']):.0f}%)")
    print(f"launches without confirmation: {figures['launches_without_confirmation']}")
    print(f"silent replacements of a named file: {len(figures['silent_replacements'])}"
          + (f" ({', '.join(figures['silent_replacements'])})"
             if figures["silent_replacements"] else ""))
    if figures["median_seconds"] is not None:
        print(f"median latency per call: {figures['median_seconds']:.2f}s")
    if args.misses:
        for outcome in outcomes:
            if outcome.wrong:
                print(f"\n{outcome.request['id']} {outcome.request['turns']}")
                for problem in outcome.wrong:
                    print(f"  - {problem}")
                print("  reply: " + outcome.replies.strip().replace("\n", " | ")[:600])
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
