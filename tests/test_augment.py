"""Text augmentation: the built-in augmentations, the spec's ``augmentations`` list, and a run
that trains on more examples while validation and test stay exactly as read."""

from __future__ import annotations

import json
import random
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
import tunekit
from tunekit.components import COPIES, DataContext
from tunekit.data import fingerprint
from tunekit.engine.augment import augment_rows
from tunekit.registry import Registry
from tunekit.testing import make_manager, tiny_backbones

NAMES = ("random-deletion", "random-swap", "char-noise", "random-crop")

SENTENCES = [
    "The delivery arrived two days late and the package was badly damaged on one side",
    "I would happily recommend this little restaurant to anyone looking for honest food",
    "Customer support answered quickly and solved my billing problem within minutes",
    "The battery drains overnight even when the phone sits unused on the kitchen table",
    "Lovely staff, spotless rooms and a breakfast that kept us going until the evening",
    "After the latest update the application crashes every time I open the settings page",
    "Great value for the money, sturdy build quality, and it looks better than the photos",
    "Nothing about this experience matched the description given on their website",
]


@pytest.fixture(scope="module")
def plugins() -> tunekit.PluginManager:
    return tunekit.load_plugins()


def augment(plugins, name: str, texts: list[str], seed: int = 0, **options) -> list[str]:
    """One call of an augmentation as the engine makes it: options resolved, copies left out."""
    component = plugins.get("augmentation", name)
    resolved = component.resolve_options(options, name)
    resolved.pop("copies")
    return component.augment(list(texts), resolved, random.Random(seed))


def corpus(n: int = 400, seed: int = 1) -> list[str]:
    """Varied texts: the sentences above, shuffled word by word."""
    rng = random.Random(seed)
    texts = []
    for i in range(n):
        words = SENTENCES[i % len(SENTENCES)].split()
        rng.shuffle(words)
        texts.append(" ".join(words))
    return texts


# ---------------------------------------------------------------- the built-in augmentations


def test_the_built_ins_are_data_plugins_with_common_copies(plugins):
    assert set(NAMES) <= set(plugins.names("augmentation"))
    for name in NAMES:
        component = plugins.get("augmentation", name)
        assert component.plugin == "datasets-augment"
        assert component.tasks == (tunekit.TEXT_CLASSIFICATION,)
        params = {p.name: p for p in component.params}
        assert params["copies"] == COPIES
        assert 0 < params["probability"].default <= 0.2


@pytest.mark.parametrize("name", NAMES)
def test_an_augmentation_is_deterministic_for_a_seed_and_changes_the_texts(plugins, name):
    texts = corpus(200)
    first = augment(plugins, name, texts, seed=3, probability=0.3)
    assert augment(plugins, name, texts, seed=3, probability=0.3) == first
    other = augment(plugins, name, texts, seed=4, probability=0.3)
    assert other != first
    assert len(first) == len(texts)
    changed = sum(a != t for a, t in zip(first, texts, strict=True))
    assert changed >= 0.9 * len(texts), f"{name} changed only {changed} of {len(texts)}"


@pytest.mark.parametrize("name", NAMES)
def test_no_text_is_emptied_even_at_probability_one(plugins, name):
    texts = [*corpus(50), "two words", "ok", ""]
    for seed in range(5):
        out = augment(plugins, name, texts, seed=seed, probability=1.0)
        assert all(a.split() for a, t in zip(out, texts, strict=True) if t), name
        assert out[-2:] == ["ok", ""]  # nothing to perturb in one short word or none


def test_random_deletion_drops_about_its_probability_of_the_words(plugins):
    texts = corpus(400)
    out = augment(plugins, "random-deletion", texts, seed=0, probability=0.2, keep=[])
    before = sum(len(t.split()) for t in texts)
    after = sum(len(t.split()) for t in out)
    assert 0.16 < 1 - after / before < 0.24
    for original, deleted in zip(texts, out, strict=True):  # the rest keeps its order
        words = iter(original.split())
        assert all(w in words for w in deleted.split())


