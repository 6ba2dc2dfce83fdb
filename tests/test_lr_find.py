"""The learning-rate range test: its suggestion rule, a real test on a tiny model, the plot,
the CLI, and that the suggested rate trains."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import tunekit
from PIL import Image
from test_cli import TINY_PLUGIN, tunekit_cli
from tunekit.errors import SpecError
from tunekit.registry import Registry
from tunekit.testing import write_text_csv
from tunekit.tools.lr_find import RateFinding, _suggest, lr_find


def spec_for(manager, data: Path, **training):
    return tunekit.parse_spec({
        "dataset": {"name": "csv", "path": str(data)},
        "backbone": "tiny-bert",
        "strategy": "full",
        "training": {"batch_size": 8, "seed": 5, "early_stopping": None, **training},
        "metrics": ["accuracy"],
        "exporters": [],
    }, manager)


def test_the_suggestion_is_a_tenth_of_the_rate_at_the_lowest_loss():
    rates = [10 ** (-6 + i * 0.1) for i in range(51)]  # 1e-6 .. 1e-1
    # a U on the log axis: flat, falls steepest around 1e-4, lowest at 1e-2, then blows up
    losses = [1.0 - 0.8 / (1 + math.exp(-(math.log10(r) + 4) * 3)) + (
        5 * (math.log10(r) + 2) ** 2 if r > 1e-2 else 0) for r in rates]
    finding = RateFinding(rates=rates, losses=losses, raw_losses=losses, suggestion=None,
                          min_loss_rate=None, steepest_rate=None, stopped="")
    _suggest(finding)
    assert finding.min_loss_rate == pytest.approx(1e-2, rel=0.3)
    assert finding.suggestion == pytest.approx(finding.min_loss_rate / 10)
    assert finding.steepest_rate == pytest.approx(1e-4, rel=0.3)
    assert finding.notes == []


def test_a_flat_curve_is_flagged_rather_than_trusted():
    rates = [10 ** (-6 + i * 0.1) for i in range(30)]
    finding = RateFinding(rates=rates, losses=[0.69] * 30, raw_losses=[0.69] * 30,
                          suggestion=None, min_loss_rate=None, steepest_rate=None, stopped="")
    _suggest(finding)
    assert any("never fell clearly" in note for note in finding.notes)


@pytest.mark.slow
def test_the_range_test_finds_a_rate_that_trains(manager, tmp_path):
    data = write_text_csv(tmp_path / "data.csv", n=160)
    plot = tmp_path / "plots" / "lr.png"
    registry = Registry.open(tmp_path / "registry.db")

    finding = lr_find(spec_for(manager, data), manager=manager, start=1e-5, end=10.0,
                      steps=150, plot=plot)

    assert finding.stopped.startswith("the loss diverged") or "became" in finding.stopped
    assert len(finding.rates) < 150  # it stopped early rather than stepping on into nonsense
    assert finding.rates == sorted(finding.rates)
    assert 1e-6 < finding.suggestion < finding.min_loss_rate < finding.rates[-1]
    assert min(finding.losses) < finding.losses[0] * 0.8  # it saw the loss fall
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and finding.plot == str(plot)
    assert registry.runs() == []  # a probe, not a run
    # the chart has its curve (blue) and the suggestion's line (green), at the suggested rate
    chart = Image.open(plot).convert("RGB")
    colours = {colour for _, colour in chart.getcolors(maxcolors=1 << 20)}
    assert (0x25, 0x63, 0xEB) in colours and (0x16, 0xA3, 0x4A) in colours
    green_x = {x for x in range(chart.width) for y in range(60, chart.height - 60, 7)
               if chart.getpixel((x, y)) == (0x16, 0xA3, 0x4A)}
    share = (math.log10(finding.suggestion) - math.log10(finding.rates[0])) / (
        math.log10(finding.rates[-1]) - math.log10(finding.rates[0]))
    assert abs(min(green_x) - (74 + share * (840 - 74 - 24))) < 3

    # the suggested rate trains the model well; a rate at either end of the range does not
    def accuracy(rate: float) -> float:
        result = tunekit.run(spec_for(manager, data, epochs=4, learning_rate=rate),
                             manager=manager, registry=registry, progress=False,
                             output_root=tmp_path / "runs")
        return result.metrics["accuracy"]

    assert accuracy(finding.suggestion) >= 0.85
    assert accuracy(finding.rates[0]) <= 0.7  # too small: four epochs teach nothing
    assert accuracy(min(1.0, finding.rates[-1])) <= 0.7  # too large: training blows up


def test_a_range_that_does_not_grow_is_refused(manager, small_csv):
    with pytest.raises(SpecError) as info:
        lr_find(spec_for(manager, small_csv), manager=manager, start=1e-2, end=1e-4)
    assert "the range must grow" in str(info.value)


def test_the_cli_prints_the_suggestion_and_draws_the_plot(tmp_path):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    write_text_csv(tmp_path / "data.csv", n=80)
    (tmp_path / "spec.yaml").write_text(
        "dataset: {name: csv, path: data.csv}\nbackbone: tiny-bert\nstrategy: full\n"
        "training: {batch_size: 8}\n")
    env = {"TUNEKIT_PLUGINS_DIR": str(tmp_path / "plugins"),
           "TUNEKIT_REGISTRY": str(tmp_path / "registry.db")}

    shown = tunekit_cli("lr-find", "spec.yaml", "--steps", "40", "--start", "1e-5", "--end", "10",
                        "--json", cwd=tmp_path, env=env)
    assert shown.returncode == 0, shown.stderr
    found = json.loads(shown.stdout)
    assert found["suggestion"] == pytest.approx(found["min_loss_rate"] / 10)
    assert len(found["rates"]) == len(found["losses"]) <= 40
    assert (tmp_path / "lr-find.png").read_bytes()[:4] == b"\x89PNG"

    human = tunekit_cli("lr-find", "spec.yaml", "--steps", "40", "--start", "1e-5", "--end",
                        "10", "--plot", "lr.png", cwd=tmp_path, env=env)
    assert human.returncode == 0, human.stderr
    assert "suggested learning rate:" in human.stdout
    assert "use it: tunekit run spec.yaml --set training.learning_rate=" in human.stdout
    assert (tmp_path / "lr.png").exists()


def lr_find_cli(*args: str) -> tuple[int, str]:
    import contextlib
    import io

    from tunekit.ui import cli

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(["lr-find", *args])
    return code, err.getvalue()


def test_bad_arguments_exit_2_with_one_message_before_the_spec_is_read(tmp_path):
    # no spec.yaml here: the arguments are refused first, before plugins, the spec or torch load
    code, err = lr_find_cli("spec.yaml", "--steps", "2")
    assert code == 2 and "at least 5 steps" in err and "Traceback" not in err
    code, err = lr_find_cli("spec.yaml", "--start", "1", "--end", "0.1")
    assert code == 2 and "the range must grow: start 1, end 0.1" in err
    assert not (tmp_path / "lr-find.png").exists()
