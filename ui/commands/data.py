"""``tunekit data check FILE_OR_SPEC``: what is wrong with the data, before a run trains on it.

    tunekit data check tickets.csv                   sizes, classes, findings and what to do
    tunekit data check tickets.csv --strategy full   judge the class sizes for full fine-tuning
    tunekit data check spec.yaml --json              a spec's data, as one JSON object
    tunekit data check spec.yaml --set dataset.deduplicate=true   with a field changed, as run

A FILE (.csv, .tsv, .txt, .jsonl, .ndjson, .parquet) is read the way the ``csv`` / ``jsonl``
/ ``parquet`` dataset reads it (its column guessing, its validation split), but tolerantly:
unreadable rows are reported instead of stopping the read. A spec (.yaml, .yml, .json) is
checked through its own dataset, strategy and backbone; when the backbone can load its
tokenizer alone, tokens are counted exactly, otherwise estimated. Exit 0 when nothing blocks
a run, 1 when something does (``tunekit run`` would refuse), 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DATA_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".jsonl": "jsonl",
                 ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
SPEC_SUFFIXES = (".yaml", ".yml", ".json")
MAX_CLASSES_SHOWN = 25


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser,
               runs: argparse._SubParsersAction) -> None:
    data = commands.add_parser("data", parents=[common], help="look at data before training on it")
    below = data.add_subparsers(dest="data_command", metavar="SUBCOMMAND")
    check = below.add_parser(
        "check", parents=[common],
        help="sizes, classes, duplicates, conflicts, leakage, lengths, personal data",
        description="Check a data file or a spec's data: each finding has a severity "
                    "(blocking, warning, info) and a recommendation. Exit 0 when nothing "
                    "blocks a run, 1 when something does, 2 on bad input.")
    check.add_argument("target", metavar="FILE_OR_SPEC",
                       help="a data file (.csv, .tsv, .jsonl) or a spec (.yaml, .json)")
    check.add_argument("--json", action="store_true", help="the report as one JSON object")
    check.add_argument("--text-column", metavar="C", help="the column with the text")
    check.add_argument("--label-column", metavar="C", help="the column with the label")
    check.add_argument("--backbone", metavar="NAME",
                       help="count tokens with this backbone's tokenizer (default: a spec's "
                            "backbone; for a file, lengths are estimated)")
    check.add_argument("--strategy", metavar="NAME",
                       help="judge the examples per class for this strategy (default: the "
                            "spec's, else lora, the default of a run)")
    check.add_argument("--set", dest="overrides", action="append", default=[],
                       metavar="FIELD=VALUE",
                       help="change a field as `tunekit run --set` does (for a file: its "
                            "dataset options and training.max_length), e.g. --set "
                            "dataset.validation_split=0.2")

    def dispatch(args: argparse.Namespace) -> int:
        if args.data_command == "check":
            return check_command(args)
        data.print_help()
        return 0

    data.set_defaults(handler=dispatch)


def check_command(args: argparse.Namespace) -> int:
    from tunekit.errors import DataError
    from tunekit.tools.datacheck import ReadLog, check_data, load_splits
    from tunekit.ui.commands.common import EXIT_OK, EXIT_RUN_FAILED, _manager

    path = Path(args.target).expanduser()
    if not path.exists():
        raise DataError(f"file not found: {args.target}", where="data check",
                        hint="give a data file (.csv, .tsv, .jsonl) or a spec (.yaml, .json)")
    if path.is_dir():
        raise DataError(f"{args.target} is a folder, not a file", where="data check")
    suffix = path.suffix.lower()
    from tunekit.data import refuse_spreadsheet

    refuse_spreadsheet(path, "data check")
    if suffix not in DATA_SUFFIXES and suffix not in SPEC_SUFFIXES:
        raise DataError(f"cannot tell from its name whether {path.name} is data or a spec",
                        where="data check",
                        hint="data: .csv, .tsv, .txt, .jsonl, .ndjson, .parquet; "
                             "specs: .yaml, .yml, .json")
    manager = _manager(args)
    setup = _from_spec(path, args, manager) if suffix in SPEC_SUFFIXES else \
        _from_file(path, args, manager)
    log = ReadLog()
    splits = load_splits(setup["dataset"], setup["options"], setup["context"], log)
    tokenizer, counted_by = _tokenizer(setup["backbone"], setup["backbone_options"])
    report = check_data(splits, strategy=setup["strategy"], tokenizer=tokenizer,
                        max_length=_limit(setup["max_length"], tokenizer), log=log)
    if args.json:
        print(json.dumps({**report.to_dict(), "dataset": setup["dataset"].name,
                          "tokenizer": counted_by}, indent=2, default=str))
    else:
        _print_report(report, setup, counted_by)
    return EXIT_OK if report.ok else EXIT_RUN_FAILED


# ---------------------------------------------------------------- what to check with


def _from_file(path: Path, args: argparse.Namespace, manager: Any) -> dict[str, Any]:
    from tunekit.components import TEXT_CLASSIFICATION, DataContext
    from tunekit.spec import DEFAULT_SPEC, Training

    dataset = manager.get("dataset", DATA_SUFFIXES[path.suffix.lower()])
    options = {"path": str(path.resolve()), "text_column": args.text_column,
               "label_column": args.label_column}
    said = _file_overrides(args.overrides)
    options = dataset.resolve_options({**{k: v for k, v in options.items() if v},
                                       **said.get("dataset", {})}, "dataset")
    strategy = manager.get("strategy", args.strategy or DEFAULT_SPEC["strategy"]["name"],
                           where="--strategy")
    backbone = manager.get("backbone", args.backbone, where="--backbone") \
        if args.backbone else None
    training = Training()
    return {"dataset": dataset, "options": options,
            "context": DataContext(task=TEXT_CLASSIFICATION, seed=training.seed,
                                   base_dir=Path.cwd()),
            "strategy": strategy.name, "strategy_note": "" if args.strategy else " (a run's "
            "default)", "backbone": backbone,
            "backbone_options": backbone.resolve_options({}, "--backbone") if backbone else {},
            "max_length": said.get("training", {}).get("max_length", training.max_length)}


def _file_overrides(overrides: list[str]) -> dict[str, Any]:
    """``--set`` for a data file: read as `tunekit run` reads it, where only the dataset's
    options and ``training.max_length`` mean anything (there is no spec to change)."""
    from tunekit.errors import SpecError
    from tunekit.spec import apply_overrides

    said = apply_overrides({}, overrides)
    for item in overrides:
        field = item.split("=", 1)[0].strip()
        if not (field.startswith("dataset.") or field == "training.max_length"):
            raise SpecError(f"{field} means nothing for a data file", where=f"--set {field}",
                            hint="for a file, set dataset.<option> or training.max_length; "
                                 "for the rest, check a spec")
    return said


def _from_spec(path: Path, args: argparse.Namespace, manager: Any) -> dict[str, Any]:
    import tunekit
    from tunekit.tools.datacheck import setup_of

    overrides = [f"{field}={value}" for field, value in (
        ("dataset.text_column", args.text_column), ("dataset.label_column", args.label_column),
        ("strategy", args.strategy), ("backbone", args.backbone)) if value] + args.overrides
    return setup_of(tunekit.load_spec(path, manager, overrides=overrides), manager)


def _tokenizer(backbone: Any, options: dict[str, Any]) -> tuple[Any, str | None]:
    """The backbone's tokenizer loaded alone (no weights), or None: lengths are estimated."""
    load = getattr(backbone, "load_tokenizer", None) if backbone else None
    if load is None:
        if backbone is not None:
            print(f"note: backbone {backbone.name!r} cannot load its tokenizer alone; lengths "
                  "are estimated", file=sys.stderr)
        return None, None
    try:
        return load(options), backbone.name
    except Exception as exc:  # counting exactly is a nicety: estimate instead
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"note: could not load the tokenizer of {backbone.name!r} ({first}); lengths "
              "are estimated", file=sys.stderr)
        return None, None


