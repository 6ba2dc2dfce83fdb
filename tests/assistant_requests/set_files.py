"""Writers the request sets' files modules share (score.py and each ``files_*.py``).

Each writes one file the way an export would: a delimited table with a header row, JSON Lines,
or Parquet. Their bytes are part of what a set measures (a BOM, an encoding, escaped or raw
non-ASCII), so a module passes the options its files need rather than rewriting the writer.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any


def table(path: Path, header: tuple[str, ...], rows: list[tuple[Any, ...]],
          delimiter: str = ",", encoding: str = "utf-8") -> None:
    """A header row, then ``rows``, written by the csv module (so quoting is a real export's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)


def jsonl(path: Path, records: list[dict[str, Any]], ensure_ascii: bool = False) -> None:
    """One JSON object per line, UTF-8; ``ensure_ascii`` writes non-ASCII as \\u escapes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=ensure_ascii) + "\n" for r in records),
                    encoding="utf-8")


def parquet(path: Path, columns: dict[str, list[Any]]) -> None:
    """A Parquet file of ``columns`` (name -> values), through pyarrow."""
    path.parent.mkdir(parents=True, exist_ok=True)
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(columns), path)
