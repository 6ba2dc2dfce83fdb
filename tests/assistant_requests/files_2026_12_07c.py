"""The files the 2026-12-07c blind set names (blind_2026_12_07c.yaml), written by score.py's
``write_files``.

New names and shapes, so this set reads none of the earlier sets' files: an export whose first
column has no name (pandas' index), duplicate rows, a semicolon CSV with a BOM, a latin-1 CSV,
tsv, parquet, JSON lines with odd field names, two text fields in one record, a numeric label,
CoNLL with the tag in the middle and a ``.iob`` suffix, POS tags, image folders with nested
sub-folders, a train/test layout, a zip with a top folder, a flat folder with a labels file,
chats with a system role, alpaca as one JSON array, prompt/completion pairs, a plain-text
corpus, and tiny local model folders.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

from set_files import jsonl, parquet, table


def write(folder: Path) -> None:
    """Write every file and folder the 2026-12-07c set names into ``folder``."""
    folder = Path(folder)
    _classification(folder)
    _regression(folder)
    _tagging(folder)
    _images(folder)
    _language(folder)
    _models(folder)


def _classification(folder: Path) -> None:
    kinds = {"Billing inquiry": "I was billed twice for subscription {i}",
             "Technical issue": "the app crashes when I open screen {i}",
             "Refund request": "please give me my money back for order {i}"}
    rows = [(i, text.format(i=i % 12), kind) for i, (kind, text) in
            enumerate((k, t) for _ in range(12) for k, t in kinds.items())]
    rows += rows[:6]  # an export that repeats rows, as real ones do
    # pandas' to_csv with its index: the first column has no name
    table(folder / "crm_export.csv", ("", "Ticket Description", "Ticket Type"), rows)
    moods = {"positif": "super produit {i}, livraison rapide",
             "negatif": "produit {i} cassé à l'arrivée, très déçu",
             "neutre": "produit {i} conforme, rien de spécial"}
    table(folder / "avis_clients.csv", ("commentaire", "note_sentiment"),
           [(t.format(i=i), m) for i in range(20) for m, t in moods.items()], delimiter=";",
           encoding="utf-8-sig")
    depts = {"garden": "does hose {i} fit a standard tap", "kitchen": "is pan {i} induction safe",
             "tools": "what battery does drill {i} take"}
    table(folder / "product_qs.tsv", ("question_text", "dept"),
           [(t.format(i=i), d) for i in range(20) for d, t in depts.items()], delimiter="\t")
    table(folder / "product_qs_test.tsv", ("question_text", "dept"),
           [(t.format(i=i), d) for i in range(500, 505) for d, t in depts.items()],
           delimiter="\t")
    sections = {"sport": "local team wins match {i}", "politics": "parliament votes on bill {i}",
                "tech": "new phone {i} has a bigger battery", "weather": "storm {i} hits coast"}
    rows = [(t.format(i=i), s) for i in range(15) for s, t in sections.items()]
    parquet(folder / "news_headlines.parquet", {"headline": [r[0] for r in rows],
                                                  "section": [r[1] for r in rows]})
    table(folder / "retours_latin1.csv", ("texte", "categorie"),
           [(f"problème de livraison {i}, colis abîmé" if i % 2 else f"facture {i} erronée, "
             "trop payé", "livraison" if i % 2 else "facturation") for i in range(40)],
           encoding="latin-1")
    jsonl(folder / "mailbox.jsonl",
           [{"subject": f"{'You won a cruise' if i % 3 == 0 else 'Meeting notes'} #{i}",
             "body": (f"claim your prize {i} now, click here" if i % 3 == 0 else
                      f"attached are the notes from meeting {i}"),
             "folder": "spam" if i % 3 == 0 else "inbox"} for i in range(45)])
    # a numeric label: 0 negative, 1 neutral, 2 positive
    table(folder / "tweets_labeled.csv", ("tweet", "sentiment_id"),
           [(["hate this phone {i}", "phone {i} arrived today", "love phone {i}!"][i % 3]
             .format(i=i), i % 3) for i in range(60)])
    table(folder / "app_reviews.csv", ("reviewId", "content", "score"),
           [(f"r{i:04d}", ["crashes all the time {i}", "slow but ok {i}", "fine {i}",
                           "pretty good app {i}", "best app ever {i}"][i % 5].format(i=i),
             1 + i % 5) for i in range(60)])
    table(folder / "chat_intents.csv", ("id", "user_msg", "intent_label", "agent_id"),
           [(i, ["reset my password {i}", "talk to a human {i}", "where is invoice {i}"][i % 3]
             .format(i=i), ["password", "escalate", "invoice"][i % 3], f"a{i % 4}")
            for i in range(48)])


def _regression(folder: Path) -> None:
    table(folder / "essay_scores.tsv", ("essay_id", "full_text", "holistic_score"),
           [(f"E{i:03d}", f"essay {i}: " + ("a careful and well argued answer" if i % 2 else
                                            "short answer"), 1 + i % 6) for i in range(54)],
           delimiter="\t")
    table(folder / "jobs_salaries.csv", ("job_description", "salary_eur"),
           [(f"{['junior', 'senior', 'lead'][i % 3]} developer {i}, python", 38000 + 9000 * (i % 3)
             + 100 * i) for i in range(48)], delimiter=";")
    jsonl(folder / "valence.jsonl",
           [{"sentence": f"sentence {i} feels {'bright' if i % 2 else 'gloomy'}",
             "valence": round(-1 + (i % 21) * 0.1, 2)} for i in range(50)])
    titles = [f"{['usb cable', 'gaming laptop', 'desk lamp'][i % 3]} model {i}" for i in range(45)]
    parquet(folder / "product_prices.parquet",
             {"title": titles, "price_usd": [float([9, 1299, 35][i % 3] + i) for i in range(45)]})
    table(folder / "review_helpfulness.csv", ("Unnamed: 0", "review", "helpful_votes"),
           [(i, f"review {i}: {'detailed pros and cons' if i % 2 else 'ok'}", i % 7)
            for i in range(50)])


def _sentences(n: int, seed: int) -> list[list[tuple[str, str, str]]]:
    """Sentences as (word, NER, POS) rows."""
    drugs, people, towns = ["paracetamol", "insulin", "warfarin"], ["Olga", "Tariq"], [
        "Leeds", "Porto", "Cebu"]
    out = []
    for i in range(seed, seed + n):
        out.append([(people[i % 2], "B-PER", "PROPN"), ("was", "O", "AUX"),
                    ("given", "O", "VERB"), (drugs[i % 3], "B-DRUG", "NOUN"), ("in", "O", "ADP"),
                    (towns[i % 3], "B-LOC", "PROPN"), (f"on{i}", "O", "NUM"), (".", "O", "PUNCT")])
    return out


def _tagging(folder: Path) -> None:
    def columns(sentences: list[list[tuple[str, ...]]], keep: tuple[int, ...], sep: str) -> str:
        return "\n\n".join("\n".join(sep.join(row[k] for k in keep) for row in s)
                           for s in sentences) + "\n"

    # token, NER, POS: the tag wanted is in the middle (column 1), not the last
    (folder / "med_ner.tsv.conll").write_text(columns(_sentences(40, 0), (0, 1, 2), "\t"),
                                              encoding="utf-8")
    (folder / "ner_train.iob").write_text("-DOCSTART- O\n\n" + columns(_sentences(40, 100),
                                                                       (0, 1), " "),
                                          encoding="utf-8")
    (folder / "ner_dev.iob").write_text(columns(_sentences(10, 900), (0, 1), " "),
                                        encoding="utf-8")
    (folder / "upos.txt").write_text(columns(_sentences(40, 300), (0, 2), "\t"), encoding="utf-8")
    products = ["iPhone", "Galaxy", "Pixel"]
    jsonl(folder / "product_mentions.jsonl",
           [{"id": i, "words": ["I", "bought", "a", products[i % 3], "at", "Walmart", str(i)],
             "entity_tags": ["O", "O", "O", "B-PRODUCT", "O", "B-ORG", "O"]} for i in range(45)])
    jsonl(folder / "addresses.jsonl",
           [{"tokens": [str(10 + i), "Baker", "Street", "London"],
             "tags": ["B-NUM", "B-STREET", "I-STREET", "B-CITY"]} for i in range(40)])


def _images(folder: Path) -> None:
    from PIL import Image

    def draw(root: Path, classes: dict[str, tuple[int, int, int]], n: int, ext: str,
             nested: bool = False) -> None:
        for label, colour in classes.items():
            for i in range(n):
                where = root / label / (f"batch_{i % 2}" if nested else "")
                where.mkdir(parents=True, exist_ok=True)
                shade = tuple(min(255, c + 6 * i) for c in colour)
                Image.new("RGB", (18, 18), shade).save(where / f"IMG_{4000 + i}.{ext}")

    flowers = {"daisy": (240, 240, 200), "rose": (200, 30, 60), "tulip": (230, 120, 30)}
    draw(folder / "flowers", flowers, 8, "jpg", nested=True)
    (folder / "flowers" / "README.txt").write_text("photos from the garden\n", encoding="utf-8")
    fruit = {"apple": (200, 20, 20), "banana": (230, 220, 40), "orange": (240, 140, 20)}
    draw(folder / "fruit_data" / "train", fruit, 8, "png")
    draw(folder / "fruit_data" / "test", fruit, 3, "png")
    signs = {"left": (20, 20, 200), "right": (200, 20, 20), "stop": (220, 220, 220)}
    draw(folder / "road_signs", signs, 8, "png")
    screws = folder / "_screws"
    draw(screws / "screws", {"good": (120, 120, 120), "broken": (90, 40, 40)}, 8, "jpg")
    with zipfile.ZipFile(folder / "screws.zip", "w") as archive:
        for image in sorted(screws.rglob("*.jpg")):
            archive.write(image, image.relative_to(screws).as_posix())
    shutil.rmtree(screws)
    flat = folder / "unsorted_pics"
    flat.mkdir(parents=True, exist_ok=True)
    labels = []
    for i in range(12):
        Image.new("RGB", (18, 18), (30 * (i % 2) + 50, 80, 80)).save(flat / f"p{i}.jpg")
        labels.append((f"p{i}.jpg", "wet" if i % 2 else "dry"))
    table(flat / "labels.csv", ("filename", "label"), labels)


def _language(folder: Path) -> None:
    def chat(i: int) -> dict[str, Any]:
        return {"messages": [
            {"role": "system", "content": "You answer for a dental clinic."},
            {"role": "user", "content": f"Can I book a cleaning on day {i}?"},
            {"role": "assistant", "content": f"Yes, day {i} has free slots in the morning."}]}

    jsonl(folder / "clinic_chats.jsonl", [chat(i) for i in range(50)])
    jsonl(folder / "clinic_chats_val.jsonl", [chat(i) for i in range(700, 710)])
    (folder / "alpaca_es.json").write_text(json.dumps(
        [{"instruction": f"Traduce la palabra {i}.", "input": "", "output": f"palabra {i}"}
         for i in range(40)], ensure_ascii=False, indent=1), encoding="utf-8")
    jsonl(folder / "prompt_completion.jsonl",
           [{"prompt": f"Q: what is {i} squared?", "completion": f" {i * i}"} for i in range(50)])
    recipes = [f"Recipe {i}. Boil the pasta for {8 + i % 4} minutes, add salt and serve."
               for i in range(60)]
    (folder / "recipes.txt").write_text("\n\n".join(recipes) + "\n", encoding="utf-8")
    jsonl(folder / "sql_sft.jsonl",
           [{"instruction": "Write the SQL query.", "input": f"count the users older than {i}",
             "response": f"SELECT COUNT(*) FROM users WHERE age > {i};"} for i in range(50)])
    jsonl(folder / "lyrics.jsonl", [{"text": f"Song {i}: la la la under the moon {i}."}
                                     for i in range(50)])


def _models(folder: Path) -> None:
    configs = {
        "tiny-mistral": {"model_type": "mistral", "architectures": ["MistralForCausalLM"],
                         "num_hidden_layers": 1, "hidden_size": 8, "intermediate_size": 16,
                         "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 128},
        "resnet-mini": {"model_type": "resnet", "architectures": ["ResNetForImageClassification"],
                        "embedding_size": 8, "hidden_sizes": [8, 16], "depths": [1, 1]},
        "deberta-small-local": {"model_type": "deberta-v2",
                                "architectures": ["DebertaV2ForMaskedLM"],
                                "num_hidden_layers": 1, "hidden_size": 8, "intermediate_size": 16,
                                "num_attention_heads": 2, "vocab_size": 128},
    }
    for name, config in configs.items():
        model = folder / "my_models" / name
        model.mkdir(parents=True, exist_ok=True)
        (model / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
