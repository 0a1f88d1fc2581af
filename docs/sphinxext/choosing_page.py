"""The docs' "Choosing an explainer" page, written from the benchmark records.

:data:`EXPLAINERS` holds what the records cannot say (each explainer's family,
the model access it needs and what it is good at); :func:`write_choosing_page`
adds, per explainer, the figures the benchmarks measured: faithfulness on real
classification sets (``bench_faithfulness_real``), ground-truth scores on the
synthetic State set (``bench_state``, ``bench_contralsp_state``,
``bench_vs_tint``) and CPU-s per series. A benchmark's committed reference
records (``benchmarks/reference/<benchmark>.jsonl``) are read first; where a
benchmark has none yet, the records of local runs (``benchmarks/results/``) are
read and the page says so. ``conf.py`` runs it when the build starts.
"""

import json
import statistics
from collections import defaultdict
from pathlib import Path

from results_page import _heading, _list_table, _number

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
REFERENCE_DIR = BENCHMARKS / "reference"
RESULTS_DIR = BENCHMARKS / "results"

GRAD = "gradients"
PROBA = "``predict_proba`` / ``predict`` only"
SEQ = "a sequence model (predicts from any prefix)"
TRAIN = "training data"

# name: (family, model access it needs, what it is good at)
EXPLAINERS = {
    "Saliency": ("gradient", GRAD, "the cheapest map; a first look"),
    "InputXGradient": ("gradient", GRAD, "cheap; exact contributions of a linear model"),
    "IntegratedGradients": ("gradient", GRAD,
                            "attributions that add up to the output's change from a "
                            "baseline (completeness)"),
    "DeepLift": ("gradient", GRAD, "completeness, as IntegratedGradients, at the cost of "
                 "one backward pass"),
    "DeepLiftShap": ("gradient", f"{GRAD}; {TRAIN} (baselines)",
                     "DeepLift against a distribution of baselines"),
    "GradientShap": ("gradient", f"{GRAD}; {TRAIN} (baselines)",
                     "expected gradients over random baselines"),
    "SmoothGrad": ("gradient", GRAD, "gradient maps with the noise averaged out"),
    "GuidedBackprop": ("gradient", f"{GRAD}; ReLU modules",
                       "sharp maps of ReLU nets (the TCN); not class-specific"),
    "Deconvolution": ("gradient", f"{GRAD}; ReLU modules",
                      "the convolutional features a ReLU net reacts to"),
    "LayerGradCam": ("gradient", f"{GRAD}; a convolution layer",
                     "the class activation map of a convolutional net, coarse in time"),
    "GeodesicIntegratedGradients": ("gradient", f"{GRAD}; {TRAIN}",
                                    "IntegratedGradients along the data, off saturated "
                                    "straight paths"),
    "NonLinearitiesTunnel": ("gradient", f"{GRAD} (wraps a gradient explainer)",
                             "steadier gradient maps of ReLU nets (ReLU smoothed)"),
    "FeatureOcclusion": ("perturbation", PROBA,
                         "any model; one forward pass per time step"),
    "FeatureAblation": ("perturbation", PROBA, "any model; one entry or group at a time"),
    "FeaturePermutation": ("perturbation", f"{PROBA}; a batch of series",
                           "any model; values taken from the other series"),
    "AugmentedFeatureOcclusion": ("perturbation", f"{PROBA}; {TRAIN}",
                                  "any model; occlusion by plausible values"),
    "ShapleyValueSampling": ("perturbation", PROBA,
                             "any model; Shapley values by sampling"),
    "ShapleyValues": ("perturbation", PROBA, "exact Shapley values of a few groups"),
    "FIT": ("perturbation", f"{PROBA}; {TRAIN}; {SEQ}",
            "when each observation shifts the prediction (online settings)"),
    "TemporalSaliencyRescaling": ("perturbation", "that of its base explainer",
                                  "separating time from channel importance "
                                  "(Ismail et al. 2020)"),
    "Lime": ("surrogate", PROBA, "any model; a local linear surrogate"),
    "KernelShap": ("surrogate", PROBA, "any model; Shapley values by a weighted surrogate"),
    "LofLime": ("surrogate", f"{PROBA}; {TRAIN}",
                "Lime, its out-of-distribution copies weighted down"),
    "LofKernelShap": ("surrogate", f"{PROBA}; {TRAIN}",
                      "KernelShap, its out-of-distribution copies weighted down"),
    "BayesLime": ("surrogate", PROBA, "Lime with a credible interval per attribution"),
    "BayesKernelShap": ("surrogate", PROBA,
                        "KernelShap with a credible interval per attribution"),
    "Dynamask": ("mask-learning", GRAD,
                 "a sparse mask of the entries that carry a prediction; rare features "
                 "and rare times (synthetic white boxes)"),
    "ExtremalMask": ("mask-learning", GRAD,
                     "Dynamask with a learned perturbation instead of a fixed blur"),
    "ContraLSP": ("mask-learning", GRAD,
                  "sparse masks, smooth in time, with counterfactual perturbations"),
    "TemporalIntegratedGradients": ("temporal prefix", f"{GRAD}; {SEQ}",
                                    "each step judged by the prediction when it arrives"),
    "SequentialIntegratedGradients": ("temporal prefix", GRAD,
                                      "IntegratedGradients one time step at a time"),
    "TimeForwardTunnel": ("temporal prefix", f"{GRAD}; {SEQ}",
                          "any gradient explainer, each step on its prefix"),
    "TemporalOcclusion": ("temporal prefix", f"{PROBA}; {SEQ}",
                          "occlusion of each step in the prediction when it arrives"),
    "TemporalAugmentedOcclusion": ("temporal prefix", f"{PROBA}; {TRAIN}; {SEQ}",
                                   "TemporalOcclusion by plausible values"),
    "RetainExplainer": ("model's own", "a fitted ``RetainClassifier`` / ``RetainRegressor``",
                        "exact contributions, free at prediction time"),
    "MagnetsExplainer": ("model's own", "a fitted MAGNETS model",
                         "exact concept contributions, free at prediction time"),
    "RandomExplainer": ("random floor", "nothing", "the floor every method must beat"),
}

