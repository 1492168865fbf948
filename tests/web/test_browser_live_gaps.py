"""In a real Chromium: the live page's charts break their lines over seconds with nothing recorded (frames
dropped, the connection lost), as the session charts do. The page's socket is a stand-in the test
answers through, so no worker is needed. A page reopened during a session starts with the seconds
already recorded."""

from contextlib import contextmanager

import pytest
from django.utils import timezone

from tests.web.browser import chromium, log_in
from tests.web.factories import make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# installed before the page's scripts: a WebSocket that never connects and keeps its instances
FAKE_SOCKET = """
window.sockets = [];
window.WebSocket = class {
  constructor(url) { this.url = url; this.readyState = 1; this.bufferedAmount = 0; window.sockets.push(this); }
  send() {}
  close() {}
};
window.WebSocket.OPEN = 1;
"""


def second(s: int, engagement: float) -> dict:
    return {"second": s, "engagement": engagement, "emotion_mix": {"neutral": 1.0}}


@contextmanager
def live_page(web, session):
    """A logged-in Chromium on the session's live page, its socket the stand-in above, once connected."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser = chromium("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")
    try:
        browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FAKE_SOCKET})
        log_in(browser, web.url, "ada", "s3cret-pass-123")
        browser.get(f"{web.url}/live/{session.pk}/")
        WebDriverWait(browser, 30).until(lambda b: b.execute_script("return window.sockets.length") == 1)
        yield browser
    finally:
        browser.quit()


def test_the_live_charts_leave_a_pause_empty_instead_of_drawing_across_it(web, teacher):
    session = make_session(
        teacher, title="Live", source="live", status="live", live_worker="nobody@nowhere", started_at=timezone.now()
    )
    with live_page(web, session) as browser:
        result = {"type": "result", "seq": 0, "t": 0, "width": 4, "height": 3, "faces": [], "events": []}
        for seconds in ([second(0, 0.5), second(1, 0.6)], [second(2, 0.7), second(9, 0.8), second(10, 0.9)]):
            message = {**result, "seconds": seconds}
            browser.execute_script("window.sockets[0].onmessage({data: JSON.stringify(arguments[0])})", message)
        points = browser.execute_script(
            "const c = window.EyeClassLive.charts; "
            "return [c.engagement.data.datasets[0].data, c.emotions.data.datasets.map((d) => d.data.map((p) => p.y))]"
        )
        engagement, emotions = points
        assert [(p["x"], p["y"]) for p in engagement] == [(0, 0.5), (1, 0.6), (2, 0.7), (3, None), (9, 0.8), (10, 0.9)]
        assert all(series[3] is None and len(series) == 6 for series in emotions)


def test_a_reopened_live_page_shows_the_seconds_recorded_before_and_goes_on_after_a_break(web, teacher):
    from tests.web.test_live_pages import recorded_live_session

    session = recorded_live_session(teacher)  # seconds 0-2 and 8-9 stored, then the page was left
    with live_page(web, session) as browser:
        read = "return window.EyeClassLive.charts.engagement.data.datasets[0].data.map((p) => [p.x, p.y])"
        assert browser.execute_script(read) == [[0, 0.0], [1, 0.1], [2, 0.2], [3, None], [8, 0.8], [9, 0.9]]
        # resumed: the worker's next seconds follow a pause; a second the page already has is not drawn twice
        message = {"type": "result", "seq": 0, "t": 15.2, "width": 4, "height": 3, "faces": [], "events": []}
        message["seconds"] = [second(9, 0.9), second(14, 0.5), second(15, 0.4)]
        browser.execute_script("window.sockets[0].onmessage({data: JSON.stringify(arguments[0])})", message)
        assert browser.execute_script(read)[-4:] == [[9, 0.9], [10, None], [14, 0.5], [15, 0.4]]
        neutral = browser.execute_script(
            "const c = window.EyeClassLive.charts.emotions; "
            "return c.data.datasets.find((d) => d.label === 'neutral').data.map((p) => p.y)"
        )
        assert neutral == [0.75, 0.75, 0.75, None, 0.75, 0.75, None, 1.0, 1.0]
