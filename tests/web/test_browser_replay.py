"""In a real Chromium: a kept mp4v recording, converted by the worker's step, plays on the session page."""

import pytest
from django.conf import settings

from eyeclass.lectures.models import Session
from eyeclass.lectures.playback import make_playable
from tests.clips import write_clip
from tests.web.browser import LiveStack, log_in, on_phone, save_page, screenshot_folder
from tests.web.factories import make_result, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAYS = """
const video = document.getElementById('replay');
return video ? {ready: video.readyState, error: video.error && video.error.code} : null;
"""


@pytest.fixture
def stack(test_database_url, tmp_path):
    if not settings.EYECLASS_MODEL_PATH.is_file():
        pytest.skip("no trained eye CNN yet")
    app = LiveStack(test_database_url, tmp_path / "serve.log")
    yield app
    app.stop()


def test_an_mp4v_upload_with_keep_the_video_plays_in_chromium(stack, browser, teacher, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from eyeclass.classrooms.models import Classroom

    classroom = Classroom.objects.create(teacher=teacher, name="Physics")
    log_in(browser, stack.url, "ada", "s3cret-pass-123")
    browser.get(f"{stack.url}/sessions/upload/?classroom={classroom.pk}")
    browser.find_element(By.NAME, "title").send_keys("Kept in mp4v")
    browser.find_element(By.NAME, "video").send_keys(str(write_clip(tmp_path / "opencv.mp4", seconds=3)))
    browser.find_element(By.NAME, "keep_video").click()
    browser.find_element(By.NAME, "students_informed").click()
    browser.find_element(By.ID, "upload-button").click()
    WebDriverWait(browser, 60).until(lambda b: "/sessions/" in b.current_url and "upload" not in b.current_url)
    session = Session.objects.get(title="Kept in mp4v")

    def settled(_):
        session.refresh_from_db()
        return session.status == "failed" or session.playback in ("ready", "unplayable")

    WebDriverWait(browser, 300, poll_frequency=1).until(settled, message=stack.log.read_text()[-2000:])
    assert session.status == "done" and session.playback == "ready", session.error or session.playback_note
    state = state_once_loaded(browser, f"{stack.url}/sessions/{session.pk}/")
    assert state["error"] is None and state["ready"] >= 2


def mp4v_session(teacher) -> Session:
    session = make_session(teacher, video_file=Session.new_video_file("lesson.mp4"), keep_video=True)
    session.video_path.parent.mkdir(parents=True, exist_ok=True)
    write_clip(session.video_path, seconds=4)
    session.store_results(make_result(seconds=4))
    return session


def state_once_loaded(browser, url: str) -> dict:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 20).until(lambda b: (s := b.execute_script(PLAYS)) and (s["ready"] >= 2 or s["error"]))
    return browser.execute_script(PLAYS)


def test_an_mp4v_recording_plays_in_chromium_once_converted(web, browser, teacher):
    session = mp4v_session(teacher)
    browser.set_window_size(1366, 900)
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    page = f"{web.url}/sessions/{session.pk}/"
    assert state_once_loaded(browser, page)["error"] is not None  # as stored by OpenCV: a dead player
    assert make_playable(session) == "ready"
    converted = state_once_loaded(browser, page)
    assert converted["error"] is None and converted["ready"] >= 2  # HAVE_CURRENT_DATA: a picture is shown
    browser.execute_script("const v = document.getElementById('replay'); v.muted = true; v.currentTime = 2.5;")
    browser.execute_script("document.getElementById('replay-card').scrollIntoView()")
    save_page(browser, screenshot_folder() / "replay-converted-desktop.png")
    on_phone(browser, 390)
    browser.get(page)
    save_page(browser, screenshot_folder() / "replay-converted-phone.png")


def test_a_recording_that_cannot_be_converted_says_why_in_place_of_the_player(web, browser, teacher):
    session = mp4v_session(teacher)
    note = "its video codec (mpeg4) is not one browsers play, and converting it failed (FFmpegError)"
    Session.objects.filter(pk=session.pk).update(playback="unplayable", playback_note=note)
    browser.set_window_size(1366, 900)
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    for width in (None, 390):
        if width:
            on_phone(browser, width)
        browser.get(f"{web.url}/sessions/{session.pk}/")
        assert browser.execute_script(PLAYS) is None
        text = browser.execute_script("return document.getElementById('replay-card').innerText")
        assert "cannot be played in the browser" in text and note in text
        save_page(browser, screenshot_folder() / f"replay-unplayable-{width or 1366}.png")
