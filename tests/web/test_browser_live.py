"""Chromium with a fake camera (a .y4m of the talk video) streams a live session, leaves the page, comes
back to resume it, then stops and saves it."""

import pytest
from django.conf import settings

from eyeclass.classrooms.models import Classroom
from eyeclass.lectures.models import Session
from tests.clips import write_clip, write_y4m
from tests.conftest import SHARED
from tests.web.browser import (
    LiveStack,
    chromium,
    fake_camera,
    log_in,
    on_phone,
    save_page,
    screenshot_folder,
    start_live,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_streams_a_live_session(test_database_url, tmp_path, teacher):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    if not settings.EYECLASS_MODEL_PATH.is_file():
        pytest.skip("no trained eye CNN yet")
    talk = SHARED / "data" / "video" / "talk_single_face.mp4"
    source = talk if talk.exists() else write_clip(tmp_path / "generated.mp4", seconds=6, fps=25)
    camera = write_y4m(source, tmp_path / "camera.y4m")
    browser = chromium(*fake_camera(camera))
    stack = LiveStack(test_database_url, tmp_path / "serve.log")
    try:
        classroom = Classroom.objects.create(teacher=teacher, name="Physics 101")
        log_in(browser, stack.url, "ada", "s3cret-pass-123")
        start_live(browser, stack.url, classroom, "Live session")

        updates = (
            "const l = window.EyeClassLive; "
            "return l ? [l.results, l.charts.engagement.data.datasets[0].data.length] : [0, 0]"
        )
        WebDriverWait(browser, 180, poll_frequency=1).until(
            lambda b: b.execute_script(updates)[0] >= 10 and b.execute_script(updates)[1] >= 2,
            message=stack.log.read_text()[-3000:],
        )
        seen = "return window.EyeClassLive.lastResult.faces.map(f => f.track)"
        WebDriverWait(browser, 60).until(lambda b: len(b.execute_script(seen)) >= 1)  # both clips show a face
        save_page(browser, screenshot_folder() / "live-streaming.png")
        on_phone(browser)
        sideways = "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        WebDriverWait(browser, 10).until(lambda b: b.execute_script("return innerWidth") == 390)
        save_page(browser, screenshot_folder() / "live-streaming-phone.png")
        assert browser.execute_script(sideways) <= 0, "the streaming page scrolls sideways on a phone"
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        assert browser.find_element(By.ID, "live-elapsed").text != "0:00"

        # the teacher leaves the page without Stop: what was analysed is kept, and the session can be resumed
        session = Session.objects.get(title="Live session")
        browser.get(stack.url + "/")
        WebDriverWait(browser, 60).until(lambda b: Session.objects.get(pk=session.pk).live_connections == 0)
        stored_before = session.seconds.count()
        assert stored_before >= 2
        browser.get(stack.url + session.get_absolute_url())
        assert "Live — this session is still open" in browser.page_source
        save_page(browser, screenshot_folder() / "live-left.png")
        browser.find_element(By.LINK_TEXT, "Resume").click()
        WebDriverWait(browser, 120, poll_frequency=1).until(
            lambda b: b.execute_script(updates)[0] >= 3, message=stack.log.read_text()[-3000:]
        )
        browser.find_element(By.ID, "live-stop").click()
        WebDriverWait(browser, 120).until(lambda b: "/sessions/" in b.current_url)
        session = Session.objects.get(title="Live session")
        assert session.status == "done" and session.source == "live"
        assert session.frames_analysed >= 13 and session.seconds.count() >= stored_before
        assert session.frames_received > 0 and session.seconds.filter(faces_present__gt=0).count() >= 2
        # charts when enough was readable; otherwise the one rule withholds them and says so
        drawn = "Engagement over time" in browser.page_source
        assert drawn == session.confidence["enough"] and drawn != ('id="no-charts"' in browser.page_source)
    finally:
        browser.quit()
        stack.stop()
