"""benchmarks/check_sklearn_workflows.py: every scikit-learn workflow of issue 29
passes end to end."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "check_sklearn_workflows.py"


def _script():
    spec = importlib.util.spec_from_file_location("_check_sklearn_workflows", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_workflow_passes(capsys):
    script = _script()
    status = script.main()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(script.WORKFLOWS) > 0
    failed = [line for line in lines if not line.startswith("PASS ")]
    assert status == 0 and not failed, "\n".join(failed)
