"""The data check: planted problems are found with the right severity and place, clean data is
reported clean, the CLI reports and exits by severity, and a run refuses blocking problems
unless told to go on."""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tunekit
from studio_harness import TINY_PLUGIN
from tunekit.registry import Registry
from tunekit.testing import bundled_tokenizer, write_text_csv
from tunekit.tools.datacheck import ReadLog, check_data, find_personal_data, similar_pairs
from tunekit.ui import cli

# ---------------------------------------------------------------- helpers


def clean_rows(n: int, seed: int) -> list[list[str]]:
    """Easy, distinct two-class examples (what the engine tests train on)."""
    path = write_text_csv(Path(f"base-{n}-{seed}.csv"), n=n, seed=seed)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    path.unlink()
    return rows


def write(path: Path, rows: list[list[str]], header: tuple[str, ...] = ("text", "label")) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def check_files(manager, folder: Path, train: list[list[str]], validation: list[list[str]],
                **options) -> tunekit.DataReport:
    """Write train.csv and validation.csv and check them as `tunekit data check` does: read by
    the csv dataset into a log (line numbers, rows left out)."""
    write(folder / "train.csv", train)
    write(folder / "validation.csv", validation)
    dataset = manager.get("dataset", "csv")
    resolved = dataset.resolve_options({"path": "train.csv",
                                        "validation_path": "validation.csv"}, "dataset")
    log = ReadLog()
    splits = dataset.load(resolved, tunekit.DataContext(task=tunekit.TEXT_CLASSIFICATION,
                                                        seed=42, base_dir=folder, read_log=log))
    return check_data(splits, log=log, **{"strategy": "lora", **options})


def only(report: tunekit.DataReport, code: str) -> tunekit.Finding:
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, [f.code for f in report.findings]
    return found[0]


def codes(report: tunekit.DataReport) -> set[str]:
    return {f.code for f in report.findings}


def places(finding: tunekit.Finding) -> list[tuple[str | None, int | None, str | None]]:
    return [(r.get("split"), r.get("row"), r.get("line")) for p in finding.where
            for r in p["rows"]]


LONG = ("I bought this blender for smoothies last spring and it crushes ice in seconds, "
        "cleans up easily and still runs quietly every single morning")
LONG2 = ("The hotel room smelled of smoke, the air conditioning rattled all night long and "
         "nobody at the front desk seemed to care when we asked to move")


# ---------------------------------------------------------------- clean data


def test_a_clean_file_is_reported_clean(manager, tmp_path):
    report = check_files(manager, tmp_path, clean_rows(200, 0), clean_rows(40, 1))

    assert report.findings == []
    assert report.ok and report.clean
    assert report.sizes == {"train": 200, "validation": 40, "test": 0}
    assert report.classes["train"] == {"negative": 100, "positive": 100}


def test_the_bundled_sample_has_nothing_blocking_or_worth_a_warning(manager):
    splits = manager.get("dataset", "sample-reviews").load(
        {}, tunekit.DataContext(task=tunekit.TEXT_CLASSIFICATION, seed=42, base_dir=Path.cwd()))

    for strategy in ("lora", "full", "head-only", "gradual"):
        report = check_data(splits, strategy=strategy, tokenizer=bundled_tokenizer())
        assert report.clean, [(f.code, f.message) for f in report.findings]
        assert report.sizes == {"train": 540, "validation": 90, "test": 90}


@pytest.mark.parametrize(("n", "test_split", "strategy"), [
    (40, 0.2, "head-only"),  # tests/test_cli.py's project
    (40, 0.0, "full"),  # tests/test_engine.py's small_csv
    (120, 0.2, "full"),  # tests/test_engine.py's tiny_csv
    (60, 0.0, "full"),  # tests/test_studio.py's reviews
])
def test_the_small_files_of_the_other_tests_block_nothing(manager, tmp_path, n, test_split,
                                                          strategy):
    path = write_text_csv(tmp_path / "data.csv", n=n)
    dataset = manager.get("dataset", "csv")
    options = dataset.resolve_options({"path": str(path), "test_split": test_split}, "dataset")
    splits = dataset.load(options, tunekit.DataContext(
        task=tunekit.TEXT_CLASSIFICATION, seed=42, base_dir=tmp_path))

    report = check_data(splits, strategy=strategy)

    assert report.clean, [(f.code, f.message) for f in report.findings]


