"""A named file is read by LOOKING at it and by the task the turn says, never by its suffix
alone; the options said in words are taken; the setting words are read through typos; a bundled
sample named by its alias is that sample; a JSON array of records is read like JSON lines.

Each table holds phrasings written for the cause, not the benchmark's words; the files are
written by the tests, in shapes the request sets do not use.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from assistant_talk import talk
from tunekit import load_plugins
from tunekit.plugins.datasets import files, looks
from tunekit.ui.assistant.datafile import peek


@pytest.fixture(scope="module")
def plugins() -> Any:
    return load_plugins()


def pos_file(path: Path, separator: str = "\t") -> Path:
    """Sentences of "word<sep>tag" lines with part-of-speech tags (no BIO), blank lines
    between them."""
    sentences = [[("The", "DET"), ("cat", "NOUN"), (f"sat{i}", "VERB"), ("down", "ADV"),
                  (".", "PUNCT")] for i in range(12)]
    path.write_text("\n\n".join("\n".join(separator.join(row) for row in s) for s in sentences)
                    + "\n", encoding="utf-8")
    return path


def paragraphs(path: Path) -> Path:
    """Paragraphs of prose, each holding a comma, a blank line between them."""
    path.write_text("\n\n".join(f"Story {i}. The fox ran home, then it slept for {i} hours."
                                for i in range(30)) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- 1. a file read by its look

POS_TURNS = [
    ("tag parts of speech in {f}",),
    ("pos tagger please, data {f} (word TAB tag per line)",),
    ("could you train a token tagger on {f}?",),
    ("{f}", "it is for part-of-speech tagging"),
    ("i have {f} with word and his tag every line, make a tagger",),
    ("token classification with {f}, measure token accuracy",),
]


@pytest.mark.parametrize("turns", POS_TURNS, ids=[t[0][:50] for t in POS_TURNS])
@pytest.mark.parametrize("name, separator", [("tags.txt", "\t"), ("corpus_pos.dat", " "),
                                             ("words.tsv", "\t")])
def test_a_column_file_of_plain_tags_is_read_as_conll_whatever_its_suffix(
        plugins: Any, tmp_path: Path, turns: tuple[str, ...], name: str,
        separator: str) -> None:
    pos_file(tmp_path / name, separator)
    spec, said = talk(plugins, tmp_path, *(t.format(f=name) for t in turns))
    assert spec["task"] == "token-classification", said
    assert spec["dataset"]["name"] == "conll", said
    assert spec["dataset"]["path"] == name, said


PROSE_TURNS = [
    "continue pretraining gpt2 on {f}",
    "train a language model (gpt2) on my {f} so it writes like us",
    "gpt2 should learn the style of {f}, plain text",
    "can you fine-tune distilgpt2 with {f}? it is just text",
    "domain adaptation of gpt2 on {f} pls",
]


@pytest.mark.parametrize("message", PROSE_TURNS)
def test_paragraphs_of_prose_with_commas_are_texts_not_a_table(plugins: Any, tmp_path: Path,
                                                               message: str) -> None:
    paragraphs(tmp_path / "stories.txt")
    spec, said = talk(plugins, tmp_path, message.format(f="stories.txt"))
    assert spec["task"] == "causal-lm", said
    assert spec["dataset"] == {**spec["dataset"], "name": "text-jsonl", "path": "stories.txt"}
    assert "column" not in said.lower(), said


@pytest.mark.parametrize("message", [
    "fine-tune gpt2 as a language model on {f}",
    "causal lm: gpt2 on {f}",
    "{f} is text for a language model, train gpt2 on it",
    "generate text like {f}, use gpt2",
    "continue pretraining gpt2 on the lines in {f}",
])
def test_the_task_said_picks_the_reader_of_a_table_like_text_file(plugins: Any, tmp_path: Path,
                                                                  message: str) -> None:
    # every line holds one comma: a table by its look, texts by the task said
    (tmp_path / "lines.txt").write_text("".join(f"Line {i}, of the manual\n" for i in range(20)),
                                        encoding="utf-8")
    spec, said = talk(plugins, tmp_path, message.format(f="lines.txt"))
    assert spec["task"] == "causal-lm", said
    assert spec["dataset"]["name"] == "text-jsonl", said
    assert spec["dataset"]["path"] == "lines.txt", said


@pytest.mark.parametrize("message", [
    "train gpt2 as a language model on {f}",
    "fine-tune gpt2 to generate text, data {f}",
    "causal language modelling on {f} with gpt2",
    "i want gpt2 generate text, data is {f}",
    "language model gpt2, file {f}",
])
def test_a_file_no_dataset_of_the_task_reads_is_said_and_asked_for(plugins: Any,
                                                                   tmp_path: Path,
                                                                   message: str) -> None:
    pos_file(tmp_path / "tags.txt")
    spec, said = talk(plugins, tmp_path, message.format(f="tags.txt"))
    assert spec["task"] == "causal-lm", said
    assert spec["dataset"].get("path") != "tags.txt"
    assert "no installed dataset reads it for causal-lm" in said
    assert "Which file or folder holds your" in said


def test_a_csv_saved_as_txt_with_a_header_stays_a_table(tmp_path: Path) -> None:
    table = tmp_path / "export.txt"
    table.write_text("message,team\n" + "".join(f"printer {i} is broken,it\n"
                                                  for i in range(10)), encoding="utf-8")
    assert looks.table_file(table) > looks.instruction_file(table)
    assert looks.conll_file(table) == 0.0
    assert looks.conll_file(pos_file(tmp_path / "pos.txt")) > looks.table_file(tmp_path /
                                                                                 "pos.txt")


# ---------------------------------------------------------------- 2. options said in words

def three_columns(path: Path) -> Path:
    """Word, entity tag, part-of-speech tag: the entity tag in the middle."""
    rows = [("Ana", "B-PER", "PROPN"), ("flew", "O", "VERB"), ("to", "O", "ADP"),
            ("Oslo", "B-LOC", "PROPN")]
    path.write_text("\n\n".join("\n".join("\t".join(r) for r in rows) for _ in range(10))
                    + "\n", encoding="utf-8")
    return path


TAG_COLUMN = [
    ("the columns are token, NER tag, POS tag; train on the NER column", 1),
    ("columns: word / entity / pos. i want the entities", 1),
    ("layout is token, pos, ner - do named entity recognition", 2),
    ("the fields are word, ner and pos, tag the entities", 1),
    ("the ner tags are in the second column", 1),
    ("entity labels: 2nd column, the word is the 1st", 1),
    ("the word is the 1st column and the tags are the 2nd one", 1),
    ("labels in column 2 please", 2),
    ("the tags are in the third column", 2),
    ("tag is the last column", -1),
]


@pytest.mark.parametrize("said, column", TAG_COLUMN, ids=[t[0][:50] for t in TAG_COLUMN])
def test_the_tag_column_is_read_from_the_words(plugins: Any, tmp_path: Path, said: str,
                                               column: int) -> None:
    three_columns(tmp_path / "clinic.conll")
    spec, text = talk(plugins, tmp_path, f"NER on clinic.conll. {said}")
    assert spec["dataset"]["name"] == "conll", text
    assert spec["dataset"]["tag_column"] == column, text
    assert "column names need a data file" not in text


def test_a_list_of_columns_that_leaves_the_tag_open_changes_nothing(plugins: Any,
                                                                    tmp_path: Path) -> None:
    three_columns(tmp_path / "clinic.conll")
    spec, said = talk(plugins, tmp_path, "tag clinic.conll; the columns are word, ner, pos")
    assert spec["dataset"]["tag_column"] == -1, said


SPLITS = [
    ("hold out 25% for validation and 10% for a final test", 0.25, 0.1),
    ("20% as a separate validation set and 5% for an independent test", 0.2, 0.05),
    ("validation 15%, and keep 10% aside for the final test", 0.15, 0.1),
    ("set aside 30% for validation plus 10 percent for a held-out test", 0.3, 0.1),
    ("use 10% for a small validation and 20% for the test", 0.1, 0.2),
]


@pytest.mark.parametrize("said, validation, test", SPLITS, ids=[s[0][:50] for s in SPLITS])
def test_a_validation_and_a_test_share_said_together_are_both_taken(
        plugins: Any, tmp_path: Path, said: str, validation: float, test: float) -> None:
    (tmp_path / "mail.jsonl").write_text("".join(json.dumps(
        {"body": f"mail {i}", "box": "a" if i % 2 else "b"}) + "\n" for i in range(30)),
        encoding="utf-8")
    spec, text = talk(plugins, tmp_path, "classify mail.jsonl, body into box", said)
    assert spec["dataset"]["validation_split"] == validation, text
    assert spec["dataset"]["test_split"] == test, text


ONLY_METRICS = [
    "only report entity f1 and token accuracy",
    "just entity f1 + token accuracy please",
    "metrics: token accuracy and entity f1, nothing else",
    "i want only token-accuracy and entity-f1 in the report",
    "report entity f1 and token accuracy only",
]


@pytest.mark.parametrize("said", ONLY_METRICS)
def test_an_only_list_of_metrics_with_names_of_several_words(plugins: Any, tmp_path: Path,
                                                             said: str) -> None:
    (tmp_path / "spans.jsonl").write_text("".join(json.dumps(
        {"tokens": ["at", str(i), "Elm", "Road"], "tags": ["O", "B-NUM", "B-ST", "I-ST"]})
        + "\n" for i in range(30)), encoding="utf-8")
    spec, text = talk(plugins, tmp_path, "NER on spans.jsonl", said)
    names = sorted(m if isinstance(m, str) else m["name"] for m in spec["metrics"])
    assert names == ["entity-f1", "token-accuracy"], text
    assert spec["dataset"].get("tokens_field", "tokens") == "tokens", text


# ---------------------------------------------------------------- 4. a sample by its alias

SAMPLES = [
    ("try the bundled shapes sample with 4 classes", "sample-shapes",
     "image-classification", {"classes": 4}),
    ("a sample of shapes, 2 classes please", "sample-shapes", "image-classification",
     {"classes": 2}),
    ("the shapes demo with 3 classes and 500 images", "sample-shapes", "image-classification",
     {"classes": 3, "n": 500}),
    ("can I test on the built-in images sample?", "sample-shapes", "image-classification", {}),
    ("the ner sample, 200 sentences", "sample-ner", "token-classification", {"n": 200}),
    ("run the instructions sample", "sample-instructions", "causal-lm", {}),
]


@pytest.mark.parametrize("said, name, task, options", SAMPLES, ids=[s[0][:50] for s in SAMPLES])
def test_a_bundled_sample_named_by_its_alias_is_that_sample(plugins: Any, tmp_path: Path,
                                                            said: str, name: str, task: str,
                                                            options: dict) -> None:
    spec, text = talk(plugins, tmp_path, said)
    assert spec["dataset"]["name"] == name, text
    assert spec["task"] == task, text
    for key, value in options.items():
        assert spec["dataset"][key] == value, (key, text)


# ---------------------------------------------------------------- 3. typos in setting words

TYPOS = [
    ("train on {f}, 4 epoches", "epochs", 4),
    ("{f} with 3 epoks pls", "epochs", 3),
    ("{f}: epocs 7 and batch size 8", "epochs", 7),
    ("{f}, lernin rate 2e-5", "learning_rate", 2e-5),
    ("use {f}, bacth size 32", "batch_size", 32),
    ("{f} and wieght decay 0.05", "weight_decay", 0.05),
    ("{f}, 5 epohcs, warmpu ratio 0.1", "warmup_ratio", 0.1),
    ("{f}, gradiant acumulation steps 4", "gradient_accumulation_steps", 4),
    ("{f} with 2 epochz", "epochs", 2),
]


@pytest.mark.parametrize("message, field, value", TYPOS, ids=[t[0] for t in TYPOS])
def test_setting_words_are_read_through_typos(plugins: Any, tmp_path: Path, message: str,
                                              field: str, value: Any) -> None:
    (tmp_path / "tickets.csv").write_text("text,label\n" + "".join(
        f"ticket {i},{'a' if i % 2 else 'b'}\n" for i in range(20)), encoding="utf-8")
    spec, said = talk(plugins, tmp_path, message.format(f="tickets.csv"))
    assert spec["training"][field] == value, said


@pytest.mark.parametrize("text", ["the patients notes", "progressively unfreeze",
                                  "the labeled data", "two splits"])
def test_ordinary_words_are_not_corrected_into_setting_words(text: str) -> None:
    from tunekit.ui.assistant.fuzzy import correct

    assert correct(text) == text


# ---------------------------------------------------------------- 5. a JSON array of records

def alpaca_array(path: Path, fields: tuple[str, str, str] = ("instruction", "input", "output"),
                 ) -> Path:
    path.write_text(json.dumps([{fields[0]: f"Say {i}.", fields[1]: "", fields[2]: f"{i}"}
                                for i in range(25)], indent=2), encoding="utf-8")
    return path


@pytest.mark.parametrize("turns", [
    ("fine-tune gpt2 on export.json",),
    ("use gpt2", "data: export.json"),
    ("instruction tuning with export.json and gpt2",),
    ("export.json is my alpaca data, gpt2 please",),
    ("sft of gpt2, file export.json (one big json list)",),
])
def test_an_alpaca_array_is_read_and_its_fields_named(plugins: Any, tmp_path: Path,
                                                      turns: tuple[str, ...]) -> None:
    alpaca_array(tmp_path / "export.json")
    spec, said = talk(plugins, tmp_path, *turns)
    assert "not valid JSON" not in said, said
    assert "instruction, input, output" in said, said
    assert spec["task"] == "causal-lm", said


def test_a_json_array_of_labelled_records_is_previewed_and_read(plugins: Any,
                                                                tmp_path: Path) -> None:
    records = tmp_path / "reviews.json"
    records.write_text(json.dumps([{"review": f"great thing {i}", "stars": "good" if i % 2
                                    else "bad"} for i in range(30)], indent=1), encoding="utf-8")
    preview = peek(records)
    assert preview.problem is None and preview.columns == ["review", "stars"]
    assert looks.record_file(records) == 0.9
    keys, rows = files.read_jsonl(records)
    assert keys == ["review", "stars"] and len(rows) == 30
    spec, said = talk(plugins, tmp_path, "classify reviews.json, review into stars")
    assert spec["dataset"] == {**spec["dataset"], "name": "jsonl", "path": "reviews.json",
                               "text_column": "review", "label_column": "stars"}, said


def test_a_broken_json_array_is_said_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('[\n {"text": "a", "label": "x"},\n {"text": "b" "label": "y"}\n]\n',
                      encoding="utf-8")
    preview = peek(broken)
    assert preview.problem is not None and "line 3" in preview.problem
