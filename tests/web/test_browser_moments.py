"""In a real Chromium: the lesson's sentence at the top, its moments seeking the recording, and a note
added from the page drawn on the charts, on a laptop and on a 390 px phone without sideways scroll.

Screenshots are left in $TMPDIR/eyeclass-screenshots to look at."""

import cv2
import numpy as np
import pytest

from eyeclass.lectures.models import Session
from tests.web.browser import log_in, on_phone, save_page, screenshot_folder
from tests.web.factories import make_result, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lesson(teacher):
    """A 10-minute session with a dip, two events and a kept (short, playable) recording."""
    session = make_session(teacher, title="Waves and optics", keep_video=True, duration=600.0)
    session.store_results(make_result(seconds=600, tracks=3, dip=(100, 159)))
    session.video_file = Session.new_video_file("lesson.webm")
    session.save()
    session.video_path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(session.video_path), cv2.VideoWriter_fourcc(*"VP80"), 1, (160, 90))
    for i in range(600):
        writer.write(np.full((90, 160, 3), i % 255, np.uint8))
    writer.release()
    return session


def test_the_glance_the_moments_and_a_note_pinned_to_the_charts(web, browser, teacher, lesson):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(1366, 900)
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    browser.get(f"{web.url}/sessions/{lesson.pk}/")
    assert browser.find_element(By.CSS_SELECTOR, "#glance p").text.startswith("Attention held at 0.")
    form = browser.find_element(By.ID, "note-add")
    form.find_element(By.NAME, "at").send_keys("2:30")
    form.find_element(By.NAME, "text").send_keys("quiz started here")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 20).until(lambda b: "Note added" in b.page_source)
    WebDriverWait(browser, 20).until(lambda b: b.execute_script("return window.EyeClassDrawn.noteLabels"))
    assert browser.execute_script("return window.EyeClassDrawn.notes") == 1
    assert browser.execute_script("return window.EyeClassDrawn.noteLabels") == ["quiz started here"]
    note = browser.find_element(By.CSS_SELECTOR, "#moments .moment-note a.seek")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", note)
    note.click()
    WebDriverWait(browser, 20).until(
        lambda b: abs(b.execute_script("return document.getElementById('replay').currentTime") - 150) < 1
    )
    save_page(browser, screenshot_folder() / "moments-session-laptop.png")
    on_phone(browser, 390)
    browser.get(f"{web.url}/sessions/{lesson.pk}/")
    width = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] == 390, f"the session page is {width[0]} px wide"
    save_page(browser, screenshot_folder() / "moments-session-phone.png")


def test_the_print_view_is_the_report_without_the_page_s_controls(web, browser, teacher, lesson):
    import base64

    from selenium.webdriver.common.by import By

    lesson.notes.create(at=150.0, text="quiz started here")
    browser.set_window_size(1366, 900)
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    browser.get(f"{web.url}/sessions/{lesson.pk}/")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    browser.set_window_size(794, 1123)  # an A4 page at 96 dpi
    shown = browser.execute_script(
        "const seen = (s) => { const e = document.querySelector(s);"
        " return !!e && getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().height > 0; };"
        "return Object.fromEntries(['.topbar', '.actions', '#note-add', '#replay-card', '#glance', '#confidence',"
        " '#moments', '#engagement-chart', '#emotion-chart', '#heatmap', '#tracks'].map((s) => [s, seen(s)]));"
    )
    assert not any(shown[s] for s in (".topbar", ".actions", "#note-add", "#replay-card")), shown
    assert all(shown[s] for s in ("#glance", "#confidence", "#moments", "#engagement-chart", "#heatmap")), shown
    assert "quiz started here" in browser.find_element(By.ID, "moments").text
    save_page(browser, screenshot_folder() / "print-view.png")
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})["data"])
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    (screenshot_folder() / "session-report.pdf").write_bytes(pdf)
