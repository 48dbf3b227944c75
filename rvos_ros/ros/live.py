"""The live loop (docs/architecture.md), shared by every transport (DDS today, the rclpy node later).

Subscriber callbacks only hand messages over and return:

- camera frames go to a :class:`~rvos_ros.ros.frame_slot.LatestSlot`: only the
  newest unprocessed frame is kept, older ones are dropped and counted;
- commands and ground truth (``sim/labels``, ``sim/objects``) go to small
  bounded queues (the oldest entries fall out first) that the processing
  thread drains before each frame, so the runtime and the simulated
  perception are only ever touched by that one thread.

The processing thread decodes the frame, steps the runtime and hands a
:class:`LiveOutput` to the transport's ``publish`` callback. A bad message
(unknown encoding, bad JSON, an over-long command) is dropped and reported in
the next status's ``error`` field; the loop goes on.

Messages are duck-typed as in :mod:`rvos_ros.interface.images`: anything with
the fields of ``sensor_msgs/Image`` (rclpy, rosbags or DDS structs) works, and
a :class:`~rvos_ros.types.Frame` may be put directly.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from rvos_ros.config import DiagnosticsConfig
from rvos_ros.errors import InputError, RvosError
from rvos_ros.interface.images import compressed_to_rgb, image_to_array, image_to_rgb
from rvos_ros.interface.overlay import draw_overlay
from rvos_ros.interface.status import status_json
from rvos_ros.perception.base import GroundTruth
from rvos_ros.ros.frame_slot import LatestSlot
from rvos_ros.runtime import Runtime
from rvos_ros.types import Decision, Frame, FrameResult

__all__ = ["ERROR", "OK", "WARN", "Health", "HealthReport", "LiveLoop", "LiveOutput", "LiveSummary", "header_stamp_ns"]

_MAX_ERRORS_PER_STATUS = 3


def header_stamp_ns(msg: Any) -> int:
    """Nanoseconds of a message's ``header.stamp`` (``sec``/``nanosec`` fields)."""
    stamp = msg.header.stamp
    return int(stamp.sec) * 1_000_000_000 + int(stamp.nanosec)


@dataclass(frozen=True)
class LiveOutput:
    """What the transport publishes after one processing step.

    ``status`` (the status topic's JSON) is always set. ``result`` is None for
    a report without a frame (a bad message arrived and nothing was
    processed); then only ``status`` is published. ``image`` is the decoded
    input frame (RGB), ``overlay`` the overlay image when enabled.
    """

    status: str
    result: FrameResult | None = None
    image: np.ndarray | None = None
    overlay: np.ndarray | None = None


@dataclass
class LiveSummary:
    """What a live run did."""

    frames: int = 0
    received: int = 0
    dropped: int = 0
    commands: int = 0
    errors: deque[str] = field(default_factory=lambda: deque(maxlen=100))
    """The most recent bad-message reports (bounded: a node may run for hours)."""
    error_count: int = 0
    final: Decision = field(default_factory=Decision)
    seconds: float = 0.0

    def rows(self) -> list[tuple[str, object]]:
        return [("frames processed", self.frames), ("frames received", self.received),
                ("frames dropped", self.dropped), ("commands", self.commands),
                ("bad messages", self.error_count), ("final state", self.final.state),
                ("final targets", list(self.final.targets)), ("seconds", round(self.seconds, 2))]


