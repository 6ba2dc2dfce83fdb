"""Image datasets: ``image-folder`` (your images, one folder per class, or a zip of them) and
``sample-shapes`` (a small sample tunekit draws itself).

Both yield rows ``{"image": path, "label": class}``; training rows also say which
augmentations apply (``"augment": ["crop", "flip", "jitter"]``), from the ``augment`` and
``flip`` options: the image task reads them when it builds training batches.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import tunekit
from tunekit.data import carve
from tunekit.images import check_readable, is_image_file

from . import looks
from .files import DEDUPLICATE

IMAGE_CLASSIFICATION = "image-classification"
# an upload bigger than this once extracted is refused (a zip bomb fills the disk)
MAX_EXTRACTED_BYTES = 4 * 1024**3
MAX_MEMBERS = 200_000
# folders that archivers add and nobody means as a class
IGNORED_FOLDERS = ("__MACOSX",)

AUGMENT = tunekit.Param(
    name="augment", type=bool, default=True,
    help="augment training images each epoch: a random crop of 60-100% of the image, a "
         "horizontal flip, brightness / contrast / saturation changes of up to 20%")
FLIP = tunekit.Param(
    name="flip", type=bool, default=True,
    help="with augment, flip training images left to right half of the time (turn off when "
         "a mirrored image means something else: text, digits, arrows)")
VALIDATION_SPLIT = tunekit.Param(
    name="validation_split", type=float, default=0.2, min=0.01, max=0.5,
    help="share of each class held out for validation when there is no validation_path")
TEST_SPLIT = tunekit.Param(
    name="test_split", type=float, default=0.0, min=0.0, max=0.5,
    help="share of each class held out as a test set when there is no test_path")


def augmentations(options: dict[str, Any]) -> list[str]:
    """The augmentations the options allow a training image."""
    if not options["augment"]:
        return []
    return ["crop", "flip", "jitter"] if options["flip"] else ["crop", "jitter"]


def mark_training(rows: list[dict[str, Any]], options: dict[str, Any]) -> list[dict[str, Any]]:
    which = augmentations(options)
    return [{**row, "augment": which} for row in rows]


# ---------------------------------------------------------------- image-folder


def read_folder(root: Path, where: str, notes: list[str]) -> list[dict[str, Any]]:
    """Rows of a folder with one subfolder per class (sorted by class, then file name).

    Files that are not images are skipped with a note; an image Pillow cannot read is refused.
    """
    if not root.is_dir():
        raise tunekit.DataError("no such folder" if not root.exists() else "not a folder",
                                where=where,
                                hint="give a folder holding one folder of images per class, or "
                                     "a .zip of such a folder")
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
                     and p.name not in IGNORED_FOLDERS)
    loose = sorted(p.name for p in root.iterdir() if p.is_file() and not p.name.startswith("."))
    for folder in classes:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(root)
            if any(part.startswith(".") for part in relative.parts):
                continue  # .DS_Store, .ipynb_checkpoints: not data
            if not is_image_file(path):
                skipped.append(str(relative))
                continue
            check_readable(path)
            rows.append({"image": str(path), "label": folder.name})
    if not rows:
        found = f" (found {len(loose)} file(s) at the top, in no class folder)" if loose else ""
        raise tunekit.DataError(f"no images in class folders{found}", where=where,
                                hint="put the images of each class in a folder named after the "
                                     "class: FOLDER/cat/1.jpg, FOLDER/dog/2.jpg, ...")
    if skipped:
        notes.append(f"{where}: skipped {len(skipped)} file(s) that are not images, e.g. "
                     f"{skipped[0]}")
    if loose:
        notes.append(f"{where}: skipped {len(loose)} file(s) outside the class folders, e.g. "
                     f"{loose[0]}")
    empty = [f.name for f in classes if not any(r["label"] == f.name for r in rows)]
    if empty:
        notes.append(f"{where}: no images in the folder(s) {', '.join(empty)}; not a class")
    return rows


def extract_zip(archive: Path, where: str) -> Path:
    """The folder ``archive`` unpacks to: a temporary folder keyed by its content, reused.

    Refused: members with absolute paths or ``..`` (they would land outside the folder),
    symbolic links, and archives that unpack to more than MAX_EXTRACTED_BYTES.
    """
    try:
        digest = hashlib.sha256()
        with archive.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        bundle = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise tunekit.DataError("not a zip archive (or a damaged one)", where=where,
                                hint="zip the folder again, or give the folder itself") from None
    except OSError as exc:
        raise tunekit.DataError(f"cannot read the archive: {exc.strerror or exc}",
                                where=where) from None
    target = Path(tempfile.gettempdir()) / "tunekit-images" / digest.hexdigest()[:24]
    if (target / ".complete").exists():
        return target
    with bundle:
        members = bundle.infolist()
        if len(members) > MAX_MEMBERS:
            raise tunekit.DataError(f"the archive holds {len(members):,} entries (at most "
                                    f"{MAX_MEMBERS:,})", where=where)
        total = 0
        for member in members:
            name = member.filename
            parts = Path(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") \
                    or ".." in parts:
                raise tunekit.DataError(
                    f"the archive member {name!r} would be written outside the folder",
                    where=where, hint="zip the folder again with relative paths inside it")
            mode = member.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise tunekit.DataError(f"the archive member {name!r} is a symbolic link",
                                        where=where,
                                        hint="zip the files themselves, not links to them")
            total += member.file_size
        if total > MAX_EXTRACTED_BYTES:
            raise tunekit.DataError(
                f"the archive unpacks to {total / 1024**3:.1f} GiB (at most "
                f"{MAX_EXTRACTED_BYTES / 1024**3:.0f} GiB)", where=where,
                hint="give the folder itself instead of a zip")
        partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=_parent(target)))
        try:
            written = 0
            for member in members:
                if member.is_dir():
                    continue
                destination = partial.joinpath(*Path(member.filename.replace("\\", "/")).parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(member) as source, destination.open("wb") as sink:
                    # the sizes in the directory may lie: count what really comes out
                    for block in iter(lambda s=source: s.read(1 << 20), b""):
                        written += len(block)
                        if written > MAX_EXTRACTED_BYTES:
                            raise tunekit.DataError(
                                "the archive unpacks to more than its directory says "
                                f"(over {MAX_EXTRACTED_BYTES / 1024**3:.0f} GiB)", where=where)
                        sink.write(block)
            (partial / ".complete").touch()
            try:
                os.replace(partial, target)
            except OSError:  # another process extracted the same archive first: use theirs
                pass
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    if not (target / ".complete").exists():  # another process got there first, half-way
        raise tunekit.DataError("the archive's folder is being extracted by another run",
                                where=str(target), hint="try again in a moment")
    return target


def _parent(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.parent


def _root_of(folder: Path) -> Path:
    """A zip of ``data/`` holds ``data/cat/...``: the class folders are one level down."""
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")
               and p.name not in IGNORED_FOLDERS]
    if len(entries) == 1 and entries[0].is_dir():
        inner = [p for p in entries[0].iterdir() if not p.name.startswith(".")]
        if inner and all(p.is_dir() for p in inner):
            return entries[0]
    return folder


def read_source(value: str, field: str, context: tunekit.DataContext,
                notes: list[str]) -> list[dict[str, Any]]:
    """The rows of a folder or a .zip given as option ``field``."""
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = context.base_dir / path
    where = f"{path} (dataset.{field})"
    if path.is_file() and path.suffix.lower() == ".zip":
        return read_folder(_root_of(extract_zip(path, where)), str(path), notes)
    if path.is_file():
        raise tunekit.DataError("expected a folder or a .zip archive, got a file", where=where,
                                hint="give a folder holding one folder of images per class")
    return read_folder(path, str(path), notes)


def load_folder(options: dict[str, Any], context: tunekit.DataContext) -> tunekit.DataSplits:
    notes: list[str] = []
    rows = read_source(options["path"], "path", context, notes)
    given = {split: read_source(options[f"{split}_path"], f"{split}_path", context, notes)
             for split in ("test", "validation") if options[f"{split}_path"]}
    splits = carve(rows, source=str(options["path"]), seed=context.seed,
                   validation_split=options["validation_split"],
                   test_split=options["test_split"], validation=given.get("validation"),
                   test=given.get("test"), dedupe=options.get("deduplicate", False), noun="images",
                   notes=notes)
    splits.train = mark_training(splits.train, options)
    return splits


# ---------------------------------------------------------------- sample-shapes

SHAPES = ("circle", "square", "triangle", "cross")
GENERATOR_VERSION = 1  # change it when the drawing changes: the cache is keyed by it


def draw_shape(shape: str, size: int, rng: random.Random) -> Any:
    """One RGB image of ``shape``: a random colour on a random, contrasting background, at a
    random size and place (``rng`` draws them all, so a seed draws the same image)."""
    from PIL import Image, ImageDraw

    # a light shape on a dark ground or the reverse: the colours vary, the outline stays clear
    dark = tuple(rng.randrange(0, 100) for _ in range(3))
    light = tuple(rng.randrange(156, 256) for _ in range(3))
    colour, background = (light, dark) if rng.random() < 0.5 else (dark, light)
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    radius = rng.uniform(0.22, 0.4) * size
    cx = rng.uniform(radius + 1, size - radius - 1)
    cy = rng.uniform(radius + 1, size - radius - 1)
    if shape == "circle":
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=colour)
    elif shape == "square":
        side = radius * 0.9
        draw.rectangle((cx - side, cy - side, cx + side, cy + side), fill=colour)
    elif shape == "triangle":
        draw.polygon([(cx, cy - radius), (cx - radius, cy + radius * 0.8),
                      (cx + radius, cy + radius * 0.8)], fill=colour)
    else:  # cross
        bar = radius * 0.35
        draw.rectangle((cx - radius, cy - bar, cx + radius, cy + bar), fill=colour)
        draw.rectangle((cx - bar, cy - radius, cx + bar, cy + radius), fill=colour)
    return image


def write_shapes(folder: Path, n: int, size: int, shapes: tuple[str, ...], seed: int) -> Path:
    """``n`` drawn images, as many of each shape, in ``folder/<shape>/<i>.png``; written once
    (into a temporary folder, then renamed, so a half-written sample is never read)."""
    if (folder / ".complete").exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=folder.parent))
    try:
        rng = random.Random(seed)
        for shape in shapes:
            (partial / shape).mkdir()
        for i in range(n):
            shape = shapes[i % len(shapes)]
            draw_shape(shape, size, rng).save(partial / shape / f"{i:05d}.png")
        (partial / ".complete").touch()
        try:
            os.replace(partial, folder)
        except OSError:  # another process wrote the same sample first: use theirs
            pass
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def shapes_folder(n: int, size: int, shapes: tuple[str, ...], seed: int) -> Path:
    key = f"v{GENERATOR_VERSION}-{'-'.join(shapes)}-{n}-{size}px-seed{seed}"
    return Path(tempfile.gettempdir()) / "tunekit-sample-shapes" / key


def load_shapes(options: dict[str, Any], context: tunekit.DataContext) -> tunekit.DataSplits:
    shapes = SHAPES[:options["classes"]]
    folder = write_shapes(shapes_folder(options["n"], options["size"], shapes, options["seed"]),
                          options["n"], options["size"], shapes, options["seed"])
    rows = read_folder(folder, str(folder), [])
    splits = carve(rows, source=f"sample-shapes ({options['n']} drawn {options['size']}px images "
                   f"of {', '.join(shapes)})", seed=context.seed,
                   validation_split=options["validation_split"],
                   test_split=options["test_split"], noun="images")
    splits.train = mark_training(splits.train, options)
    splits.notes = []  # the sample's splits need no word
    return splits


@tunekit.hookimpl
def register_datasets(register):
    register(tunekit.Dataset(
        name="image-folder",
        title="Folder of images",
        description="Your images, one folder per class (FOLDER/cat/1.jpg, FOLDER/dog/2.jpg), "
                    "or a .zip of such a folder. Validation and test images come from folders "
                    "of the same layout, or are held out of each class.",
        aliases=("image folder", "images", "my images", "photos", "pictures",
                 "folder of images", "image zip", "zip of images", "imagefolder"),
        tasks=(IMAGE_CLASSIFICATION,),
        params=(
            tunekit.Param(name="path", type=str, required=True,
                          help="a folder with one folder of images per class, or a .zip of it"),
            tunekit.Param(name="validation_path", type=str,
                          help="validation images in the same layout (else held out of path)"),
            tunekit.Param(name="test_path", type=str,
                          help="test images in the same layout (else test_split, or none)"),
            VALIDATION_SPLIT, TEST_SPLIT, AUGMENT, FLIP, DEDUPLICATE,
        ),
        load=load_folder,
        reads=looks.image_folder,
    ))
    register(tunekit.Dataset(
        name="sample-shapes",
        title="Sample shapes (generated)",
        description="Small drawn images of circles, squares, triangles (and crosses) in random "
                    "colours, sizes and places, generated by tunekit itself: a first image "
                    "classification run in a minute.",
        aliases=("shapes", "sample images", "bundled images", "demo images", "sample shapes",
                 "toy images", "example images", "image sample"),
        tasks=(IMAGE_CLASSIFICATION,),
        params=(
            tunekit.Param(name="n", type=int, default=300, min=8, max=20_000,
                          help="images in all, as many of each shape"),
            tunekit.Param(name="size", type=int, default=32, min=16, max=256,
                          help="width and height of the images in pixels"),
            tunekit.Param(name="classes", type=int, default=3, min=2, max=len(SHAPES),
                          help="how many shapes: circle, square, triangle (, cross)"),
            tunekit.Param(name="seed", type=int, default=0,
                          help="seed of the drawing (the same seed draws the same images)"),
            VALIDATION_SPLIT, TEST_SPLIT, AUGMENT, FLIP,
        ),
        load=load_shapes,
    ))
