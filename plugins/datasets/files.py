"""Datasets read from files: ``csv`` and ``jsonl`` (one text column, one label column)."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tunekit
from tunekit.data import (
    allow_long_csv_fields,
    carve,
    encoding_problem,
    flatten_records,
    guess_columns,
    read_problem,
    refuse_spreadsheet,
)
from tunekit.errors import did_you_mean

from . import looks

if TYPE_CHECKING:  # pragma: no cover
    from tunekit import ReadLog

# a text and a label per row: a class, or a number (text-regression)
FILE_TASKS = ("text-classification", "text-regression")

COMMON_PARAMS = (
    tunekit.Param(name="path", type=str, required=True, help="the file with the examples"),
    tunekit.Param(name="text_column", type=str, help="the column with the text (found "
                  "automatically when it has a common name such as text, review or message)"),
    tunekit.Param(name="label_column", type=str, help="the column with the label (found "
                  "automatically when it has a common name such as label, category or class)"),
    tunekit.Param(name="validation_path", type=str, help="a separate file for validation"),
    tunekit.Param(name="test_path", type=str, help="a separate file for the final test"),
    tunekit.Param(name="validation_split", type=float, default=0.15, min=0.01, max=0.5,
                  help="share of the examples held out for validation when there is no "
                  "validation file (stratified by label; at random for text-regression)"),
    tunekit.Param(name="test_split", type=float, default=0.0, min=0.0, max=0.5,
                  help="share held out as a test set when there is no test file"),
)
# every built-in file dataset takes it: the data check's advice on copies points at it
DEDUPLICATE = tunekit.Param(
    name="deduplicate", type=bool, default=False,
    help="keep one of each group of copies (the same text, case, spacing and punctuation "
         "aside, or the same image file; with the same label) before splitting; copies are "
         "kept on one side of the splits either way")
# how a file is read: by its suffix, unless format says
FORMAT = tunekit.Param(
    name="format", type=str, default="auto", choices=("auto", "csv", "jsonl", "parquet"),
    help="how the files are read: auto (by suffix: .csv/.tsv/.txt CSV, .jsonl/.ndjson/.json "
         "JSON lines, .parquet/.pq parquet; any other suffix the dataset's own format), or "
         "csv, jsonl or parquet whatever the suffix")
COMMON_PARAMS += (DEDUPLICATE, FORMAT)
SUFFIX_FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".jsonl": "jsonl",
                  ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}


def resolve_path(raw: str, base_dir: Path, field: str) -> Path:
    """The file a spec names: relative to the spec's folder, else to the working folder."""
    path = Path(raw).expanduser()
    candidates = [path] if path.is_absolute() else [base_dir / path, Path.cwd() / path]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
        if candidate.is_dir():
            raise tunekit.DataError(f"{candidate} is a folder, not a file", where=field)
    tried = " or ".join(str(c) for c in dict.fromkeys(candidates))
    raise tunekit.DataError(f"file not found: {raw} (looked for {tried})", where=field,
                            hint="check the path; relative paths start at the spec's folder")


