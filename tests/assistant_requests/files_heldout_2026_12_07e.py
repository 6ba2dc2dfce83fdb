"""The files the held-out 2026-12-07e request set names, written by score.py's write_files.

New names and shapes: a spreadsheet export with a BOM and an index column, semicolon and
latin-1 CSVs, tsv, parquet, jsonl with odd field names, numeric label columns (classes and
counts), a held-out test file beside a train file, CoNLL variants (tab-separated, POS/chunk,
.conllu, a .txt CoNLL file), image folders with their own splits, mixed suffixes and a flat
folder with a labels CSV, a zip, chat and instruction corpora as JSON arrays and JSON lines,
preference pairs, a markdown text and tiny local model folders.
"""

from __future__ import annotations

import json
import zipfile
from functools import partial
from pathlib import Path
from typing import Any

from set_files import jsonl as _jsonl_utf8
from set_files import parquet, table

# this set's JSON Lines escape non-ASCII (\u00e9), as when it was first scored
jsonl = partial(_jsonl_utf8, ensure_ascii=True)


def write(folder: Path) -> None:
    """Write every file and folder the held-out 2026-12-07e set names into ``folder``."""
    folder = Path(folder)
    _classification(folder)
    _regression(folder)
    _tagging(folder)
    _images(folder)
    _language(folder)
    _models(folder)


def _classification(folder: Path) -> None:
    kinds = {"groceries": "CARD PAYMENT SUPERMARKT {i} AMSTERDAM",
             "transport": "NS REIZIGERS ticket {i}", "rent": "huur appartement maand {i}",
             "salary": "SALARIS ACME BV periode {i}"}
    rows = [(i, text.format(i=i % 12), kind) for i in range(48)
            for kind, text in list(kinds.items())[i % 4:i % 4 + 1]]
    rows += rows[:4]  # a spreadsheet export repeats a few rows
    # an Excel "CSV UTF-8" export: a BOM, the pandas index as its first column
    table(folder / "bank_export.csv", ("", "Transaction Description", "Category"), rows,
           encoding="utf-8-sig")
    prio = ["printer {i} is out of paper", "vpn {i} drops every hour", "server {i} is down!!"]
    table(folder / "tickets_prio.csv", ("ticket_txt", "prio"),
           [(prio[i % 3].format(i=i), 1 + i % 3) for i in range(60)], delimiter=";")
    jsonl(folder / "moderation.jsonl",
           [{"content": (f"you are a moron, post {i}" if i % 3 == 0 else
                         f"nice photo of the lake {i}"), "flag": int(i % 3 == 0)}
            for i in range(60)])
    depts = {"garden": "does the hose {i} fit a standard tap", "kitchen": "is pan {i} induction "
             "safe", "toys": "what age is puzzle {i} for"}
    table(folder / "product_questions.tsv", ("question", "dept"),
           [(t.format(i=i), d) for i in range(20) for d, t in depts.items()], delimiter="\t")
    sections = {"sport": "late goal wins match {i}", "politics": "parliament votes on bill {i}",
                "tech": "new phone {i} has a bigger battery"}
    heads = [(t.format(i=i), s) for i in range(20) for s, t in sections.items()]
    parquet(folder / "headlines.parquet", {"headline": [h[0] for h in heads],
                                            "section": [h[1] for h in heads]})
    stars = ["awful, broke on day {i}", "meh, item {i} is ok", "fine product {i}",
             "really good {i}", "perfect, buying {i} more"]
    table(folder / "amazon_stars.csv", ("review_text", "stars"),
           [(stars[i % 5].format(i=i), 1 + i % 5) for i in range(75)])
    intents = {"balance": "what is my balance on account {i}", "transfer": "send {i} euros to "
               "mum", "lost_card": "I lost card number {i}"}
    table(folder / "intent_train.csv", ("utterance", "intent"),
           [(t.format(i=i), k) for i in range(20) for k, t in intents.items()])
    table(folder / "intent_test.csv", ("utterance", "intent"),
           [(t.format(i=i), k) for i in range(500, 506) for k, t in intents.items()])
    langs = {"pos": "très bon café numéro {i}, équipe géniale", "neg": "service lent, café {i} "
             "froid, déçu"}
    table(folder / "avis_clients.csv", ("avis", "note"),
           [(t.format(i=i), k) for i in range(25) for k, t in langs.items()],
           delimiter=";", encoding="latin-1")
    mails = {"work": "meeting moved to {i} pm", "personal": "dinner at grandma's on the {i}th",
             "promo": "{i}% off everything this weekend"}
    jsonl(folder / "emails_train.jsonl", [{"subject_and_body": t.format(i=i), "folder": k}
                                           for i in range(20) for k, t in mails.items()])
    jsonl(folder / "emails_valid.jsonl", [{"subject_and_body": t.format(i=i), "folder": k}
                                           for i in range(300, 304) for k, t in mails.items()])