# ---------------------------------------------------------------- planted problems


def test_exact_duplicates_within_a_split_are_found_with_their_lines(manager, tmp_path):
    train = clean_rows(200, 0)
    train[10:10] = [["the soup was cold and bland", "negative"]] * 3  # lines 12, 13, 14

    report = check_files(manager, tmp_path, train, clean_rows(40, 1))

    found = only(report, "exact-duplicates")
    assert found.severity == "warning"
    assert found.count == 2  # two copies beyond the first
    assert found.where[0]["text"] == "the soup was cold and bland"
    assert places(found)[:3] == [("train", 11, "train.csv:12"), ("train", 12, "train.csv:13"),
                                 ("train", 13, "train.csv:14")]
    assert report.ok


def test_near_duplicates_up_to_case_and_punctuation_and_by_shared_words(manager, tmp_path):
    train = clean_rows(200, 0)
    train += [["The delivery was quick and the box was intact", "positive"],
              ["the delivery was quick, and the box was INTACT!!", "positive"],
              [LONG, "positive"],
              [LONG.replace("last spring", "last summer"), "positive"]]

    report = check_files(manager, tmp_path, train, clean_rows(40, 1))

    found = only(report, "near-duplicates")
    assert found.severity == "info"  # 4 rows of 204: worth knowing, nothing more
    assert found.count == 4
    assert sorted(places(found)) == [("train", 201, "train.csv:202"),
                                     ("train", 202, "train.csv:203"),
                                     ("train", 203, "train.csv:204"),
                                     ("train", 204, "train.csv:205")]
    assert "exact-duplicates" not in codes(report)


def test_a_few_conflicting_labels_warn_and_many_block(manager, tmp_path):
    train = clean_rows(200, 0)
    train += [["Terrible, it broke in a day", "negative"],
              ["terrible it broke in a day", "positive"]]
    report = check_files(manager, tmp_path, train, clean_rows(40, 1))
    found = only(report, "conflicting-labels")
    assert found.severity == "warning"
    assert found.count == 2
    assert sorted(places(found)) == [("train", 201, "train.csv:202"),
                                     ("train", 202, "train.csv:203")]
    assert {r["label"] for r in found.where[0]["rows"]} == {"negative", "positive"}

    flipped = [[text, "positive" if label == "negative" else "negative"]
               for text, label in clean_rows(200, 0)[:15]]
    report = check_files(manager, tmp_path, clean_rows(200, 0) + flipped, clean_rows(40, 1))
    found = only(report, "conflicting-labels")
    assert found.severity == "blocking"
    assert found.count == 30
    assert not report.ok


def test_leakage_of_validation_examples_into_training(manager, tmp_path):
    train = clean_rows(200, 0)
    validation = clean_rows(40, 1)
    validation[5] = list(train[7])  # one leaked row: a warning

    report = check_files(manager, tmp_path, train, validation)
    found = only(report, "leakage")
    assert found.severity == "warning"
    assert found.count == 1
    assert places(found) == [("validation", 6, "validation.csv:7"), ("train", 8, "train.csv:9")]

    validation[20:32] = [list(row) for row in train[:12]]  # 12 more of 40: heavy
    report = check_files(manager, tmp_path, train, validation)
    found = only(report, "leakage")
    assert found.severity == "blocking"
    assert found.count == 13
    assert "13 of 40 validation examples (32%) also appear in train" in found.message


def test_near_leakage_is_a_warning(manager, tmp_path):
    train = clean_rows(200, 0) + [[LONG, "positive"]]
    validation = clean_rows(40, 1) + [[LONG.replace("smoothies", "milkshakes"), "positive"]]

    report = check_files(manager, tmp_path, train, validation)

    found = only(report, "near-leakage")
    assert found.severity == "warning"
    assert places(found) == [("validation", 41, "validation.csv:42"),
                             ("train", 201, "train.csv:202")]


def test_imbalance_recommends_class_weights(manager, tmp_path):
    rows = clean_rows(400, 0)
    train = [r for r in rows if r[1] == "positive"] + [r for r in rows if r[1] == "negative"][:40]

    report = check_files(manager, tmp_path, train, clean_rows(40, 1))

    found = only(report, "imbalance")
    assert found.severity == "warning"
    assert "'positive' has 200 training examples, 'negative' 40 (5.0 to 1)" in found.message
    assert "training.class_weights: balanced" in found.recommendation


