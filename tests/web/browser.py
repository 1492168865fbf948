"""Real-browser helpers: the whole app served by `manage.py serve` on the test database, and Chromium."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.waiting import log_tail, wait_until

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1600",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveStack:
    """`manage.py serve` (uvicorn, the upload and live workers; or the web server alone) in a subprocess;
    stopped with Ctrl-C semantics. `probe_headers` go with the requests that wait for it to come up
    (production mode answers plain HTTP with a redirect to HTTPS)."""

    def __init__(
        self,
        database_url: str,
        log: Path,
        extra_env: dict | None = None,
        worker: bool = True,
        web_processes: int | None = None,
        probe_headers: dict | None = None,
        port: int | None = None,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log, self.probe_headers = log, probe_headers or {}
        env = {**os.environ, "DATABASE_URL": database_url, **(extra_env or {})}
        command = [sys.executable, "manage.py", "serve", "--port", str(self.port), *([] if worker else ["--no-worker"])]
        command += ["--web-processes", str(web_processes)] if web_processes else []
        with log.open("w") as out:
            self.proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        workers = 2 if worker else 0  # the upload and live workers
        try:
            wait_until(
                lambda: self._up() and log.read_text().count("ready.") >= workers,
                120,
                "the app answering HTTP" + (" with its workers ready" if worker else ""),
                diagnose=lambda: log_tail(log),
                give_up_if=lambda: self.proc.poll() is not None,
            )
        except BaseException:  # pytest.fail's exception is no Exception
            self.stop()
            raise

    def _up(self) -> bool:
        request = urllib.request.Request(self.url + "/accounts/login/", headers=self.probe_headers)
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def wait_for_live_worker(self, timeout: float = 180) -> None:
        """Until the live worker has loaded its eye CNN (it records its device then): a session started
        sooner loses its first seconds of frames, shed while the worker loads TensorFlow."""
        from eyeclass.ops.models import WorkerHeartbeat

        wait_until(
            lambda: WorkerHeartbeat.objects.filter(hostname__startswith="live", device__gt="").exists(),
            timeout,
            "the live worker loading its model",
            diagnose=lambda: log_tail(self.log),
            give_up_if=lambda: self.proc.poll() is not None,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def chromium(*extra_flags: str):
    """A Selenium Chrome driver on Debian's chromium, or a skip when it is not installed."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not binary or not driver:
        pytest.skip("chromium and chromedriver are not installed (apt install chromium chromium-driver)")
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*CHROMIUM_FLAGS, *extra_flags):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver))


def fake_camera(y4m: Path) -> tuple[str, ...]:
    """Chromium flags for a camera that plays `y4m` (over and over), allowed without asking."""
    return (
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={y4m}",
    )


def wait_replaced(browser, element, timeout: float = 30) -> None:
    """Wait until `element`'s page is gone (a form posted and the next page came). Asked about a node of
    the old page, Chromium may answer with an inspector error instead of "stale element": both mean gone."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def gone(_) -> bool:
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise

    WebDriverWait(browser, timeout).until(gone, message="the page was not replaced")


def log_in(browser, base_url: str, username: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(base_url + "/accounts/login/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda b: "/accounts/login/" not in b.current_url, message="login failed")


def start_live(browser, base_url: str, classroom, title: str) -> None:
    """Start a live session from /live/ as a teacher does; returns on the session's streaming page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get(base_url + "/live/")
    Select(browser.find_element(By.NAME, "classroom")).select_by_value(str(classroom.pk))
    browser.find_element(By.NAME, "title").send_keys(title)
    browser.find_element(By.NAME, "students_informed").click()
    browser.find_element(By.ID, "start-live").click()
    WebDriverWait(browser, 30).until(lambda b: "/live/" in b.current_url and b.current_url.rstrip("/")[-1].isdigit())


def on_phone(driver, width: int = 390, height: int = 844) -> None:
    """Lay pages out as a phone of this CSS width does (a desktop window cannot be made that narrow)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True}
    )


def screenshot_folder() -> Path:
    """Where browser tests leave their screenshots to look at: $TMPDIR/eyeclass-screenshots (not committed)."""
    import tempfile

    folder = Path(tempfile.gettempdir()) / "eyeclass-screenshots"
    folder.mkdir(exist_ok=True)
    return folder


def save_page(driver, path: Path) -> None:
    """A screenshot of the whole page, not only the part in the window."""
    import base64

    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"captureBeyondViewport": True, "format": "png"})
    Path(path).write_bytes(base64.b64decode(shot["data"]))
