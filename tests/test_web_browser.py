"""The upload page in a real browser: `normtoets serve` + headless Chromium (selenium).

Screenshots of the upload page, the report page and the error pages are written to
tests/artifacts/ (gitignored) so a human can look at what a legal advisor sees.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
    pytest.skip("chromium/chromedriver not installed", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver")
httpx = pytest.importorskip("httpx")

from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from webserver import running_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
APV_PDF = CORPUS / "apv-duinwijk-2024.pdf"
APV_DOCX = CORPUS / "apv-duinwijk-2024.docx"
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `normtoets serve` on a free port, with its own upload temp dir."""
    uploads = tmp_path_factory.mktemp("browser-uploads")
    log = tmp_path_factory.mktemp("browser-log") / "server.log"
    with running_server(uploads, log) as srv:
        yield srv
    assert list(uploads.iterdir()) == [], "an upload outlived its request"


def _driver(tmp_path, javascript: bool = True):
    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={tmp_path / ('profile-js' if javascript else 'profile-nojs')}",
                "--window-size=1280,1500", "--lang=nl-NL"):
        opts.add_argument(arg)
    if not javascript:
        opts.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    except Exception as e:  # noqa: BLE001 - a broken local browser install is not a product bug
        pytest.skip(f"headless Chromium could not start: {e}")


@pytest.fixture
def browser(tmp_path):
    d = _driver(tmp_path)
    yield d
    d.quit()


@pytest.fixture
def browser_nojs(tmp_path):
    d = _driver(tmp_path, javascript=False)
    yield d
    d.quit()


def _shot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    return path


def _csp_violations(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser")
            if "Content Security Policy" in e["message"] or "Refused to" in e["message"]]


def _junk_file(tmp_path) -> Path:
    p = tmp_path / "rommel.bin"
    p.write_bytes(bytes(range(256)) * 8)
    return p


@pytest.mark.skipif(not APV_PDF.exists(), reason="sample corpus not available")
def test_upload_a_pdf_and_read_the_report(server, browser):
    browser.get(server["base"] + "/")
    # JavaScript is on: the drop zone replaces the bare file input.
    drop = browser.find_element(By.ID, "dropzone")
    assert drop.is_displayed()
    assert "Sleep uw documenten hierheen" in drop.text
    assert not browser.find_element(By.ID, "progress-box").is_displayed()
    _shot(browser, "web-upload.png")

    browser.find_element(By.ID, "file").send_keys(str(APV_PDF))
    assert APV_PDF.name in browser.find_element(By.ID, "file-list").text
    browser.find_element(By.ID, "gemeente").send_keys("Duinwijk")
    browser.find_element(By.ID, "submit").click()
    WebDriverWait(browser, 300).until(
        lambda d: "/rapport/" in d.current_url and d.find_elements(By.CSS_SELECTOR, ".nt-bar"))

    expected = httpx.post(server["base"] + "/api/check", timeout=300,
                          files=[("file", (APV_PDF.name, APV_PDF.read_bytes(), "application/pdf"))]).json()
    assert expected["findings"]
    page = browser.page_source
    for f in expected["findings"]:
        assert f["requirement"] in page or (f.get("title") and f["title"] in page), f["requirement"]
    bar = browser.find_element(By.CSS_SELECTOR, ".nt-bar")
    labels = [a.text for a in bar.find_elements(By.CSS_SELECTOR, ".nt-bar-downloads a")]
    assert "JSON" in labels
    # The report's own inline CSS is allowed by hash: the browser refused nothing.
    assert _csp_violations(browser) == []
    _shot(browser, "web-report.png")

    # A download link from the bar really delivers the check JSON.
    href = bar.find_element(By.LINK_TEXT, "JSON").get_attribute("href")
    data = httpx.get(href, timeout=30).json()
    assert {f["requirement"]: f["status"] for f in data["findings"]} == \
        {f["requirement"]: f["status"] for f in expected["findings"]}