def test_empty_rows_are_found_with_their_lines(manager, tmp_path):
    train = clean_rows(200, 0)
    train[3:3] = [["", "positive"], ["   ", "negative"], ["a text without a label", ""]]

    report = check_files(manager, tmp_path, train, clean_rows(40, 1))

    found = only(report, "empty-rows")
    assert found.severity == "warning"
    assert found.count == 3
    assert [p["rows"][0]["line"] for p in found.where] == ["train.csv:5", "train.csv:6",
                                                          "train.csv:7"]
    assert [p["text"] for p in found.where] == ["no 'text'", "no 'text'", "no 'label'"]
    assert report.sizes["train"] == 200  # left out of the splits, as a run leaves them


def test_personal_data_is_found_and_never_shown_in_full(manager, tmp_path):
    train = clean_rows(200, 0)
    train += [["mail me at jane.doe@example.com, the refund never came", "negative"],
              ["call +1 415 555 0132 any time, lovely people", "positive"],
              ["they charged my card 4111 1111 1111 1111 twice", "negative"]]

    report = check_files(manager, tmp_path, train, clean_rows(40, 1))

    found = only(report, "personal-data")
    assert found.severity == "warning"
    assert found.count == 3
    assert "1 email address, 1 phone number, 1 card number" in found.message
    assert [p["rows"][0]["line"] for p in found.where] == ["train.csv:202", "train.csv:203",
                                                          "train.csv:204"]
    shown = json.dumps(report.to_dict())
    for secret in ("jane.doe@example.com", "415 555 0132", "4111 1111 1111 1111"):
        assert secret not in shown
    assert "j***@example.com" in shown and "**** **** **** 1111" in shown


def test_personal_data_detection_is_precise():
    assert find_personal_data("4111 1111 1111 1112 fails the Luhn check") == []
    for harmless in ("order 123456789 arrived", "on 2023-10-12 at 14:30", "it cost 1299.99",
                     "ISBN 978-3-16-148410-0", "version 1.2.3.4", "rated 10 - 20 - 30"):
        assert find_personal_data(harmless) == [], harmless
    assert [k for k, _ in find_personal_data("IBAN GB82 WEST 1234 5698 7654 32")] == ["iban"]
    assert [k for k, _ in find_personal_data("ring (415) 555-0132")] == ["phone"]


def test_a_single_class_and_unseen_labels_block_together(manager, tmp_path):
    train = [[text, "positive"] for text, _ in clean_rows(60, 0)]
    validation = clean_rows(20, 1) + [["what a mixed bag", "neutral"]]

    report = check_files(manager, tmp_path, train, validation)

    assert only(report, "single-class").severity == "blocking"
    assert "only one class in the training data ('positive')" in only(report,
                                                                      "single-class").message
    unseen = only(report, "unseen-labels")
    assert unseen.severity == "blocking"
    assert "'negative', 'neutral'" in unseen.message
    assert ("validation", 21, "validation.csv:22") in places(unseen)
    assert not report.ok


def test_unreadable_rows_are_counted_with_their_lines(manager, tmp_path):
    write(tmp_path / "validation.csv", clean_rows(40, 1))
    good = "".join(f"{text},{label}\n" for text, label in clean_rows(100, 0))
    (tmp_path / "train.csv").write_bytes(
        b"text,label\n" + good.encode() + b"un caf\xe9 cr\xe8me,positive\n"  # line 102: latin-1
        + b"one,two,three\n" + good.splitlines(keepends=True)[0].encode())  # 103: 3 fields
    dataset = manager.get("dataset", "csv")
    options = dataset.resolve_options({"path": "train.csv", "validation_path": "validation.csv"},
                                      "dataset")
    log = ReadLog()
    context = tunekit.DataContext(task=tunekit.TEXT_CLASSIFICATION, seed=42, base_dir=tmp_path,
                                  read_log=log)

    report = check_data(dataset.load(options, context), log=log)

    found = only(report, "unreadable-rows")
    assert found.severity == "blocking"
    assert found.count == 2
    assert [(p["rows"][0]["line"], p["text"]) for p in found.where] == [
        ("train.csv:102", "not UTF-8 text"),
        ("train.csv:103", "3 field(s) where the header has 2")]
    with pytest.raises(tunekit.DataError, match="not UTF-8"):  # a run still stops, as before
        dataset.load(options, tunekit.DataContext(task=tunekit.TEXT_CLASSIFICATION, seed=42,
                                                  base_dir=tmp_path))


