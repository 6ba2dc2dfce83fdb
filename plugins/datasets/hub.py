"""``hf-dataset``: a dataset read by Hugging Face's ``datasets`` library.

``path`` is what ``datasets`` itself takes: a Hub id (``imdb``, ``conll2003``, ``user/name``,
with ``config`` and ``revision``), a folder written by ``save_to_disk``, or a local data file
(.parquet, .csv, .json, .jsonl) read with ``load_dataset(<builder>, data_files=...)``. The
rows become the task's rows (text and label; tokens and tags; prompts and answers or chats;
images), with the names of ``ClassLabel`` features instead of their numbers. Splits the
dataset has (``validation``, ``test``) are used as given; otherwise they are carved out of
``split`` the way every built-in dataset carves them (copies kept on one side).

Nothing is downloaded behind the user's back: with ``HF_HUB_OFFLINE=1`` (or no network) a Hub
id is read from the Hugging Face cache, and a dataset that is not cached is one message saying
so.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import tunekit
from tunekit.data import carve, guess_columns

from . import lm_records
from .files import DEDUPLICATE

TASKS = ("text-classification", "text-regression", "token-classification", "causal-lm",
         "image-classification")
BUILDERS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv",
            ".json": "json", ".jsonl": "json", ".ndjson": "json", ".txt": "text"}
# the columns a causal-LM row may carry, in tunekit's names or another tool's (lm_records)
LM_COLUMNS = ("text", *dict.fromkeys(lm_records.PROMPT_FIELDS + lm_records.ANSWER_FIELDS
                                     + lm_records.CONTEXT_FIELDS + lm_records.CHAT_FIELDS))

PARAMS = (
    tunekit.Param(name="path", type=str, required=True,
                  help="a Hub dataset id (imdb, user/name), a folder written by save_to_disk, "
                       "or a local .parquet/.csv/.json/.jsonl file"),
    tunekit.Param(name="config", type=str, help="the dataset's configuration (subset), if it "
                  "has several"),
    tunekit.Param(name="revision", type=str, help="a branch, tag or commit of a Hub dataset"),
    tunekit.Param(name="split", type=str, default="train", help="the split to train on"),
    tunekit.Param(name="validation", type=str, help="the split to validate on (default: the "
                  "dataset's validation split if it has one, else held out of the train split)"),
    tunekit.Param(name="test", type=str, help="a split for the final test (default: the "
                  "dataset's test split when test_split is 0 and it has one)"),
    tunekit.Param(name="validation_split", type=float, default=0.15, min=0.01, max=0.5,
                  help="share held out for validation when the dataset has no such split"),
    tunekit.Param(name="test_split", type=float, default=0.0, min=0.0, max=0.5,
                  help="share held out as a test set when no test split is used"),
    tunekit.Param(name="text_column", type=str, help="the column with the text (found by name "
                  "or by its values when left out)"),
    tunekit.Param(name="label_column", type=str, help="the column with the label or class"),
    tunekit.Param(name="tokens_column", type=str, default="tokens",
                  help="token-classification: the column with the words"),
    tunekit.Param(name="tags_column", type=str, help="token-classification: the column with "
                  "the tags (default: ner_tags, tags or labels)"),
    tunekit.Param(name="image_column", type=str, default="image",
                  help="image-classification: the column with the images"),
    DEDUPLICATE,
)


def _fail(text: str, hint: str | None = None) -> tunekit.DataError:
    return tunekit.DataError(text, where="dataset.path", hint=hint)


def _local(path: str, base_dir: Path) -> Path:
    """``path`` as a local file or folder (relative paths start at the spec's folder)."""
    local = Path(path).expanduser()
    return local if local.is_absolute() else base_dir / local


def open_dataset(options: dict[str, Any], base_dir: Path) -> Any:
    """The ``datasets.DatasetDict`` that ``options["path"]`` names (see the module's text)."""
    try:
        import datasets
    except ImportError:
        raise _fail("the hf-dataset dataset needs the datasets library, which is not "
                    "installed", hint="pip install 'tunekit[datasets]'") from None
    raw = options["path"]
    local = _local(raw, base_dir)
    try:
        if local.is_dir():
            loaded = datasets.load_from_disk(str(local))
        elif local.is_file():
            builder = BUILDERS.get(local.suffix.lower())
            if builder is None:
                raise _fail(f"{local.name}: datasets reads .parquet, .csv, .json, .jsonl and "
                            ".txt files", hint="give one of those, or a save_to_disk folder")
            loaded = datasets.load_dataset(builder, data_files=str(local))
        else:
            loaded = _from_hub(datasets, raw, options)
    except tunekit.DataError:
        raise
    except FileNotFoundError as exc:  # save_to_disk folders without their state files
        raise _fail(f"{raw} is not a dataset datasets can open: {_first_line(exc)}",
                    hint="give a folder written by save_to_disk, a data file or a Hub "
                         "id") from None
    except (ValueError, TypeError, OSError) as exc:
        raise _fail(f"cannot read {raw} with datasets: {_first_line(exc)}") from None
    if isinstance(loaded, datasets.Dataset):
        loaded = datasets.DatasetDict({"train": loaded})
    return loaded


def _from_hub(datasets: Any, name: str, options: dict[str, Any]) -> Any:
    """A Hub dataset: from the cache offline, and one message when it is not there."""
    from huggingface_hub import constants

    try:
        return datasets.load_dataset(name, options["config"], revision=options["revision"])
    except Exception as exc:  # noqa: BLE001 - datasets raises a dozen kinds; each gets a line
        text = _first_line(exc)
        offline = constants.HF_HUB_OFFLINE or any(
            word in f"{type(exc).__name__} {text}".lower()
            for word in ("connection", "offline", "resolve", "network", "not found",
                         "doesn't exist", "couldn't find", "cannot find"))
        if "config" in text.lower() and "missing" in text.lower():
            raise _fail(f"{name} has several configurations: {text}",
                        hint="set dataset.config to one of them") from None
        if offline:
            raise _fail(
                f"the dataset {name!r} is not in the Hugging Face cache, and the Hub cannot "
                f"be reached from here ({text})",
                hint="on a machine online, load it once (datasets.load_dataset) so that it "
                     "is cached, then set HF_HUB_OFFLINE=1; or save_to_disk and give that "
                     "folder; or export it to parquet/CSV") from None
        raise _fail(f"cannot load the dataset {name!r}: {text}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def _names(feature: Any) -> list[str] | None:
    """The class names of a ClassLabel feature (or of a sequence of them), else None."""
    inner = getattr(feature, "feature", None)
    if inner is not None and not hasattr(feature, "names"):
        return _names(inner)
    if isinstance(feature, list) and feature:
        return _names(feature[0])
    names = getattr(feature, "names", None)
    return list(names) if names else None


def _pick(columns: list[str], wanted: str | None, defaults: tuple[str, ...], role: str,
          split: str) -> str:
    found = {c.lower(): c for c in columns}
    for name in ((wanted,) if wanted else defaults):
        if name and name.lower() in found:
            return found[name.lower()]
    said = f"no column {wanted!r}" if wanted else f"cannot tell which column holds the {role}"
    raise tunekit.DataError(f"{said} in split {split!r}; columns: {', '.join(columns)}",
                            where="dataset", hint=f"set dataset.{role}_column")


def _text_rows(part: Any, options: dict[str, Any], numeric: bool, split: str) -> list[dict]:
    columns = list(part.column_names)
    text, label = options["text_column"], options["label_column"]
    if any(name and "." in name and name not in columns for name in (text, label)):
        part = part.flatten()  # nested fields by their dotted paths, as datasets names them
        columns = list(part.column_names)
    if not (text and label):
        guessed_text, guessed_label, _ = guess_columns(columns, part.select(
            range(min(len(part), 2000))).to_list())
        text, label = text or guessed_text, label or guessed_label
    text = _pick(columns, text, (), "text", split)
    label = _pick(columns, label, (), "label", split)
    names = _names(part.features[label])
    rows = []
    for item in part.select_columns([text, label]):
        value, target = item[text], item[label]
        if isinstance(target, list) and len(target) == 1:
            target = target[0]  # a list of one label is that label
        if value is None or target is None or not str(value).strip() or target == -1:
            continue  # unlabelled rows (-1 in many Hub test splits) have nothing to teach
        if numeric:
            rows.append({"text": str(value), "label": float(target)})
        else:
            rows.append({"text": str(value),
                         "label": names[target] if names else str(target).strip()})
    return rows


def _token_rows(part: Any, options: dict[str, Any], split: str) -> list[dict]:
    columns = list(part.column_names)
    tokens = _pick(columns, options["tokens_column"], (), "tokens", split)
    tags = _pick(columns, options["tags_column"], ("ner_tags", "tags", "labels", "ner"),
                 "tags", split)
    names = _names(part.features[tags])
    rows = []
    for item in part.select_columns([tokens, tags]):
        words, marks = item[tokens], item[tags]
        if not words:
            continue
        rows.append({"tokens": [str(w) for w in words],
                     "tags": [names[m] if names else str(m) for m in marks]})
    return rows


def _lm_rows(part: Any, split: str) -> list[dict]:
    kept = [c for c in part.column_names if c in LM_COLUMNS]
    if not kept:
        raise tunekit.DataError(
            f"split {split!r} has none of the columns causal-lm reads; columns: "
            f"{', '.join(part.column_names)}", where="dataset",
            hint=f"causal-lm reads {lm_records.FORMS_READ}")
    return [lm_records.standard_row({k: v for k, v in item.items() if v is not None},
                                    f"dataset: split {split!r}, row {number}")
            for number, item in enumerate(part.select_columns(kept), start=1)]


def _image_rows(part: Any, options: dict[str, Any], folder: Path, split: str) -> list[dict]:
    """Images as files (the image task reads paths): a local path the dataset points at, or
    its bytes written once to ``folder`` under their sha256."""
    import datasets

    columns = list(part.column_names)
    image = _pick(columns, options["image_column"], ("image", "img", "picture"), "image",
                  split)
    label = _pick(columns, options["label_column"], ("label", "labels", "category", "class"),
                  "label", split)
    names = _names(part.features[label])
    part = part.cast_column(image, datasets.Image(decode=False))
    rows = []
    for item in part.select_columns([image, label]):
        stored = item[image] or {}
        path = stored.get("path")
        if stored.get("bytes"):
            digest = hashlib.sha256(stored["bytes"]).hexdigest()
            suffix = Path(path).suffix if path else ".png"
            target = folder / f"{digest}{suffix or '.png'}"
            if not target.exists():
                folder.mkdir(parents=True, exist_ok=True)
                target.write_bytes(stored["bytes"])
            path = str(target)
        if not path or item[label] is None:
            continue
        rows.append({"image": path, "label": names[item[label]] if names else str(item[label])})
    return rows


def rows_of(part: Any, task: str, options: dict[str, Any], split: str,
            image_folder: Path) -> list[dict]:
    """One split's rows in the shape ``task`` trains on."""
    if task in ("text-classification", "text-regression"):
        return _text_rows(part, options, task == "text-regression", split)
    if task == "token-classification":
        return _token_rows(part, options, split)
    if task == "causal-lm":
        return _lm_rows(part, split)
    return _image_rows(part, options, image_folder, split)


def load(options: dict[str, Any], context: tunekit.DataContext) -> tunekit.DataSplits:
    loaded = open_dataset(options, context.base_dir)
    have = list(loaded)

    def part(name: str, field: str) -> Any:
        if name not in loaded:
            raise tunekit.DataError(f"the dataset has no split {name!r}; it has "
                                    f"{', '.join(have)}", where=f"dataset.{field}",
                                    hint=f"set dataset.{field} to one of them")
        return loaded[name]

    images = context.base_dir / ".tunekit-images"
    rows = rows_of(part(options["split"], "split"), context.task, options, options["split"],
                   images)
    given: dict[str, list[dict]] = {}
    validation = options["validation"] or ("validation" if "validation" in loaded
                                           and options["split"] != "validation" else None)
    test = options["test"] or ("test" if "test" in loaded and not options["test_split"]
                               and options["split"] != "test" else None)
    for field, name in (("validation", validation), ("test", test)):
        if name:
            given[field] = rows_of(part(name, field), context.task, options, name, images)
            if not given[field]:  # e.g. a test split with every label -1 (hidden)
                del given[field]
    source = options["path"] + (f" ({options['config']})" if options["config"] else "") + \
        (f" @ {options['revision']}" if options["revision"] else "")
    notes = [f"read with datasets: split {options['split']!r}"
             + "".join(f", {f} {n!r}" for f, n in (("validation", validation), ("test", test))
                       if f in given)]
    stratify = context.task in ("text-classification", "image-classification")
    splits = carve(rows, source=source, seed=context.seed,
                   validation_split=options["validation_split"],
                   test_split=options["test_split"], validation=given.get("validation"),
                   test=given.get("test"), stratify=stratify,
                   dedupe=options.get("deduplicate", False), notes=notes,
                   noun="images" if context.task == "image-classification" else "examples")
    if not _local(options["path"], context.base_dir).exists():  # read from the Hub (cache)
        splits.hub_id = options["path"]
    return splits


def reads(path: Path) -> float:
    """A folder written by save_to_disk (its state or dict file)."""
    if not path.is_dir():
        return 0.0
    return 0.95 if any((path / name).is_file() for name in
                       ("dataset_dict.json", "state.json", "dataset_info.json")) else 0.0


@tunekit.hookimpl
def register_datasets(register):
    register(tunekit.Dataset(
        name="hf-dataset",
        title="Hugging Face dataset",
        description="A dataset read by Hugging Face's datasets library: a Hub id (from the "
                    "cache when offline), a save_to_disk folder, or a parquet/CSV/JSON file. "
                    "Text classification and regression, token tagging, causal-LM and "
                    "image classification all read from it.",
        aliases=("hub dataset", "hugging face dataset", "huggingface dataset", "datasets",
                 "load_dataset", "save_to_disk", "arrow dataset"),
        # where it fetches datasets by name from: "ag_news from the hub", "the Hugging Face
        # dataset imdb", "huggingface.co/datasets/user/name" (the assistant reads the id)
        phrases=(r"hugg?ing?[ -]?face(?:'s)?(?: datasets?)?(?: hub)?",
                 r"hf(?: datasets?)?(?: hub)?", r"(?:datasets? )?hub", r"(?:https?://)?(?:www\.)?(?:huggingface|hf)\.co/datasets"),
        params=PARAMS,
        tasks=TASKS,
        load=load,
        reads=reads,
    ))
