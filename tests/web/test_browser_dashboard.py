"""A teacher, in a real Chromium, logs in, uploads a session, waits for the worker, and sees charts."""

import pytest
from django.conf import settings

from eyeclass.classrooms.models import Classroom
from eyeclass.lectures.models import Session
from tests.clips import write_clip
from tests.conftest import SHARED
from tests.web.browser import LiveStack, log_in, save_page, screenshot_folder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stack(test_database_url, tmp_path):
    if not settings.EYECLASS_MODEL_PATH.is_file():
        pytest.skip("no trained eye CNN yet")
    app = LiveStack(test_database_url, tmp_path / "serve.log")
    yield app
    app.stop()


def session_video(tmp_path):
    """A real webcam clip long enough for numbers (under 10 readable seconds they are withheld)."""
    webcam = SHARED / "data" / "video" / "labelled" / "selfie_glasses_blinks_cheek_puffs.mp4"
    return webcam if webcam.exists() else write_clip(tmp_path / "generated.mp4", seconds=14)


def test_a_teacher_uploads_a_session_and_sees_charts(stack, browser, teacher, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    classroom = Classroom.objects.create(teacher=teacher, name="Physics 101")
    log_in(browser, stack.url, "ada", "s3cret-pass-123")
    assert "Physics 101" in browser.page_source

    browser.get(f"{stack.url}/sessions/upload/?classroom={classroom.pk}")
    browser.find_element(By.NAME, "title").send_keys("Week 1")
    browser.find_element(By.NAME, "video").send_keys(str(session_video(tmp_path)))
    browser.find_element(By.NAME, "keep_video").click()  # replayed beside the charts
    browser.find_element(By.NAME, "students_informed").click()
    browser.find_element(By.ID, "upload-button").click()
    WebDriverWait(browser, 60).until(lambda b: "/sessions/" in b.current_url and "upload" not in b.current_url)
    session = Session.objects.get(title="Week 1")
    assert browser.current_url.endswith(session.get_absolute_url())

    drawn = (
        "return window.EyeClassDrawn && window.EyeClassDrawn.engagement ? "
        "window.EyeClassDrawn.engagement.data.datasets[0].data.filter(p => p.y !== null).length : 0"
    )
    WebDriverWait(browser, 300, poll_frequency=1).until(
        lambda b: b.execute_script(drawn) > 0, message=stack.log.read_text()[-2000:]
    )
    session.refresh_from_db()
    assert session.status == "done"
    points = browser.execute_script(drawn)
    assert points == session.seconds.exclude(engagement=None).count()
    emotion_sets = browser.execute_script("return window.EyeClassDrawn.emotion.data.datasets.length")
    assert emotion_sets == 8  # seven emotions and "uncertain"
    assert browser.execute_script("return window.EyeClassDrawn.heatmap.students") == session.summary["students"]
    # a generated clip is converted for the browser after the analysis: the page reloads once it plays
    WebDriverWait(browser, 120, poll_frequency=1).until(lambda b: b.find_elements(By.ID, "replay"))
    assert browser.execute_script("return document.getElementById('replay').src").endswith(
        f"/sessions/{session.pk}/video"
    )
    browser.execute_script("window.scrollTo(0, 0)")
    save_page(browser, screenshot_folder() / "session-real-clip.png")


def test_a_page_waiting_for_its_recordings_conversion_shows_the_player_once_it_plays(stack, browser, teacher):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.web.factories import make_session

    session = make_session(teacher, status="done", keep_video=True, video_file="uploads/x.avi")
    Session.objects.filter(pk=session.pk).update(playback="converting", playback_note="its video codec (mpeg4)")
    log_in(browser, stack.url, "ada", "s3cret-pass-123")
    browser.get(stack.url + session.get_absolute_url())
    assert browser.find_elements(By.ID, "replay-note") and not browser.find_elements(By.ID, "replay")
    Session.objects.filter(pk=session.pk).update(playback="ready", playback_note="")
    WebDriverWait(browser, 30, poll_frequency=0.5).until(lambda b: b.find_elements(By.ID, "replay"))