def test_over_long_inputs_are_counted_with_the_tokenizer(manager, tmp_path):
    tokenizer = bundled_tokenizer()
    train = clean_rows(200, 0) + [[LONG, "positive"], [LONG + " " + LONG, "positive"]]

    report = check_files(manager, tmp_path, train, clean_rows(40, 1), tokenizer=tokenizer,
                         max_length=24)

    found = only(report, "over-long")
    expected = [len(tokenizer(text)["input_ids"]) for text in (LONG, LONG + " " + LONG)]
    assert min(expected) > 24
    assert found.count == 2
    assert f"the longest has {max(expected)} tokens" in found.message
    assert report.lengths == "tokenizer" and report.max_length == 24
    estimated = check_files(manager, tmp_path, train, clean_rows(40, 1), max_length=24)
    assert "about 2 examples" in only(estimated, "over-long").message


def test_too_few_examples_per_class_depends_on_the_strategy(manager, tmp_path):
    train, validation = clean_rows(20, 0), clean_rows(20, 1)  # 10 per class

    full = check_files(manager, tmp_path, train, validation, strategy="full")
    head = check_files(manager, tmp_path, train, validation, strategy="head-only")

    found = only(full, "too-few-per-class")
    assert found.severity == "warning"
    assert "fewer than 16 training examples, too few for 'full'" in found.message
    assert "too-few-per-class" not in codes(head)
    assert only(head, "few-per-class").severity == "info"


# ---------------------------------------------------------------- speed


