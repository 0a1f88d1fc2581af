"""The docs' results page, written from the committed benchmark records.

:func:`write_results_page` reads the reference records of the latest full runs
(``benchmarks/reference/<benchmark>.jsonl``), their notes
(``benchmarks/reference/<benchmark>.rst``) and the published figures
(``benchmarks/published/<paper>.json``), and writes ``index.rst`` and its plots
to a folder: one table per paper table, ours beside the paper's, each row with
the command that reproduces it. ``conf.py`` runs it when the build starts.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
REFERENCE_DIR = BENCHMARKS / "reference"
PUBLISHED_DIR = BENCHMARKS / "published"


@dataclass
class Table:
    """One paper table: the records of ``benchmark`` on ``dataset`` beside the
    rows of ``paper_table`` in the published file of the section."""

    title: str
    benchmark: str
    dataset: str
    metrics: list
    paper_table: str = None
    # our method -> the paper's row it is compared with
    aliases: dict = field(default_factory=dict)
    # a peer's published table: (label, file, table, {our method: its row}),
    # shown when the file is there
    peer: tuple = None


SECTIONS = [
    ("Dynamask (Crabbé and van der Schaar, ICML 2021)", "dynamask_2021", [
        Table("Table 3: State", "bench_state", "State",
              ["AUP", "AUR", "I/1e5", "S/1e4", "AUROC", "AUPRC"], "state",
              {"FO-ref": "FO", "FIT-ref": "FIT"},
              ("tint", "tint_state", "state", {
                  "IG": "IntegratedGradients", "DeepLIFT": "DeepLift",
                  "GradientSHAP": "GradientShap", "FO": "Occlusion",
                  "AFO": "AugmentedOcclusion", "LIME": "Lime", "FIT": "Fit",
                  "Dynamask": "DynaMask", "ExtremalMask": "ExtremalMask"})),
        Table("Table 1: rare feature", "bench_dynamask_rare", "rare feature",
              ["AUP", "AUR", "AUR exact"], "rare_feature", {"Dynamask-ref": "Dynamask"}),
        Table("Table 2: rare time", "bench_dynamask_rare", "rare time",
              ["AUP", "AUR", "AUR exact"], "rare_time", {"Dynamask-ref": "Dynamask"}),
    ]),
    ("ContraLSP (Liu et al., ICLR 2024)", "contralsp_2024", [
        *(Table(f"Table 1: {setting}", "bench_contralsp_rare", setting,
                ["AUP", "AUR", "I/1e4", "S/1e2"], f"table1 {setting}",
                {"Dynamask-ref": "Dynamask", "Dynamask-CLSP": "Dynamask"})
          for setting in ("rare-time", "rare-time diff-groups", "rare-observation",
                          "rare-observation diff-groups")),
        *(Table(f"Tables 2 and 3: {dataset}", "bench_contralsp_state", dataset,
                ["AUP", "AUR", "I/1e4", "S/1e3"], f"table2-3 {key}",
                {"ExtremalMask (shared net)": "ExtremalMask"})
          for key, dataset in (("state", "State"), ("switch-feature", "Switch-Feature"))),
        Table("Table 9: alpha and beta tuned by cross-validation (Switch-Feature)",
              "bench_tune_contralsp", "Switch-Feature",
              ["chosen alpha", "chosen beta", "CV AUP at the choice", "CV AUR at the choice"]),
        Table("In place of Table 4 (MIMIC-III): BasicMotions, 20 % substituted",
              "bench_faithfulness", "BasicMotions",
              ["accuracy", "cross_entropy", "sufficiency*1e2", "comprehensiveness*1e2"]),
    ]),
    ("Ismail et al., NeurIPS 2020", "ismail_2020", [
        Table("Table 1: Middle Box", "bench_ismail_table1", "middle",
              ["AUPR", "AUP", "AUR", "AUC"], "middle"),
        Table("Table 1: Moving Box", "bench_ismail_table1", "moving_middle",
              ["AUPR", "AUP", "AUR", "AUC"], "moving_middle"),
    ]),
]
TSER_NAMES = {"RocketRegressor": "ROCKET"}


def load_reference(reference_dir=REFERENCE_DIR):
    """``{benchmark: [record, ...]}`` of every ``<benchmark>.jsonl`` in ``reference_dir``."""
    records = {}
    for path in sorted(Path(reference_dir).glob("*.jsonl")):
        with open(path) as f:
            records[path.stem] = [json.loads(line) for line in f if line.strip()]
    return records


def _escape(text):
    """``text`` with the ``|`` outside inline literals escaped (reST substitutions)."""
    parts = str(text).split("``")
    return "``".join(p if i % 2 else p.replace("|", "\\|") for i, p in enumerate(parts))


def _number(value):
    if isinstance(value, float):
        return f"{round(value, 4):g}"
    return "" if value is None else str(value)


def _merge(records):
    """One row per method: numeric figures averaged over its records (one per
    seed where a run was recorded seed by seed), commands and seeds pooled."""
    by_method = defaultdict(list)
    for record in records:
        by_method[record["method"]].append(record)
    rows = {}
    for method, group in by_method.items():
        figures = {}
        for key in group[0]["figures"]:
            values = [r["figures"].get(key) for r in group]
            if len(group) > 1 and all(isinstance(v, (int, float)) for v in values):
                figures[key] = round(sum(values) / len(values), 3)
            else:
                figures[key] = values[0]
        commands = list(dict.fromkeys(r["command"] for r in group))
        seeds = []
        for r in group:
            seed = r.get("seed")
            seeds += seed if isinstance(seed, list) else [] if seed is None else [seed]
        rows[method] = dict(figures=figures, commands=commands,
                            seeds=sorted(set(seeds)), n_records=len(group),
                            notes=[r["note"] for r in group if r.get("note")])
    return rows


def _list_table(header, rows, widths=None):
    lines = [".. list-table::", "   :header-rows: 1"]
    if widths:
        lines.append("   :widths: " + " ".join(map(str, widths)))
    lines.append("")
    for row in [header, *rows]:
        row = [_escape(cell) for cell in row]
        lines.append("   * - " + (row[0] or "\\"))
        lines += [f"     - {cell}" if cell else "     -" for cell in row[1:]]
    return lines + [""]


def _commands(row):
    return "; ".join(f"``{c}``" for c in row["commands"])


def _heading(text, char):
    return [text, char * len(text), ""]


def _peer_rows(table, published_dir):
    """``({our method: {metric: value}}, source)`` of the table's peer, if published."""
    if table.peer is None:
        return {}, None
    _, name, key, names = table.peer
    path = Path(published_dir) / f"{name}.json"
    if not path.exists():
        return {}, None
    peer = json.loads(path.read_text())
    rows = peer["tables"][key]["rows"]
    metrics = peer["tables"][key]["metrics"]
    return ({ours: dict(zip(metrics, rows[theirs])) for ours, theirs in names.items()
             if theirs in rows}, peer["source"])