# a benchmark's method label -> the explainer it runs; labels not here and not an
# explainer's name (reference implementations, ablations) are left out
ALIASES = {
    "IG": "IntegratedGradients", "DeepLIFT": "DeepLift", "GradientSHAP": "GradientShap",
    "FO": "FeatureOcclusion", "Occlusion": "FeatureOcclusion", "LIME": "Lime",
    "Random": "RandomExplainer", "AFO": "AugmentedFeatureOcclusion",
    "AugmentedOcclusion": "AugmentedFeatureOcclusion", "SVS": "ShapleyValueSampling",
    "FP": "FeaturePermutation", "Fit": "FIT", "TemporalIG": "TemporalIntegratedGradients",
    "SequentialIG": "SequentialIntegratedGradients",
    "GeodesicIG": "GeodesicIntegratedGradients", "TSR(IG)": "TemporalSaliencyRescaling",
    "TimeForwardTunnel(IG)": "TimeForwardTunnel",
}
REAL = "bench_faithfulness_real"
REAL_MODEL = "TCNClassifier"
# (benchmark, data set, AUP / AUR / AUROC keys), the first with a record wins
SCORE_SOURCES = (
    ("bench_state", "State", ("AUP", "AUR", "AUROC")),
    ("bench_contralsp_state", "State", ("AUP", "AUR", "AUROC")),
    ("bench_vs_tint", "State", ("ours AUP", "ours AUR", "ours AUROC")),
)
# (benchmark, CPU-s key), the first with a record wins
COST_SOURCES = (
    ("bench_vs_tint", "ours CPU-s per series"),
    ("bench_temporal_vs_tint", "ours_cpu_s_per_series"),
    ("bench_lof_bayes_vs_tint", "ours CPU-s per series"),
    ("bench_metrics_vs_tint", "cpu_s_per_series"),
)


def explainer_name(label):
    """The explainer a record's method label names, or ``None``.

    ``"IG"`` is ``IntegratedGradients``; ``"SmoothGrad vargrad (TCN)"`` is
    ``SmoothGrad``; ``"FO-ref"`` (a reference implementation) is ``None``.
    """
    label = ALIASES.get(label, label)
    if label in EXPLAINERS:
        return label
    head = label.split(" ")[0]
    return ALIASES.get(head, head) if ALIASES.get(head, head) in EXPLAINERS else None


def load_records(benchmark, reference_dir=REFERENCE_DIR, results_dir=RESULTS_DIR):
    """``(records, origin)``: the reference records of ``benchmark``, else those of
    local runs, else none; ``origin`` names the file read (``None`` if none)."""
    for folder in (reference_dir, results_dir):
        path = Path(folder) / f"{benchmark}.jsonl"
        if path.exists():
            with open(path) as f:
                records = [json.loads(line) for line in f if line.strip()]
            return records, f"{Path(folder).name}/{path.name}"
    return [], None


def _pick(records):
    """The last record of each seed: a later run replaces an earlier one."""
    latest = {}
    for record in records:
        latest[json.dumps(record.get("seed"))] = record
    return list(latest.values())


