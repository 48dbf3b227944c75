"""The HTML report, rendered headless: valid structure, self-contained images, escaped user text."""

import base64
import json
import re
import shutil
from html.parser import HTMLParser

import cv2
import numpy as np
import pytest

from rvos_ros.cli import main
from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import DatasetFolder, PredictionFolder
from rvos_ros.eval.html_report import render_html, write_html

VOID = ("img", "meta", "br", "rect")  # void elements, and the SVG shapes we write self-closed


class Page(HTMLParser):
    """Tag balance, images, the order of sections, and each section's table rows as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.imgs, self.sections, self.text = [], [], [], [], []
        self.rows, self._section = {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        if tag == "section":
            self._section = a.get("id")
            self.sections.append(self._section)
            self.rows[self._section] = []
        if tag == "tr" and self._section:
            self.rows[self._section].append([])
        if tag in ("td", "th") and self._section and self.rows[self._section]:
            self.rows[self._section][-1].append("")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()
        if tag == "section":
            self._section = None

    def handle_data(self, data):
        self.text.append(data)
        rows = self.rows.get(self._section) if self._section else None
        if rows and rows[-1]:
            rows[-1][-1] += data


def parse(text):
    page = Page()
    page.feed(text)
    page.close()
    return page


@pytest.fixture(scope="module")
def evaluated(small_dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    dataset = out / "data"
    shutil.copytree(small_dataset, dataset)  # a copy: the fixture is shared with other tests
    assert main(["run", str(dataset), "--out", str(out / "pred"), "--mode", "online", "--perception", "simulated"]) == 0
    # after the run, in the dataset and the decisions alike (their queries must match): every expression, so
    # whichever are worst, carries markup the page must escape
    markup = " <script>alert(1)</script>"
    meta = json.loads((dataset / "meta_expressions.json").read_text())
    for video in meta["videos"].values():
        for exp in video["expressions"].values():
            exp["exp"] += markup
    (dataset / "meta_expressions.json").write_text(json.dumps(meta))
    doc = json.loads((out / "pred" / "decisions.json").read_text())
    for rec in doc["decisions"].values():
        rec["query"] += markup
    (out / "pred" / "decisions.json").write_text(json.dumps(doc))
    assert main(["eval", "--gt", str(dataset), "--pred", str(out / "pred"), "--json", str(out / "r.json"),
                 "--html", str(out / "r.html")]) == 0
    return out, (out / "r.html").read_text(encoding="utf-8"), json.loads((out / "r.json").read_text())


@pytest.fixture(scope="module")
def report(evaluated):
    return evaluated[1:]


def test_the_page_is_well_formed_and_has_every_section(report):
    text, _ = report
    page = parse(text)
    assert text.startswith("<!DOCTYPE html>")
    assert page.errors == [] and page.stack == []
    assert page.sections == ["figures", "provenance", "categories", "time-to-lock", "worst"]
    assert text.count("<svg") == 2  # category bars and the time-to-lock histogram, drawn inline


def test_the_headline_figures_are_the_reports(report):
    text, data = report
    figures = "".join(parse(text).text)
    for label in ("J&F", "accuracy", "time to lock, median", "p90", "wrong locks", "silent wrong locks",
                  "switches / min", "missing masks", "accuracy by ids (cross-check)"):
        assert label in figures
    assert f"{data['J&F']:.3f}" in figures and f"{100 * data['accuracy']:.1f} %" in figures
    assert f"{100 * data['silent_wrong_lock_rate']:.1f} %" in figures
    assert f"{data['missing_masks']['count']} of {data['missing_masks']['of']}" in figures


def test_the_page_says_what_made_the_predictions(report):
    text, data = report
    rows = {r[0]: r[1] for r in parse(text).rows["provenance"] if len(r) == 2}
    made = data["provenance"]["predictions"]
    assert rows["backend"] == "simulated" and rows["mode"] == "online" and rows["track ids"] == "object_ids"
    assert rows["config sha256"] == made["config_sha256"] and rows["rvos_ros"] == made["package_version"]
    assert rows["run date"] == made["date"] and rows["git commit"] == made.get("git_commit", "unknown")
    assert rows["dataset"].endswith("(davis layout)")
    assert "<details><summary>config values</summary>" in text and '&quot;backend&quot;: &quot;simulated&quot;' in text


def test_every_image_is_an_inline_jpeg_and_nothing_is_fetched(report):
    text, _ = report
    page = parse(text)
    assert page.imgs, "no thumbnails"
    for src in page.imgs:
        assert src.startswith("data:image/jpeg;base64,")
        img = cv2.imdecode(np.frombuffer(base64.b64decode(src.split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and img.shape[1] == 200
    bare = text.replace('xmlns="http://www.w3.org/2000/svg"', "")  # a namespace name, never fetched
    bare = re.sub(r"<pre>.*?</pre>", "", bare, flags=re.S)  # the config's values are text (an LLM URL), not links
    assert "http://" not in bare and "https://" not in bare
    assert "<script" not in text.lower().replace("&lt;script", "")  # user text escaped, no scripts of ours


def test_worst_expressions_are_the_lowest_jf_in_ascending_order(report):
    text, data = report
    rows = parse(text).rows["worst"][1:]  # the first row is the header
    scores = [float(r[0]) for r in rows]
    lowest = sorted((r["J&F"] or 0.0) for r in data["per_expression"])[:10]
    assert scores == sorted(scores)
    assert scores == pytest.approx(lowest, abs=5e-4)
    assert all(r[4] == "" for r in rows)  # the last cell holds thumbnails only (checked above)


def test_worst_expressions_show_their_decision_timeline_and_time_to_lock(evaluated):
    out, text, data = evaluated
    decisions = json.loads((out / "pred" / "decisions.json").read_text())["decisions"]
    by_key = {f"{r['video']}/{r['exp_id']}": r for r in data["per_expression"]}
    rows = parse(text).rows["worst"][1:]
    assert rows
    for r in rows:
        video, exp_id = re.match(r"(\S+) / (\d+)", r[3]).groups()
        row, rec = by_key[f"{video}/{exp_id}"], decisions[f"{video}/{exp_id}"]
        ttl = row["time_to_lock_s"]
        assert r[2] == ("never" if ttl is None else f"{ttl:.3f} s")
        assert f"rationale: {rec['rationale']}" in r[3]
        first = rec["timeline"][0]
        assert f"timeline: {first['frame']} {first['state']}" in r[3]
        assert f"final IoU {row['final_iou']:.3f}" in r[3] if row["final_iou"] is not None else "final IoU —" in r[3]


def test_category_rows_match_the_report_json(report):
    text, data = report
    rows = {r[0]: r[1:] for r in parse(text).rows["categories"][1:]}
    assert set(rows) == set(data["by_category"]) and rows
    for name, c in data["by_category"].items():
        n, acc, jf = rows[name]
        assert int(n) == c["n"]
        assert float(acc.rstrip(" %")) == pytest.approx(100 * c["accuracy"], abs=0.05)
        assert float(jf) == pytest.approx(c["J&F"], abs=5e-4)


def test_user_text_is_escaped(report):
    text, data = report
    assert text.count("&lt;script&gt;alert(1)&lt;/script&gt;") == min(10, len(data["per_expression"]))
    assert "<script>alert(1)" in "".join(parse(text).text)  # shown to the reader as the text typed


def test_a_report_without_categories_or_locks_says_so(evaluated):
    out, _, data = evaluated
    bare = dict(data, by_category={}, time_to_lock_s={"median": None, "p90": None, "unlocked": 7},
                per_expression=[dict(r, time_to_lock_s=None) for r in data["per_expression"]])
    text = render_html(bare, DatasetFolder(out / "data"), PredictionFolder(out / "pred"), title="a <b>run</b>")
    page = parse(text)
    assert page.errors == [] and "<svg" not in text.split('id=worst')[0]
    assert "The dataset records no categories." in text and "7 never did" in text
    assert "<title>a &lt;b&gt;run&lt;/b&gt;</title>" in text


def test_an_unwritable_path_is_a_clear_error(evaluated, tmp_path):
    out, _, data = evaluated
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InputError, match="cannot write the HTML report to .*file/r.html"):
        write_html(data, DatasetFolder(out / "data"), PredictionFolder(out / "pred"), blocker / "r.html")