def read_csv(path: Path, bad_rows: list[tuple[int, str]] | None = None,
             ) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and ``(line number, row)`` pairs of a CSV file, with clear errors.

    Given a ``bad_rows`` list, rows that cannot be read (bytes that are not UTF-8, a wrong
    number of fields, broken quoting) are skipped and noted there as ``(line, why)`` instead
    of stopping the read at the first one; problems of the whole file still raise.
    """
    undecodable: set[int] = set()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = encoding_problem(path, exc.start)
        if bad_rows is None or "UTF-16" in problem or "UTF-32" in problem:
            raise tunekit.DataError(problem, where=str(path),
                                    hint="save it as CSV UTF-8") from None
        text, undecodable = _decode_lines(_read_bytes(path))
        if 1 in undecodable:
            raise tunekit.DataError("the header line is not UTF-8 text", where=f"{path}:1",
                                    hint="save it as CSV UTF-8") from None
    except OSError as exc:
        raise tunekit.DataError(read_problem(exc), where=str(path)) from None
    if "\0" in text:
        raise tunekit.DataError("contains binary data (NUL bytes), not CSV text",
                                where=f"{path}:{text.count(chr(10), 0, text.index(chr(0))) + 1}")
    if not text.strip():
        raise tunekit.DataError("the file is empty", where=str(path))
    # the delimiter is read off the header line alone: texts may hold any punctuation
    first_line = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", "\t", ";", "|") if d in first_line), ",")
    allow_long_csv_fields()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = [h.strip() for h in next(reader)]
        if len(set(header)) != len(header) or any(not h for h in header):
            raise tunekit.DataError(f"the header has empty or repeated column names: {header}",
                                    where=f"{path}:1")
        last = reader.line_num
        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if bad_rows is None or reader.line_num == last:  # strict, or no way forward
                    raise
                bad_rows.append((reader.line_num, f"unreadable CSV: {exc}"))
                last = reader.line_num
                continue
            first, last = last + 1, reader.line_num  # a quoted field may span lines
            if not any(v.strip() for v in values):
                continue
            broken = sorted(n for n in undecodable if first <= n <= last)
            if broken:
                bad_rows.append((broken[0], "not UTF-8 text"))
                continue
            if len(values) != len(header):
                if bad_rows is None and last > first:  # a quote opened here ran on
                    raise tunekit.DataError(
                        f"a quoted field that starts on this line runs on to line {last}, "
                        f"leaving {len(values)} field(s) where the header has {len(header)}",
                        where=f"{path}:{first}", hint="close the quote (a quote inside a "
                        'quoted field is written twice: "")')
                if bad_rows is None:
                    raise tunekit.DataError(
                        f"this row has {len(values)} field(s) but the header has "
                        f"{len(header)}", where=f"{path}:{last}",
                        hint="quote fields that contain the delimiter")
                bad_rows.append((last, f"{len(values)} field(s) where the header has "
                                       f"{len(header)}"))
                continue
            rows.append((last, dict(zip(header, values, strict=True))))
        if not rows and bad_rows:
            line, why = bad_rows[0]
            raise tunekit.DataError(f"no readable rows below the header (line {line}: {why})",
                                    where=f"{path}:{line}")
        if not rows:
            raise tunekit.DataError("the file has a header but no examples below it",
                                    where=str(path))
    except csv.Error as exc:
        raise tunekit.DataError(f"unreadable CSV: {exc}",
                                where=f"{path}:{reader.line_num}") from None
    return header, rows


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise tunekit.DataError(read_problem(exc), where=str(path)) from None


def _decode_lines(raw: bytes) -> tuple[str, set[int]]:
    """Text decoded line by line, and the numbers of the lines that are not UTF-8 (their
    bad bytes replaced), so one bad line does not make the whole file unreadable."""
    lines, bad = [], set()
    for number, chunk in enumerate(raw.splitlines(), start=1):
        try:
            lines.append(chunk.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(chunk.decode("utf-8", errors="replace"))
            bad.add(number)
    return "\n".join(lines).removeprefix("\ufeff"), bad


def read_jsonl(path: Path, bad_rows: list[tuple[int, str]] | None = None,
               ) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The keys seen and ``(line number, object)`` pairs of a JSON-lines file.

    Given a ``bad_rows`` list, lines that cannot be read are noted there as ``(line, why)``
    and skipped instead of stopping the read.
    """
    undecodable: set[int] = set()
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        problem = encoding_problem(path, exc.start)
        if bad_rows is None or "UTF-16" in problem or "UTF-32" in problem:
            raise tunekit.DataError(problem, where=str(path),
                                    hint="save it as UTF-8") from None
        text, undecodable = _decode_lines(_read_bytes(path))
        lines = text.split("\n")
    except OSError as exc:
        raise tunekit.DataError(read_problem(exc), where=str(path)) from None
    array = _json_array(path, lines)
    if array is not None:
        return _flat(*array)
    rows: list[tuple[int, dict[str, Any]]] = []
    keys: dict[str, None] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        problem = None
        if number in undecodable:
            problem = "not UTF-8 text"
        else:
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problem = f"invalid JSON: {exc.msg}"
            else:
                if not isinstance(obj, dict):
                    problem = "each line must be a JSON object"
        if problem:
            if bad_rows is None:
                raise tunekit.DataError(problem, where=f"{path}:{number}")
            bad_rows.append((number, problem))
            continue
        keys.update(dict.fromkeys(obj))
        rows.append((number, obj))
    if not rows and bad_rows:
        line, why = bad_rows[0]
        raise tunekit.DataError(f"no readable lines ({len(bad_rows)} cannot be read; the "
                                f"first: {why})", where=f"{path}:{line}")
    if not rows:
        raise tunekit.DataError("the file is empty", where=str(path))
    return _flat(list(keys), rows)


