"""Production mode as docs/operations.md deploys it: `collectstatic`, then `serve` with
EYECLASS_ENV=production behind a TLS proxy (here: the proxy's X-Forwarded-Proto header, from a trusted
address). Every page, the error pages, login and an upload through a real browser."""

import http.client
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import make_password
from django.test import RequestFactory, override_settings

from eyeclass.classrooms.models import Classroom
from tests.clips import write_clip
from tests.conftest import REPO
from tests.web.browser import LiveStack, free_port, log_in, save_page, screenshot_folder
from tests.web.factories import done_session

pytestmark = pytest.mark.django_db(transaction=True)
HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy adds
SECRET_KEY = secrets.token_urlsafe(50)  # the server's; sessions made here for it are signed with it too


@pytest.fixture(scope="module")
def production(test_database_url, tmp_path_factory):
    """collectstatic, then `serve --no-worker` in production mode; yields (port, static root)."""
    port, static = free_port(), tmp_path_factory.mktemp("static")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "eyeclass.settings",  # as deployed (tests.settings would drop STATIC_ROOT)
        "EYECLASS_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "EYECLASS_TRUSTED_PROXIES": "127.0.0.1",
        # the browser here talks plain HTTP to the server while the header says HTTPS; behind a real
        # proxy the browser's origin is the https one and this is not needed
        "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
        "STATIC_ROOT": str(static),
        "DATABASE_URL": test_database_url,
    }
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert (static / "staticfiles.json").is_file()  # the manifest every {% static %} is looked up in
    log = tmp_path_factory.mktemp("production") / "serve.log"
    app = LiveStack(test_database_url, log, env, worker=False, web_processes=1, probe_headers=HTTPS, port=port)
    yield port, static
    app.stop()


def get(port: int, path: str, cookie: str = "", headers: dict = HTTPS) -> tuple[int, str, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", path, headers={**headers, **({"Cookie": cookie} if cookie else {})})
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body, {name.lower(): value for name, value in response.getheaders()}


def test_plain_http_is_sent_to_https_and_https_is_served_with_hsts(production):
    port, _ = production
    status, _, headers = get(port, "/accounts/login/", headers={})
    assert status == 301 and headers["location"].startswith("https://127.0.0.1")
    status, page, headers = get(port, "/accounts/login/")
    assert status == 200 and "strict-transport-security" in headers and "Log in" in page


def test_every_page_and_the_static_files_it_names_are_served(production, teacher, client, settings):
    port, _ = production
    session = done_session(teacher, seconds=30, tracks=3)
    settings.SECRET_KEY = SECRET_KEY
    client.force_login(teacher)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    pages = [
        "/",
        f"/classes/{session.classroom_id}/",
        f"/classes/{session.classroom_id}/compare/",
        f"/sessions/{session.pk}/",
        f"/sessions/{session.pk}/students/1/",
        "/sessions/upload/",
        "/live/",
        "/help/",
        "/accounts/password/",
        "/admin/login/",
    ]
    assets = set()
    for path in pages:
        status, page, _ = get(port, path, cookie)
        assert status == 200, f"{path}: {status}\n{page[:500]}"
        assets |= set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page))
    assert any(re.search(r"chart\.umd\.min\.[0-9a-f]{12}\.js$", a) for a in assets)  # hashed names
    for asset in assets:
        assert get(port, asset)[0] == 200, asset
    status, page, _ = get(port, "/sessions/999999/", cookie)
    assert status == 404 and "/static/" in page  # the app's own 404 page, styled
    assert get(port, "/accounts/login/")[0] == 200  # anonymous


def test_the_500_page_renders_under_the_manifest_storage(production, settings):
    from django.views.defaults import server_error

    _, static = production
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, STATIC_ROOT=static, DEBUG=False):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and b"Something went wrong" in response.content


@pytest.mark.browser
def test_a_teacher_logs_in_and_uploads_through_the_browser(production, browser, teacher, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    port, _ = production
    url = f"http://127.0.0.1:{port}"
    Classroom.objects.create(teacher=teacher, name="Physics")
    teacher.password = make_password("s3cret-pass-123", hasher="pbkdf2_sha256")  # the real settings' hasher
    teacher.save()
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": HTTPS})
    log_in(browser, url, "ada", "s3cret-pass-123")
    browser.get(url + "/sessions/upload/")
    Select(browser.find_element(By.NAME, "classroom")).select_by_visible_text("Physics")
    browser.find_element(By.NAME, "video").send_keys(str(write_clip(tmp_path / "lesson.mp4", seconds=2)))
    browser.find_element(By.NAME, "students_informed").click()
    browser.find_element(By.ID, "upload-button").click()
    WebDriverWait(browser, 60).until(lambda b: re.search(r"/sessions/\d+/$", b.current_url), "no session page")
    assert "lesson.mp4" in browser.page_source
    assert browser.execute_script("return [...document.styleSheets].some(s => s.cssRules.length > 0)")
    save_page(browser, screenshot_folder() / "production-session.png")
