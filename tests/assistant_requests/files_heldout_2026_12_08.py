"""The files and folders the held-out 2026-12-08 set names (score.py's ``write_files`` calls
``write(folder)`` for that set).

Every name is new (no earlier set's module writes it), and each file has the shape the tool it
claims to come from writes: a HubSpot export with a BOM, semicolons and copied rows, a cp1252
survey, a Label Studio JSON-MIN export and a Label Studio CoNLL export, Kaggle downloads (a file
name with a space, an empty-named index column, nested seg_train/seg_train folders), parquet
from the Hub, JSON lines with nested and list fields, a real .xlsx workbook, CoNLL variants
(POS and NER columns, four columns, CoNLL-U with comments and multiword lines, .bio, a BOM'd
tab-separated file, .txt splits), character-span exports, image folders (train/val, mixed
suffixes and stray files, a zip with and one without a wrapping folder, a flat folder, images
with a boxes table, images with masks), OpenAI-style chats, ShareGPT and alpaca arrays,
prompt/completion, Dolly records, preference pairs, markdown and plain text, and tiny local
model folders (config.json only).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from set_files import jsonl, parquet, table


def write(folder: Path) -> None:
    """Write every file and folder the 2026-12-08 set names into ``folder``."""
    folder = Path(folder)
    _classification(folder)
    _regression(folder)
    _tagging(folder)
    _images(folder)
    _language(folder)
    _models(folder)


def _json_array(path: Path, records: list[dict[str, Any]]) -> None:
    """One JSON array of objects, pretty-printed, as exporters and alpaca-style files write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")


# ---------------------------------------------------------------- text classification