def _flat(keys: list[str], rows: list[tuple[int, dict[str, Any]]],
          ) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Nested records as dotted fields ("meta.label"), a list of one label as that label
    (``tunekit.data.flatten_records``), so such fields can be the text or the label."""
    flat = flatten_records([obj for _, obj in rows])
    if flat == [obj for _, obj in rows]:
        return keys, rows
    columns = list(dict.fromkeys(key for obj in flat for key in obj))
    return columns, [(number, obj) for (number, _), obj in zip(rows, flat, strict=True)]


def _json_array(path: Path, lines: list[str],
                ) -> tuple[list[str], list[tuple[int, dict[str, Any]]]] | None:
    """A ``.json`` file holding one array of objects (what ``df.to_json(orient="records")``
    and many exports write) instead of JSON lines: its keys and ``(position, object)`` pairs
    (positions from 1); None when the file is not such an array."""
    first = next((line for line in lines if line.strip()), "")
    if not first.lstrip().startswith("["):
        return None
    try:
        data = json.loads("\n".join(lines))
    except json.JSONDecodeError as exc:
        raise tunekit.DataError(f"invalid JSON: {exc.msg}", where=f"{path}:{exc.lineno}",
                                hint="give JSON lines (one object per line) or one array of "
                                     "objects") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise tunekit.DataError("the JSON array must hold objects (one per example)",
                                where=str(path))
    if not data:
        raise tunekit.DataError("the file is empty (an empty array)", where=str(path))
    keys = dict.fromkeys(key for item in data for key in item)
    return list(keys), list(enumerate(data, start=1))


def read_parquet(path: Path, bad_rows: list[tuple[int, str]] | None = None,
                 ) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The columns and ``(row number, row)`` pairs of a parquet file (rows numbered from 1,
    as parquet has no lines). ``bad_rows`` is accepted for the readers' common signature:
    a parquet file is typed and cannot hold a malformed row."""
    try:
        import pyarrow.parquet as pq
        from pyarrow import ArrowException
    except ImportError:
        raise tunekit.DataError("reading parquet needs pyarrow, which is not installed",
                                where=str(path),
                                hint="pip install 'tunekit[datasets]' (or pyarrow)") from None
    try:
        table = pq.read_table(path)
    except OSError as exc:
        raise tunekit.DataError(read_problem(exc), where=str(path)) from None
    except ArrowException as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise tunekit.DataError(f"not a readable parquet file: {first}", where=str(path),
                                hint="write it with pandas' to_parquet or pyarrow, or save "
                                     "the data as CSV") from None
    if table.num_rows == 0:
        raise tunekit.DataError("the file is empty (no rows)", where=str(path))
    return list(table.column_names), list(enumerate(table.to_pylist(), start=1))


READERS = {"csv": read_csv, "jsonl": read_jsonl, "parquet": read_parquet}


def reader_for(path: Path, options: dict[str, Any], default: Any, field: str) -> Any:
    """The reader of ``path``: ``options["format"]`` when set, else by suffix, else
    ``default`` (the dataset's own format). A spreadsheet gets one clear message."""
    chosen = options.get("format") or "auto"
    if chosen != "auto":
        return READERS[chosen]
    refuse_spreadsheet(path, field)
    return READERS.get(SUFFIX_FORMATS.get(path.suffix.lower(), ""), default)


def pick_column(columns: list[str], wanted: str) -> str | None:
    """The column named ``wanted``, case-insensitively, or None."""
    if wanted in columns:
        return wanted
    return {c.lower(): c for c in columns}.get(wanted.lower())


