"""The HTML report, rendered headless: valid structure, self-contained images, escaped user text."""

import base64
import json
import shutil
from html.parser import HTMLParser

import cv2
import numpy as np
import pytest

from rvos_ros.cli import main


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.imgs, self.sections, self.text = [], [], [], [], []
        self.rows_in_worst, self._section = [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in ("img", "meta", "br", "rect"):
            self.stack.append(tag)
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        if tag == "section":
            self._section = a.get("id")
            self.sections.append(self._section)
        if tag == "tr" and self._section == "worst":
            self.rows_in_worst.append([])

    def handle_endtag(self, tag):
        if tag in ("img", "meta", "br", "rect"):
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()
        if tag == "section":
            self._section = None

    def handle_data(self, data):
        self.text.append(data)
        if self._section == "worst" and self.rows_in_worst:
            self.rows_in_worst[-1].append(data.strip())


@pytest.fixture(scope="module")
def report(small_dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    dataset = out / "data"
    shutil.copytree(small_dataset, dataset)  # a copy: the fixture is shared with other tests
    meta = json.loads((dataset / "meta_expressions.json").read_text())
    video = sorted(meta["videos"])[0]
    first = sorted(meta["videos"][video]["expressions"])[0]
    meta["videos"][video]["expressions"][first]["exp"] += " <script>alert(1)</script>"
    (dataset / "meta_expressions.json").write_text(json.dumps(meta))
    assert main(["run", str(dataset), "--out", str(out / "pred"), "--mode", "online"]) == 0
    assert main(["eval", "--gt", str(dataset), "--pred", str(out / "pred"), "--json", str(out / "r.json"),
                 "--html", str(out / "r.html")]) == 0
    return (out / "r.html").read_text(encoding="utf-8"), json.loads((out / "r.json").read_text())


def test_the_page_is_well_formed_and_has_every_section(report):
    text, _ = report
    page = Page()
    page.feed(text)
    assert page.errors == [] and page.stack == []
    assert page.sections == ["figures", "categories", "time-to-lock", "worst"]


def test_every_image_is_an_inline_jpeg_and_nothing_is_fetched(report):
    text, _ = report
    page = Page()
    page.feed(text)
    assert page.imgs, "no thumbnails"
    for src in page.imgs:
        assert src.startswith("data:image/jpeg;base64,")
        img = cv2.imdecode(np.frombuffer(base64.b64decode(src.split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and img.shape[1] == 200
    bare = text.replace('xmlns="http://www.w3.org/2000/svg"', "")  # a namespace name, never fetched
    assert "http://" not in bare and "https://" not in bare
    assert "<script" not in text.lower().replace("&lt;script", "")  # user text escaped, no scripts of ours


def test_worst_expressions_come_in_ascending_jf_and_categories_match_the_json(report):
    text, data = report
    page = Page()
    page.feed(text)
    scores = [float(r[0]) for r in page.rows_in_worst[1:] if r and r[0] not in ("", "—")]
    assert scores == sorted(scores) and len(scores) == min(10, len(data["per_expression"]))
    for name, c in data["by_category"].items():
        assert f"<td>{name}</td><td class=num>{c['n']}</td>" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