def test_random_deletion_never_drops_a_negation(plugins):
    text = "I do not like it, it isn't good, it was never worth it and I can\u2019t return it"
    for seed in range(20):
        (out,) = augment(plugins, "random-deletion", [text], seed=seed, probability=1.0)
        assert out.split() == ["not", "isn't", "never", "can\u2019t"]
    assert "not" in plugins.get("augmentation", "random-deletion").description
    # the keep list is an option: words of a person's own choosing are kept instead
    (out,) = augment(plugins, "random-deletion", ["Not bad at ALL, really"], probability=1.0,
                     keep=["all"])
    assert out == "ALL,"


def test_random_swap_swaps_about_its_probability_of_the_words(plugins):
    text = " ".join(f"w{i}" for i in range(20))
    for seed in range(10):
        (out,) = augment(plugins, "random-swap", [text], seed=seed, probability=0.1)
        assert sorted(out.split()) == sorted(text.split())  # the same words, moved
        moved = sum(a != b for a, b in zip(out.split(), text.split(), strict=True))
        assert 2 <= moved <= 4  # two swaps move two to four words


def test_char_noise_puts_one_typo_in_about_its_probability_of_the_long_words(plugins):
    texts = corpus(300)
    out = augment(plugins, "char-noise", texts, seed=0, probability=0.25)
    long_words = changed = 0
    for original, noisy in zip(texts, out, strict=True):
        for a, b in zip(original.split(), noisy.split(), strict=True):
            core = a.strip(",.")
            if len(core) < 4 or not core.isalpha():
                assert a == b  # short words and punctuation-only changes are left alone
                continue
            long_words += 1
            if a != b:
                changed += 1
                assert abs(len(a) - len(b)) <= 1 and a[0] == b[0] and a[-1] == b[-1]
    assert 0.2 < changed / long_words < 0.3


def test_random_crop_keeps_one_span_of_at_least_the_share_asked(plugins):
    texts = corpus(200)
    out = augment(plugins, "random-crop", texts, seed=0, probability=0.3)
    for original, cropped in zip(texts, out, strict=True):
        words, kept = original.split(), cropped.split()
        assert len(words) * 0.7 <= len(kept) < len(words)
        assert any(words[i:i + len(kept)] == kept for i in range(len(words)))


# ---------------------------------------------------------------- the rows of a run


def test_augmented_rows_keep_their_label_and_the_originals_come_first(plugins):
    rows = [{"text": t, "label": "pos" if i % 3 else "neg", "id": i}
            for i, t in enumerate(corpus(60))]
    items = [{"name": "random-deletion", "probability": 0.2, "keep": [], "copies": 2},
             {"name": "char-noise", "probability": 0.2, "min_length": 4, "copies": 1}]
    augmented = augment_rows(rows, items, plugins, seed=5)
    assert augmented.rows[:60] == rows
    added = augmented.rows[60:]
    assert augmented.added == {"random-deletion": len(added) - augmented.added["char-noise"],
                               "char-noise": augmented.added["char-noise"]}
    assert 60 < augmented.added["random-deletion"] <= 120
    assert 50 < augmented.added["char-noise"] <= 60
    by_id = {r["id"]: r for r in rows}
    for row in added:
        assert row["label"] == by_id[row["id"]]["label"]
        assert row["text"] != by_id[row["id"]]["text"]
    assert len({(r["text"], r["label"]) for r in augmented.rows}) == len(augmented.rows)
    assert augmented.describe() == {"rows_added": len(added), "by": augmented.added,
                                    "train_size": len(augmented.rows)}
    assert augment_rows(rows, items, plugins, seed=5).rows == augmented.rows
    assert augment_rows(rows, items, plugins, seed=6).rows != augmented.rows


