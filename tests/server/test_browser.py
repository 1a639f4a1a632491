"""The web page in a real headless Chromium (Debian's package, driven by Playwright for Python).

Skipped when Playwright or /usr/bin/chromium is missing (``scripts/ensure_chromium.sh`` installs
chromium; no browser is downloaded). Screenshots go to ``tests/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from medcite.answer.extractive import ExtractiveAnswerer
from medcite.server import ServerSettings, create_app

from .conftest import EVIL_QUESTION, EVIL_TITLE, OFF_TOPIC, THRESHOLD, ThreadedServer

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("MEDCITE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
TOKEN = "browser-token"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright; no browser download needed)")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"{CHROMIUM} is missing: run scripts/ensure_chromium.sh (apt-get install chromium)")
    return sync_playwright


class EvidenceAnswerer(ExtractiveAnswerer):
    """The extractive answerer, with an evidence level on each reference (as the clinical
    module sets from publication types) so the page's badge can be checked."""

    def answer(self, question, passages):
        ans = super().answer(question, passages)
        for r in ans.references:
            r.evidence_level = "Randomized Controlled Trial"
        return ans


@pytest.fixture
def browser_page(svc, tmp_path):
    sync_playwright = _playwright()
    svc.answerer = lambda: EvidenceAnswerer(svc.embedder_for_index(), 3, THRESHOLD)
    app = create_app(svc, ServerSettings(api_token=TOKEN, rate_limit=0))
    with ThreadedServer(app) as base, sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1000, "height": 900},
        )
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "401" not in m.text else None)
        page.set_default_timeout(20_000)
        try:
            yield page, base, errors
        finally:
            ctx.close()


def _screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_ask_click_citation_and_markup_stays_text(browser_page):
    page, base, errors = browser_page
    page.goto(base + "/")
    # the server wants a token: the page asks for it after its first call is refused
    page.locator("#token-row").wait_for(state="visible")
    page.fill("#token", TOKEN)

    page.fill("#question", EVIL_QUESTION)
    page.click("#ask-button")
    first_cite = page.locator("#answer .cite").first
    first_cite.wait_for(state="visible")
    assert "extremely rare in this cohort" in page.locator("#answer").inner_text()

    # the reference list shows the stored title as text, markup included
    ref = page.locator("#references li").first
    assert EVIL_TITLE in ref.locator(".ref-title").text_content()
    assert ref.locator(".evidence").text_content() == "Randomized Controlled Trial"
    assert ref.locator("a").get_attribute("href") == "https://pubmed.ncbi.nlm.nih.gov/99/"

    # clicking the citation number reveals the cited passage with a PubMed link
    assert page.locator("#passage").is_hidden()
    first_cite.click()
    page.locator("#passage").wait_for(state="visible")
    assert "extremely rare in this cohort" in page.locator("#passage-text").text_content()
    assert page.locator("#passage-title").text_content() == EVIL_TITLE
    assert page.locator("#passage-link").get_attribute("href") == "https://pubmed.ncbi.nlm.nih.gov/99/"
    assert "Randomized Controlled Trial" in page.locator("#passage-meta").text_content()
    # the quoted sentence is named and marked inside the passage; the evidence table has a row per reference
    assert page.locator("#passage-quote").is_visible() and "Quoted" in page.locator("#passage-quote").text_content()
    assert page.locator("#passage-text mark").count() >= 1
    assert page.locator("#passage-text mark").first.text_content() in page.locator("#answer").inner_text()
    assert page.locator("#evidence-table tbody tr").count() == page.locator("#references li").count()
    assert page.locator("#evidence-table tbody tr").first.locator(".cite").count() == 1

    # nothing from the record ran or became an element
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#result script, #result img, #result b, #result i").count() == 0
    _screenshot(page, "browser-answer.png")

    # an off-topic question shows the "not answered" state, no references
    page.fill("#question", OFF_TOPIC)
    page.click("#ask-button")
    page.locator("#not-answered").wait_for(state="visible")
    assert "Not answered" in page.locator("#not-answered").inner_text()
    assert page.locator("#references li").count() == 0
    assert page.locator("#evidence-block").is_hidden()
    assert page.locator("#passage").is_hidden()
    _screenshot(page, "browser-not-answered.png")
    assert page.evaluate("window.__pwned") is None
    assert errors == []


@pytest.mark.parametrize("task,text,expect", [
    ("diagnose", "lactic acidosis; vomiting; metformin use", None),
    ("treatments", "myocardial infarction", None),
    ("summarize", "PMID:99", "extremely rare in this cohort"),
    ("search", "metformin lactic acidosis", "extremely rare in this cohort"),
])
def test_every_task_has_a_view(browser_page, task, text, expect):
    page, base, errors = browser_page
    page.goto(base + "/")
    page.locator("#token-row").wait_for(state="visible")
    page.fill("#token", TOKEN)
    page.click(f'#tasks button[data-task="{task}"]')
    assert page.locator(f'#tasks button[data-task="{task}"]').get_attribute("aria-selected") == "true"
    page.fill("#question", text)
    page.click("#ask-button")
    page.locator("#result").wait_for(state="visible")
    page.wait_for_function("document.querySelectorAll('#items li, #notes li').length > 0")
    if expect:
        assert expect in page.locator("#items").inner_text()
    if page.locator("#items .cite").count():  # a citation opens its passage
        page.locator("#items .cite").first.click()
        page.locator("#passage").wait_for(state="visible")
        assert page.locator("#passage-text").text_content()
    if task in ("summarize", "search"):  # the markup title of PMID:99 stays text
        assert page.locator("#result script, #result img, #result b, #result i").count() == 0
    assert page.evaluate("window.__pwned") is None
    _screenshot(page, f"browser-{task}.png")
    assert errors == []


def test_summarize_an_uploaded_file(browser_page):
    page, base, errors = browser_page
    page.goto(base + "/")
    page.locator("#token-row").wait_for(state="visible")
    page.fill("#token", TOKEN)
    assert page.locator("#upload-row").is_hidden()  # only the summarize view takes files
    page.click('#tasks button[data-task="summarize"]')
    page.locator("#upload-row").wait_for(state="visible")
    text = ("OBJECTIVE: To test whether <img src=x onerror=window.__pwned=1> stays text in an upload. "
            "METHODS: We enrolled 120 adults with type 2 diabetes in a trial. "
            "RESULTS: Lactate did not rise with metformin (p = 0.40). CONCLUSIONS: Metformin did not raise lactate in these adults.")
    page.set_input_files("#upload", files=[{"name": "note.txt", "mimeType": "text/plain", "buffer": text.encode()}])
    page.click("#ask-button")  # no PMID typed: the file alone is summarised
    page.locator("#result").wait_for(state="visible")
    page.wait_for_function("document.querySelectorAll('#items li').length > 0")
    items = page.locator("#items").inner_text()
    assert "did not raise lactate" in items or "did not rise" in items
    refs = page.locator("#references").inner_text()
    assert "<img src=x" in refs and "upload:note.txt" in refs  # markup shown as text; the upload named, no link to a server path
    assert page.locator("#result script, #result img").count() == 0
    assert page.evaluate("window.__pwned") is None
    _screenshot(page, "browser-summarize-upload.png")
    assert errors == []