def _mean(values):
    values = [v for v in values if isinstance(v, (int, float))]
    return sum(values) / len(values) if values else None


class _Sources:
    """The numbered sources of the page's cells: benchmark, data, command, file."""

    def __init__(self):
        self.rows = {}

    def tag(self, kind, benchmark, dataset, commands, origin):
        key = (kind, benchmark, dataset, tuple(commands), origin)
        if key not in self.rows:
            self.rows[key] = len(self.rows) + 1
        return f"[{self.rows[key]}]"

    def table(self):
        body = [[f"[{n}]", kind, f"``{benchmark}.py``", dataset,
                 "; ".join(f"``{c}``" for c in commands), f"``benchmarks/{origin}``"]
                for (kind, benchmark, dataset, commands, origin), n in self.rows.items()]
        return _list_table(["source", "data", "benchmark", "data set", "command",
                            "records"], body)


def _by_explainer(records):
    """``{explainer: [record, ...]}`` of the records of full runs (``--quick`` runs
    are smoke tests) whose method is an explainer; a label naming the explainer
    alone (``"IG"``) wins over a variant's (``"ExtremalMask (shared net)"``)."""
    exact, variants = defaultdict(list), defaultdict(list)
    for record in records:
        if "--quick" in record.get("command", ""):
            continue
        label = record.get("method", "")
        name = explainer_name(label)
        if name is not None:
            (exact if ALIASES.get(label, label) == name else variants)[name].append(record)
    return {name: exact.get(name) or variants[name] for name in {*exact, *variants}}


def real_data_rows(records):
    """``{explainer: {data set: row}}`` of ``bench_faithfulness_real``'s explainer
    records: comprehensiveness AOPC signed and absolute, the random floor's mean
    and CPU-s per series, from the run on the most series (the latest of those).
    ``kind``, ``model`` and ``n_explain`` are read under ``settings`` or at the top.
    A run with another substitution than the series' mean (``baseline``) is a data
    set of its own, ``"<set>, <baseline>d"`` (e.g. ``"OSULeaf, interpolated"``)."""
    def setting(record, key, default=None):
        return record.get("settings", {}).get(key, record.get(key, default))

    explained = [r for r in records if setting(r, "kind") == "explainer"
                 and setting(r, "model", REAL_MODEL) == REAL_MODEL]
    rows = defaultdict(dict)
    for name, group in _by_explainer(explained).items():
        by_set = defaultdict(list)
        for record in group:
            baseline = setting(record, "baseline", "average")
            label = (record["dataset"] if baseline == "average"
                     else f"{record['dataset']}, {baseline}d")
            by_set[label].append(record)
        for dataset, runs in by_set.items():
            record = max(enumerate(runs),
                         key=lambda ir: (setting(ir[1], "n_explain", 0), ir[0]))[1]
            figures = record.get("figures", record)
            baseline = setting(record, "baseline", "average")
            try:
                suff_floor = figures["random_floor"].get("suff")
                rows[name][dataset] = {
                    "signed": figures["signed"]["comp"],
                    "absolute": figures["absolute"]["comp"],
                    "floor": figures["random_floor"]["comp"][0],
                    "suff_signed": figures["signed"].get("suff"),
                    "suff_absolute": figures["absolute"].get("suff"),
                    "suff_floor": None if suff_floor is None else suff_floor[0],
                    "cpu": figures["cpu_s_per_series"],
                    "sets": record["dataset"] + ("" if baseline == "average"
                                                 else f" --baseline {baseline}")}
            except KeyError as error:
                raise ValueError(
                    f"A {REAL} record of {name} on {dataset} lacks {error}: the page reads "
                    "signed and absolute comprehensiveness, random_floor and "
                    "cpu_s_per_series, at the top of the record or under 'figures'."
                ) from None
    return rows


def _figure_rows(benchmark, dataset, keys, reference_dir, results_dir):
    """``({explainer: (figures, commands)}, origin)``: ``keys`` of the benchmark's
    records on ``dataset`` (any data set if ``None``), averaged over seeds."""
    records, origin = load_records(benchmark, reference_dir, results_dir)
    if dataset is not None:
        records = [r for r in records if r.get("dataset") == dataset]
    rows = {}
    for name, group in _by_explainer([r for r in records if "figures" in r]).items():
        picked = _pick(group)
        figures = [_mean([r["figures"].get(k) for r in picked]) for k in keys]
        if any(v is not None for v in figures):
            commands = list(dict.fromkeys(r["command"] for r in picked))
            rows[name] = (figures, commands, picked[0].get("dataset", ""))
    return rows, origin