def _limit(max_length: int, tokenizer: Any) -> int:
    """training.max_length, or the tokenizer's own limit where that is lower."""
    limit = getattr(tokenizer, "model_max_length", None) if tokenizer is not None else None
    if isinstance(limit, int) and 0 < limit < 1_000_000:
        return min(max_length, limit)
    return max_length


# ---------------------------------------------------------------- the human report


def _print_report(report: Any, setup: dict[str, Any], counted_by: str | None) -> None:
    lengths = (f"tokens counted with {counted_by}'s tokenizer" if counted_by
               else "token counts estimated")
    print(f"data check: {report.source}")
    print(f"  {setup['dataset'].name} dataset; strategy {report.strategy}"
          f"{setup['strategy_note']}; {lengths}; max_length {report.max_length}")
    for note in report.notes:
        print(f"  note: {note}")
    print()
    _print_classes(report)
    order = (("blocking", "BLOCKING: a run refuses this data"), ("warning", "WARNINGS"),
             ("info", "INFO"))
    for severity, title in order:
        found = [f for f in report.findings if f.severity == severity]
        if not found:
            continue
        print(f"\n{title} ({len(found)})")
        for finding in found:
            print(f"  [{finding.code}] {finding.message}")
            print(f"    what to do: {finding.recommendation}")
            for place in finding.where:
                for line in _place_lines(place):
                    print(f"    {line}")
    blocking, warnings = len(report.blocking), len(report.warnings)
    infos = len(report.findings) - blocking - warnings
    counts = ", ".join(part for part in (
        _count(blocking, "blocking problem"), _count(warnings, "warning"),
        _count(infos, "note")) if part)
    print()
    if not report.findings:
        print("clean: no problems found")
    elif blocking:
        print(f"{counts}: `tunekit run` refuses this data (fix it, or train anyway with "
              "`tunekit run --force`)")
    else:
        print(f"no blocking problems ({counts})")