def _columns(path: Path, columns: list[str], rows: list[tuple[int, dict[str, Any]]],
             options: dict[str, Any], notes: list[str] | None) -> tuple[str, str]:
    """The text and label columns: as named in the spec, else found by name or by values."""
    named = {role: options[f"{role}_column"] for role in ("text", "label")
             if options[f"{role}_column"]}
    missing = [role for role, name in named.items() if pick_column(columns, name) is None]
    if missing:
        said = "; ".join(f"no {role} column {named[role]!r}."
                         f"{did_you_mean(named[role], columns)}" for role in missing)
        raise tunekit.DataError(
            f"{said} Columns found: {', '.join(columns)}", where=str(path),
            hint=f"set dataset.{missing[0]}_column to one of the columns found")
    text_col = pick_column(columns, named["text"]) if "text" in named else None
    label_col = pick_column(columns, named["label"]) if "label" in named else None
    if text_col and label_col:
        return text_col, label_col
    sample = [row for _, row in rows[:2000]]
    found_text, found_label, guessed = guess_columns(columns, sample)
    text_col = text_col or (found_text if found_text != label_col else None)
    label_col = label_col or (found_label if found_label != text_col else None)
    found = ", ".join(columns)
    for col, role in ((label_col, "label"), (text_col, "text")):
        if role not in named:
            _refuse_an_object(path, columns, rows, role, col)
        if col is None:
            raise tunekit.DataError(f"cannot tell which column holds the {role}. Columns "
                                    f"found: {found}", where=str(path),
                                    hint=f"set dataset.{role}_column")
    if guessed and notes is not None:
        notes.append(f"guessed from the values: text column {text_col!r}, label column "
                     f"{label_col!r} (set dataset.text_column / label_column to choose)")
    return text_col, label_col


def _refuse_an_object(path: Path, columns: list[str], rows: list[tuple[int, dict[str, Any]]],
                      role: str, col: str | None) -> None:
    """A field named for the role that holds an object (``{"text": {"body": ...}}``) is read
    as dotted fields (``text.body``); guessing among them, or taking some other field by its
    values, could train on the wrong thing, so the person is asked to name the field meant."""
    fields = [c for c in columns if c.lower().startswith(f"{role}.")]
    if not fields:
        return
    # one field of it, holding text where text belongs, is plainly the one meant
    plain = all(isinstance(row.get(col), str) for _, row in rows[:200]
                if row.get(col) is not None) if role == "text" else True
    if col not in fields or len(fields) > 1 or not plain:
        raise tunekit.DataError(
            f"the {role} is not a single value: {role!r} holds an object with the fields "
            f"{', '.join(fields)}", where=f"{path}:{rows[0][0]}",
            hint=f"set dataset.{role}_column to the field that holds the {role} "
                 f"(e.g. {fields[0]})")


def load_examples(path: Path, options: dict[str, Any], reader: Any,
                  notes: list[str] | None = None, log: ReadLog | None = None,
                  numeric: bool = False) -> list[dict[str, Any]]:
    """The ``{"text", "label"}`` examples of a file; rows without a text or a label are left
    out (and counted in ``notes``). With a ``log`` (the data check), unreadable rows are
    skipped and noted there too, and each example's file line is recorded. ``numeric``
    (text-regression): labels are read as numbers; one that is not is an error naming its
    line (with a ``log``, a row left out)."""
    bad: list[tuple[int, str]] | None = None if log is None else []
    columns, rows = reader(path) if bad is None else reader(path, bad)
    text_col, label_col = _columns(path, columns, rows, options, notes)
    if text_col == label_col:
        raise tunekit.DataError(f"the text and label columns are both {text_col!r}",
                                where=str(path))
    examples, skipped = [], []
    for number, row in rows:
        text, label = _single(row.get(text_col)), _single(row.get(label_col))
        place = f"{path.name}:{number}"
        if text is None or label is None or not str(text).strip() or str(label).strip() == "":
            skipped.append(number)
            if log is not None:
                no_text = text is None or not str(text).strip()
                log.empty.append((place, f"no {text_col!r}" if no_text else f"no {label_col!r}"))
            continue
        odd = next((role for role, value in (("label", label), ("text", text))
                    if isinstance(value, list | dict)), None)
        if odd:  # a JSON line may hold a list or an object where one value belongs
            if bad is None:
                value = label if odd == "label" else text
                raise tunekit.DataError(f"the {odd} is not a single value: {str(value)[:80]}",
                                        where=f"{path}:{number}")
            bad.append((number, f"the {odd} is not a single value"))
            continue
        example = {"text": str(text), "label": str(label).strip()}
        if numeric:
            value = _finite_number(label)
            if value is None:
                why = f"the label {str(label).strip()[:40]!r} is not a number"
                if bad is None:
                    raise tunekit.DataError(why, where=f"{path}:{number}",
                                            hint="text-regression needs a number in every "
                                                 "label (e.g. 3.5); fix or drop that row")
                bad.append((number, why))
                continue
            example["label"] = value
        examples.append(example)
        if log is not None:
            log.origins[id(example)] = place
    if log is not None:
        log.unreadable.extend((f"{path.name}:{number}", why) for number, why in sorted(bad))
    if not examples and bad:
        number, why = bad[0]
        raise tunekit.DataError(f"no usable rows ({why})", where=f"{path}:{number}")
    if not examples:
        raise tunekit.DataError(f"no rows with both a {text_col!r} and a {label_col!r} value",
                                where=str(path))
    if skipped and notes is not None:
        lines = ", ".join(str(n) for n in skipped[:5]) + (", ..." if len(skipped) > 5 else "")
        notes.append(f"skipped {len(skipped)} rows of {path.name} without a text or a label "
                     f"(lines {lines})")
    return examples


