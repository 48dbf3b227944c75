"""`rvos-ros live`: a webcam or a video file through the runtime without ROS; overlay to a video and/or a window.

The simulated perception has no ground truth on a plain video, so it tracks nothing: these tests check the
frame loop (every frame read, converted, stamped, stepped, drawn, written), the summary and the errors; what the
runtime decides is tested elsewhere.
"""

import re
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

import rvos_ros.runtime
import rvos_ros.try_live
from rvos_ros.cli import main
from rvos_ros.config import Config
from rvos_ros.errors import InputError, ModelError
from rvos_ros.try_live import try_live
from rvos_ros.types import Track

H, W, FPS, N = 64, 96, 10.0, 12
SIMULATED = Config().replace(**{"perception.backend": "simulated"})
VIDEO_CAPTURE = cv2.VideoCapture  # the real one, for reading outputs back in tests that replace it


def write_video(path, n=N, fps=FPS):
    """A red disc (BGR 0,0,255) crossing a dark frame, mp4v."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, (W, H))
    assert writer.isOpened()
    for i in range(n):
        img = np.full((H, W, 3), 40, np.uint8)
        cv2.circle(img, (12 + 6 * i, H // 2), 10, (0, 0, 255), -1)
        writer.write(img)
    writer.release()
    return path


def frame_count(path):
    """(frames, (width, height), fps) of a video file."""
    cap = VIDEO_CAPTURE(str(path))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    fps = cap.get(cv2.CAP_PROP_FPS)
    cap.release()
    return n, size, fps


def cli(capsys, *argv):
    code = main([str(a) for a in argv])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


class RecordingPerception:
    """Tracks nothing; records the frames it is given (and fails on the frames listed in ``fail_on``)."""

    query_independent = True
    reads_truth = False
    problem = ""

    def __init__(self, fail_on=()):
        self.frames = []
        self.fail_on = set(fail_on)

    def feed_truth(self, truth):
        pass

    def set_query(self, query):
        pass

    def step(self, frame):
        self.frames.append(frame)
        if frame.seq in self.fail_on:
            raise ModelError("the detector fell over")
        return (Track(1, "ball", 0.9, (0.0, 0.0, 10.0, 10.0)),)

    def reset(self):
        pass


# -- the command --------------------------------------------------------------------------------------------


def test_live_on_a_video_writes_an_overlay_frame_per_input_frame_and_prints_a_summary(tmp_path, capsys):
    video, out = write_video(tmp_path / "in.mp4"), tmp_path / "o" / "overlay.mp4"
    code, stdout, err = cli(capsys, "live", "--video", video, "--command", "the red ball", "--perception",
                            "simulated", "--out", out)
    assert code == 0, err
    lines = stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"live {video}: {N} frames in ")
    assert "(end of video); final decision searching targets=[]" in lines[0]
    assert lines[0].endswith(f"overlay video {out} ({N} frames)")
    assert frame_count(out) == (N, (W, H), FPS)


def test_max_frames_stops_early(tmp_path, capsys):
    video, out = write_video(tmp_path / "in.mp4"), tmp_path / "o.mp4"
    code, stdout, _ = cli(capsys, "live", "--video", video, "--command", "the ball", "--perception", "simulated",
                          "--out", out, "--max-frames", 5)
    assert code == 0
    assert "5 frames in" in stdout and "(--max-frames 5)" in stdout and f"({5} frames)" in stdout
    assert frame_count(out)[0] == 5


def test_perception_defaults_to_the_configs_backend(tmp_path, capsys):
    """No --perception: the config's backend (models) runs, and without weights that is one error line."""
    video = write_video(tmp_path / "in.mp4")
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(f"perception:\n  backend: models\n  models_dir: {tmp_path / 'no-weights'}\n")
    code, stdout, err = cli(capsys, "live", "--video", video, "--command", "the ball", "--config", cfg)
    assert code == 2 and stdout == ""
    [line] = err.strip().splitlines()
    assert line.startswith("error: ") and "models pull" in line
    code, stdout, _ = cli(capsys, "live", "--video", video, "--command", "the ball", "--config", cfg,
                          "--perception", "simulated", "--max-frames", 2)
    assert code == 0 and "2 frames in" in stdout


@pytest.mark.parametrize(("argv", "match"), [
    (["--video", "{tmp}/missing.mp4"], r"error: video '.*missing\.mp4' does not exist; pass an existing video"),
    (["--video", "{tmp}/garbage.mp4"], r"error: video '.*garbage\.mp4' could not be read; pass a video file "
                                       r"OpenCV can decode"),
    (["--camera", "97"], r"error: camera 97 could not be opened; check that it is connected"),
    ([], r"error: give exactly one source: --camera N .* or --video FILE"),
    (["--camera", "0", "--video", "{tmp}/in.mp4"], r"error: give exactly one source"),
    (["--camera", "-1"], r"error: .*--camera"),
    (["--video", "{tmp}/in.mp4", "--max-frames", "0"], r"error: .*--max-frames"),
    (["--video", "{tmp}/in.mp4", "--command", " "], r"error: --command is empty"),
    (["--video", "{tmp}/in.mp4", "--perception", "magic"], r"error: .*--perception"),
])
def test_a_source_that_cannot_be_read_is_one_error_line_and_exit_2(tmp_path, capsys, argv, match):
    write_video(tmp_path / "in.mp4")
    (tmp_path / "garbage.mp4").write_bytes(b"not a video at all" * 10)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    defaults = {"--command": "the ball", "--perception": "simulated"}
    argv += [x for flag, value in defaults.items() if flag not in argv for x in (flag, value)]
    code, stdout, err = cli(capsys, "live", *argv)
    assert code == 2 and stdout == ""
    [line] = err.strip().splitlines()
    assert re.match(match, line), line


