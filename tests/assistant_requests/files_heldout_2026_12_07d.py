"""The files the held-out set heldout_2026_12_07d.yaml names, written by score.py's write_files.

New names and shapes, so the set reads no file another set reads: a BOM'd semicolon CRM export
with an index column and duplicate rows, a latin-1 CSV, a tsv whose label column is numeric,
jsonl with odd field names, parquet, CoNLL with the tag in a middle column, an .iob file, a
Kaggle-style image folder (train/ and test/), images with mixed suffixes and a stray README,
a flat folder with the class in the file name, a zip, chats, prompt/completion pairs, a plain
text corpus and tiny local model folders.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

from set_files import jsonl, table


def write(folder: Path) -> None:
    """Write every file and folder the held-out set names into ``folder``."""
    folder = Path(folder)
    _classification(folder)
    _regression(folder)
    _tagging(folder)
    _images(folder)
    _language(folder)
    _models(folder)


def _classification(folder: Path) -> None:
    texts = {"High": "server {i} is down and customers cannot pay",
             "Medium": "report {i} loads slowly in the afternoon",
             "Low": "typo on the about page, paragraph {i}"}
    rows = [(n, text.format(i=i), prio) for n, (i, (prio, text)) in
            enumerate((i, kv) for i in range(20) for kv in texts.items())]
    rows += rows[:6]  # an export that repeats some tickets
    table(folder / "crm_export.csv", ("", "Ticket Description", "Priority"), rows,
           delimiter=";", encoding="utf-8-sig")
    moods = {0: "terrible, it broke on day {i}", 1: "it is ok I guess, item {i}",
             2: "absolutely love it, order {i}"}
    table(folder / "app_feedback.tsv", ("id", "feedback", "rating_class"),
           [(i * 3 + k, t.format(i=i), k) for i in range(20) for k, t in moods.items()],
           delimiter="\t")
    clauses = {"termination": "either party may end this agreement with {i} days notice",
               "confidentiality": "the recipient shall not disclose information item {i}",
               "payment": "invoices are payable within {i} days of receipt"}
    jsonl(folder / "contracts" / "clauses.jsonl",
           [{"clause_txt": t.format(i=i + 10), "clause_type": k, "doc_id": i}
            for i in range(20) for k, t in clauses.items()])
    table(folder / "avis_clients.csv", ("avis", "sentiment"),
           [(f"très {'bien' if i % 2 else 'décevant'}, commande n°{i}",
             "positif" if i % 2 else "négatif") for i in range(40)], encoding="latin-1")
    sections = {"sport": "team {i} wins the cup final", "politics": "minister {i} resigns",
                "tech": "new phone model {i} announced"}
    table(folder / "news" / "train.csv", ("headline", "section"),
           [(t.format(i=i), k) for i in range(20) for k, t in sections.items()])
    table(folder / "news" / "test.csv", ("headline", "section"),
           [(t.format(i=i), k) for i in range(400, 405) for k, t in sections.items()])


def _regression(folder: Path) -> None:
    table(folder / "job_ads.csv", ("Unnamed: 0", "posting", "salary_eur"),
           [(i, f"{'senior' if i % 2 else 'junior'} developer in city {i % 5}, "
             f"{'remote' if i % 3 else 'on site'}", 38000 + 4000 * (i % 11)) for i in range(60)],
           delimiter=";")
    import pyarrow as pa
    import pyarrow.parquet as pq

    essays = [f"essay {i}: {'a clear thesis and evidence' if i % 2 else 'rambling text'}"
              for i in range(50)]
    pq.write_table(pa.table({"essay_text": essays, "score_0_10": [float(i % 11)
                                                                   for i in range(50)]}),
                   folder / "essay_scores.parquet")
    jsonl(folder / "intensity.jsonl",
           [{"sent": f"sentence {i} is {'furious' if i % 2 else 'mildly annoyed'}",
             "anger": round((i % 10) / 10, 2)} for i in range(50)])
    table(folder / "deliveries.tsv", ("order_notes", "minutes_late"),
           [(f"order {i}: {'rain and traffic' if i % 2 else 'clear roads'}", 5 * (i % 9))
            for i in range(60)], delimiter="\t")
    table(folder / "deliveries_holdout.tsv", ("order_notes", "minutes_late"),
           [(f"order {i}: {'snow' if i % 2 else 'sunny'}", 5 * (i % 9))
            for i in range(700, 715)], delimiter="\t")


def _sentences(n: int, seed: int) -> list[list[tuple[str, str, str]]]:
    """Sentences as (word, NER tag, POS) rows."""
    brands, cities = ["Nokia", "Lego", "Ikea"], ["Turku", "Billund", "Malmo"]
    return [[(brands[i % 3], "B-ORG", "NNP"), ("opened", "O", "VBD"), ("a", "O", "DT"),
             ("store", "O", "NN"), ("in", "O", "IN"), (cities[i % 3], "B-LOC", "NNP"),
             (str(i), "O", "CD"), (".", "O", ".")] for i in range(seed, seed + n)]


def _tagging(folder: Path) -> None:
    def columns(sentences: list[list[tuple[str, ...]]], keep: tuple[int, ...],
                sep: str) -> str:
        return "\n\n".join("\n".join(sep.join(r[k] for k in keep) for r in s)
                           for s in sentences) + "\n"

    # word NER POS: the tag wanted is the MIDDLE column, not the last
    (folder / "brands_ner.conll").write_text(
        "-DOCSTART- O O\n\n" + columns(_sentences(40, 0), (0, 1, 2), " "), encoding="utf-8")
    (folder / "ner_data" / "train.iob").parent.mkdir(parents=True, exist_ok=True)
    (folder / "ner_data" / "train.iob").write_text(columns(_sentences(40, 50), (0, 1), "\t"),
                                                   encoding="utf-8")
    (folder / "ner_data" / "dev.iob").write_text(columns(_sentences(10, 900), (0, 1), "\t"),
                                                 encoding="utf-8")
    skills = ["python", "excel", "welding"]
    jsonl(folder / "cv_spans.jsonl",
           [{"tokens_list": ["Worked", "with", skills[i % 3], "at", "Lego", "for", str(i),
                             "years"],
             "entity_tags": ["O", "O", "B-SKILL", "O", "B-ORG", "O", "O", "O"]}
            for i in range(45)])
    streets = ["Main", "Oak", "Elm"]
    jsonl(folder / "addresses.jsonl",
           [{"tokens": [str(10 + i), streets[i % 3], "Street", "Springfield"],
             "tags": ["B-NUM", "B-STREET", "I-STREET", "B-CITY"]} for i in range(40)])


def _draw(root: Path, classes: dict[str, tuple[int, int, int]], n: int, ext: str) -> None:
    from PIL import Image

    for label, colour in classes.items():
        (root / label).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            shade = tuple(min(255, c + 6 * i) for c in colour)
            Image.new("RGB", (18, 18), shade).save(root / label / f"{label.lower()}_{i}.{ext}")


def _images(folder: Path) -> None:
    from PIL import Image

    chest = {"NORMAL": (20, 20, 20), "PNEUMONIA": (170, 170, 170)}
    _draw(folder / "chest_xray" / "train", chest, 8, "jpeg")
    _draw(folder / "chest_xray" / "test", chest, 3, "jpeg")
    fruit = folder / "fruit_pics"
    _draw(fruit, {"apple": (200, 30, 30), "banana": (220, 220, 40)}, 5, "JPG")
    _draw(fruit, {"apple": (190, 40, 30), "banana": (210, 210, 50), "kiwi": (90, 120, 30)}, 4,
          "png")
    (fruit / "README.txt").write_text("photos from the market, 2025\n", encoding="utf-8")
    flat = folder / "pets_flat"
    flat.mkdir(parents=True, exist_ok=True)
    for i in range(8):
        for label, colour in (("cat", (200, 100, 50)), ("dog", (60, 60, 60))):
            Image.new("RGB", (18, 18), colour).save(flat / f"{label}.{i}.jpg")
    parts = folder / "_plankton"
    _draw(parts, {"diatom": (40, 160, 160), "copepod": (160, 100, 40)}, 7, "png")
    with zipfile.ZipFile(folder / "plankton_v2.zip", "w") as archive:
        for image in sorted(parts.rglob("*.png")):
            archive.write(image, image.relative_to(parts).as_posix())
    shutil.rmtree(parts)
    land = {"forest": (20, 120, 20), "water": (20, 40, 180), "urban": (130, 130, 130),
            "farmland": (190, 170, 60)}
    _draw(folder / "sat_tiles" / "training", land, 6, "png")
    _draw(folder / "sat_tiles" / "validation", land, 2, "png")


def _language(folder: Path) -> None:
    def dialog(i: int) -> dict[str, Any]:
        return {"messages": [
            {"role": "system", "content": "You are a polite insurance assistant."},
            {"role": "user", "content": f"Does policy {i} cover hail damage?"},
            {"role": "assistant", "content": f"Yes, policy {i} covers hail on the car."},
            {"role": "user", "content": "And the windscreen?"},
            {"role": "assistant", "content": "The windscreen is covered with a 100 euro excess."}]}

    jsonl(folder / "insurance_dialogs.jsonl", [dialog(i) for i in range(50)])
    jsonl(folder / "insurance_dialogs_val.jsonl", [dialog(i) for i in range(800, 810)])
    jsonl(folder / "qa_pairs.jsonl",
           [{"prompt": f"What is the capital of region {i}?", "completion": f"Town {i}."}
            for i in range(50)])
    (folder / "recipes.txt").write_text("\n\n".join(
        f"Recipe {i}. Boil the pasta for {8 + i % 4} minutes, add salt and serve warm."
        for i in range(60)) + "\n", encoding="utf-8")
    jsonl(folder / "sft" / "train.jsonl",
           [{"instruction": f"Rewrite politely: send me file {i} now", "response":
             f"Could you please send me file {i} when you have a moment?"} for i in range(50)])
    jsonl(folder / "sft" / "eval.jsonl",
           [{"instruction": f"Rewrite politely: fix bug {i}", "response":
             f"Would you mind looking at bug {i}?"} for i in range(900, 910)])
    jsonl(folder / "product_copy.jsonl",
           [{"text": f"The Aurora lamp {i} brings warm light to any reading corner."}
            for i in range(60)])


def _models(folder: Path) -> None:
    configs = {
        "local_models/tiny-mistral": {
            "model_type": "mistral", "architectures": ["MistralForCausalLM"],
            "num_hidden_layers": 1, "hidden_size": 8, "intermediate_size": 16,
            "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 128},
        "local_models/distilbert-mini": {
            "model_type": "distilbert", "architectures": ["DistilBertForMaskedLM"],
            "n_layers": 1, "dim": 8, "hidden_dim": 16, "n_heads": 2, "vocab_size": 128},
        "local_models/deit-nano": {
            "model_type": "vit", "architectures": ["ViTForImageClassification"],
            "num_hidden_layers": 1, "hidden_size": 8, "intermediate_size": 16,
            "num_attention_heads": 2, "image_size": 16, "patch_size": 8},
    }
    for name, config in configs.items():
        model = folder / name
        model.mkdir(parents=True, exist_ok=True)
        (model / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
