"""The learning-rate range test (Smith, 2015; fastai's ``lr_find``): train briefly while the
rate grows exponentially from tiny to huge, watch the loss, and suggest a rate.

``lr_find(spec)`` builds the run exactly as ``tunekit.run`` would (data, backbone, strategy
with its parameter groups and their rate scales, weight decay, clipping), then takes up to
``steps`` optimizer steps, each at a rate ``start * (end / start) ** (i / (steps - 1))``. The
loss is smoothed (an exponential moving average with bias correction) and the test stops once
it diverges: above ``diverge`` times the lowest smoothed loss, or not finite. Nothing is
recorded in the registry and the model is thrown away: it is a probe, not a run.

The suggestion is the rate of the lowest smoothed loss divided by ten: at the minimum the
steps are already too large to keep improving, one order of magnitude lower they are large
and still safe. The steepest descent is reported beside it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..events import EventBus
from ..plugin_manager import PluginManager, load_plugins
from ..spec import RunSpec, load_spec, parse_spec


@dataclass
class RateFinding:
    """What the range test saw and what it suggests."""

    rates: list[float]
    losses: list[float]  # smoothed
    raw_losses: list[float]
    suggestion: float | None
    min_loss_rate: float | None
    steepest_rate: float | None
    stopped: str  # why the test ended
    strategy: str = ""
    plot: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"suggestion": self.suggestion, "min_loss_rate": self.min_loss_rate,
                "steepest_rate": self.steepest_rate, "stopped": self.stopped,
                "strategy": self.strategy, "plot": self.plot, "notes": self.notes,
                "rates": self.rates, "losses": self.losses, "raw_losses": self.raw_losses}


def lr_find(spec: RunSpec | dict[str, Any] | str | os.PathLike[str] | None = None, *,
            manager: PluginManager | None = None, start: float = 1e-6, end: float = 1.0,
            steps: int = 200, diverge: float = 4.0, smoothing: float = 0.98,
            plot: str | os.PathLike[str] | None = None) -> RateFinding:
    """Run the range test on ``spec`` (as ``tunekit.run`` takes it) and suggest a rate."""
    check_range(start, end, steps)
    import torch
    from accelerate.utils import set_seed

    from ..engine.precision import make_accelerator
    from ..engine.setup import choose_precision, prepare

    manager = manager or load_plugins()
    if isinstance(spec, dict):
        spec = parse_spec(spec, manager)
    elif not isinstance(spec, RunSpec):
        spec = load_spec(spec, manager)
    training = spec.training
    set_seed(training.seed)
    notes: list[str] = []
    bus = EventBus([lambda event: notes.append(event.data["text"])
                    if event.kind == "message" else None])
    ready = prepare(spec, manager, bus)
    precision = choose_precision(training.precision, ready.plan.model)  # as the run will train
    if precision.warning:
        notes.append(precision.warning)
    accelerator = make_accelerator(precision, cpu=not torch.cuda.is_available())
    model, optimizer, loader = accelerator.prepare(ready.plan.model, ready.optimizer,
                                                   ready.train_loader)
    loss_fn = ready.task.loss_function(training, ready.labels, ready.splits.train,
                                       accelerator.device)
    scales = [group["lr"] / ready.base_lr for group in optimizer.param_groups]

    if ready.plan.on_epoch_start:  # gradual unfreezing: the first stage is what trains first
        ready.plan.on_epoch_start(0)
    model.train()
    for module in ready.plan.frozen_modules:
        module.eval()
    trainable = [p for p in model.parameters() if p.requires_grad]
    rates, raw, smoothed = [], [], []
    average, best, stopped = 0.0, math.inf, f"reached {end:g}"
    batches = iter(loader)
    for i in range(steps):
        rate = start * (end / start) ** (i / (steps - 1))
        for group, scale in zip(optimizer.param_groups, scales, strict=True):
            group["lr"] = rate * scale
        try:
            batch = next(batches)
        except StopIteration:  # more steps than one pass: go round again
            batches = iter(loader)
            batch = next(batches)
        loss = loss_fn(model, batch)
        accelerator.backward(loss)
        if training.max_grad_norm:
            accelerator.clip_grad_norm_(trainable, training.max_grad_norm)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        value = float(loss.detach())  # one sync per step: the test decides on every loss
        rates.append(rate)
        raw.append(value)
        if not math.isfinite(value):
            smoothed.append(value)
            stopped = f"the loss became {value} at rate {rate:.3g}"
            break
        average = smoothing * average + (1 - smoothing) * value
        current = average / (1 - smoothing ** (i + 1))
        smoothed.append(current)
        best = min(best, current)
        if i >= 5 and current > diverge * best:
            stopped = f"the loss diverged at rate {rate:.3g} ({current:.3f} > {diverge:g} x " \
                      f"the lowest, {best:.3f})"
            break

    finding = RateFinding(rates=rates, losses=smoothed, raw_losses=raw, suggestion=None,
                          min_loss_rate=None, steepest_rate=None, stopped=stopped,
                          strategy=spec.data["strategy"]["name"], notes=notes)
    _suggest(finding)
    if plot is not None:
        finding.plot = str(draw(finding, plot))
    return finding


def check_range(start: float, end: float, steps: int) -> None:
    """Refuse a range test that cannot run (SpecError), before any library or data loads."""
    if not 0 < start < end:
        raise SpecError(f"the range must grow: start {start:g}, end {end:g}", where="lr-find",
                        hint="e.g. --start 1e-7 --end 1")
    if steps < 5:
        raise SpecError(f"at least 5 steps are needed, got {steps}", where="lr-find --steps",
                        hint="e.g. --steps 100")


def _suggest(finding: RateFinding) -> None:
    """The rate at the lowest smoothed loss / 10, and the rate of steepest descent."""
    finite = [(r, v) for r, v in zip(finding.rates, finding.losses, strict=True)
              if math.isfinite(v)]
    if len(finite) < 5:
        finding.notes.append("too few steps before the loss diverged to suggest a rate: "
                             "start the range lower")
        return
    low_rate, low = min(finite, key=lambda rv: rv[1])
    if low >= finite[0][1] * 0.98:
        finding.notes.append("the loss never fell clearly: the data may be too small or too hard "
                             "for a short test, or the model is not learning (check the data)")
    finding.min_loss_rate = low_rate
    finding.suggestion = low_rate / 10
    # steepest descent on a log-rate axis, before the minimum
    upto = next(i for i, (r, _) in enumerate(finite) if r == low_rate)
    slopes = [(finite[i + 1][1] - finite[i][1]) / math.log(finite[i + 1][0] / finite[i][0])
              for i in range(max(upto, 1))]
    if slopes:
        steepest = min(range(len(slopes)), key=lambda i: slopes[i])
        finding.steepest_rate = finite[steepest][0]


# The plot is drawn with Pillow (a dependency already, for images) rather than matplotlib: one
# chart of one curve did not justify matplotlib's ~50 MB in every install.
WIDTH, HEIGHT = 840, 504
LEFT, RIGHT, TOP, BOTTOM = 74, 24, 44, 58
BLUE, GREEN, RED, GREY, INK = "#2563eb", "#16a34a", "#dc2626", "#d4d4d8", "#18181b"


def draw(finding: RateFinding, path: str | os.PathLike[str]) -> Path:
    """The loss against the rate (log scale) with the suggestion marked, as a PNG."""
    from PIL import Image, ImageDraw

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    pen = ImageDraw.Draw(image)
    font = _font(13)
    finite = [(r, v) for r, v in zip(finding.rates, finding.losses, strict=True)
              if math.isfinite(v) and r > 0]
    pen.text((LEFT, 14), f"learning-rate range test ({finding.strategy})", fill=INK,
             font=_font(16))
    if finite:
        values = [v for _, v in finite]
        low, high = min(values) * 0.95, min(max(values), values[0] * 1.6)  # the blow-up
        high = high if high > low else low + 1.0  # would flatten the useful part
        x_of, y_of = _axes(pen, font, finite[0][0], finite[-1][0], low, high)
        points = [(x_of(r), y_of(min(max(v, low), high))) for r, v in finite]
        pen.line(points, fill=BLUE, width=2, joint="curve")
        legend = [(BLUE, "training loss (smoothed)", None)]
        if finding.suggestion:
            _vertical(pen, x_of(finding.suggestion), GREEN, dash=8)
            legend.append((GREEN, f"suggested {finding.suggestion:.2g}", 8))
        if finding.min_loss_rate:
            _vertical(pen, x_of(finding.min_loss_rate), RED, dash=3)
            legend.append((RED, f"lowest loss at {finding.min_loss_rate:.2g}", 3))
        for i, (colour, text, dash) in enumerate(legend):
            y = TOP + 14 + 18 * i
            if dash:
                _dashed(pen, (LEFT + 12, y), (LEFT + 40, y), colour, dash)
            else:
                pen.line([(LEFT + 12, y), (LEFT + 40, y)], fill=colour, width=2)
            pen.text((LEFT + 48, y - 7), text, fill=INK, font=font)
    temporary = path.with_name(path.name + ".partial")
    image.save(temporary, format="PNG")  # written whole, then moved into place
    os.replace(temporary, path)
    return path


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)  # a scalable font where FreeType is there
    except (TypeError, OSError):
        return ImageFont.load_default()


def _axes(pen, font, first: float, last: float, low: float, high: float):
    """Draw the frame, a log-scale rate axis and a loss axis; return the two mappings."""
    span = max(math.log10(last) - math.log10(first), 1e-9)
    width, height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(rate: float) -> float:
        return LEFT + (math.log10(max(rate, first)) - math.log10(first)) / span * width

    def y_of(loss: float) -> float:
        return TOP + (high - loss) / (high - low) * height

    for decade in range(math.ceil(math.log10(first)), math.floor(math.log10(last)) + 1):
        x = x_of(10.0 ** decade)
        pen.line([(x, TOP), (x, TOP + height)], fill=GREY)
        pen.text((x, TOP + height + 6), f"1e{decade}", fill=INK, font=font, anchor="ma")
    for i in range(5):
        loss = low + (high - low) * i / 4
        y = y_of(loss)
        pen.line([(LEFT, y), (LEFT + width, y)], fill=GREY)
        pen.text((LEFT - 6, y), f"{loss:.3g}", fill=INK, font=font, anchor="rm")
    pen.rectangle([LEFT, TOP, LEFT + width, TOP + height], outline=INK)
    pen.text((LEFT + width / 2, HEIGHT - 20), "learning rate", fill=INK, font=font, anchor="ma")
    pen.text((LEFT - 6, TOP - 6), "loss", fill=INK, font=font, anchor="rb")
    return x_of, y_of


def _vertical(pen, x: float, colour: str, dash: int) -> None:
    _dashed(pen, (x, TOP), (x, HEIGHT - BOTTOM), colour, dash)


def _dashed(pen, start: tuple[float, float], end: tuple[float, float], colour: str,
            dash: int) -> None:
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    for i in range(0, int(length), 2 * dash):
        a, b = i / length, min(i + dash, length) / length
        pen.line([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
                  (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)], fill=colour, width=2)
