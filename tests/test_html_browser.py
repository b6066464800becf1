"""The HTML report as a person sees it in Chromium: requirements, statuses and quotes visible,
no horizontal scrolling, a print view without navigation. Leaves a full-page screenshot in
tests/artifacts/report.png for a human look."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SAMPLES = ROOT / "samples" / "lindeveld"


def _have_browser() -> bool:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        return False
    if not (Path(CHROMEDRIVER).exists() or shutil.which("chromedriver")):
        return False
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return True


def _result():
    """The real Lindeveld samples when the pipeline can check them, else the fixture result."""
    # One rendering per document (the samples come as PDF and DOCX of the same text).
    pdfs = sorted(SAMPLES.glob("*.pdf")) if SAMPLES.is_dir() else []
    if pdfs:
        try:
            from checker.pipeline import check_paths

            r = check_paths(pdfs, norm="noord-holland")
            if r.findings:
                return r, "samples"
        except Exception:  # noqa: BLE001 - pipeline stages may not have landed yet
            pass
    from test_reports import make_result

    try:
        return make_result(with_groups="real"), "fixture"
    except ImportError:
        return make_result(), "fixture"


def _full_page_png(driver, path: Path) -> None:
    """Whole document, not just the viewport (window chrome would cut the bottom off)."""
    import base64

    m = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = m.get("cssContentSize") or m["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    if not _have_browser():
        pytest.skip("chromium/chromedriver niet aanwezig")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    opts.binary_location = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER if Path(CHROMEDRIVER).exists()
                                           else shutil.which("chromedriver")), options=opts)
    drv.set_window_size(1280, 1000)
    yield drv
    drv.quit()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from checker.report.html import render_html

    result, source = _result()
    path = tmp_path_factory.mktemp("html") / "rapport.html"
    path.write_text(render_html(result), encoding="utf-8")
    return result, source, path


def test_report_shows_every_requirement_status_and_quote(driver, report):
    from selenium.webdriver.common.by import By

    from checker.report import status_label, trim

    result, source, path = report
    driver.get(path.as_uri())
    assert driver.find_element(By.TAG_NAME, "h1").is_displayed()
    body = driver.find_element(By.TAG_NAME, "body").text
    if result.municipality:
        assert result.municipality in body
    for f in result.findings:
        art = driver.find_element(By.ID, f.requirement)
        assert art.is_displayed(), f.requirement
        text = art.text
        assert f.requirement in text
        # status in words inside the requirement's own box
        assert status_label(f.status) in text, f.requirement
        for ev in f.evidence[:1]:
            if ev.quote.strip():
                start = " ".join(trim(ev.quote, 500).split())[:40]
                assert start in " ".join(text.split()), (f.requirement, start)
    chart = driver.find_element(By.CSS_SELECTOR, "svg.chart")
    assert chart.is_displayed() and chart.size["width"] > 300 and chart.size["height"] > 40
    # nothing forces horizontal scrolling on a laptop screen
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 1280

    _full_page_png(driver, ARTIFACTS / "report.png")
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


def test_skip_link_and_narrow_screen(driver, report):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _, _, path = report
    driver.get(path.as_uri())
    skip = driver.find_element(By.CSS_SELECTOR, "a.skip-link")
    assert not skip.is_displayed() or skip.location["y"] < 0
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    active = driver.switch_to.active_element
    assert active.get_attribute("href").endswith("#inhoud")
    assert active.location["y"] >= 0 and active.is_displayed()
    try:
        driver.set_window_size(420, 900)
        width = driver.execute_script("return window.innerWidth")
        scroll = driver.execute_script("return document.documentElement.scrollWidth")
        # tables may be wide, but not the page itself by more than a few pixels
        assert scroll <= width + 4, (scroll, width)
    finally:
        driver.set_window_size(1280, 1000)


def test_print_view_hides_navigation(driver, report):
    from selenium.webdriver.common.by import By

    _, _, path = report
    driver.get(path.as_uri())
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not driver.find_element(By.CSS_SELECTOR, "nav.toc").is_displayed()
        assert driver.find_element(By.CSS_SELECTOR, "article.req").is_displayed()
        pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})
        assert len(pdf["data"]) > 10_000
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_diff_report_in_browser(driver, tmp_path):
    """The diff a council member opens: the worse requirement and the removed article."""
    from selenium.webdriver.common.by import By

    from checker.model import CheckResult
    from checker.report.diff import diff_documents, render_diff_html
    from test_annotate_diff import APV_2019, _doc, _finding, apv_2024_draft

    levens = ("De burgemeester weigert de vergunning indien de exploitant of leidinggevende in enig "
              "opzicht van slecht levensgedrag is.")
    d = diff_documents(
        _doc("apv-2019.docx", APV_2019), _doc("apv-2024-concept.docx", apv_2024_draft()),
        CheckResult(norm="noord-holland", findings=[_finding("apv.exploitatie.horeca", "present", "2:29", levens)]),
        CheckResult(norm="noord-holland", findings=[_finding("apv.exploitatie.horeca", "partial", "2:28",
                                                             "Het is verboden een horecabedrijf te exploiteren.")]))
    path = tmp_path / "diff.html"
    path.write_text(render_diff_html(d), encoding="utf-8")
    driver.get(path.as_uri())
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "▼ slechter" in body and "Aanwezig" in body and "Gedeeltelijk" in body
    assert "verwijderd" in body and "Weigeringsgronden" in body and "vernummerd" in body
    assert "slecht levensgedrag" in body
    _full_page_png(driver, ARTIFACTS / "diff.png")