def _paper_table(table, records, published, published_dir):
    """Rows of one paper table, ours then the paper's rows we did not run."""
    rows = _merge([r for r in records if r["dataset"] == table.dataset])
    paper = published["tables"][table.paper_table] if table.paper_table else None
    peer, peer_source = _peer_rows(table, published_dir)
    paper_of = {}
    if paper:
        for method, values in paper["rows"].items():
            paper_of[method] = dict(zip(paper["metrics"], values))
    lines = _heading(table.title, "~")
    if not rows and not paper_of:
        return []
    label = " ours [paper]" + (f" ({table.peer[0]})" if peer else "") if paper else ""
    header = ["method", *(f"{m}{label}" for m in table.metrics), "seeds", "command"]
    body = []
    for method, row in rows.items():
        theirs = paper_of.get(table.aliases.get(method, method), {})
        cells = []
        for metric in table.metrics:
            cell = _number(row["figures"].get(metric))
            if theirs.get(metric) is not None:
                cell += f" [{_number(theirs[metric])}]"
            if peer.get(method, {}).get(metric) is not None:
                cell += f" ({_number(peer[method][metric])})"
            cells.append(cell)
        seeds = ", ".join(map(str, row["seeds"]))
        body.append([method, *cells, seeds, _commands(row)])
    ran = {table.aliases.get(m, m) for m in rows}
    for method, theirs in paper_of.items():
        if method not in ran:
            body.append([f"{method} (paper only)",
                         *(f"[{_number(theirs.get(m))}]" if theirs.get(m) is not None else ""
                           for m in table.metrics), "", ""])
    if not rows:
        lines += [f"No reference run of ``{table.benchmark}.py`` is recorded yet; "
                  "the paper's figures:", ""]
    if peer:
        lines += [f"In parentheses, {table.peer[0]}'s published figures: {peer_source}.", ""]
    lines += _list_table(header, body)
    notes = [f"{method}: {note}" for method, row in rows.items() for note in row["notes"]]
    lines += [f"* {_escape(note)}" for note in notes] + ([""] if notes else [])
    return lines


