"""Chromium's fake camera plays the posed webcam clip once into a live session, the page streaming it at
its own default rate; the same clip uploaded and read at that rate gives the same expression events,
within one. (The page's frames against an upload at the default rate: tests/web/test_live_upload_parity.py.)"""

import cv2
import pytest

from eyeclass.classrooms.models import Classroom
from eyeclass.lectures.models import Session
from tests.clips import write_y4m
from tests.conftest import shared_path
from tests.web.browser import LiveStack, chromium, fake_camera, log_in, start_live
from tests.web.test_live_socket import needs_weights
from tests.web.test_live_upload_parity import PAGE_FPS, uploaded

pytestmark = [pytest.mark.browser, pytest.mark.shared, pytest.mark.django_db(transaction=True), needs_weights]

# the page's camera track, kept where the test can read how many frames the camera has given it
KEEP_CAMERA = """
const devices = navigator.mediaDevices;
if (devices) {
  const open = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await open(constraints);
    window.testCamera = stream.getVideoTracks()[0];
    return stream;
  };
}
"""
# the fake camera starts the file again after its last frame: Stop as that frame arrives (the page sends
# no frame after Stop), so the session saw the clip exactly once
STOP_AFTER = """
const [frames, camera] = [arguments[0], window.testCamera];
const watch = setInterval(() => {
  if (camera.stats.totalFrames >= frames) { clearInterval(watch); document.getElementById("live-stop").click(); }
}, 5);
"""


def streamed_by_chromium(database_url, folder, teacher, clip, frames: int) -> Session:
    from selenium.webdriver.support.ui import WebDriverWait

    browser = chromium(*fake_camera(write_y4m(clip, folder / "camera.y4m", max_frames=frames)))
    stack = LiveStack(database_url, folder / "serve.log")
    try:
        browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": KEEP_CAMERA})
        stack.wait_for_live_worker()  # as a worker that has been up a while
        log_in(browser, stack.url, "ada", "s3cret-pass-123")
        start_live(browser, stack.url, Classroom.objects.create(teacher=teacher, name="Physics 101"), "Streamed")
        WebDriverWait(browser, 30).until(lambda b: b.execute_script("return !!window.testCamera"))
        if not browser.execute_script("return 'stats' in window.testCamera"):
            pytest.skip("this Chromium does not count its camera's frames (MediaStreamTrack.stats)")
        browser.execute_script(STOP_AFTER, frames)
        WebDriverWait(browser, 120).until(
            lambda b: "/sessions/" in b.current_url, message=stack.log.read_text()[-3000:]
        )
        return Session.objects.get(title="Streamed")
    finally:
        browser.quit()
        stack.stop()


def test_the_clip_played_by_a_fake_camera_gives_the_events_of_the_same_clip_uploaded_within_one(
    test_database_url, tmp_path, teacher, settings
):
    clip = shared_path("data", "video", "labelled", "webcam_posed_angry_surprise_happy_overlay.mp4")
    video = cv2.VideoCapture(str(clip))
    frames, fps = int(video.get(cv2.CAP_PROP_FRAME_COUNT)), video.get(cv2.CAP_PROP_FPS)
    video.release()
    live = streamed_by_chromium(test_database_url, tmp_path, teacher, clip, frames)
    # the page's frames reached the worker: none shed at the start while it built the session's analyzer
    nominal = frames / fps * PAGE_FPS
    assert live.status == "done" and live.frames_analysed >= 0.9 * nominal, (live.frames_received, live.frames_analysed)
    # what the browser's capture, timing and JPEGs change, apart from the rate: the weakest frowns of
    # this clip are found at 10 frames a second and only sometimes at 5
    settings.EYECLASS_ANALYSIS_FPS = PAGE_FPS
    upload = uploaded(teacher, clip)
    assert upload.status == "done"
    counts = upload.events.count(), live.events.count()
    assert counts[0] >= 3  # the posed frown, surprise and smile at least
    onsets = [list(s.events.order_by("onset").values_list("onset", "label")) for s in (upload, live)]
    assert abs(counts[0] - counts[1]) <= 1, onsets