def _regression(folder: Path) -> None:
    table(folder / "delivery_times.csv", ("order_note", "minutes"),
           [(f"order {i}: {'pizza, 2 floors up' if i % 2 else 'sushi, ground floor'}",
             18 + (i * 7) % 40) for i in range(60)])
    jsonl(folder / "forum_posts.jsonl",
           [{"post": f"post {i}: {'a detailed guide with pictures' if i % 3 else 'lol'}",
             "upvotes": (i * 13) % 250} for i in range(60)])
    table(folder / "polarity_scores.tsv", ("sentence", "score"),
           [(f"sentence {i} is {'wonderful' if i % 2 else 'dreadful'}",
             round(-1 + (i % 21) / 10, 2)) for i in range(63)], delimiter="\t")
    parquet(folder / "essays_scored.parquet",
             {"essay_text": [f"essay {i}: " + ("a careful argument" if i % 2 else "a rant")
                             for i in range(60)],
              "holistic_score": [1 + i % 6 for i in range(60)]})
    table(folder / "salaries_export.csv", ("", "job_description", "salary_eur"),
           [(i, f"{'senior' if i % 2 else 'junior'} engineer, team {i}", 38000 + 1500 * (i % 20))
            for i in range(60)], encoding="utf-8-sig")
    table(folder / "tweets_train.csv", ("tweet", "retweets"),
           [(f"tweet {i}: {'breaking news' if i % 4 == 0 else 'my breakfast'}", (i * 17) % 90)
            for i in range(60)])
    table(folder / "tweets_test.csv", ("tweet", "retweets"),
           [(f"tweet {i}: {'big news' if i % 4 == 0 else 'my lunch'}", (i * 11) % 90)
            for i in range(400, 415)])
    jsonl(folder / "rentals_train.jsonl",
           [{"listing": f"{1 + i % 4} bed flat, {'balcony' if i % 2 else 'no lift'}, id {i}",
             "monthly_rent": 900 + 150 * (i % 6)} for i in range(60)])
    jsonl(folder / "rentals_valid.jsonl",
           [{"listing": f"{1 + i % 4} bed flat, id {i}", "monthly_rent": 900 + 150 * (i % 6)}
            for i in range(700, 712)])


def _sentences(n: int, seed: int) -> list[list[tuple[str, str, str, str]]]:
    """(word, POS, chunk, NER) rows."""
    names, towns, drugs = ["Ines", "Tomasz", "Ravi"], ["Porto", "Gdansk", "Pune"], [
        "ibuprofen", "metformin"]
    out = []
    for i in range(seed, seed + n):
        out.append([(names[i % 3], "NNP", "B-NP", "B-PER"), ("took", "VBD", "B-VP", "O"),
                    (drugs[i % 2], "NN", "B-NP", "B-DRUG"), ("in", "IN", "B-PP", "O"),
                    (towns[i % 3], "NNP", "B-NP", "B-LOC"), (".", ".", "O", "O")])
    return out