class LiveLoop:
    """Newest-frame-only processing of one live stream.

    Intake methods (``put_*``, ``report``) may be called from any thread and
    never block beyond a short lock. ``step``/``run`` belong to the one
    processing thread. Labels and categories go to the runtime's
    perception as :class:`~rvos_ros.perception.base.GroundTruth` when it
    reads ground truth (the oracle), and are ignored otherwise. ``label_wait_s``:
    once a stream has carried labels, a frame whose labels have not arrived
    yet waits this long (seconds) for them, since topics are not ordered with
    respect to each other.
    """

    def __init__(self, runtime: Runtime, publish: Callable[[LiveOutput], None], *,
                 overlay: bool = False,
                 label_wait_s: float = 0.05, max_queued: int = 64) -> None:
        if max_queued < 1:
            raise InputError(f"max_queued must be >= 1, got {max_queued}")
        self.runtime = runtime
        self.publish = publish
        self.reads_truth = bool(runtime.perception.reads_truth)
        self.overlay = overlay
        self.label_wait_s = float(label_wait_s)
        self.slot: LatestSlot[Any] = LatestSlot()
        self._cond = threading.Condition()
        self._commands: deque[str] = deque(maxlen=16)  # only the newest matters; a burst keeps its tail
        self._labels: deque[Any] = deque(maxlen=max_queued)
        self._objects: str | None = None
        self._errors: deque[str] = deque(maxlen=32)
        self._newest_label_ns = -1
        self._seq = 0
        self._closed = False
        self.summary = LiveSummary()

    # -- intake (any thread) ----------------------------------------------------------
    def put_image(self, msg: Any) -> None:
        """A camera message (Image-like, CompressedImage-like or a Frame): replaces any unprocessed one."""
        self.slot.put(msg)

    def put_command(self, text: str) -> None:
        """A command; the empty string clears the target."""
        with self._cond:
            self._commands.append(text)

    def put_labels(self, msg: Any) -> None:
        """A ground-truth label image (mono8 object ids stamped like its camera frame)."""
        try:
            stamp = header_stamp_ns(msg)
        except (AttributeError, TypeError, ValueError):
            stamp = -1  # decoding on the processing thread reports it
        with self._cond:
            self._labels.append(msg)
            self._newest_label_ns = max(self._newest_label_ns, stamp)
            self._cond.notify_all()

    def put_objects(self, text: str) -> None:
        """The ground-truth categories JSON ``{"objects": {"1": {"category": "dog"}}}`` (latest wins)."""
        with self._cond:
            self._objects = text

    def report(self, error: str) -> None:
        """A fault seen by the transport; it goes out in the next status's ``error`` field."""
        with self._cond:
            self._errors.append(error)

    @property
    def dropped(self) -> int:
        """Frames overwritten before they were processed."""
        return self.slot.dropped

    def close(self) -> None:
        """Wake and end ``run`` and stop the runtime's reasoning worker (idempotent)."""
        self._closed = True
        self.slot.close()
        self.runtime.close()

    # -- processing thread --------------------------------------------------------------
    def _drain(self) -> None:
        with self._cond:
            commands, self._commands = list(self._commands), deque(maxlen=16)
            labels = list(self._labels)
            self._labels.clear()
            objects, self._objects = self._objects, None
        if objects is not None and self.reads_truth:
            try:
                data = json.loads(objects)
                categories = {k: v.get("category", "object") for k, v in data["objects"].items()}
                self.runtime.feed_truth(GroundTruth(categories=categories))
            except (ValueError, KeyError, TypeError, AttributeError, RvosError) as err:
                self.report(f"objects: expected {{\"objects\": {{id: {{\"category\": ...}}}}}}: {err}")
        for msg in labels:
            if not self.reads_truth:
                continue
            try:
                arr, enc = image_to_array(msg)
                if enc != "mono8":
                    raise InputError(f"labels must be mono8 object ids, got {enc}")
                self.runtime.feed_truth(GroundTruth(header_stamp_ns(msg), labels=arr))
            except (RvosError, AttributeError, TypeError, ValueError) as err:
                self.report(f"labels: {err}")
        for text in commands:
            try:
                self.runtime.set_command(text)
                self.summary.commands += 1
            except RvosError as err:
                self.report(f"command refused: {err}")

    def _wait_for_labels(self, stamp_ns: int) -> None:
        if not self.reads_truth or self.label_wait_s <= 0:
            return
        with self._cond:
            if self._newest_label_ns < 0:
                return  # this stream carries no ground truth
            self._cond.wait_for(lambda: self._newest_label_ns >= stamp_ns, self.label_wait_s)

    def _frame(self, item: Any) -> Frame:
        if isinstance(item, Frame):
            return item
        rgb = compressed_to_rgb(item) if hasattr(item, "format") else image_to_rgb(item)
        self._seq += 1
        return Frame(np.ascontiguousarray(rgb), header_stamp_ns(item), str(item.header.frame_id), self._seq)

    def _errors_text(self) -> str:
        with self._cond:
            errors, self._errors = list(self._errors), deque(maxlen=32)
        self.summary.errors.extend(errors)
        self.summary.error_count += len(errors)
        return "; ".join(errors[-_MAX_ERRORS_PER_STATUS:])

    def _report_only(self, error: str) -> LiveOutput:
        d = self.runtime.decision.to_dict()
        d.update(timing={}, dropped=self.dropped, frame=self.runtime.frame_index, error=error)
        out = LiveOutput(json.dumps(d))
        self.publish(out)
        return out

    def step(self, timeout: float | None = 0.1) -> LiveOutput | None:
        """Process the newest frame (waiting up to ``timeout`` s for one); publish and return its output.

        Returns None when no frame came and nothing needed reporting.
        """
        item = self.slot.take(timeout)
        self._drain()
        if item is None:
            error = self._errors_text()
            return self._report_only(error) if error else None
        try:
            frame = self._frame(item)
        except (RvosError, AttributeError, TypeError, ValueError) as err:
            self.report(f"image: {err}")
            return self._report_only(self._errors_text())
        self._wait_for_labels(frame.stamp_ns)
        self._drain()
        try:
            result = self.runtime.step(frame)
        except RvosError as err:
            self.report(f"frame {frame.stamp_ns}: {err}")
            return self._report_only(self._errors_text())
        errors = "; ".join(e for e in (result.error, self._errors_text()) if e)
        result = replace(result, dropped=self.dropped, error=errors)
        t0 = time.perf_counter()
        draw = self.overlay and result.overlay_allowed  # the frame budget may have turned the overlay off
        overlay = draw_overlay(frame.image, result, self.runtime.command) if draw else None
        out = LiveOutput(status_json(result), result, frame.image, overlay)
        self.publish(out)
        self.runtime.report_transport_ms((time.perf_counter() - t0) * 1000.0)
        self.summary.frames += 1
        self.summary.final = result.decision
        return out

    def run(self, *, max_frames: int | None = None, duration: float | None = None,
            stop: threading.Event | None = None) -> LiveSummary:
        """Step until ``stop`` is set, ``close`` is called, ``max_frames`` were processed or ``duration`` s passed."""
        t0 = time.monotonic()
        end = t0 + duration if duration is not None else None
        while not (stop is not None and stop.is_set()) and not self._closed:
            if max_frames is not None and self.summary.frames >= max_frames:
                break
            now = time.monotonic()
            if end is not None and now >= end:
                break
            self.step(0.1 if end is None else max(0.0, min(0.1, end - now)))
        self.summary.received = self.slot.received
        self.summary.dropped = self.dropped
        self.summary.seconds = time.monotonic() - t0
        return self.summary