def test_the_near_duplicate_search_is_fast_on_50k_rows():
    rng = random.Random(3)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
             for _ in range(5000)]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(20, 40)))
             for _ in range(50_000)]
    planted = {}
    for i in range(0, 50_000, 1000):  # one word changed in a long text: a near duplicate
        tokens = texts[i].split()
        tokens[len(tokens) // 2] = "changed"
        planted[i] = len(texts)
        texts.append(" ".join(tokens))

    started = time.monotonic()
    pairs = similar_pairs([t.split() for t in texts])
    took = time.monotonic() - started

    assert took < 20, took
    found = set(pairs)
    caught = sum((i, j) in found for i, j in planted.items())
    assert caught >= 0.9 * len(planted)
    assert len(found) <= caught + 5  # random texts are not near duplicates of each other


# ---------------------------------------------------------------- the command


def data_check(*args: str) -> tuple[int, str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["data", "check", *args])
    return code, out.getvalue(), err.getvalue()


def test_the_command_reports_a_clean_file_and_exits_0(tmp_path):
    write_text_csv(tmp_path / "reviews.csv", n=200)

    code, out, err = data_check("reviews.csv")

    assert code == 0, err
    assert "csv dataset; strategy lora (a run's default)" in out
    assert "negative" in out and "positive" in out
    assert out.strip().endswith("clean: no problems found")
    code, out, _ = data_check("reviews.csv", "--json")
    report = json.loads(out)
    assert code == 0
    assert report["clean"] is True and report["findings"] == []
    assert report["sizes"]["train"] + report["sizes"]["validation"] == 200


def test_copies_in_one_file_never_leak_through_the_split_tunekit_carves(tmp_path):
    rows = clean_rows(200, 0)
    rows += [[text.upper() + " !", label] for text, label in rows[:60]]  # copies, by key
    write(tmp_path / "tickets.csv", rows, header=("message", "category"))

    code, out, err = data_check("tickets.csv", "--json")

    report = json.loads(out)
    assert code == 0, err
    codes = {f["code"] for f in report["findings"]}
    assert "leakage" not in codes and "near-leakage" not in codes
    assert report["sizes"]["train"] + report["sizes"]["validation"] == 260


def test_the_command_exits_1_on_blocking_problems_and_groups_by_severity(tmp_path):
    rows = clean_rows(200, 0)
    rows += [list(r) for r in rows[:60]]  # copies within the training file
    rows.append(["write to jane.doe@example.com", "negative"])
    write(tmp_path / "tickets.csv", rows, header=("message", "category"))
    # a validation file the user made, half of it copied from training: the user's split leaks
    write(tmp_path / "held.csv", [list(r) for r in rows[:30]] + clean_rows(30, 7),
          header=("message", "category"))
    (tmp_path / "spec.yaml").write_text(
        "dataset: {name: csv, path: tickets.csv, validation_path: held.csv}\n")

    code, out, err = data_check("spec.yaml", "--strategy", "full")

    assert code == 1, err
    assert out.index("BLOCKING") < out.index("WARNINGS")
    assert "[leakage]" in out and "[exact-duplicates]" in out and "[personal-data]" in out
    assert "what to do:" in out
    assert "jane.doe@example.com" not in out
    assert "`tunekit run` refuses this data" in out
    code, out, _ = data_check("spec.yaml", "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    assert {"leakage", "exact-duplicates", "personal-data"} <= {f["code"] for f in
                                                                report["findings"]}
    leakage = next(f for f in report["findings"] if f["code"] == "leakage")
    assert leakage["severity"] == "blocking"
    lines = {r["line"].split(":")[0] for r in leakage["where"][0]["rows"]}
    assert lines == {"held.csv", "tickets.csv"}


def test_the_command_checks_a_spec_with_its_backbones_tokenizer(tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "tiny.py").write_text(TINY_PLUGIN)
    write(tmp_path / "data.csv", clean_rows(60, 0) + [[LONG, "positive"], [LONG2, "negative"]])
    (tmp_path / "spec.yaml").write_text(
        "dataset: {name: csv, path: data.csv, test_split: 0.2}\nbackbone: tiny-bert\n"
        "strategy: full\ntraining: {max_length: 16}\n")

    code, out, err = data_check("spec.yaml", "--plugins-dir", str(plugins), "--json")

    report = json.loads(out)
    assert code == 0, err
    assert report["lengths"] == "tokenizer" and report["tokenizer"] == "tiny-bert"
    assert report["strategy"] == "full" and report["max_length"] == 16
    assert report["sizes"]["test"] > 0
    over = next(f for f in report["findings"] if f["code"] == "over-long")
    assert over["count"] == 2  # the short texts are 7 tokens
    longest = max(len(bundled_tokenizer()(text)["input_ids"]) for text in (LONG, LONG2))
    assert f"the longest has {longest} tokens" in over["message"]


def test_set_changes_a_field_as_a_run_would(tmp_path):
    rows = clean_rows(200, 0)
    write(tmp_path / "tickets.csv", rows + [list(r) for r in rows[:40]],
          header=("message", "category"))
    (tmp_path / "spec.yaml").write_text("dataset: {name: csv, path: tickets.csv}\n")

    _, out, _ = data_check("spec.yaml", "--json")
    assert "exact-duplicates" in {f["code"] for f in json.loads(out)["findings"]}
    code, out, err = data_check("spec.yaml", "--set", "dataset.deduplicate=true", "--json")
    report = json.loads(out)
    assert code == 0, err
    assert "exact-duplicates" not in {f["code"] for f in report["findings"]}
    assert report["sizes"]["train"] + report["sizes"]["validation"] == 200
    # a file: its dataset's options
    code, out, err = data_check("tickets.csv", "--set", "dataset.validation_split=0.5", "--json")
    assert code in (0, 1), err
    sizes = json.loads(out)["sizes"]
    assert sizes["validation"] == pytest.approx(sizes["train"], abs=2)


@pytest.mark.parametrize(("args", "expected"), [
    (["gone.csv"], "file not found: gone.csv"),
    (["data.csv", "--set", "training.epochs=3"], "means nothing for a data file"),
    (["data.csv", "--set", "dataset.validation_splt=0.3"], 'Did you mean "validation_split"'),
    (["spec.yaml", "--set", "trainin.epochs=3"], "unknown field 'trainin'"),
    (["notes.md"], "cannot tell from its name"),
    (["data.csv", "--strategy", "lorra"], 'Did you mean "lora"'),
    (["data.csv", "--text-column", "body"], "no text column 'body'"),
])
def test_bad_input_exits_2_with_one_message(tmp_path, args, expected):
    write_text_csv(tmp_path / "data.csv", n=40)
    (tmp_path / "notes.md").write_text("# notes\n")
    (tmp_path / "spec.yaml").write_text("dataset: {name: csv, path: data.csv}\n")

    code, out, err = data_check(*args)

    assert code == 2
    assert [line for line in err.splitlines() if line.startswith("error:")] != []
    assert expected in err, err
    assert out == ""


def test_the_installed_command_runs_in_a_subprocess(tmp_path):
    write_text_csv(tmp_path / "data.csv", n=40)
    script = Path(sys.executable).parent / "tunekit"

    done = subprocess.run([str(script), "data", "check", "data.csv", "--json"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True


# ---------------------------------------------------------------- a run checks first


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry.open(tmp_path / "registry.db")


def leaky_spec(manager, folder: Path, **training) -> tunekit.RunSpec:
    train = clean_rows(80, 0)
    validation = [list(r) for r in train[:10]] + clean_rows(10, 1)  # half of it from train
    write(folder / "train.csv", train)
    write(folder / "validation.csv", validation)
    return tunekit.parse_spec({
        "dataset": {"name": "csv", "path": str(folder / "train.csv"),
                    "validation_path": str(folder / "validation.csv")},
        "backbone": "tiny-bert", "strategy": "head-only",
        "training": {"epochs": 1, "batch_size": 16, "early_stopping": None, **training},
        "metrics": ["accuracy"], "exporters": [],
    }, manager)


def test_a_run_refuses_blocking_problems_and_is_recorded_failed(manager, registry, tmp_path):
    events = []
    with pytest.raises(tunekit.DataCheckError) as caught:
        tunekit.run(leaky_spec(manager, tmp_path), manager=manager, registry=registry,
                    progress=False, listeners=[events.append], output_root=tmp_path / "runs")

    assert isinstance(caught.value, tunekit.DataError)
    assert [f.code for f in caught.value.findings] == ["leakage"]
    record = registry.get_run(caught.value.run_id)
    assert record.status == "failed"
    assert "[leakage] 10 of 20 validation examples (50%) also appear in train" in record.error
    assert "train.csv" in record.error  # where
    assert "--force" in record.error and "data_check: warn" in record.error  # how to go on
    assert [(e.kind, e.data["status"]) for e in events] == [("status", "failed")]


def test_a_run_told_to_warn_goes_on_and_keeps_the_report(manager, registry, tmp_path):
    events = []
    result = tunekit.run(leaky_spec(manager, tmp_path, data_check="warn"), manager=manager,
                         registry=registry, progress=False, listeners=[events.append],
                         output_root=tmp_path / "runs")

    assert result.status == "completed"
    messages = [e.data["text"] for e in events if e.kind == "message"]
    assert any(m.startswith("data check, blocking: 10 of 20 validation") for m in messages)
    summary = json.loads(registry.get_run(result.run_id).summary_json)
    assert summary["data_check"]["ok"] is False
    assert [f["code"] for f in summary["data_check"]["findings"]] == ["leakage"]


def test_a_run_with_the_check_off_records_no_report(manager, registry, tmp_path):
    result = tunekit.run(leaky_spec(manager, tmp_path, data_check="off"), manager=manager,
                         registry=registry, progress=False, output_root=tmp_path / "runs")

    assert result.status == "completed"
    assert json.loads(registry.get_run(result.run_id).summary_json)["data_check"] is None


def test_tunekit_run_force_goes_on(tmp_path, monkeypatch):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "tiny.py").write_text(TINY_PLUGIN)
    train = clean_rows(80, 0)
    write(tmp_path / "train.csv", train)
    write(tmp_path / "validation.csv", [list(r) for r in train[:10]] + clean_rows(10, 1))
    (tmp_path / "spec.yaml").write_text(
        "dataset: {name: csv, path: train.csv, validation_path: validation.csv}\n"
        "backbone: tiny-bert\nstrategy: head-only\nmetrics: [accuracy]\nexporters: []\n"
        "training: {epochs: 1, early_stopping: false}\n")
    monkeypatch.setattr(cli, "_stop_on_sigterm", lambda: None)  # leave pytest's handler be
    base = ["--plugins-dir", str(plugins), "run", "spec.yaml", "--quiet"]

    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        refused = cli.main(base)
        forced = cli.main([*base, "--force"])

    assert refused == 2
    assert "blocking problem" in err.getvalue() and "[leakage]" in err.getvalue()
    assert forced == 0, err.getvalue()
    assert [r.status for r in Registry.open(tmp_path / "registry.db").runs()] == [
        "completed", "failed"]
