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


# -- run and eval: what does not fit is one line -------------------------------------------------------------


@pytest.fixture(scope="module")
def two_datasets(tmp_path_factory):
    """Two tiny synthetic datasets with the same video and expression ids but other scenes and texts."""
    from rvos_ros.eval.synth import synthesize

    root = tmp_path_factory.mktemp("cli_data")
    for name, seed in (("a", 1), ("b", 2)):
        synthesize(root / name, 1, seed, width=96, height=64, num_frames=8)
    return root / "a", root / "b"


def test_run_refuses_an_existing_output_unless_overwrite_and_zips_on_request(two_datasets, tmp_path, capsys):
    a, _ = two_datasets
    out = tmp_path / "pred"
    out.mkdir()
    (out / "old.txt").write_text("x")
    code, _, err = _run(capsys, "run", str(a), "--out", str(out), "--perception", "simulated")
    assert code == 2 and "is not empty; choose a new folder or pass --overwrite" in _one_error_line(err)
    code, stdout, err = _run(capsys, "run", str(a), "--out", str(out), "--perception", "simulated", "--overwrite",
                             "--zip")
    assert code == 0, err
    assert (out / "submission.zip").is_file() and "submission.zip" in stdout


def test_eval_refuses_predictions_made_for_another_dataset(two_datasets, tmp_path, capsys):
    a, b = two_datasets
    assert _run(capsys, "run", str(a), "--out", str(tmp_path / "pred"), "--perception", "simulated")[0] == 0
    code, _, err = _run(capsys, "eval", "--gt", str(b), "--pred", str(tmp_path / "pred"))
    assert code == 2
    assert "do not fit dataset" in _one_error_line(err) and "the predictions answer" in err
    assert _run(capsys, "eval", "--gt", str(a), "--pred", str(tmp_path / "pred"), "--strict")[0] == 0
    next((tmp_path / "pred" / "Annotations").rglob("*.png")).unlink()
    code, _, err = _run(capsys, "eval", "--gt", str(a), "--pred", str(tmp_path / "pred"), "--strict")
    assert code == 2 and "lack 1 of" in _one_error_line(err)


def test_a_layout_that_lacks_its_ground_truth_is_one_line(two_datasets, tmp_path, capsys):
    import shutil

    a, _ = two_datasets
    data = tmp_path / "mevis_like"
    shutil.copytree(a / "JPEGImages", data / "JPEGImages")
    meta = json.loads((a / "meta_expressions.json").read_text())
    for video in meta["videos"].values():
        for e in video["expressions"].values():
            e["anno_id"] = e["obj_id"]
    (data / "meta_expressions.json").write_text(json.dumps(meta))
    code, _, err = _run(capsys, "eval", "--gt", str(data), "--pred", str(tmp_path))
    assert code == 2 and "but no mask_dict.json" in _one_error_line(err)
    code, _, err = _run(capsys, "run", str(data), "--out", str(tmp_path / "p"), "--perception", "simulated")
    assert code == 2 and "but no mask_dict.json" in _one_error_line(err)


def test_reason_asks_the_configured_llm_and_falls_back_when_it_is_unreachable(tmp_path, capsys):
    import socket

    with socket.socket() as s:  # a loopback port nothing listens on: connections are refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    window = {
        "version": 1, "query": "the ball that wobbles", "fps": 10.0, "width": 200, "height": 100, "num_frames": 3,
        "tracks": [
            {"id": 1, "label": "ball", "score": 0.9, "boxes": [[f, 10, 40, 30, 60, 1] for f in range(3)]},
            {"id": 2, "label": "ball", "score": 0.9, "boxes": [[f, 150, 40, 170, 60, 1] for f in range(3)]},
        ],
    }
    path = tmp_path / "w.json"
    path.write_text(json.dumps(window))
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"llm:\n  backend: openai\n  base_url: http://127.0.0.1:{port}/v1\n  timeout_s: 2.0\n"
                   "  max_retries: 0\n")
    code, out, err = _run(capsys, "reason", str(path), "--config", str(cfg))
    assert code == 0, err
    decision = json.loads(out)
    assert decision["stage"] == "fallback" and decision["state"] != "locked"
    assert decision["rationale"].startswith("LLM failed (")
    code, out, _ = _run(capsys, "reason", str(path))  # no LLM configured: the rules answer and say what they skip
    decision = json.loads(out)
    assert decision["stage"] == "rules" and decision["state"] == "ambiguous" and "wobbles" in decision["rationale"]
