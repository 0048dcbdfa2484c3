"""Every example runs with --quick and exits cleanly; the lecture's numbers show in the output."""

import functools
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))


@functools.cache
def quick_output(name: str) -> str:
    """Run ``examples/<name> --quick`` once per test session; its standard output."""
    script = ROOT / "examples" / name
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
    env["MPLBACKEND"] = "Agg"  # never open a window
    with tempfile.TemporaryDirectory() as scratch:  # files an example writes land here
        result = subprocess.run(
            [sys.executable, str(script), "--quick"],
            cwd=scratch,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, (
        f"{name} --quick exited with {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )
    return result.stdout


def test_there_are_examples():
    assert {"spiral_mlp.py", "linear_classifier.py"} <= {p.name for p in EXAMPLES}


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_quick(script):
    quick_output(script.name)


def percent(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"no line matching {pattern!r} in:\n{text}"
    return float(match.group(1))


@pytest.mark.slow
@pytest.mark.integration
def test_spiral_mlp_reports_both_accuracies():
    out = quick_output("spiral_mlp.py")
    linear = percent(r"linear softmax classifier.*training accuracy ([\d.]+)%", out)
    net = percent(r"2-layer net.*training accuracy ([\d.]+)%", out)
    assert 35 <= linear <= 65  # the lecture: about 49%
    assert net >= 90  # the lecture: about 98% after 10,000 steps; --quick runs 2,000
    assert net - linear >= 25


@pytest.mark.slow
@pytest.mark.integration
def test_linear_classifier_sanity_check_and_gradient_descent_beating_random_search():
    out = quick_output("linear_classifier.py")
    softmax = re.search(r"initial softmax loss ([\d.]+), expected log C = ([\d.]+)", out)
    hinge = re.search(r"initial hinge loss ([\d.]+), expected C - 1 = (\d+)", out)
    assert softmax and hinge, out
    assert float(softmax.group(1)) == pytest.approx(float(softmax.group(2)), abs=0.01)
    assert float(hinge.group(1)) == pytest.approx(float(hinge.group(2)), abs=0.01)
    random_search = percent(r"random search.*validation accuracy ([\d.]+)%", out)
    trained = [float(v) for v in re.findall(r"lr [\d.]+: .*validation accuracy ([\d.]+)%", out)]
    assert len(trained) == 2, out
    assert all(accuracy > random_search + 5 for accuracy in trained)


def test_regularization_prints_train_and_validation_accuracy_for_all_three():
    out = quick_output("regularization.py")
    rows = {}
    for name in ("no regularization", "L2", "dropout"):
        match = re.search(rf"^{name}.*training accuracy +([\d.]+)%, validation accuracy +([\d.]+)%", out, re.M)
        assert match, f"no line for {name!r} in:\n{out}"
        rows[name] = (float(match.group(1)), float(match.group(2)))
    train, val = rows["no regularization"]
    assert train >= 95  # 100 samples, 256 hidden units: learned by heart
    assert train - val >= 4  # ... and worse on samples it has not seen
    assert all(v > 60 for _, v in rows.values())  # every variant learned something (chance: 10%)


def test_initialization_small_weights_collapse_and_xavier_he_keep_order_one():
    out = quick_output("initialization.py")
    stds = {}
    for line in out.splitlines():
        match = re.match(r"^(.*?(?:tanh|ReLU))\s+((?:[\d.e+-]+\s*){10})$", line)
        if match:
            stds[match.group(1).strip()] = [float(v) for v in match.group(2).split()]
    assert set(stds) == {"0.01 * randn, tanh", "Xavier, tanh", "0.01 * randn, ReLU", "He, ReLU"}, out
    for small in ("0.01 * randn, tanh", "0.01 * randn, ReLU"):
        assert stds[small][-1] < 1e-5 and stds[small][-1] < stds[small][0] / 1000  # collapse towards 0
    for good in ("Xavier, tanh", "He, ReLU"):
        assert all(0.3 < s < 2 for s in stds[good])  # order 1 in every layer


def test_batchnorm_example_plain_net_stalls_and_batch_norm_trains():
    out = quick_output("batchnorm.py")
    plain = re.search(r"^without batch norm.*final loss ([\d.]+), training accuracy ([\d.]+)%", out, re.M)
    normed = re.search(r"^with batch norm.*final loss ([\d.]+), training accuracy ([\d.]+)%", out, re.M)
    assert plain and normed, out
    assert float(plain.group(1)) == pytest.approx(1.0986, abs=0.01)  # stuck at log 3
    assert float(normed.group(1)) < 0.5 and float(normed.group(2)) > 90


def test_lr_decay_settles_where_the_constant_rate_keeps_bouncing():
    out = quick_output("lr_decay.py")
    rows = re.findall(
        r"^(.+?)\s+final loss ([\d.]+), training accuracy ([\d.]+)%, spread .* epochs ([\d.]+)$", out, re.M
    )
    assert [row[0] for row in rows] == [
        "constant",
        "1 / (1 + 0.1 * epoch)",
        "step decay (x0.5 every 1/6 of the run)",
    ], out
    (_, constant_loss, _, constant_spread), *decayed = rows
    for label, loss, accuracy, spread in decayed:
        assert float(loss) < float(constant_loss), (label, out)  # --quick: about 0.07-0.08 against 0.20
        assert float(spread) < float(constant_spread) / 5, (label, out)
        assert float(accuracy) > 90, (label, out)
