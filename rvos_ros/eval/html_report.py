"""A self-contained HTML evaluation report: one file, no network, images inline.

Headline figures, what made the predictions (backend, mode, config and its
hash, package version, git commit, date), per-category bars, the time-to-lock
distribution and the worst expressions with their decision (rationale,
timeline, time to lock) and thumbnails (prediction in red, ground truth in
green, overlap yellow). Everything a user typed (expressions, video names,
rationales) is HTML-escaped. Bars and the histogram are inline SVG; thumbnails are JPEG data
URIs, so the file opens anywhere, offline, and can be attached to an issue.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import DatasetFolder, PredictionFolder
from rvos_ros.eval.report import format_figure

__all__ = ["render_html", "write_html"]

_WORST = 10
_THUMB_W = 200
_CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.4em}
table{border-collapse:collapse}td,th{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:left}
.num{text-align:right;font-variant-numeric:tabular-nums}.fig{display:inline-block;margin:0 1.5em 1em 0}
.fig b{display:block;font-size:1.6em}img{margin-right:.4em;border:1px solid #ccc}"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _fmt(x: Any, pct: bool = False) -> str:
    """:func:`~rvos_ros.eval.report.format_figure` as the page prints it: an em dash for none, "12.5 %"."""
    return format_figure(x, pct, missing="—", pct_sep=" ")


def _bars(rows: Sequence[tuple[str, float, float]]) -> str:
    """Inline SVG: per category, accuracy and J&F as two horizontal bars (0-1)."""
    h, w, label_w = 22, 260, 150
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + w + 120}" height="{h * len(rows) + 24}">']
    for i, (name, acc, jf) in enumerate(rows):
        y = 20 + i * h
        out.append(f'<text x="0" y="{y + 12}" font-size="12">{_e(name)}</text>')
        out.append(f'<rect x="{label_w}" y="{y}" width="{w * acc:.1f}" height="8" fill="#3b7dd8"/>')
        out.append(f'<rect x="{label_w}" y="{y + 9}" width="{w * jf:.1f}" height="8" fill="#8bc34a"/>')
        out.append(f'<text x="{label_w + w + 6}" y="{y + 12}" font-size="11">acc {acc:.2f} · J&amp;F {jf:.2f}</text>')
    out.append('<text x="0" y="12" font-size="11" fill="#555">blue: accuracy, green: J&amp;F</text></svg>')
    return "".join(out)


def _histogram(values: Sequence[float], unlocked: int) -> str:
    """Inline SVG histogram of times to lock (s), with the never-locked count beside it."""
    if not values:
        return f"<p>No expression locked on the right targets ({unlocked} never did).</p>"
    top = max(max(values), 1e-6)
    bins = np.linspace(0.0, top, 11)
    counts, _ = np.histogram(values, bins=bins)
    w, h, bw = 360, 120, 32
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + 40}" height="{h + 40}">']
    peak = max(int(counts.max()), 1)
    for i, c in enumerate(counts):
        bh = h * int(c) / peak
        out.append(f'<rect x="{i * bw + 4}" y="{h - bh + 10:.1f}" width="{bw - 4}" height="{bh:.1f}" fill="#3b7dd8">'
                   f'<title>{bins[i]:.2f}-{bins[i + 1]:.2f} s: {int(c)}</title></rect>')
    out.append(f'<text x="4" y="{h + 26}" font-size="11">0 s</text>')
    out.append(f'<text x="{10 * bw - 30}" y="{h + 26}" font-size="11">{top:.1f} s</text></svg>')
    out.append(f"<p>{len(values)} locked; {unlocked} never locked on the right targets.</p>")
    return "".join(out)


def _thumb(image: np.ndarray, pred: np.ndarray, gt: np.ndarray) -> str:
    """A JPEG data URI: the frame with prediction (red) and ground truth (green) blended in."""
    img = image.astype(np.float32)
    colour = np.zeros_like(img)
    colour[pred] += (255, 0, 0)
    colour[gt] += (0, 255, 0)
    mark = pred | gt
    img[mark] = 0.45 * img[mark] + 0.55 * np.clip(colour[mark], 0, 255)
    h, w = img.shape[:2]
    small = cv2.resize(img.astype(np.uint8), (_THUMB_W, max(1, round(h * _THUMB_W / w))), interpolation=cv2.INTER_AREA)
    ok, jpg = cv2.imencode(".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not ok:
        raise InputError("could not encode a report thumbnail")
    return "data:image/jpeg;base64," + base64.b64encode(jpg.tobytes()).decode("ascii")


def _timeline(record: Mapping[str, Any]) -> str:
    """``0 searching → 4 reasoning → 9 locked [2]``, escaped."""
    parts = []
    for e in record.get("timeline") or []:
        if isinstance(e, Mapping):
            targets = f" {list(e.get('targets') or [])}" if e.get("targets") else ""
            parts.append(f"{e.get('frame')} {e.get('state', '')}{targets}")
    return _e(" → ".join(parts)) if parts else "—"


def _decision_cell(r: Mapping[str, Any], record: Any) -> str:
    """The final decision of a worst expression: state and stage, rationale, timeline, lock figures."""
    flags = [name for name, key in (("wrong lock", "wrong_lock"), ("silent wrong lock", "silent_wrong_lock"))
             if r.get(key)]
    figures = f"final IoU {_fmt(r.get('final_iou'))}" + "".join(f" · <b>{f}</b>" for f in flags)
    if not isinstance(record, Mapping):
        return f"<small>no decision recorded · {figures}</small>"
    return (f"<small>{_e(record.get('state', '?'))} ({_e(record.get('stage', '?'))}) · {figures}<br>"
            f"rationale: {_e(record.get('rationale') or '—')}<br>timeline: {_timeline(record)}</small>")


def _worst_rows(report: Mapping[str, Any], gt: DatasetFolder, pred: PredictionFolder) -> str:
    rows = sorted(report.get("per_expression", []), key=lambda r: (r.get("J&F") or 0.0, r["video"], r["exp_id"]))
    texts = {e.key: e for e in gt.expressions}
    out = ["<table><tr><th>J&amp;F</th><th>correct</th><th>time to lock</th><th>video / expression</th>"
           "<th>frames (prediction red, truth green)</th></tr>"]
    for r in rows[:_WORST]:
        exp = texts.get(f"{r['video']}/{r['exp_id']}")
        if exp is None:
            continue
        frames = gt.videos[exp.video].frames
        thumbs = []
        for fr in dict.fromkeys((frames[len(frames) // 2], frames[-1])):
            image = gt.image(exp.video, fr)
            truth = gt.truth(exp, fr, gt.labels(exp.video, fr, image.shape[:2]))
            mask = pred.mask(exp.video, exp.exp_id, fr, image.shape[:2])
            thumbs.append(f'<img alt="frame {_e(fr)}" src="{_thumb(image, mask, truth)}">')
        ttl = r.get("time_to_lock_s")
        out.append(f"<tr><td class=num>{_fmt(r.get('J&F'))}</td><td>{'yes' if r.get('correct') else 'no'}</td>"
                   f"<td class=num>{_fmt(ttl) + ' s' if ttl is not None else 'never'}</td>"
                   f"<td>{_e(exp.video)} / {_e(exp.exp_id)}<br><i>{_e(exp.text)}</i><br>"
                   f"{_decision_cell(r, pred.decisions.get(exp.key))}</td>"
                   f"<td>{''.join(thumbs)}</td></tr>")
    out.append("</table>")
    return "".join(out)


def _provenance(report: Mapping[str, Any]) -> str:
    """What made the predictions and the report: a table, and the config's values folded away."""
    prov = report.get("provenance") or {}
    made = prov.get("predictions")
    evaluated = prov.get("evaluation") or {}
    dataset = prov.get("dataset") or {}
    rows: list[tuple[str, Any]] = []
    if made:
        rows += [("backend", made.get("backend")), ("mode", made.get("mode")), ("track ids", made.get("track_ids")),
                 ("config sha256", made.get("config_sha256")), ("rvos_ros", made.get("package_version")),
                 ("git commit", made.get("git_commit", "unknown")), ("run date", made.get("date"))]
    rows += [("dataset", f"{dataset.get('root', '?')} ({dataset.get('layout', '?')} layout)"),
             ("evaluated by rvos_ros", f"{evaluated.get('package_version', '?')}"
                                       + (f" ({evaluated['git_commit']})" if evaluated.get("git_commit") else "")),
             ("evaluation date", evaluated.get("date"))]
    table = "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v if v is not None else '—')}</td></tr>"
                                for k, v in rows) + "</table>"
    if not made:
        return "<p>The prediction folder does not say what made it (written before rvos_ros recorded it).</p>" + table
    config = _e(json.dumps(made.get("config", {}), indent=1, sort_keys=True, default=str))
    return table + f"<details><summary>config values</summary><pre>{config}</pre></details>"


