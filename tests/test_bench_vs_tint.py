"""benchmarks/bench_vs_tint.py: ours beside time_interpret, run when tint is installed."""

from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("tint")
pytest.importorskip("pytorch_lightning")

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def bench(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import _records
    import bench_vs_tint

    monkeypatch.setattr(_records, "RESULTS_DIR", tmp_path)
    return bench_vs_tint


@pytest.mark.filterwarnings("ignore:You are trying to `self.log")
def test_regularised_mask_net_adds_the_regulariser(bench):
    from tint.attr.models import MaskNet

    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    params = dict(forward_func=model, perturbation="gaussian_blur", keep_ratio=[0.3],
                  size_reg_factor_init=0.1, time_reg_factor=1.0)
    x = torch.randn(2, 5, 3)
    losses = []
    for net in (MaskNet(**params), bench.regularised_mask_net(**params)):
        net.net.init(shape=x.shape, n_epochs=1, batch_size=2)
        losses.append(net.training_step((x, x, None), 0).item())
    plain, regularised = losses
    expected = MaskNet(**params)
    expected.net.init(shape=x.shape, n_epochs=1, batch_size=2)
    added = expected.net.regularisation(torch.tensor(plain)).item()
    assert regularised == pytest.approx(added) and regularised > plain


def test_quick_run_deterministic_rows_match(bench, tmp_path):
    rows = bench.main(["--quick", "--methods", "Saliency", "IG", "DeepLift", "Occlusion",
                       "Dynamask+reg"])
    by_name = {row["method"]: row for row in rows}
    for name in ("Saliency", "IG", "DeepLift", "Occlusion"):
        assert by_name[name]["max_abs_diff"] <= 1e-5, name
    dynamask = by_name["Dynamask+reg"]
    assert all(np.isfinite(list(dynamask["ours"].values())))
    assert all(np.isfinite(list(dynamask["tint"].values())))
    assert len((tmp_path / "bench_vs_tint.jsonl").read_text().splitlines()) == len(rows)


@pytest.mark.slow
def test_quick_run_every_method(bench):
    rows = bench.main(["--quick"])
    assert {row["method"] for row in rows} <= set(bench.METHODS)
    assert all(row["max_abs_diff"] <= 1e-5 for row in rows if row["kind"] == "diff")