def _tagging(folder: Path) -> None:
    def conll(sentences: list[list[tuple[str, ...]]], columns: tuple[int, ...],
              sep: str = " ") -> str:
        return "\n\n".join("\n".join(sep.join(row[c] for c in columns) for row in s)
                           for s in sentences) + "\n"

    (folder / "clinical_notes.conll").write_text(conll(_sentences(40, 0), (0, 1, 3), "\t"),
                                                 encoding="utf-8")
    (folder / "wsj_chunks.conll").write_text(conll(_sentences(40, 50), (0, 1, 2)),
                                             encoding="utf-8")
    jsonl(folder / "ner_spans.jsonl", [{"toks": [r[0] for r in s], "ner_tags": [r[3] for r in s]}
                                        for s in _sentences(40, 100)])
    blocks = []
    for k, s in enumerate(_sentences(30, 150)):
        upos = {"NNP": "PROPN", "VBD": "VERB", "NN": "NOUN", "IN": "ADP", ".": "PUNCT"}
        head = f"# sent_id = {k}\n# text = " + " ".join(r[0] for r in s)
        body = "\n".join(f"{j + 1}\t{r[0]}\t{r[0].lower()}\t{upos[r[1]]}\t{r[1]}\t_\t0\t_\t_\t_"
                         for j, r in enumerate(s))
        blocks.append(head + "\n" + body)
    (folder / "pt_bosque.conllu").write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    (folder / "ner_train.txt").write_text(conll(_sentences(40, 200), (0, 3)), encoding="utf-8")
    (folder / "ner_test.txt").write_text(conll(_sentences(10, 260), (0, 3)), encoding="utf-8")
    (folder / "recipes_ner.conll").write_text(conll(_sentences(40, 300), (0, 3)),
                                              encoding="utf-8")
    (folder / "recipes_ner_dev.conll").write_text(conll(_sentences(10, 360), (0, 3)),
                                                  encoding="utf-8")
    jsonl(folder / "skills.jsonl", [{"tokens": [r[0] for r in s], "tags": [r[3] for r in s]}
                                     for s in _sentences(40, 400)])


def _images(folder: Path) -> None:
    from PIL import Image

    def draw(root: Path, classes: dict[str, tuple[int, int, int]], n: int,
             suffixes: tuple[str, ...] = ("png",)) -> None:
        for label, colour in classes.items():
            (root / label).mkdir(parents=True, exist_ok=True)
            for i in range(n):
                shade = tuple(min(255, c + 8 * i) for c in colour)
                suffix = suffixes[i % len(suffixes)]
                Image.new("RGB", (18, 18), shade).save(root / label / f"IMG_{i:04d}.{suffix}")

    flowers = {"rose": (200, 30, 60), "tulip": (230, 180, 30), "daisy": (240, 240, 240)}
    draw(folder / "flowers" / "train", flowers, 8)
    draw(folder / "flowers" / "test", flowers, 3)
    pets = {"hamster": (180, 140, 90), "rabbit": (120, 120, 120)}
    draw(folder / "pet_pics", pets, 9, ("jpg", "png", "jpeg"))
    (folder / "pet_pics" / "notes.txt").write_text("taken with my phone\n", encoding="utf-8")
    flat = folder / "tiles_flat"
    flat.mkdir(parents=True, exist_ok=True)
    with (flat / "labels.csv").open("w", encoding="utf-8") as handle:
        handle.write("filename,label\n")
        for i in range(12):
            name = f"tile_{i:02d}.png"
            Image.new("RGB", (18, 18), (40 * (i % 2) + 60,) * 3).save(flat / name)
            handle.write(f"{name},{'crack' if i % 2 else 'ok'}\n")
    parts = folder / "_receipts"
    draw(parts, {"taxi": (250, 220, 0), "hotel": (0, 90, 200), "meal": (0, 160, 60)}, 6, ("jpg",))
    with zipfile.ZipFile(folder / "receipts.zip", "w") as archive:
        for image in sorted(parts.rglob("*.jpg")):
            archive.write(image, image.relative_to(parts).as_posix())
    for image in sorted(parts.rglob("*.jpg")):
        image.unlink()
    for sub in sorted(parts.iterdir()):
        sub.rmdir()
    parts.rmdir()
    draw(folder / "weld_images", {"good": (200, 200, 200), "porosity": (90, 60, 60),
                                  "undercut": (60, 60, 90)}, 7)
    draw(folder / "weld_images_val", {"good": (190, 190, 190), "porosity": (95, 65, 65),
                                      "undercut": (65, 65, 95)}, 3)