def test_dropped_junk_file_shows_a_dutch_error(server, browser):
    browser.get(server["base"] + "/")
    # A real drop event carrying a file, as when dragging from the file manager.
    browser.execute_script("""
        const dt = new DataTransfer();
        const bytes = new Uint8Array(2048);
        for (let i = 0; i < bytes.length; i++) { bytes[i] = i % 256; }
        dt.items.add(new File([bytes], "rommel.bin", {type: "application/pdf"}));
        const zone = document.getElementById("dropzone");
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
    """)
    assert "rommel.bin" in browser.find_element(By.ID, "file-list").text
    browser.find_element(By.ID, "submit").click()
    msg = WebDriverWait(browser, 120).until(
        lambda d: d.find_element(By.ID, "message") if d.find_element(By.ID, "message").is_displayed() else None)
    assert "Bestand rommel.bin kon niet worden gelezen:" in msg.text
    assert browser.current_url.rstrip("/") == server["base"]  # stays on the page to try again
    assert browser.find_element(By.ID, "submit").is_enabled()
    assert _csp_violations(browser) == []
    _shot(browser, "web-error.png")


@pytest.mark.skipif(not APV_DOCX.exists(), reason="sample corpus not available")
def test_docx_with_a_junk_file_reports_both(server, browser, tmp_path):
    """One unreadable file does not stop the others; the Word draft comes back annotated."""
    browser.get(server["base"] + "/")
    browser.find_element(By.ID, "file").send_keys(f"{APV_DOCX}\n{_junk_file(tmp_path)}")
    assert "rommel.bin" in browser.find_element(By.ID, "file-list").text
    browser.find_element(By.ID, "submit").click()
    WebDriverWait(browser, 300).until(
        lambda d: "/rapport/" in d.current_url and d.find_elements(By.CSS_SELECTOR, ".nt-bar"))
    errors = browser.find_element(By.CSS_SELECTOR, ".nt-bar .nt-errors").text
    assert "Bestand rommel.bin kon niet worden gelezen:" in errors
    word = browser.find_element(By.PARTIAL_LINK_TEXT, "Word met opmerkingen")
    assert "apv-duinwijk-2024.nagekeken.docx" in word.text
    assert APV_DOCX.name in browser.page_source  # the DOCX itself was checked
    assert _csp_violations(browser) == []
    _shot(browser, "web-report-with-error.png")
    r = httpx.get(word.get_attribute("href"), timeout=30)
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_oversize_file_is_refused_before_uploading(server, browser, tmp_path):
    big = tmp_path / "scan.pdf"
    with big.open("wb") as fh:
        fh.truncate(51 * 1024 * 1024)  # sparse: no 51 MB written to disk
    browser.get(server["base"] + "/")
    browser.find_element(By.ID, "file").send_keys(str(big))
    browser.find_element(By.ID, "submit").click()
    msg = browser.find_element(By.ID, "message")
    assert msg.is_displayed() and "scan.pdf is groter dan 50 MB" in msg.text


def test_without_javascript_the_plain_form_works(server, browser_nojs, tmp_path):
    b = browser_nojs
    b.get(server["base"] + "/")
    assert not b.find_element(By.ID, "dropzone").is_displayed()
    file_input = b.find_element(By.ID, "file")
    assert file_input.is_displayed()
    _shot(b, "web-upload-nojs.png")
    file_input.send_keys(str(_junk_file(tmp_path)))
    b.find_element(By.ID, "submit").click()
    WebDriverWait(b, 120).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".nt-errors"))
    assert b.current_url.endswith("/rapport")
    assert "Geen van de bestanden kon worden gelezen" in b.find_element(By.TAG_NAME, "h1").text
    assert "Bestand rommel.bin kon niet worden gelezen:" in b.find_element(By.CSS_SELECTOR, ".nt-errors").text
    _shot(b, "web-error-nojs.png")


@pytest.mark.skipif(not APV_PDF.exists(), reason="sample corpus not available")
def test_without_javascript_a_pdf_gives_the_report(server, browser_nojs):
    b = browser_nojs
    b.get(server["base"] + "/")
    b.find_element(By.ID, "file").send_keys(str(APV_PDF))
    b.find_element(By.ID, "submit").click()
    WebDriverWait(b, 300).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".nt-bar"))
    assert "JSON" in b.find_element(By.CSS_SELECTOR, ".nt-bar").text
    assert _csp_violations(b) == []
    _shot(b, "web-report-nojs.png")