def test_an_augmentation_returning_the_wrong_texts_is_named(plugins):
    def drop_last(texts, options, rng):
        return texts[:-1]

    @tunekit.hookimpl
    def register_datasets(register):
        register(tunekit.Augmentation(name="drop-last", description="Loses a text.",
                                      augment=drop_last))

    manager = make_manager(("bad", SimpleNamespace(register_datasets=register_datasets)),
                           installed=False)
    with pytest.raises(tunekit.PluginError, match="'drop-last'.*returned 1 items for 2 texts"):
        augment_rows([{"text": "a b", "label": "x"}, {"text": "c d", "label": "y"}],
                     [{"name": "drop-last", "copies": 1}], manager, seed=0)


# ---------------------------------------------------------------- the contract and the spec


def test_copies_is_common_and_cannot_be_redeclared():
    component = tunekit.Augmentation(name="noop", description="d", augment=lambda t, o, r: t,
                                     params=(tunekit.Param(name="probability", type=float,
                                                           default=0.1),))
    component.check()
    component.check()  # checking twice adds nothing twice
    assert [p.name for p in component.params] == ["probability", "copies"]
    clash = tunekit.Augmentation(name="clash", description="d", augment=lambda t, o, r: t,
                                 params=(tunekit.Param(name="copies", type=int, default=3),))
    with pytest.raises(tunekit.PluginError, match="'copies' is common"):
        clash.check()


def test_registering_the_wrong_type_in_register_datasets_names_both_accepted_types(tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "mixed.py").write_text(textwrap.dedent("""
        import tunekit

        @tunekit.hookimpl
        def register_datasets(register):
            register(tunekit.Metric(name="oops", description="d", compute=print))
    """))
    manager = tunekit.load_plugins(folder)
    (error,) = [p.error for p in manager.problems if p.plugin == "mixed"]
    assert ("register_datasets registered Metric; expected tunekit.Dataset or "
            "tunekit.Augmentation") in error


def test_a_plugin_registers_its_own_augmentation_through_register_datasets(tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "shout.py").write_text(textwrap.dedent("""
        import tunekit

        def shout(texts, options, rng):
            return [t.upper() for t in texts]

        @tunekit.hookimpl
        def register_datasets(register):
            register(tunekit.Augmentation(name="shout", description="Upper case.",
                                          aliases=("capitals",), augment=shout))
    """))
    manager = tunekit.load_plugins(folder)
    assert manager.problems == []
    assert manager.get("augmentation", "capitals").plugin == "shout"
    assert ("augmentation", "shout") in manager.plugins["shout"].components


def spec_data(path: Path, **extra) -> dict:
    return {"dataset": {"name": "csv", "path": str(path)}, "backbone": "tiny-bert",
            "strategy": "full", **extra}


def test_the_spec_lists_augmentations_with_their_options(manager, tiny_csv):
    plain = tunekit.parse_spec(spec_data(tiny_csv), manager)
    assert plain.data["augmentations"] == []
    spec = tunekit.parse_spec(spec_data(tiny_csv, augmentations=[
        {"name": "word dropout", "probability": 0.05}, "typos"]), manager)
    assert spec.data["augmentations"] == [
        {"name": "random-deletion", "probability": 0.05,
         "keep": plugins_default(manager, "random-deletion", "keep"), "copies": 1},
        {"name": "char-noise", "probability": 0.1, "min_length": 4, "copies": 1}]
    overridden = tunekit.parse_spec(spec_data(tiny_csv), manager,
                                    overrides=["augmentations=random-swap,random-crop"])
    assert overridden.names("augmentations") == ["random-swap", "random-crop"]


def plugins_default(manager, name: str, param: str):
    return next(p.default for p in manager.get("augmentation", name).params if p.name == param)


def test_an_unknown_augmentation_is_refused_with_the_closest_name(manager, tiny_csv):
    with pytest.raises(tunekit.UnknownComponentError) as caught:
        tunekit.parse_spec(spec_data(tiny_csv, augmentations=["random-delete"]), manager)
    assert 'Did you mean "random-deletion"' in str(caught.value)
    assert caught.value.where == "augmentations[0].name"


