"""What the real-model tests share: a window the rules cannot answer alone, and a way to show measured figures."""

from rvos_ros.reasoning.window_io import window_from_dict

KNOWLEDGE = "the one I could throw for the dog to fetch"  # needs world knowledge: the gate asks the LLM


def box_rows(x, y, size, n, dx=0.0):
    return [[i, x + dx * i - size / 2, y - size / 2, x + dx * i + size / 2, y + size / 2, 1] for i in range(n)]


def fetch_window(n=30):
    """A dog running right, a ball and a cup lying still (320x240, 2 s at 15 fps), read as the JSON contract."""
    return window_from_dict(fetch_dict(n))


def fetch_dict(n=30):
    """:func:`fetch_window` as the trajectory-window JSON (docs/contracts.md)."""
    return {
        "version": 1, "query": KNOWLEDGE, "fps": 15.0, "width": 320, "height": 240, "num_frames": n,
        "tracks": [
            {"id": 1, "label": "dog", "boxes": box_rows(40, 150, 40, n, dx=4.0)},
            {"id": 4, "label": "ball", "attributes": {"color": "red"}, "boxes": box_rows(220, 190, 16, n)},
            {"id": 7, "label": "cup", "attributes": {"color": "white"}, "boxes": box_rows(280, 80, 20, n)},
        ]}


def report(pytestconfig, line):
    """Show a measured figure in the test output, also under -q and without -s."""
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    reporter = pytestconfig.pluginmanager.getplugin("terminalreporter")
    if capture is None or reporter is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("\n" + line)


def run_live(stage, limit_s=40.0, min_frames=45):
    """The dog-and-ball stream at 15 Hz through a live-mode Runtime whose LLM is ``stage``, until the LLM has been
    asked and ``min_frames`` frames passed (at most ``limit_s``). Returns (frame seconds, decisions, LLM call
    seconds); the reasoning worker is idle and the runtime closed when it returns."""
    import time

    from dog_ball_scene import CATEGORIES, N, scene, stamp

    from rvos_ros.config import Config
    from rvos_ros.perception.simulated import SimulatedPerception
    from rvos_ros.runtime import Runtime
    from rvos_ros.types import Frame

    calls = []

    def timed(*args):
        t0 = time.perf_counter()
        try:
            return stage(*args)
        finally:
            calls.append(time.perf_counter() - t0)

    cfg = Config().replace(**{"runtime.mode": "live", "runtime.reason_every": 3})
    perception = SimulatedPerception(cfg.perception, CATEGORIES)
    rt = Runtime(cfg, perception, llm=timed)
    rt.set_command(KNOWLEDGE)
    steps, decisions = [], []
    t_end = time.perf_counter() + limit_s
    i = 0
    while time.perf_counter() < t_end and (not calls or i < min_frames):
        img, labels = scene(i % N)
        perception.feed_labels(stamp(i), labels)
        t0 = time.perf_counter()
        result = rt.step(Frame(img, stamp(i), seq=i))
        steps.append(time.perf_counter() - t0)
        decisions.append(result.decision)
        i += 1
        time.sleep(1 / 15)
    assert rt.session.reasoner.wait_idle(60.0)  # let an answer in flight finish before closing
    rt.close()
    return steps, decisions, calls