def _generic_table(benchmark, records):
    lines = []
    by_dataset = defaultdict(list)
    for record in records:
        by_dataset[record["dataset"]].append(record)
    for dataset, group in by_dataset.items():
        rows = _merge(group)
        metrics = list(dict.fromkeys(k for row in rows.values() for k in row["figures"]))
        lines += _heading(f"{dataset}", "~")
        body = [[method, *(_number(row["figures"].get(m)) for m in metrics),
                 ", ".join(map(str, row["seeds"])), _commands(row)]
                for method, row in rows.items()]
        lines += _list_table(["method", *metrics, "seeds", "command"], body)
        notes = [f"{method}: {note}" for method, row in rows.items() for note in row["notes"]]
        lines += [f"* {_escape(note)}" for note in notes] + ([""] if notes else [])
    return lines


def _tser_datasets(records, published):
    """The published sets, then those only we measured (the synthetic ones)."""
    names = list(published["results"])
    return names + sorted({r["dataset"] for r in records} - set(names))


def _tser_table(records, published):
    lines = []
    for dataset in _tser_datasets(records, published):
        theirs = published["results"].get(dataset, {})
        rows = _merge([r for r in records if r["dataset"] == dataset])
        lines += _heading(dataset, "~")
        body = []
        for method, row in rows.items():
            f = row["figures"]
            paper = theirs.get(TSER_NAMES.get(method, method))
            body.append([method, _number(f["RMSE default split"]),
                         f"{_number(f['RMSE resamples mean'])} ± "
                         f"{_number(f['RMSE resamples std'])}"
                         if "RMSE resamples mean" in f else "not run",
                         _number(paper), _number(f["fit CPU-s mean"]), _commands(row)])
        for name, value in theirs.items():
            if name not in {TSER_NAMES.get(m, m) for m in rows}:
                body.append([f"{name} (published only)", "", "", _number(value), "", ""])
        lines += _list_table(["model", "RMSE, default split", "RMSE, 10 resamples",
                              "published RMSE, fold 0", "fit CPU-s", "command"], body)
    return lines


def _notes(benchmark, reference_dir):
    path = Path(reference_dir) / f"{benchmark}.rst"
    if not path.exists():
        return []
    return [".. rubric:: Notes of past runs", "", _escape(path.read_text().rstrip()), ""]


def _plot_state(records, published, peer, out_dir):
    rows = _merge([r for r in records if r["dataset"] == "State"])
    paper = published["tables"]["state"]
    paper_of = {m: dict(zip(paper["metrics"], v)) for m, v in paper["rows"].items()}
    aliases = {"FO-ref": "FO", "FIT-ref": "FIT"}
    methods = list(rows)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, metric in zip(axes, ("AUP", "AUR")):
        x = range(len(methods))
        ours = [rows[m]["figures"].get(metric, float("nan")) for m in methods]
        theirs = [paper_of.get(aliases.get(m, m), {}).get(metric) for m in methods]
        bars = {"sklearn_tsx": ours, "paper": theirs}
        if peer:
            bars["time_interpret"] = [peer.get(m, {}).get(metric) for m in methods]
        width = 0.8 / len(bars)
        for k, (label, values) in enumerate(bars.items()):
            ax.bar([i - 0.4 + width * (k + 0.5) for i in x],
                   [float("nan") if v is None else v for v in values], width=width,
                   label=label)
        ax.set_xticks(list(x), methods, rotation=45, ha="right")
        ax.set_title(f"State: {metric}")
        ax.set_ylim(0, 1)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=3)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    fig.savefig(out_dir / "state_aup_aur.png", dpi=90)
    plt.close(fig)
    return "state_aup_aur.png"