@pytest.mark.parametrize("item, where", [
    ({"name": "random-swap", "probability": 1.5}, "augmentations[0].probability"),
    ({"name": "random-swap", "copies": 0}, "augmentations[0].copies"),
    ({"name": "random-swap", "rate": 0.1}, "augmentations[0]"),
])
def test_bad_augmentation_options_name_the_field(manager, tiny_csv, item, where):
    with pytest.raises(tunekit.SpecError) as caught:
        tunekit.parse_spec(spec_data(tiny_csv, augmentations=[item]), manager)
    assert caught.value.where == where


# ---------------------------------------------------------------- a run


class Recorder:
    """A test plugin: an augmentation that records every text it is given."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @tunekit.hookimpl
    def register_datasets(self, register):
        def record(texts, options, rng):
            self.seen.extend(texts)
            return [f"{t} indeed" for t in texts]

        register(tunekit.Augmentation(name="recorder", description="Records its input.",
                                      augment=record))


def test_a_run_trains_on_augmented_rows_and_evaluates_untouched_splits(tmp_path, tiny_csv):
    recorder = Recorder()
    manager = make_manager(("tiny-backbones", tiny_backbones), ("recorder", recorder))
    registry = Registry.open(tmp_path / "registry.db")
    training = {"epochs": 2, "batch_size": 16, "learning_rate": 1e-3, "seed": 3,
                "early_stopping": None}

    def run(augmentations):
        spec = tunekit.parse_spec(spec_data(
            tiny_csv, dataset={"name": "csv", "path": str(tiny_csv), "test_split": 0.2},
            training=training, metrics=["accuracy", "confusion-matrix"], exporters=["model-card"],
            augmentations=augmentations), manager)
        events = []
        result = tunekit.run(spec, manager=manager, registry=registry, progress=False,
                             output_root=tmp_path / "runs", listeners=[events.append])
        assert result.status == "completed"
        record = registry.get_run(result.run_id)
        card = Path(registry.artifacts(result.run_id)[0].path).read_text(encoding="utf-8")
        return spec, record, json.loads(record.summary_json), events, card

    spec, plain, plain_summary, _, plain_card = run([])
    _, augmented, summary, events, card = run([{"name": "random-deletion", "probability": 0.3},
                                         {"name": "recorder", "copies": 2}])

    # the splits as read: the recorder saw the training texts, and only them
    splits = manager.get("dataset", "csv").load(
        spec.options("dataset"), DataContext(task=spec.task, seed=3, base_dir=Path.cwd()))
    train = [r["text"] for r in splits.train]
    assert recorder.seen == train * 2
    assert not set(recorder.seen) & {r["text"] for r in splits.validation + splits.test}

    sizes = summary["data"]["sizes"]
    assert sizes == plain_summary["data"]["sizes"] == {
        "train": len(splits.train), "validation": len(splits.validation),
        "test": len(splits.test)}
    added = summary["data"]["augmented"]
    assert added["by"]["recorder"] == len(train)  # the second copy repeats the first: skipped
    assert 0 < added["by"]["random-deletion"] <= len(train)
    assert added["train_size"] == len(train) + added["rows_added"]
    assert "augmented" not in plain_summary["data"]
    # trained on the augmented rows: every epoch saw each of them once
    assert plain_summary["performance"]["samples"] == 2 * len(train)
    assert summary["performance"]["samples"] == 2 * added["train_size"]
    # evaluated on the untouched splits: the confusion matrices count exactly their rows
    for split, size in (("validation", sizes["validation"]), ("test", sizes["test"])):
        matrix = json.loads(augmented.details_json)[split]["confusion_matrix"]["matrix"]
        assert sum(map(sum, matrix)) == size
    # the fingerprint is the data as read, the same with or without augmentation
    assert augmented.data_fingerprint == plain.data_fingerprint == fingerprint(splits)
    said = [e.data["text"] for e in events if e.kind == "message"]
    assert any(f"augmentation added {added['rows_added']} training examples" in s
               and "validation and test are untouched" in s for s in said)
    # the model card says what the model trained on
    assert f"Augmented for training only: {added['rows_added']} perturbed copies" in card
    assert "Augmented" not in plain_card
