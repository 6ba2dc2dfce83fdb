"""Images for the image tasks: reading them, preparing them as a backbone's processor would,
and augmenting training batches with torch operations alone.

A backbone's image processor (``BuiltModel.tokenizer`` for image tasks) names the input size,
how to get there (resize, centre crop) and the normalization; ``Preprocessing.of(processor)``
reads those settings once, whatever the processor's family calls them (``height``/``width``
for ViT, ``shortest_edge`` and ``crop_pct`` for ConvNeXt and ResNet, ``crop_size`` for
CLIP-like processors). Images are then kept in memory as uint8 tensors of the final size:
a quarter of the memory of floats, and normalizing a batch costs next to nothing.

Augmentation (random resized crop, horizontal flip, colour jitter) draws every random number
from torch's global generator, so a run is reproducible from its seed and a resumed run
replays the same draws (the engine saves and restores that generator's state).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    import torch

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
# the ImageNet statistics most vision checkpoints were trained with
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# what a training image may go through (``{"augment": [...]}`` on a row limits it)
AUGMENTATIONS = ("crop", "flip", "jitter")
CROP_SCALE = (0.6, 1.0)
CROP_RATIO = (3 / 4, 4 / 3)
JITTER = 0.2  # brightness, contrast and saturation each move by up to +-20%


def is_image_file(path: Path) -> bool:
    """Whether ``path`` has the suffix of an image format Pillow reads."""
    return path.suffix.lower() in IMAGE_SUFFIXES


def open_rgb(path: str | Path) -> Any:
    """The image at ``path`` as an RGB Pillow image, or a DataError naming the file."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            return image.convert("RGB")
    except FileNotFoundError:
        raise DataError("no such image file", where=str(path),
                        hint="check the path; the folder may have moved") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DataError(f"not a readable image ({type(exc).__name__}: {exc})".rstrip(),
                        where=str(path),
                        hint="remove or replace the file (it may be truncated or not an image "
                             "at all)") from None


def check_readable(path: str | Path) -> None:
    """A quick check that Pillow can read ``path`` (the header and structure, no decoding)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DataError(f"not a readable image ({type(exc).__name__}: {exc})".rstrip(),
                        where=str(path),
                        hint="remove or replace the file (it may be truncated or not an image "
                             "at all)") from None


def _setting(processor: Any, name: str) -> Any:
    return getattr(processor, name, None)


def _size_entry(size: Any, key: str) -> int | None:
    """One entry of a processor's size (a dict in transformers 4, a SizeDict in 5)."""
    if size is None:
        return None
    value = size.get(key) if isinstance(size, dict) else getattr(size, key, None)
    return int(value) if isinstance(value, int | float) and value else None


@dataclass(frozen=True)
class Preprocessing:
    """How to turn any image into the backbone's input, read from its image processor.

    ``resize``: ``("exact", h, w)`` warps to that size, ``("shortest", s)`` scales the shorter
    side to ``s`` keeping the aspect ratio; ``crop``: the centre crop ``(h, w)`` that follows
    (the final size). ``scale`` multiplies pixel values in 0..255 before normalizing.
    """

    resize: tuple[Any, ...]
    crop: tuple[int, int]
    resample: int
    scale: float
    mean: tuple[float, float, float]
    std: tuple[float, float, float]

    @classmethod
    def of(cls, processor: Any) -> Preprocessing:
        size = _setting(processor, "size")
        crop_size = _setting(processor, "crop_size")
        do_crop = bool(_setting(processor, "do_center_crop")) and crop_size is not None
        height, width = _size_entry(size, "height"), _size_entry(size, "width")
        shortest = _size_entry(size, "shortest_edge")
        crop_pct = _setting(processor, "crop_pct")
        if height and width:
            resize: tuple[Any, ...] = ("exact", height, width)
            crop = (height, width)
        elif shortest and crop_pct and shortest < 384:
            # ConvNeXt and ResNet: scale to shortest / crop_pct, then crop shortest x shortest
            resize, crop = ("shortest", int(shortest / crop_pct)), (shortest, shortest)
        elif shortest and crop_pct:  # ConvNeXt at 384 or more warps without cropping
            resize, crop = ("exact", shortest, shortest), (shortest, shortest)
        elif shortest:
            resize, crop = ("shortest", shortest), (shortest, shortest)
        else:
            edge = _size_entry(size, "longest_edge") or 224
            resize, crop = ("exact", edge, edge), (edge, edge)
        if do_crop:
            crop = (_size_entry(crop_size, "height") or crop[0],
                    _size_entry(crop_size, "width") or crop[1])
        rescale = _setting(processor, "do_rescale")
        factor = _setting(processor, "rescale_factor") or 1 / 255
        normalize = _setting(processor, "do_normalize")
        mean = _setting(processor, "image_mean") or IMAGENET_MEAN
        std = _setting(processor, "image_std") or IMAGENET_STD
        if normalize is False:
            mean, std = (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)
        resample = _setting(processor, "resample")
        return cls(resize=resize, crop=crop,
                   resample=int(resample) if resample is not None else 2,
                   scale=float(factor) if rescale is not False else 1.0,
                   mean=_three(mean), std=_three(std))

    def load(self, path: str | Path) -> torch.Tensor:
        """The image at ``path``, resized and centre-cropped: uint8, channels x height x width."""
        import numpy
        import torch

        image = open_rgb(path)
        if self.resize[0] == "exact":
            image = image.resize((self.resize[2], self.resize[1]), resample=self.resample)
        else:
            edge = self.resize[1]
            w, h = image.size
            short = min(w, h)
            image = image.resize((max(1, round(w * edge / short)), max(1, round(h * edge / short))),
                                 resample=self.resample)
        image = _centre_crop(image, self.crop)
        array = numpy.asarray(image, dtype=numpy.uint8).copy()
        return torch.from_numpy(array).permute(2, 0, 1).contiguous()

    def normalize(self, pixels: torch.Tensor) -> torch.Tensor:
        """Images in 0..1 (batch x 3 x h x w) as the model expects them."""
        import torch

        mean = torch.tensor(self.mean).view(1, 3, 1, 1)
        std = torch.tensor(self.std).view(1, 3, 1, 1)
        return (pixels * (255 * self.scale) - mean) / std


