"""Every page in a real Chromium, at desktop and phone width: help, definitions, replay, students, layout.

Screenshots of each page are left in $TMPDIR/eyeclass-screenshots to look at."""

import time

import cv2
import numpy as np
import pytest

from eyeclass.classrooms.models import Classroom
from eyeclass.lectures.models import Session
from tests.web.browser import log_in, on_phone, save_page, screenshot_folder
from tests.web.factories import done_session, make_result, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def kept_recording(session: Session, seconds: int) -> None:
    """A WebM the browser can play, stored as this session's kept recording."""
    session.keep_video, session.video_file = True, Session.new_video_file("lesson.webm")
    session.save()
    session.video_path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(session.video_path), cv2.VideoWriter_fourcc(*"VP80"), 10, (160, 120))
    for i in range(seconds * 10):
        writer.write(np.full((120, 160, 3), (i * 3) % 255, np.uint8))
    writer.release()


@pytest.fixture
def data(teacher):
    first = done_session(teacher, seconds=60, tracks=40)  # more students than the heatmap draws at first
    kept_recording(first, seconds=60)
    second = make_session(teacher, title="Week 2", classroom=first.classroom)
    second.store_results(make_result(seconds=45, dip=(10, 30)))
    Classroom.objects.create(teacher=teacher, name="Chemistry with a rather long name for a phone screen")
    return first, second


def test_every_page_fits_a_phone_with_no_sideways_scroll(web, browser, teacher, data):
    first, second = data
    pages = {
        "home": "/",
        "class": f"/classes/{first.classroom_id}/",
        "compare": f"/classes/{first.classroom_id}/compare/?a={first.pk}&b={second.pk}",
        "session": f"/sessions/{first.pk}/",
        "student": f"/sessions/{first.pk}/students/1/",
        "upload": "/sessions/upload/",
        "live": "/live/",
        "help": "/help/",
        "password": "/accounts/password/",
        "not-found": "/sessions/999999/",
    }
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    folder = screenshot_folder()
    for width, size in (("desktop", None), ("phone", 390)):
        if size:
            on_phone(browser, size)
        for name, path in pages.items():
            browser.get(web.url + path)
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways by {overflow} px at {width} width"
            save_page(browser, folder / f"{name}-{width}.png")
    browser.delete_all_cookies()
    browser.get(web.url + "/accounts/login/")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390


def test_the_help_page_is_one_click_from_a_session_and_every_card_has_a_definition(web, browser, teacher, data):
    from selenium.webdriver.common.by import By

    first, _ = data
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    browser.get(f"{web.url}/sessions/{first.pk}/")
    tips = browser.find_elements(By.CSS_SELECTOR, ".stat .tip")
    assert len(tips) == 4 and all(t.get_attribute("data-tip") for t in tips)
    tips[0].click()  # focus shows the definition
    shown = browser.execute_script("return getComputedStyle(document.activeElement, '::after').content")
    assert "face the front" in shown
    browser.find_element(By.LINK_TEXT, "How EyeClass reads a class").click()
    assert browser.current_url.endswith("/help/") and "What it cannot do" in browser.page_source


def test_clicking_a_chart_seeks_the_recording_and_the_playhead_follows(web, browser, teacher, data):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    first, _ = data
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    browser.get(f"{web.url}/sessions/{first.pk}/")
    WebDriverWait(browser, 20).until(
        lambda b: b.execute_script("return document.getElementById('replay').readyState") >= 1
    )
    area = browser.execute_script(
        "const a = window.EyeClassDrawn.engagement.chartArea; return [a.left, a.right, a.top]"
    )
    canvas = browser.find_element(By.ID, "engagement-chart")
    box = canvas.rect
    target = 45  # seconds into the 60 s session
    x = area[0] + (area[1] - area[0]) * target / 60 - box["width"] / 2
    ActionChains(browser).move_to_element_with_offset(canvas, int(x), 0).click().perform()
    WebDriverWait(browser, 10).until(lambda b: b.execute_script("return window.EyeClassDrawn.playhead") is not None)
    assert abs(browser.execute_script("return document.getElementById('replay').currentTime") - target) < 2
    assert abs(browser.execute_script("return window.EyeClassDrawn.playhead") - target) < 2
    # the factory's two events, a brief and a longer one, each marked at its apex
    marks = "return window.EyeClassDrawn.engagement.data.datasets.slice(1).map(d => d.data.map(p => p.x))"
    assert browser.execute_script(marks) == [[10.2], [30.5]]
    # the heatmap's time axis is the charts' axis: the same plot area
    heat = browser.execute_script("return document.getElementById('heatmap')._area")
    assert heat["left"] == area[0] and heat["right"] == area[1]


def test_the_heatmap_shows_the_most_present_students_and_opens_a_students_page(web, browser, teacher, data):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    first, _ = data
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    browser.get(f"{web.url}/sessions/{first.pk}/")
    assert browser.execute_script("return window.EyeClassDrawn.heatmap") == {"rows": 30, "students": 40}
    browser.find_element(By.ID, "heatmap-all").click()
    assert browser.execute_script("return window.EyeClassDrawn.heatmap.rows") == 40
    point = (
        "const r = document.getElementById('heatmap').getBoundingClientRect(); return {x: r.left + 20, y: r.top + 8};"
    )
    at = browser.execute_script(point)
    mouse = (
        "document.getElementById('heatmap').dispatchEvent("
        "new MouseEvent(arguments[0], {clientX: arguments[1], clientY: arguments[2], bubbles: true}));"
    )
    browser.execute_script(mouse, "mousemove", at["x"], at["y"])
    tip = browser.find_element(By.ID, "heatmap-tip")
    assert tip.is_displayed() and "student 1" in tip.text and "open the student's page" in tip.text
    browser.execute_script(mouse, "click", at["x"], at["y"])
    WebDriverWait(browser, 10).until(lambda b: "/students/1/" in b.current_url)
    assert "Student 1" in browser.page_source
    WebDriverWait(browser, 10).until(lambda b: b.execute_script("return !!window.EyeClassDrawn.student"))
    marks = "return window.EyeClassDrawn.student.data.datasets.slice(1).map(d => d.data.map(p => p.x))"
    assert browser.execute_script(marks) == [[10.2], []]  # student 1's one brief event, as on the session page
    # its event opens the session at that moment of the kept recording
    browser.find_element(By.CSS_SELECTOR, "ul.dips a[href*='#t=']").click()
    WebDriverWait(browser, 10).until(lambda b: b.execute_script("return window.EyeClassDrawn.playhead") is not None)
    assert browser.current_url.endswith(f"/sessions/{first.pk}/#t=10.0")
    assert abs(browser.execute_script("return document.getElementById('replay').currentTime") - 10.0) < 0.5


def test_progress_shows_within_two_seconds_without_redis(web, browser, teacher, settings):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    if "RedisChannelLayer" in settings.CHANNEL_LAYERS["default"]["BACKEND"]:
        pytest.skip("with Redis the worker pushes progress; this checks the polling without it")
    session = make_session(teacher, status="processing", progress=0.1)
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    browser.get(f"{web.url}/sessions/{session.pk}/")
    assert browser.find_element(By.ID, "progress-label").text == "10%"
    Session.objects.filter(pk=session.pk).update(progress=0.42)  # as a worker saves it
    changed = time.monotonic()
    WebDriverWait(browser, 5, poll_frequency=0.1).until(lambda b: b.find_element(By.ID, "progress-label").text == "42%")
    assert time.monotonic() - changed < 2.0