def _single(value: Any) -> Any:
    """A list holding one plain value as that value (``["positive"]``); anything else as is,
    so a list of several labels is refused naming its own line."""
    if isinstance(value, list) and len(value) == 1 and not isinstance(value[0], list | dict):
        return value[0]
    return value


def _finite_number(value: Any) -> float | None:
    """``value`` as a finite float (a number, or text that reads as one), else None."""
    if isinstance(value, bool) or isinstance(value, list | dict):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def make_loader(reader: Any) -> Any:
    def load(options: dict[str, Any], context: tunekit.DataContext) -> tunekit.DataSplits:
        """Read the file(s); given a ``context.read_log`` (the data check), read tolerantly
        into it."""
        log = context.read_log
        path = resolve_path(options["path"], context.base_dir, "dataset.path")
        notes: list[str] = []
        # a numeric target has no classes: its splits are drawn at random
        numeric = context.task == "text-regression"
        rows = load_examples(path, options, reader_for(path, options, reader, "dataset.path"),
                             notes, log, numeric)
        given = {}
        for split in ("test", "validation"):
            if options[f"{split}_path"]:
                field = f"dataset.{split}_path"
                other = resolve_path(options[f"{split}_path"], context.base_dir, field)
                given[split] = load_examples(other, options,
                                             reader_for(other, options, reader, field),
                                             notes, log, numeric)
        return carve(rows, source=str(path), seed=context.seed,
                     validation_split=options["validation_split"],
                     test_split=options["test_split"], validation=given.get("validation"),
                     test=given.get("test"), stratify=not numeric,
                     dedupe=options.get("deduplicate", False), notes=notes)

    return load


@tunekit.hookimpl
def register_datasets(register):
    register(tunekit.Dataset(
        name="csv",
        title="CSV file",
        description="Your own examples in a CSV file: one column of text, one column of labels. "
                    "A validation split is held out automatically when there is none.",
        aliases=("csv file", "spreadsheet", "my data", "my own data", "comma separated"),
        params=COMMON_PARAMS,
        tasks=FILE_TASKS,
        load=make_loader(read_csv),
        reads=looks.table_file,
    ))
    register(tunekit.Dataset(
        name="parquet",
        title="Parquet file",
        description="Your own examples in a parquet file (as pandas' to_parquet, Spark or "
                    "the Hugging Face Hub write them): one text column, one label column.",
        aliases=("parquet file", "arrow", "dataframe file"),
        params=COMMON_PARAMS,
        tasks=FILE_TASKS,
        load=make_loader(read_parquet),
        reads=looks.parquet_file,
    ))
    register(tunekit.Dataset(
        name="jsonl",
        title="JSON lines file",
        description="Your own examples in a JSON-lines file: one object per line with a text "
                    "field and a label field. A field inside a nested object is named by its "
                    "dotted path (meta.label); a list holding one label is that label.",
        aliases=("json lines", "jsonl file", "ndjson", "json"),
        params=COMMON_PARAMS,
        tasks=FILE_TASKS,
        load=make_loader(read_jsonl),
        reads=looks.record_file,
    ))