def _three(values: Any) -> tuple[float, float, float]:
    if isinstance(values, int | float):
        return (float(values),) * 3
    items = [float(v) for v in values]
    return (items[0],) * 3 if len(items) == 1 else (items[0], items[1], items[2])


def _centre_crop(image: Any, size: tuple[int, int]) -> Any:
    """Pillow's crop of the centre; an image smaller than ``size`` is padded with black."""
    height, width = size
    w, h = image.size
    left, top = (w - width) // 2, (h - height) // 2
    return image.crop((left, top, left + width, top + height))


# ---------------------------------------------------------------- augmentation (torch only)


def random_resized_crop(image: torch.Tensor, scale: tuple[float, float] = CROP_SCALE,
                        ratio: tuple[float, float] = CROP_RATIO) -> torch.Tensor:
    """A random part of ``image`` (3 x h x w, floats) covering ``scale`` of its area with an
    aspect ratio in ``ratio``, resized back to h x w (as torchvision's RandomResizedCrop)."""
    import torch

    _, height, width = image.shape
    area = height * width
    log_low, log_high = math.log(ratio[0]), math.log(ratio[1])
    top, left, h, w = 0, 0, height, width
    for _ in range(10):
        target = area * (scale[0] + (scale[1] - scale[0]) * float(torch.rand(())))
        aspect = math.exp(log_low + (log_high - log_low) * float(torch.rand(())))
        w = round(math.sqrt(target * aspect))
        h = round(math.sqrt(target / aspect))
        if 0 < w <= width and 0 < h <= height:
            top = int(torch.randint(0, height - h + 1, ()))
            left = int(torch.randint(0, width - w + 1, ()))
            break
    else:  # no draw fitted: the whole image
        top, left, h, w = 0, 0, height, width
    part = image[:, top:top + h, left:left + w].unsqueeze(0)
    return torch.nn.functional.interpolate(part, size=(height, width), mode="bilinear",
                                           align_corners=False, antialias=True).squeeze(0)


def horizontal_flip(image: torch.Tensor, probability: float = 0.5) -> torch.Tensor:
    """``image`` mirrored left to right, with ``probability``."""
    import torch

    return image.flip(-1) if float(torch.rand(())) < probability else image


def colour_jitter(image: torch.Tensor, amount: float = JITTER) -> torch.Tensor:
    """Brightness, contrast and saturation each scaled by a factor in 1 +- ``amount`` (in
    that order; ``image`` in 0..1, the result too)."""
    import torch

    def factor() -> float:
        return 1 - amount + 2 * amount * float(torch.rand(()))

    grey_weights = torch.tensor([0.299, 0.587, 0.114], dtype=image.dtype).view(3, 1, 1)
    image = (image * factor()).clamp(0, 1)
    mean = (image * grey_weights).sum(0).mean()
    image = ((image - mean) * factor() + mean).clamp(0, 1)
    grey = (image * grey_weights).sum(0, keepdim=True)
    return ((image - grey) * factor() + grey).clamp(0, 1)


def augment(image: torch.Tensor, which: tuple[str, ...] | list[str] = AUGMENTATIONS
            ) -> torch.Tensor:
    """``image`` (3 x h x w in 0..1) through the augmentations named in ``which``."""
    if "crop" in which:
        image = random_resized_crop(image)
    if "flip" in which:
        image = horizontal_flip(image)
    if "jitter" in which:
        image = colour_jitter(image)
    return image