def test_a_command_is_required(tmp_path, capsys):
    code, _, err = cli(capsys, "live", "--video", write_video(tmp_path / "in.mp4"))
    assert code == 2 and "--command" in err and len(err.strip().splitlines()) == 1


# -- the loop -----------------------------------------------------------------------------------------------


def test_frames_reach_the_runtime_as_rgb_stamped_by_the_videos_frame_rate_in_live_mode(tmp_path, monkeypatch):
    modes = []

    class SpyRuntime(rvos_ros.runtime.Runtime):
        def __init__(self, config, perception, **kw):
            modes.append(config.runtime.mode)
            super().__init__(config, perception, **kw)

    monkeypatch.setattr(rvos_ros.runtime, "Runtime", SpyRuntime)
    perception = RecordingPerception()
    summary = try_live(SIMULATED, "the red ball", video=write_video(tmp_path / "in.mp4"), perception=perception)
    assert modes == ["live"]
    assert summary.frames == N and summary.errors == 0 and summary.written == 0 and summary.out is None
    assert [f.stamp_ns for f in perception.frames] == [round(i * 1e9 / FPS) for i in range(N)]
    assert [f.seq for f in perception.frames] == list(range(N))
    first = perception.frames[0].image
    assert first.shape == (H, W, 3)
    r, g, b = (int(v) for v in first[H // 2, 12])  # the disc's centre: red in RGB (BGR 0,0,255 in the file)
    assert r > 200 and g < 60 and b < 60


def test_a_frame_the_runtime_fails_on_is_counted_and_the_run_goes_on(tmp_path):
    perception = RecordingPerception(fail_on={3})
    summary = try_live(SIMULATED, "the ball", video=write_video(tmp_path / "in.mp4"), out=tmp_path / "o.mp4",
                       perception=perception)
    assert len(perception.frames) == N and summary.frames == N and summary.written == N
    assert summary.errors == 1 and summary.last_error.startswith("frame 3: perception failed on this frame")
    assert summary.line().endswith("the detector fell over)")
    assert "; 1 frame failed, last: frame 3: " in summary.line()


def test_show_without_a_display_is_ignored_with_a_note(tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(rvos_ros.try_live.sys, "platform", "linux")
    monkeypatch.setattr(cv2, "imshow", lambda *a: pytest.fail("no window without a display"))
    notes = []
    summary = try_live(SIMULATED, "the ball", video=write_video(tmp_path / "in.mp4"), show=True,
                       max_frames=2, note=notes.append)
    assert summary.frames == 2 and notes == ["no display (DISPLAY and WAYLAND_DISPLAY are unset): --show is ignored"]


def test_show_draws_each_overlay_and_q_stops(tmp_path, monkeypatch):
    monkeypatch.setenv("DISPLAY", ":0")
    shown = []
    monkeypatch.setattr(cv2, "imshow", lambda name, img: shown.append((name, img.shape)))
    monkeypatch.setattr(cv2, "waitKey", lambda ms: ord("q") if len(shown) == 4 else -1)
    monkeypatch.setattr(cv2, "destroyAllWindows", lambda: shown.append(("closed", None)))
    summary = try_live(SIMULATED, "the ball", video=write_video(tmp_path / "in.mp4"), show=True)
    assert summary.frames == 4 and summary.stopped_by == "q pressed"
    assert shown == [("rvos-ros live", (H, W, 3))] * 4 + [("closed", None)]


def test_show_on_an_opencv_without_windows_is_ignored_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setenv("DISPLAY", ":0")

    def no_gui(*a):
        raise cv2.error("The function is not implemented")

    monkeypatch.setattr(cv2, "imshow", no_gui)
    notes = []
    summary = try_live(SIMULATED, "the ball", video=write_video(tmp_path / "in.mp4"), show=True, note=notes.append)
    assert summary.frames == N and len(notes) == 1 and "no window support" in notes[0]


class FakeCamera:
    """cv2.VideoCapture of a camera that sends ``n`` frames, then stops."""

    def __init__(self, index, n=3):
        self.index, self.left, self.released = index, n, False

    def isOpened(self):  # noqa: N802 (OpenCV's name)
        return True

    def set(self, prop, value):
        return True

    def get(self, prop):
        return 30.0 if prop == cv2.CAP_PROP_FPS else 0.0

    def read(self):
        if self.left == 0:
            return False, None
        self.left -= 1
        return True, np.zeros((H, W, 3), np.uint8)

    def release(self):
        self.released = True


def test_a_camera_is_stamped_with_the_capture_time_and_runs_until_it_stops(tmp_path, monkeypatch):
    cameras = []
    monkeypatch.setattr(cv2, "VideoCapture", lambda index: cameras.append(FakeCamera(index)) or cameras[-1])
    perception = RecordingPerception()
    before = time.time_ns()
    summary = try_live(SIMULATED, "the ball", camera=2, out=tmp_path / "cam.mp4", perception=perception)
    after = time.time_ns()
    assert [c.index for c in cameras] == [2] and cameras[0].released
    assert summary.source == "camera 2" and summary.frames == 3
    assert summary.stopped_by == "camera stopped sending frames"
    stamps = [f.stamp_ns for f in perception.frames]
    assert stamps == sorted(stamps) and before <= stamps[0] and stamps[-1] <= after
    assert frame_count(tmp_path / "cam.mp4") == (3, (W, H), 30.0)


def test_try_live_refuses_two_sources_before_opening_anything(monkeypatch):
    monkeypatch.setattr(cv2, "VideoCapture", lambda *a: pytest.fail("nothing is opened"))
    with pytest.raises(InputError, match=r"give exactly one source"):
        try_live(SIMULATED, "the ball", camera=0, video=Path("x.mp4"))