# -- health: what /diagnostics says, for every transport ------------------------------------------

OK, WARN, ERROR = 0, 1, 2
"""``diagnostic_msgs/DiagnosticStatus`` levels."""


@dataclass(frozen=True)
class HealthReport:
    """One diagnostics tick: a level (:data:`OK`/:data:`WARN`/:data:`ERROR`), a message and key/values."""

    level: int
    message: str
    values: dict[str, str]


class Health:
    """What ``/diagnostics`` says about a live loop, for every transport (thread-safe).

    ``observe`` is the transport's publish hook (processing thread); ``tick`` is
    called about once a second by the transport's timer. Levels, worst first:

    - ERROR: the node cannot work (``fatal``; the perception backend's
      ``problem``, e.g. weights missing or the oracle without ground truth),
      its processing thread died, or no camera frame came for
      ``diagnostics.no_input_s``;
    - WARN: processing rate below ``diagnostics.min_fps``, a processed frame's
      stamp older than ``diagnostics.stale_after_s`` by ``clock_ns`` (the
      node's clock, so sim time works), more than ``diagnostics.max_drop_rate``
      of camera frames dropped, or bad messages dropped since the last tick;
    - OK otherwise.

    Every problem found is named in the message; the values carry state,
    rates, counts, stamp age, mean per-stage latency (``latency <stage> ms``)
    and the backend.
    """

    def __init__(self, backend: str, config: DiagnosticsConfig | None = None, *,
                 clock_ns: Callable[[], int] = time.time_ns) -> None:
        self.backend = backend
        self.config = config or DiagnosticsConfig()
        self._clock_ns = clock_ns
        self._lock = threading.Lock()
        self._state, self._last_error, self._new_errors = "no_command", "", 0
        self._frames_at_tick, self._tick_time = 0, time.monotonic()
        self._received_at_tick, self._dropped_at_tick = 0, 0
        self._last_frame_time = time.monotonic()  # the grace period for the first frame starts now
        self._max_age_s = 0.0
        self._latency: dict[str, float] = {}
        self._latency_frames = 0

    def observe(self, out: LiveOutput) -> None:
        status = json.loads(out.status)
        age_s = None
        if out.result is not None:
            age_s = (self._clock_ns() - out.result.stamp_ns) / 1e9
        with self._lock:
            self._state = str(status.get("state", self._state))
            if status.get("error"):
                self._last_error, self._new_errors = str(status["error"]), self._new_errors + 1
            if out.result is not None:
                self._last_frame_time = time.monotonic()
                self._max_age_s = max(self._max_age_s, age_s or 0.0)
                for stage, ms in out.result.timings_ms.items():
                    self._latency[stage] = self._latency.get(stage, 0.0) + float(ms)
                self._latency_frames += 1

    def tick(self, loop: LiveLoop | None, *, fatal: str = "", thread_alive: bool = True) -> HealthReport:
        now = time.monotonic()
        cfg = self.config
        frames = loop.summary.frames if loop is not None else 0
        received = loop.slot.received if loop is not None else 0
        dropped = loop.dropped if loop is not None else 0
        span = max(now - self._tick_time, 1e-6)
        fps = (frames - self._frames_at_tick) / span
        new_received, new_dropped = received - self._received_at_tick, dropped - self._dropped_at_tick
        drop_rate = new_dropped / new_received if new_received > 0 else 0.0
        self._frames_at_tick, self._tick_time = frames, now
        self._received_at_tick, self._dropped_at_tick = received, dropped
        with self._lock:
            state, last_error, new_errors, self._new_errors = self._state, self._last_error, self._new_errors, 0
            idle_s, max_age_s, self._max_age_s = now - self._last_frame_time, self._max_age_s, 0.0
            n = max(self._latency_frames, 1)
            latency = {k: v / n for k, v in self._latency.items()}
            self._latency, self._latency_frames = {}, 0
        problem = loop.runtime.perception.problem if loop is not None else ""
        errors = list(dict.fromkeys(m for m in (fatal, problem, "" if thread_alive else "processing thread stopped")
                                    if m))
        if idle_s >= cfg.no_input_s:
            errors.append(f"no camera frame for {idle_s:.1f} s: check that the camera publishes and that the "
                          "node's image (or image/compressed) input is remapped to it")
        warnings = []
        if not errors and cfg.min_fps > 0 and fps < cfg.min_fps:
            warnings.append(f"processing {fps:.1f} frames/s, below diagnostics.min_fps {cfg.min_fps}")
        if max_age_s > cfg.stale_after_s:
            warnings.append(f"stale frames: a stamp {max_age_s:.2f} s old when processed (camera clock, "
                            "use_sim_time or a slow pipeline)")
        if drop_rate > cfg.max_drop_rate:
            warnings.append(f"{drop_rate:.0%} of camera frames dropped (processing slower than the camera)")
        if new_errors:
            warnings.append(f"{new_errors} bad message(s) dropped: {last_error}")
        level = ERROR if errors else WARN if warnings else OK
        message = "; ".join(errors + warnings) or state
        values = {"state": state, "fps": f"{fps:.2f}", "processed": str(frames), "dropped": str(dropped),
                  "drop rate": f"{drop_rate:.2f}", "stamp age max s": f"{max_age_s:.3f}",
                  "last error": last_error or fatal or problem, "backend": self.backend}
        values.update({f"latency {stage} ms": f"{ms:.1f}" for stage, ms in sorted(latency.items())})
        return HealthReport(level, message, values)
