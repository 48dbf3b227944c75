"""`rvos-ros`: a user's mistake is one line `error: ...`, exit code 2, never a traceback."""

import json
import subprocess
import sys

import pytest

from rvos_ros.cli import main


def _run(capsys, *argv):
    code = main(list(argv))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def _one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["run", "{tmp}/missing", "--out", "{tmp}/pred"], "dataset folder"),
        (["run", "{tmp}", "--out", "{tmp}/pred"], "meta_expressions.json"),
        (["run", "{tmp}", "--out", "{tmp}/pred", "--mode", "sideways"], "--mode"),
        (["run", "{tmp}", "--out", "{tmp}/pred", "--perception", "magic"], "--perception"),
        (["run", "{tmp}", "--out", "{tmp}/pred", "--perception", "models"], "meta_expressions.json"),
        (["run", "{tmp}", "--out", "{tmp}/pred", "--config", "{tmp}/nope.yaml"], "does not exist"),
        (["run", "{tmp}"], "--out"),
        (["eval", "--gt", "{tmp}/missing", "--pred", "{tmp}"], "dataset folder"),
        (["reason", "{tmp}/missing.json"], "missing.json"),
        (["reason", "{tmp}/bad.json"], "bad.json"),
        (["synth", "--out", "{tmp}/s", "--scenes", "0"], "--scenes"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_user_mistakes_are_one_line_errors(tmp_path, capsys, argv, match):
    (tmp_path / "bad.json").write_text("{not json")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert match in _one_error_line(err)


def test_console_script_prints_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rvos_ros.cli", "run", str(tmp_path / "nope"), "--out",
                           str(tmp_path / "p")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: dataset folder") and "Traceback" not in proc.stderr


def test_reason_prints_a_decision(tmp_path, capsys):
    window = {
        "version": 1, "query": "the ball on the left", "fps": 10.0, "width": 200, "height": 100, "num_frames": 3,
        "tracks": [
            {"id": 1, "label": "ball", "score": 0.9, "boxes": [[f, 10, 40, 30, 60, 1] for f in range(3)]},
            {"id": 2, "label": "ball", "score": 0.9, "boxes": [[f, 150, 40, 170, 60, 1] for f in range(3)]},
        ],
    }
    path = tmp_path / "w.json"
    path.write_text(json.dumps(window))
    code, out, _ = _run(capsys, "reason", str(path))
    assert code == 0
    decision = json.loads(out)
    assert decision["version"] == 1 and decision["targets"] == [1]
    assert set(decision) >= {"targets", "confidence", "state", "stage", "candidates", "rationale"}