def _count(n: int, word: str) -> str:
    return "" if not n else f"{n} {word}{'s' if n != 1 else ''}"


def _print_classes(report: Any) -> None:
    splits = [s for s in ("train", "validation", "test") if report.sizes.get(s)] or ["train"]
    labels = sorted({label for s in splits for label in report.classes.get(s, {})})
    width = max([len("class"), *(len(label) for label in labels[:MAX_CLASSES_SHOWN])]) + 2
    print("  " + "class".ljust(width) + "".join(f"{s:>12}" for s in splits))
    for label in labels[:MAX_CLASSES_SHOWN]:
        counts = [report.classes.get(s, {}).get(label, 0) for s in splits]
        print("  " + label.ljust(width) + "".join(f"{n:>12}" for n in counts))
    if len(labels) > MAX_CLASSES_SHOWN:
        print(f"  ... and {len(labels) - MAX_CLASSES_SHOWN} more classes (--json lists them)")
    print("  " + "all".ljust(width) + "".join(f"{report.sizes.get(s, 0):>12}" for s in splits))


def _place_lines(place: dict[str, Any]) -> list[str]:
    rows = place.get("rows", [])
    said = ", ".join(_row(r) for r in rows)
    if place.get("more_rows"):
        said += f" and {place['more_rows']} more"
    text = place.get("text")
    lines = [f"- {said}" + (f': "{text}"' if text else "")]
    lines += [f"    {_row(r)}: \"{r['text']}\"" for r in rows if r.get("text")]
    return lines


def _row(row: dict[str, Any]) -> str:
    if "split" not in row:
        return str(row.get("line"))
    said = f"{row['split']} row {row['row']}"
    if row.get("line"):
        said += f" ({row['line']})"
    if row.get("label"):
        said += f" [{row['label']}]"
    return said
