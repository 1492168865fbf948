"""In a real Chromium, at 1366 and 390 px: the weekly class chart, two sessions overlaid by minute, a live
session's pause left as a gap in its charts, and the time remaining while processing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from eyeclass.lectures.models import Session
from tests.web.browser import log_in, on_phone, save_page, screenshot_folder
from tests.web.factories import make_result, make_session
from tests.web.test_class_trends import lessons  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def paused_live_session(teacher, classroom) -> Session:
    """A live session recorded for 40 s, paused for a minute (the page left), then 40 s more."""
    session = make_session(teacher, title="Live with a pause", classroom=classroom, source="live")
    result = make_result(seconds=140)
    result.seconds[:] = [row for row in result.seconds if not 40 <= row.second < 100]
    session.store_results(result)
    return session


def no_sideways_scroll(browser) -> bool:
    return browser.execute_script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_class_charts_the_pause_and_the_time_left_in_chromium(web, browser, teacher, lessons):  # noqa: F811
    first, second, short = lessons
    live = paused_live_session(teacher, first.classroom)
    busy = make_session(teacher, title="Being read", classroom=first.classroom, status="processing", progress=0.3)
    Session.objects.filter(pk=busy.pk).update(started_at=timezone.now() - timedelta(seconds=90))
    pages = {
        "class": f"/classes/{first.classroom_id}/",
        "compare": f"/classes/{first.classroom_id}/compare/?a={first.pk}&b={second.pk}",
        "compare-withheld": f"/classes/{first.classroom_id}/compare/?a={first.pk}&b={short.pk}",
        "session-paused": f"/sessions/{live.pk}/",
        "processing": f"/sessions/{busy.pk}/",
    }
    browser.set_window_size(1366, 900)
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    for width in (1366, 390):
        if width == 390:
            on_phone(browser, 390)
        for name, path in pages.items():
            browser.get(web.url + path)
            assert no_sideways_scroll(browser), f"{name} scrolls sideways at {width} px"
            save_page(browser, screenshot_folder() / f"{name}-{width}.png")

    browser.get(web.url + pages["class"])
    weekly = browser.execute_script("return EyeClassDrawn.weeks.data.datasets[0].data")
    assert weekly[0] == pytest.approx(0.7) and weekly[1] is None
    browser.get(web.url + pages["compare"])
    curves = browser.execute_script("return EyeClassDrawn.overlay.data.datasets.map(d => d.data.map(p => p.y))")
    assert curves == [[0.6] * 3, [0.8] * 2]
    browser.get(web.url + pages["compare-withheld"])
    assert browser.execute_script("return EyeClassDrawn.overlay.data.datasets[1].data.length") == 0
    browser.get(web.url + pages["session-paused"])
    engagement = browser.execute_script("return EyeClassDrawn.engagement.data.datasets[0].data")
    gap = [p["x"] for p in engagement if p["y"] is None]
    assert gap == [40]  # one break where the page was away, the line not drawn across it
    browser.get(web.url + pages["processing"])
    assert browser.find_element("id", "remaining").text == "about 4 min left"
