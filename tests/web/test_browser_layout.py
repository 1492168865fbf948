"""Layout in a real Chromium: a 120-character file name fits a 390 px phone, the heatmap's time labels
never overlap, and the sticky recording stays a small part of a laptop screen.

Screenshots are left in $TMPDIR/eyeclass-screenshots to look at."""

import cv2
import numpy as np
import pytest

from eyeclass.lectures.models import Session
from tests.web.browser import log_in, on_phone, save_page, screenshot_folder
from tests.web.factories import make_result, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = ("lesson_recording_" + "physics_waves_and_optics_" * 5)[:116] + ".mp4"  # no break opportunity


@pytest.fixture
def long_named(teacher):
    """A finished session with a kept recording, titled by its 120-character file name."""
    session = make_session(teacher, title=LONG_NAME, video_name=LONG_NAME, keep_video=True)
    session.store_results(make_result(seconds=600, tracks=4, dip=(100, 160)))
    session.video_file = Session.new_video_file("lesson.webm")
    session.save()
    session.video_path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(session.video_path), cv2.VideoWriter_fourcc(*"VP80"), 5, (160, 90))
    for i in range(50):
        writer.write(np.full((90, 160, 3), i * 5, np.uint8))
    writer.release()
    return session


def test_pages_with_a_120_character_file_name_do_not_scroll_sideways_on_a_phone(web, browser, teacher, long_named):
    assert len(LONG_NAME) == 120
    pages = {
        "home": "/",
        "class": f"/classes/{long_named.classroom_id}/",
        "session": f"/sessions/{long_named.pk}/",
        "student": f"/sessions/{long_named.pk}/students/1/",
    }
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    on_phone(browser, 390)
    folder = screenshot_folder()
    for name, path in pages.items():
        browser.get(web.url + path)
        assert LONG_NAME[:40] in browser.page_source
        width = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1] == 390, f"{name} is {width[0]} px wide in a {width[1]} px window"
        save_page(browser, folder / f"long-name-{name}-phone.png")


def test_the_heatmap_time_labels_do_not_overlap_on_a_phone(web, browser, teacher, long_named):
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    on_phone(browser, 390)
    browser.get(f"{web.url}/sessions/{long_named.pk}/")
    ticks = browser.execute_script("return window.EyeClassDrawn.heatmapTicks")
    assert len(ticks) >= 2
    assert all(a["right"] < b["left"] for a, b in zip(ticks, ticks[1:])), ticks


def test_the_sticky_recording_covers_at_most_a_third_of_a_laptop_screen(web, browser, teacher, long_named):
    browser.set_window_size(1366, 900)
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    browser.get(f"{web.url}/sessions/{long_named.pk}/")
    share = browser.execute_script(
        "return document.getElementById('replay-card').getBoundingClientRect().height / window.innerHeight"
    )
    assert share <= 1 / 3, f"the recording card is {share:.0%} of the window"
    save_page(browser, screenshot_folder() / "long-name-session-laptop.png")
