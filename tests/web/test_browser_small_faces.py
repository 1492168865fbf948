"""A ceiling camera's room of 10-20 px faces, analysed for real and shown in Chromium: attention is
measured from where heads point (facing only), emotions and events are withheld for want of eyes.

Screenshots are left in $TMPDIR/eyeclass-screenshots to look at."""

import pytest
from selenium.webdriver.common.by import By

from inference.pipeline import analyze_video, upload_options
from tests.conftest import shared_path
from tests.web.browser import log_in, on_phone, save_page, screenshot_folder
from tests.web.factories import make_session

pytestmark = [pytest.mark.browser, pytest.mark.shared, pytest.mark.django_db(transaction=True)]


def test_a_ceiling_camera_session_shows_facing_only_attention(web, browser, teacher):
    result = analyze_video(shared_path("data", "video", "classroom_cctv.mp4"), upload_options(), keep_frames=False)
    session = make_session(teacher, title="classroom_cctv.mp4", status="done")
    session.store_results(result)
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    folder = screenshot_folder()
    for name, layout in (("laptop", None), ("phone", on_phone)):
        if layout:
            layout(browser)
        browser.get(web.url + session.get_absolute_url())
        text = browser.find_element(By.TAG_NAME, "main").text
        assert "Average engagement (facing only)" in text and "by head orientation only" in text
        assert "eyes too small" in text and "too small for their eyes to be read: the chart would be empty" in text
        assert browser.execute_script("return document.documentElement.scrollWidth") <= browser.execute_script(
            "return window.innerWidth"
        )
        save_page(browser, folder / f"ceiling-camera-session-{name}.png")