def _language(folder: Path) -> None:
    def chat(i: int) -> dict[str, Any]:
        return {"messages": [
            {"role": "system", "content": "You answer for a ferry company."},
            {"role": "user", "content": f"Is the {i % 12 + 6}:00 ferry running today?"},
            {"role": "assistant", "content": f"Yes, the {i % 12 + 6}:00 ferry runs on time."}]}

    jsonl(folder / "ferry_chats.jsonl", [chat(i) for i in range(50)])
    jsonl(folder / "ferry_chats_heldout.jsonl", [chat(i) for i in range(800, 810)])
    (folder / "sharegpt_export.json").write_text(json.dumps(
        [{"id": f"c{i}", "conversations": [{"from": "human", "value": f"Spell {i} in Roman"},
                                           {"from": "gpt", "value": f"Roman numeral for {i}."}]}
         for i in range(1, 50)]), encoding="utf-8")
    (folder / "alpaca_cleaned.json").write_text(json.dumps(
        [{"instruction": f"Name a colour number {i}.", "input": "", "output": f"Colour {i}: blue."}
         for i in range(50)]), encoding="utf-8")
    jsonl(folder / "prompt_completion.jsonl",
           [{"prompt": f"Q: capital of region {i}?\nA:", "completion": f" Town {i}."}
            for i in range(50)])
    jsonl(folder / "faq_pairs.jsonl", [{"question": f"How long is warranty {i}?",
                                         "answer": "Two years from purchase."} for i in range(50)])
    jsonl(folder / "dolly_subset.jsonl",
           [{"instruction": "Summarise the context.", "context": f"Report {i}: sales rose.",
             "response": f"Sales rose in report {i}.", "category": "summarization"}
            for i in range(50)])
    (folder / "style_guide.md").write_text("".join(
        f"## Rule {i}\n\nWrite short sentences, rule {i}, and prefer the active voice.\n\n"
        for i in range(40)), encoding="utf-8")
    jsonl(folder / "pref_pairs.jsonl",
           [{"prompt": f"Explain tides {i}", "chosen": "The moon pulls the sea.",
             "rejected": "Because."} for i in range(40)])
    jsonl(folder / "lyrics.jsonl", [{"text": f"Verse {i}: the tram hums down the hill."}
                                     for i in range(60)])


def _models(folder: Path) -> None:
    configs = {
        "tiny-llama-e": {"model_type": "llama", "architectures": ["LlamaForCausalLM"],
                         "num_hidden_layers": 1, "hidden_size": 8, "intermediate_size": 16,
                         "num_attention_heads": 2, "num_key_value_heads": 1,
                         "vocab_size": 128},
        "deit-mini": {"model_type": "vit", "architectures": ["ViTForImageClassification"],
                      "num_hidden_layers": 1, "hidden_size": 8, "intermediate_size": 16,
                      "num_attention_heads": 2, "image_size": 16, "patch_size": 8},
        "roberta-mini": {"model_type": "roberta", "architectures": ["RobertaForMaskedLM"],
                         "num_hidden_layers": 1, "hidden_size": 8, "intermediate_size": 16,
                         "num_attention_heads": 2, "vocab_size": 128},
    }
    for name, config in configs.items():
        model = folder / "my_models" / name
        model.mkdir(parents=True, exist_ok=True)
        (model / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