def _classification(folder: Path) -> None:
    priorities = {"High": "production is down for customer {i}, nobody can log in",
                  "Medium": "the export button on report {i} is slow but works",
                  "Low": "typo on the settings page {i}, not urgent"}
    rows = [(1000 + 3 * i + k, f"Ticket {i}-{k}", text.format(i=i), prio, "New")
            for i in range(20) for k, (prio, text) in enumerate(priorities.items())]
    rows += rows[:6]  # the CRM exported some tickets twice
    table(folder / "exports" / "hubspot_tickets_2026-11.csv",
          ("Ticket ID", "Ticket name", "Ticket description", "Priority", "Pipeline stage"),
          rows, delimiter=";", encoding="utf-8-sig")

    themes = {"prix": "le prix est élevé pour la qualité, commande {i}",
              "livraison": "livraison très en retard, colis {i} arrivé abîmé",
              "qualité": "la qualité du tissu déçoit après {i} lavages"}
    table(folder / "survey" / "nps_verbatims_2026.csv", ("Réponse", "Catégorie"),
          [(text.format(i=i), theme) for i in range(25) for theme, text in themes.items()],
          delimiter=";", encoding="cp1252")

    moods = {"Positive": "the new dashboard {i} is great, thanks!",
             "Negative": "app crashed again when opening invoice {i}",
             "Neutral": "I opened ticket {i} yesterday"}
    _json_array(folder / "label_studio" / "project-7-at-2026-12-01-14-02-json-min.json",
                [{"id": 500 + 3 * i + k, "text": text.format(i=i), "sentiment": mood,
                  "annotator": 1 + i % 2, "annotation_id": 900 + 3 * i + k,
                  "created_at": f"2026-11-{1 + i % 28:02d}T10:00:00.000000Z",
                  "updated_at": f"2026-11-{1 + i % 28:02d}T10:05:00.000000Z",
                  "lead_time": round(3.5 + i % 7, 1)}
                 for i in range(25) for k, (mood, text) in enumerate(moods.items())])

    tweets = {"negative": ("@united flight {i} delayed 3 hours, no info", "Late Flight"),
              "positive": ("@VirginAmerica crew on flight {i} was lovely", ""),
              "neutral": ("@SouthwestAir do you fly to town {i} in May?", "")}
    table(folder / "downloads" / "Tweets_airline.csv",
          ("tweet_id", "airline_sentiment", "airline_sentiment_confidence", "negativereason",
           "airline", "name", "text", "tweet_created"),
          [(570300000000000000 + 3 * i + k, mood, round(0.6 + (i % 4) / 10, 4), reason,
            ("United", "Virgin America", "Southwest")[k], f"user{i}", text.format(i=i),
            "2015-02-24 11:35:52 -0800")
           for i in range(30) for k, (mood, (text, reason)) in enumerate(tweets.items())])

    topics = ["stocks rally as bank {i} beats forecasts", "striker {i} signs for the champions",
              "new phone {i} ships with a faster chip", "election {i}: turnout hits record"]
    parquet(folder / "hf_exports" / "news_topics-00000-of-00001.parquet",
            {"headline": [t.format(i=i) for i in range(20) for t in topics],
             "topic_id": [k for _ in range(20) for k in range(4)]})

    teams = {"billing": "I was charged twice for subscription {i}",
             "tech": "the API returns error 500 on endpoint {i}",
             "sales": "can I get a quote for {i} more seats?"}
    jsonl(folder / "zendesk" / "tickets_dump.jsonl",
          [{"id": 70000 + 3 * i + k, "subject": f"Request {i}", "body_plain": text.format(i=i),
            "tags": [team, "web"], "via": {"channel": "email", "source": {"from": {}}},
            "team": team} for i in range(25) for k, (team, text) in enumerate(teams.items())])

    aspects = ["food|service", "food", "service|ambience", "ambience", "food|price"]
    table(folder / "reviews" / "restaurant_multilabel.csv", ("review", "aspects"),
          [(f"dinner {i}: the pasta was cold and the waiter was rude", aspects[i % 5])
           for i in range(50)])

    intents = {"transfer": "send {i} euros to my sister", "balance": "how much is on card {i}",
               "block_card": "I lost card {i}, block it now"}
    for name, start in (("train", 0), ("dev", 300), ("test", 600)):
        n = 20 if name == "train" else 5
        table(folder / "intent_data" / f"{name}_intents.tsv", ("utterance", "intent"),
              [(text.format(i=i), intent) for i in range(start, start + n)
               for intent, text in intents.items()], delimiter="\t")

    table(folder / "crm" / "leads_q3.csv", ("lead_id", "notes", "stage", "lost_reason"),
          [(f"L-{i:04d}", f"call {i}: asked about pricing, {'keen' if i % 2 else 'hesitant'}",
            ("won", "lost", "open")[i % 3], ("price", "timing", "competitor", "")[i % 4])
           for i in range(60)])

    _xlsx(folder / "sheets" / "feedback_labels.xlsx", ("feedback", "label"),
          [(f"feedback {i}: {'love it' if i % 2 else 'too slow'}",
            "good" if i % 2 else "bad") for i in range(30)])

    table(folder / "survey" / "csat_comments.csv", ("comment", "score"),
          [(f"agent {i} {('was rude', 'was slow', 'was ok', 'helped', 'was brilliant')[i % 5]}",
            1 + i % 5) for i in range(75)])

    flags = {"ok": "merci pour l'info 👍 post {i}", "abuse": "ты идиот, уходи {i} 🤬"}
    jsonl(folder / "moderation" / "flagged_comments.jsonl",
          [{"comment": text.format(i=i), "flag": flag, "lang": "fr" if flag == "ok" else "ru"}
           for i in range(30) for flag, text in flags.items()])

    table(folder / "kaggle" / "imdb_small" / "IMDB Dataset.csv", ("review", "sentiment"),
          [(f"One of the {'best' if i % 2 else 'worst'} films of year {1990 + i % 30}.<br /><br />"
            f"{'Loved' if i % 2 else 'Hated'} it.", "positive" if i % 2 else "negative")
           for i in range(60)])