def render_html(report: Mapping[str, Any], gt: DatasetFolder, pred: PredictionFolder, *, title: str = "") -> str:
    """The report page as a string (see the module docstring)."""
    ttl = report.get("time_to_lock_s") or {}
    missing = report.get("missing_masks") or {}
    figures = [("J&amp;F", _fmt(report.get("J&F"))), ("J", _fmt(report.get("J"))), ("F", _fmt(report.get("F"))),
               ("accuracy", _fmt(report.get("accuracy"), pct=True)),
               ("time to lock, median", f"{_fmt(ttl.get('median'))} s"), ("p90", f"{_fmt(ttl.get('p90'))} s"),
               ("wrong locks", _fmt(report.get("wrong_lock_rate"), pct=True)),
               ("silent wrong locks", _fmt(report.get("silent_wrong_lock_rate"), pct=True)),
               ("switches / min", _fmt(report.get("switches_per_min"))),
               ("missing masks", f"{missing.get('count', 0)} of {missing.get('of', 0)}")]
    if report.get("accuracy_by_ids") is not None:
        figures.append(("accuracy by ids (cross-check)", _fmt(report.get("accuracy_by_ids"), pct=True)))
    cats = report.get("by_category") or {}
    cat_rows = [(name, float(c.get("accuracy") or 0.0), float(c.get("J&F") or 0.0)) for name, c in sorted(cats.items())]
    cat_table = "".join(f"<tr><td>{_e(n)}</td><td class=num>{c.get('n')}</td>"
                        f"<td class=num>{_fmt(c.get('accuracy'), True)}</td>"
                        f"<td class=num>{_fmt(c.get('J&F'))}</td></tr>"
                        for n, c in sorted(cats.items()))
    locks = [float(r["time_to_lock_s"]) for r in report.get("per_expression", [])
             if r.get("time_to_lock_s") is not None]
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        f"<title>{_e(title or 'rvos_ros evaluation')}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title or 'rvos_ros evaluation')}</h1><p>dataset {_e(gt.root)} · predictions {_e(pred.root)} · "
        f"{len(report.get('per_expression', []))} expressions</p>",
        "<section id=figures>" + "".join(f'<div class=fig><b>{v}</b>{k}</div>' for k, v in figures) + "</section>",
        "<h2>What made these predictions</h2><section id=provenance>" + _provenance(report) + "</section>",
        "<h2>By category</h2><section id=categories>"
        + (_bars(cat_rows) + "<table><tr><th>category</th><th>n</th><th>accuracy</th><th>J&amp;F</th></tr>"
           + cat_table + "</table>" if cats else "<p>The dataset records no categories.</p>") + "</section>",
        "<h2>Time to lock</h2><section id=time-to-lock>" + _histogram(locks, int(ttl.get("unlocked") or 0))
        + "</section>",
        f"<h2>Worst {_WORST} expressions</h2><section id=worst>" + _worst_rows(report, gt, pred) + "</section>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_html(report: Mapping[str, Any], gt: DatasetFolder, pred: PredictionFolder, path: str | Path) -> None:
    """Write the report page to ``path`` (folders created)."""
    out = Path(path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_html(report, gt, pred), encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot write the HTML report to {str(out)!r}: {err}") from err