def _comp_cell(row):
    return (f"{_number(row['signed'])} | {_number(row['absolute'])} "
            f"(floor {_number(row['floor'])}; {_number(row['cpu'])} s)")


def _suff_cell(row):
    if row["suff_signed"] is None:
        return ""
    floor = "" if row["suff_floor"] is None else f" (floor {_number(row['suff_floor'])})"
    return f"{_number(row['suff_signed'])} | {_number(row['suff_absolute'])}{floor}"


def _real_table(real, sources, origin, cell=_comp_cell):
    datasets = sorted({d for per_set in real.values() for d in per_set})
    header = ["explainer", *datasets]
    body = []
    for name in EXPLAINERS:
        if name not in real:
            continue
        cells = []
        for dataset in datasets:
            row = real[name].get(dataset)
            if row is None:
                cells.append("")
                continue
            tag = sources.tag("real", REAL, dataset,
                              [f"python benchmarks/{REAL}.py --sets {row['sets']}"], origin)
            text = cell(row)
            cells.append(f"{text} {tag}" if text else "")
        body.append([f":class:`~sklearn_tsx.explainers.{name}`", *cells])
    return _list_table(header, body)


def refused_sets(records):
    """``{data set: sentence}`` for the sets ``bench_faithfulness_real`` refused to
    rank because random substitution already changes the explained model's
    predictions (records of kind ``refused``), the latest record per set."""
    refused = {}
    for record in records:
        settings = record.get("settings", {})
        if settings.get("kind") != "refused":
            continue
        floor = record["figures"]["random_floor"]
        refused[record["dataset"]] = (
            f"substituting a random 20 % of the entries already changes "
            f"{floor['acc_drop'][0]:.0%} of the {settings.get('model', REAL_MODEL)}'s "
            f"predictions, so every map scores as the random floor does "
            f"(comprehensiveness {_number(floor['comp'][0])})")
    return refused


def _summary_real(row_by_set):
    """Median over sets of the better comprehensiveness (signed or absolute) over the
    random floor, and the median CPU-s per series."""
    ratios = [max(r["signed"], r["absolute"]) / r["floor"] for r in row_by_set.values()
              if r["floor"] > 0]
    sets = f"{len(ratios)} set" + ("s" if len(ratios) > 1 else "")
    ratio = f"{statistics.median(ratios):.1f}x ({sets})" if ratios else ""
    return ratio, _number(statistics.median(r["cpu"] for r in row_by_set.values()))