def _xlsx(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """A real (minimal) Excel workbook: one sheet of inline strings, as openpyxl would read."""
    def cell(ref: str, value: str) -> str:
        text = value.replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    lines = []
    for number, values in enumerate([header, *rows], start=1):
        cells = "".join(cell(f"{chr(65 + k)}{number}", v) for k, v in enumerate(values))
        lines.append(f'<row r="{number}">{cells}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application'
            '/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels":
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
            f'"{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
            f'"{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml":
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'
            + "".join(lines) + "</sheetData></worksheet>",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)


# ---------------------------------------------------------------- text regression


def _regression(folder: Path) -> None:
    # Kaggle's winemag file: pandas wrote its index as a first column with an empty name
    table(folder / "kaggle" / "winemag-data-130k-v2.csv",
          ("", "country", "description", "designation", "points", "price", "province",
           "variety"),
          [(i, ("Italy", "France", "US")[i % 3],
            f"Aromas of {'ripe black cherry and oak' if i % 2 else 'green apple'}, wine {i}.",
            f"Reserve {i}", 80 + i % 20, 10.0 + i % 40, "Sicily", "Nero d'Avola")
           for i in range(70)])

    parquet(folder / "listings" / "airbnb_berlin.parquet",
            {"name": [f"Flat {i} in Kreuzberg" for i in range(60)],
             "description": [f"{1 + i % 4} rooms, {'balcony' if i % 2 else 'no balcony'}, "
                             f"{5 + i % 20} min to the U-Bahn" for i in range(60)],
             "price_eur": [round(45.0 + 17.5 * (i % 9), 2) for i in range(60)]})

    jsonl(folder / "ops" / "incidents.jsonl",
          [{"incident": f"INC{12000 + i}", "summary": f"disk full on server {i}" if i % 2
            else f"login page timeout for region {i}", "priority": f"P{1 + i % 4}",
            "hours_to_resolve": round(0.5 + (i % 13) * 1.75, 2)} for i in range(60)])

    table(folder / "grading" / "essays_2025.tsv", ("essay_id", "essay_text", "grade"),
          [(f"E{i:03d}", f"Essay {i} argues {'carefully, with sources' if i % 2 else 'loosely'}"
            f" about climate policy.", round((i % 21) / 2, 1)) for i in range(63)],
          delimiter="\t")

    jsonl(folder / "forum" / "posts_dump.jsonl",
          [{"title": f"Show HN: my {('tiny', 'fast', 'odd')[i % 3]} compiler number {i}",
            "selftext": f"I wrote compiler {i} over a weekend." if i % 2 else "",
            "score": (i * 37) % 500, "num_comments": i % 40} for i in range(70)])

    table(folder / "reviews" / "hotel_stars.csv", ("review_text", "stars"),
          [(f"room {i} was {('filthy', 'tired', 'fine', 'nice', 'perfect')[i % 5]}", 1 + i % 5)
           for i in range(75)])

    table(folder / "housing" / "boston_numeric.csv", ("crim", "rm", "age", "tax", "medv"),
          [(round(0.02 * i, 3), round(5 + (i % 4) * 0.5, 2), 30 + i % 60, 200 + 10 * (i % 30),
            round(15 + (i % 25) * 1.2, 1)) for i in range(60)])

    for name, start, n in (("train_rents", 0, 50), ("holdout_rents", 500, 12)):
        table(folder / "rent_ads" / f"{name}.csv", ("ad_text", "monthly_rent"),
              [(f"{1 + i % 3}-room flat, {'furnished' if i % 2 else 'unfurnished'}, ad {i}",
                700 + 150 * (i % 7)) for i in range(start, start + n)])

    table(folder / "jobs" / "offres_emploi.csv",
          ("intitule", "description_poste", "salaire_annuel"),
          [(f"Développeur {i}", f"Poste {i} : {'senior, Python et cloud' if i % 2 else 'junior'}"
            f", télétravail partiel", 32000 + 2500 * (i % 12)) for i in range(60)])

    jsonl(folder / "readability" / "passages_scored.jsonl",
          [{"id": f"c{i:05x}", "excerpt": f"Passage {i}: " + ("The dog ran home." if i % 3
                                                              else "Notwithstanding prior "
                                                              "jurisprudence, the court held."),
            "target": round(-3 + (i % 15) * 0.35, 3),
            "standard_error": round(0.45 + (i % 5) * 0.01, 3)} for i in range(60)])

    table(folder / "support" / "first_reply_minutes.csv", ("message", "minutes_to_first_reply"),
          [(f"customer {i}: {'urgent, site down' if i % 3 == 0 else 'question about invoice'}",
            5 + (i * 11) % 240) for i in range(66)], delimiter=";", encoding="utf-8-sig")


# ---------------------------------------------------------------- token classification


def _tag_sentences(n: int, seed: int) -> list[list[tuple[str, str, str, str]]]:
    """Sentences as (word, POS, chunk, NER) rows."""
    people, towns, firms = ["Ingrid", "Tomás", "Aiko", "Femi"], ["Porto", "Gdansk", "Hanoi"], [
        "Siemens", "Nordea"]
    out = []
    for i in range(seed, seed + n):
        out.append([(people[i % 4], "NNP", "B-NP", "B-PER"), ("left", "VBD", "B-VP", "O"),
                    (firms[i % 2], "NNP", "B-NP", "B-ORG"), ("for", "IN", "B-PP", "O"),
                    (towns[i % 3], "NNP", "B-NP", "B-LOC"), (f"on{i}", "CD", "B-NP", "O"),
                    (".", ".", "O", "O")])
    return out


def _columns(sentences: list[list[tuple[str, ...]]], keep: tuple[int, ...], sep: str) -> str:
    return "\n\n".join("\n".join(sep.join(row[k] for k in keep) for row in s)
                       for s in sentences) + "\n"


def _write(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)


def _tagging(folder: Path) -> None:
    # Label Studio's CoNLL 2003 export: "word -X- _ TAG"
    _write(folder / "label_studio" / "project-3-at-2026-11-30-conll.conll",
           "-DOCSTART- -X- O\n\n" + "\n\n".join(
               "\n".join(f"{w} -X- _ {t}" for w, _, _, t in s) for s in _tag_sentences(40, 0))
           + "\n")
    _write(folder / "corpora" / "news_pos_ner.txt", _columns(_tag_sentences(40, 100),
                                                            (0, 1, 3), " "))
    _write(folder / "corpora" / "chunks_pos_ner.conll", "-DOCSTART- -X- -X- O\n\n" + _columns(
        _tag_sentences(40, 200), (0, 1, 2, 3), " "))
    jsonl(folder / "annotations" / "ner_toks.jsonl",
          [{"id": f"s{i}", "toks": [r[0] for r in s], "ner_tags": [r[3] for r in s],
            "source": "wiki"} for i, s in enumerate(_tag_sentences(40, 300))])

    conllu = []
    for i in range(30):
        conllu.append(f"# sent_id = fr-{i}\n# text = Marie va du marché à Lyon {i}.\n"
                      "1\tMarie\tMarie\tPROPN\t_\t_\t2\tnsubj\t_\t_\n"
                      "2\tva\taller\tVERB\t_\t_\t0\troot\t_\t_\n"
                      "3-4\tdu\t_\t_\t_\t_\t_\t_\t_\t_\n"
                      "3\tde\tde\tADP\t_\t_\t5\tcase\t_\t_\n"
                      "4\tle\tle\tDET\t_\t_\t5\tdet\t_\t_\n"
                      "5\tmarché\tmarché\tNOUN\t_\t_\t2\tobl\t_\t_\n"
                      "6\tà\tà\tADP\t_\t_\t7\tcase\t_\t_\n"
                      "7\tLyon\tLyon\tPROPN\t_\t_\t2\tobl\t_\t_\n"
                      f"8\t{i}\t{i}\tNUM\t_\t_\t7\tnummod\t_\t_\n"
                      "9\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_\n")
    _write(folder / "ud" / "fr_gsd-ud-train.conllu", "\n".join(conllu))

    def disease(n: int, seed: int) -> str:
        return "\n\n".join(f"Patients\tO\nwith\tO\n{('familial', 'chronic')[i % 2]}\tB-Disease\n"
                           f"{('adenomatous', 'renal')[i % 2]}\tI-Disease\n"
                           f"{('polyposis', 'failure')[i % 2]}\tI-Disease\nwere\tO\n"
                           f"seen{i}\tO\n.\tO" for i in range(seed, seed + n)) + "\n"

    _write(folder / "med" / "ncbi_train.bio", disease(40, 0))
    _write(folder / "med" / "ncbi_dev.bio", disease(10, 500))

    jsonl(folder / "doccano_export" / "all.jsonl",
          [{"id": i, "text": f"Ingrid joined Siemens in Porto in {2000 + i}.",
            "label": [[0, 6, "PER"], [14, 21, "ORG"], [25, 30, "LOC"]], "Comments": []}
           for i in range(40)])

    for name, seed, n in (("train", 0, 40), ("dev", 400, 10), ("test", 800, 10)):
        _write(folder / "ner_corpus_v2" / f"{name}.txt",
               _columns(_tag_sentences(n, seed), (0, 3), " "))

    streets = [[("Deliver", "O"), ("to", "O"), ("12", "B-NUM"), ("Rue", "B-STREET"),
                ("de", "I-STREET"), ("Rivoli", "I-STREET"), (f"{75001 + i}", "B-ZIP"),
                ("Paris", "B-CITY")] for i in range(40)]
    _write(folder / "addresses_ner" / "addr_bom.conll", "-DOCSTART-\tO\n\n" + "\n\n".join(
        "\n".join(f"{w}\t{t}" for w, t in s) for s in streets) + "\n", encoding="utf-8-sig")


# ---------------------------------------------------------------- images


def _draw(root: Path, classes: dict[str, tuple[int, int, int]], n: int,
          suffixes: tuple[str, ...] = ("png",), size: int = 18) -> None:
    from PIL import Image

    for label, colour in classes.items():
        (root / label).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            shade = tuple(min(255, c + 6 * i) for c in colour)
            suffix = suffixes[i % len(suffixes)]
            fmt = "JPEG" if suffix.lower() in ("jpg", "jpeg") else "PNG"
            Image.new("RGB", (size, size), shade).save(root / label / f"{label}_{i:03d}.{suffix}",
                                                       format=fmt)


def _zip_folder(source: Path, archive: Path, prefix: str) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w") as bundle:
        for image in sorted(p for p in source.rglob("*") if p.is_file()):
            bundle.write(image, prefix + image.relative_to(source).as_posix())


def _images(folder: Path) -> None:
    import shutil

    from PIL import Image

    scenes = {"buildings": (120, 110, 100), "forest": (30, 120, 40), "glacier": (200, 220, 240)}
    intel = folder / "kaggle_downloads" / "intel-image"
    _draw(intel / "seg_train" / "seg_train", scenes, 8, ("jpg",))
    _draw(intel / "seg_test" / "seg_test", scenes, 3, ("jpg",))

    wafers = {"center": (200, 40, 40), "donut": (40, 200, 40), "none": (90, 90, 90)}
    _draw(folder / "wafer_maps" / "train", wafers, 8)
    _draw(folder / "wafer_maps" / "val", wafers, 3)

    snaps = folder / "phone_snaps"
    _draw(snaps, {"ripe": (220, 60, 30), "unripe": (60, 170, 40)}, 9, ("JPG", "jpeg", "png"))
    (snaps / "notes.txt").write_text("shot on the packing line, week 48\n", encoding="utf-8")
    (snaps / "ripe" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(24))
    (snaps / "unripe" / "Thumbs.db").write_bytes(bytes(range(64)))

    parts = folder / "_herbarium"
    _draw(parts, {"fern": (40, 140, 60), "moss": (90, 160, 40), "oak": (140, 100, 40)}, 7,
          ("jpg",))
    _zip_folder(parts, folder / "uploads" / "herbarium_sample.zip", "herbarium_sample/")
    shutil.rmtree(parts)

    parts = folder / "_eurosat"
    _draw(parts, {"AnnualCrop": (180, 160, 60), "River": (40, 80, 200),
                  "Residential": (150, 150, 150)}, 7, ("jpg",), size=16)
    _zip_folder(parts, folder / "downloads" / "eurosat_subset.zip", "")
    shutil.rmtree(parts)

    _draw(folder / "scanned_digits", {str(d): (20 * d, 20 * d, 20 * d) for d in range(5)}, 6)

    boxes = folder / "inspection_boxes"
    (boxes / "images").mkdir(parents=True, exist_ok=True)
    for i in range(12):
        Image.new("RGB", (24, 24), (100 + 5 * i, 100, 100)).save(boxes / "images" /
                                                                 f"frame_{i:04d}.jpg")
    table(boxes / "boxes.csv", ("image", "xmin", "ymin", "xmax", "ymax", "label"),
          [(f"frame_{i:04d}.jpg", 2 + i % 5, 3, 12 + i % 5, 14, ("crack", "rust")[i % 2])
           for i in range(12)])

    masks = folder / "seg_masks"
    (masks / "images").mkdir(parents=True, exist_ok=True)
    (masks / "masks").mkdir(parents=True, exist_ok=True)
    for i in range(10):
        Image.new("RGB", (20, 20), (60, 60 + 10 * i, 60)).save(masks / "images" / f"tile_{i}.png")
        Image.new("L", (20, 20), 255 if i % 2 else 0).save(masks / "masks" / f"tile_{i}.png")

    flat = folder / "flat_dump"
    flat.mkdir(parents=True, exist_ok=True)
    for i in range(16):
        label = "ok" if i % 2 else "nok"
        Image.new("RGB", (16, 16), (40, 180, 40) if i % 2 else (180, 40, 40)).save(
            flat / f"{label}_{i:03d}.png")

    animals = {"deer": (130, 90, 50), "boar": (70, 60, 50), "fox": (200, 100, 30)}
    _draw(folder / "camera_trap" / "2025_train", animals, 8, ("jpg",))
    _draw(folder / "camera_trap" / "2025_holdout", animals, 3, ("jpg",))


# ---------------------------------------------------------------- language models


def _language(folder: Path) -> None:
    def support_chat(i: int) -> dict[str, Any]:
        return {"messages": [
            {"role": "system", "content": "You are Pixi, the helpdesk of a photo-printing app."},
            {"role": "user", "content": f"My print order {i} came out too dark, why?"},
            {"role": "assistant", "content": f"Order {i} used the screen brightness; turn on "
                                             "auto-correct and we reprint it free."}]}

    jsonl(folder / "openai_ft" / "support_bot_train.jsonl", [support_chat(i) for i in range(60)])
    jsonl(folder / "openai_ft" / "support_bot_val.jsonl",
          [support_chat(i) for i in range(700, 712)])

    _json_array(folder / "sharegpt" / "vicuna_style.json",
                [{"id": f"conv_{i}", "conversations": [
                    {"from": "human", "value": f"Write a haiku about tram line {i}."},
                    {"from": "gpt", "value": f"Tram {i} hums along / rain on the window glass "
                                             "/ the city exhales"}]} for i in range(50)])

    _json_array(folder / "alpaca" / "alpaca_gpt4_de.json",
                [{"instruction": f"Übersetze ins Englische: Haus Nummer {i}.", "input": "",
                  "output": f"House number {i}."} for i in range(50)])

    jsonl(folder / "legacy" / "completions_v1.jsonl",
          [{"prompt": f"Customer: where is parcel {i}?\n\n###\n\n",
            "completion": f" Parcel {i} is at the depot and arrives tomorrow. END"}
           for i in range(50)])

    _write(folder / "handbook" / "onboarding.md", "".join(
        f"## Week {i}\n\nIn week {i} new hires shadow a senior colleague and read the "
        f"security policy, section {i}.\n\n" for i in range(40)))

    jsonl(folder / "dolly" / "dolly_hr.jsonl",
          [{"instruction": f"How many vacation days after {i} years?",
            "context": f"Policy: staff get 25 days, plus one per {i + 1} years of service.",
            "response": "25 days, plus the extra service days.", "category": "closed_qa"}
           for i in range(50)])

    jsonl(folder / "rlhf" / "prefs_pairs.jsonl",
          [{"prompt": f"Explain tax form {i} briefly.", "chosen": f"Form {i} reports income.",
            "rejected": "I don't know."} for i in range(40)])

    _write(folder / "lore" / "fantasy_corpus.txt", "".join(
        f"The river of Aldmere bent {i} times before the sea, and the ferrymen sang of it.\n\n"
        for i in range(60)))

    jsonl(folder / "qa" / "faq_export.jsonl",
          [{"question": f"Can I change delivery slot {i}?",
            "answer": f"Yes, slot {i} can be moved up to 24 hours before.",
            "tags": ["delivery"]} for i in range(50)])


def _models(folder: Path) -> None:
    configs = {
        "vit-tiny-local": {"model_type": "vit", "architectures": ["ViTForImageClassification"],
                           "num_hidden_layers": 1, "hidden_size": 8, "intermediate_size": 16,
                           "num_attention_heads": 2, "image_size": 16, "patch_size": 8},
        "qwen-mini": {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"],
                      "num_hidden_layers": 1, "hidden_size": 8, "intermediate_size": 16,
                      "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 128},
        "deberta-small-ft": {"model_type": "deberta-v2",
                             "architectures": ["DebertaV2ForSequenceClassification"],
                             "num_hidden_layers": 1, "hidden_size": 8, "intermediate_size": 16,
                             "num_attention_heads": 2, "vocab_size": 128},
    }
    for name, config in configs.items():
        model = folder / "base_models" / name
        model.mkdir(parents=True, exist_ok=True)
        (model / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