def _plot_tser(records, published, out_dir):
    datasets = _tser_datasets(records, published)
    fig, axes = plt.subplots(1, len(datasets), figsize=(5 * len(datasets), 3.8))
    for ax, dataset in zip(axes, datasets):
        rows = _merge([r for r in records if r["dataset"] == dataset])
        rows = {m: row for m, row in rows.items() if "RMSE resamples mean" in row["figures"]}
        methods = sorted(rows, key=lambda m: rows[m]["figures"]["RMSE resamples mean"])
        means = [rows[m]["figures"]["RMSE resamples mean"] for m in methods]
        stds = [rows[m]["figures"]["RMSE resamples std"] for m in methods]
        ax.barh(methods, means, xerr=stds, color="tab:blue", alpha=0.8,
                label="ours, mean ± std over resamples")
        rocket = published["results"].get(dataset, {}).get("ROCKET")
        if rocket is not None:
            ax.axvline(rocket, color="tab:red", ls="--", label="published ROCKET, fold 0")
        # one resample-mean outlier (a flattened RidgeCV) would squash the others
        ax.set_xlim(0, 2 * sorted(means)[len(means) // 2])
        ax.set_title(f"{dataset}: test RMSE")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=2)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    fig.savefig(out_dir / "tser_rmse.png", dpi=90)
    plt.close(fig)
    return "tser_rmse.png"


def write_results_page(out_dir, reference_dir=REFERENCE_DIR, published_dir=PUBLISHED_DIR):
    """Write ``index.rst`` and its plots to ``out_dir``; return the page's path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    records = load_reference(reference_dir)

    def published(name):
        with open(Path(published_dir) / f"{name}.json") as f:
            return json.load(f)

    lines = [".. _results:", "", *_heading("Benchmark results", "="),
             "The figures of the latest full run of every benchmark in ``benchmarks/``, "
             "ours beside the published ones, generated when the documentation is built "
             "from the committed records (``benchmarks/reference/<benchmark>.jsonl``, one "
             "JSON line per measured row) and the published figures "
             "(``benchmarks/published/<paper>.json``, each naming its source). Cells read "
             "*ours [paper]*; rows averaged over several records (one per seed) give the "
             "mean. Every row names the command that reproduces it; a benchmark run writes "
             "new records to ``benchmarks/results/``, and the records of a new full run "
             "replace those in ``benchmarks/reference/``. Unless a record says otherwise the "
             "runs used two shared CPU cores and one torch thread, not the papers' GPUs.",
             ""]
    done = set()
    for title, paper_name, tables in SECTIONS:
        paper = published(paper_name)
        lines += _heading(title, "-")
        lines += [f"Source: {paper['source']}.", ""]
        for table in tables:
            lines += _paper_table(table, records.get(table.benchmark, []), paper,
                                  published_dir)
            if table.benchmark == "bench_state" and "bench_state" in records:
                peer, _ = _peer_rows(table, published_dir)
                image = _plot_state(records["bench_state"], paper, peer, out_dir)
                lines += [f".. image:: {image}", "   :alt: AUP and AUR per method, State", ""]
        for benchmark in dict.fromkeys(t.benchmark for t in tables):
            lines += _notes(benchmark, reference_dir) if benchmark in records else []
            done.add(benchmark)
    if "bench_tser_real" in records:
        tser = published("tser_fold0")
        lines += _heading("Time-series extrinsic regression (TSER) beside ROCKET", "-")
        lines += [f"Source of the published figures: {tser['source']}.", ""]
        lines += _tser_table(records["bench_tser_real"], tser)
        image = _plot_tser(records["bench_tser_real"], tser, out_dir)
        lines += [f".. image:: {image}", "   :alt: test RMSE per model on the TSER sets", ""]
        lines += _notes("bench_tser_real", reference_dir)
        done.add("bench_tser_real")
    for benchmark, group in records.items():
        if benchmark in done:
            continue
        lines += _heading(f"``{benchmark}.py``", "-")
        lines += _generic_table(benchmark, group)
        lines += _notes(benchmark, reference_dir)
    page = out_dir / "index.rst"
    page.write_text("\n".join(lines) + "\n")
    return page