def write_choosing_page(out_dir, reference_dir=REFERENCE_DIR, results_dir=RESULTS_DIR):
    """Write ``index.rst`` of the "Choosing an explainer" page to ``out_dir``;
    return the page's path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = _Sources()
    real_records, real_origin = load_records(REAL, reference_dir, results_dir)
    real = real_data_rows(real_records)
    scores = {}
    for benchmark, dataset, keys in reversed(SCORE_SOURCES):
        rows, origin = _figure_rows(benchmark, dataset, keys, reference_dir, results_dir)
        scores.update({name: (row, benchmark, origin) for name, row in rows.items()})
    costs = {}
    for benchmark, key in reversed(COST_SOURCES):
        rows, origin = _figure_rows(benchmark, None, (key,), reference_dir, results_dir)
        costs.update({name: (row, benchmark, origin) for name, row in rows.items()})

    body = []
    for name, (family, access, good_at) in EXPLAINERS.items():
        ratio, real_cpu = _summary_real(real[name]) if name in real else ("", "")
        if name in real:
            tag = sources.tag("real", REAL, "every set", ["python benchmarks/"
                              "bench_faithfulness_real.py"], real_origin)
            ratio, real_cpu = f"{ratio} {tag}", f"{real_cpu} {tag}"
        synthetic = ""
        if name in scores:
            (figures, commands, dataset), benchmark, origin = scores[name]
            tag = sources.tag("synthetic", benchmark, dataset, commands, origin)
            synthetic = " / ".join("–" if v is None else f"{v:.2f}" for v in figures)
            synthetic += f" {tag}"
        cost = ""
        if name in costs:
            ((value,), commands, dataset), benchmark, origin = costs[name]
            cost = f"{_number(value)} " + sources.tag("synthetic", benchmark, dataset,
                                                      commands, origin)
        body.append([f":class:`~sklearn_tsx.explainers.{name}`", family, access, good_at,
                     ratio, real_cpu, synthetic, cost])

    lines = [".. _choosing_an_explainer:", "", *_heading("Choosing an explainer", "="),
             "Every explainer of :mod:`sklearn_tsx.explainers`: its family, the access to "
             "the model it needs, what it is good at, and what the benchmarks measured. "
             "The page is generated when the documentation is built, from the benchmarks' "
             "records; each figure carries a bracketed number naming its source in the "
             ":ref:`table of sources <choosing_sources>` (the benchmark, the data, the "
             "command that reproduces it, and the records file).", "",
             "Two kinds of figures, never to be mixed up:", "",
             "- **Real data** (``bench_faithfulness_real``): UCR/UEA classification sets "
             "that ship with sktime, a ``TCNClassifier`` per set, every explainer at its "
             "defaults. No ground truth exists there: *comprehensiveness* is the AOPC of "
             "the drop of the predicted class's probability when the top 10 to 50 % of "
             "the entries are replaced by their channel's average over the series, shown "
             "as a multiple of the "
             "random floor (``RandomExplainer``'s comprehensiveness), for the better of the "
             "signed and the absolute attributions on each set (the set-by-set table "
             "gives both), the median over sets.",
             "- **Synthetic** (``bench_state``, ``bench_contralsp_state``, "
             "``bench_vs_tint`` and the other ``*_vs_tint`` benchmarks): AUP / AUR / AUROC "
             "against the known salient entries of the State set (a GRU trained on it), "
             "and CPU-s per series on the benchmarks' small synthetic models. Scores on a "
             "white box say whether a method finds planted features, not whether it is "
             "faithful to a model trained on real data.", "",
             "CPU-s per series are single-thread process times on two shared cores; they "
             "compare methods within one source, not across sources.", ""]
    if real_origin is None:
        lines += [".. note::", "",
                  "   No record of ``python benchmarks/bench_faithfulness_real.py`` is "
                  "there yet: the real-data columns are empty until its reference records "
                  "(``benchmarks/reference/bench_faithfulness_real.jsonl``) are committed.",
                  ""]
    elif real_origin.startswith(RESULTS_DIR.name):
        lines += [".. note::", "",
                  f"   The real-data figures come from local runs "
                  f"(``benchmarks/{real_origin}``), not from a committed reference run.", ""]
    lines += _list_table(
        ["explainer", "family", "model access it needs", "good at",
         "real data: comprehensiveness / random floor",
         "real data: CPU-s per series (median)",
         "synthetic State: AUP / AUR / AUROC", "synthetic: CPU-s per series"],
        body, widths=[14, 8, 14, 20, 12, 8, 14, 10])
    lines += ["How to read it", "--------------", "",
              "- On real data, prefer a method whose comprehensiveness is well above the "
              "floor at a cost you can pay: the gradient methods (``DeepLift``, "
              "``IntegratedGradients``) and ``FeatureOcclusion`` are the baselines to "
              "beat.",
              "- The mask-learning methods win on synthetic white boxes where a few "
              "entries carry the label; check their real-data column before trusting them "
              "on your data, and compare them with a gradient baseline.",
              "- A model that is not torch takes the perturbation and surrogate methods "
              "only (:ref:`user_guide_black_box`); the temporal prefix methods need a "
              "model that predicts from any prefix of the series.", ""]
    if real:
        lines += ["Real data, set by set", "---------------------", "",
                  "Comprehensiveness AOPC of the signed \\| absolute attributions, the "
                  "random floor's mean, and CPU-s per series:", ""]
        lines += _real_table(real, sources, real_origin)
        lines += ["Sufficiency AOPC (the *least* salient entries substituted; lower is "
                  "better) of the same runs, signed \\| absolute, and the random "
                  "floor's: it scores what a preservation mask (``Dynamask``, "
                  "``ExtremalMask``, ``ContraLSP``) optimises, the entries that suffice "
                  "for the prediction, where comprehensiveness scores those it needs:",
                  ""]
        lines += _real_table(real, sources, real_origin, cell=_suff_cell)
    refused = refused_sets(real_records)
    if refused:
        ranked = {label for per_set in real.values() for label in per_set}
        lines += ["Not ranked:", ""]
        for dataset, why in sorted(refused.items()):
            other = sorted(label for label in ranked if label.startswith(f"{dataset}, "))
            also = (f"; the column {', '.join(other)} ranks the maps under another "
                    "substitution" if other else "")
            lines += [f"- {dataset}: {why}{also}."]
        lines += [""]
    lines += [".. _choosing_sources:", "", "Sources", "-------", ""]
    lines += sources.table() if sources.rows else ["No benchmark record is there yet.", ""]
    page = out_dir / "index.rst"
    page.write_text("\n".join(lines) + "\n")
    return page
