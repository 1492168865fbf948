"""In Chromium, against the real server with the console email backend: an administrator invites a
teacher, who sets a password from the emailed link, logs in and out, uses "Forgot password" and logs in
with the new password. Screenshots of each account page at 1366 and 390 px go to $TMPDIR/eyeclass-screenshots."""

import re

import pytest

from eyeclass.classrooms.models import Classroom
from eyeclass.lectures.models import Session
from eyeclass.school.models import Consent
from eyeclass.school.roles import make_school_admin
from tests.waiting import log_tail, wait_until
from tests.web.browser import LiveStack, log_in, on_phone, save_page, screenshot_folder, wait_replaced
from tests.web.factories import done_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def web(test_database_url, tmp_path):
    app = LiveStack(test_database_url, tmp_path / "serve.log", worker=False, extra_env={"EMAIL_HOST": ""})
    yield app
    app.stop()


def emailed_link(app: LiveStack, kind: str, seen: int) -> str:
    """The `seen`+1-th link of this kind that the server printed (its console email backend)."""
    pattern = re.compile(rf"{re.escape(app.url)}/accounts/{kind}/\S+/")

    def link() -> str | None:
        links = pattern.findall(app.log.read_text())
        return links[seen] if len(links) > seen else None

    return wait_until(link, 20, f"a {kind} link in the server's output", diagnose=lambda: log_tail(app.log, 2000))


def shoot(browser, name: str) -> None:
    """The page at 1366 px and at 390 px wide, with no sideways scroll at either."""
    folder = screenshot_folder()
    browser.set_window_size(1366, 900)
    save_page(browser, folder / f"{name}-desktop.png")
    on_phone(browser)
    browser.refresh()
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} scrolls sideways by {overflow} px on a phone"
    save_page(browser, folder / f"{name}-phone.png")
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def submit(browser, selector: str) -> None:
    """Click a form's button and wait for the page it leads to."""
    from selenium.webdriver.common.by import By

    button = browser.find_element(By.CSS_SELECTOR, selector)
    button.click()
    wait_replaced(browser, button, 20)


def set_password(browser, password: str) -> None:
    from selenium.webdriver.common.by import By

    browser.find_element(By.NAME, "new_password1").send_keys(password)
    browser.find_element(By.NAME, "new_password2").send_keys(password)
    submit(browser, "#set-password-form button[type=submit]")


def log_out(browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.find_element(By.XPATH, "//button[text()='Log out']").click()
    WebDriverWait(browser, 20).until(lambda b: "/accounts/login/" in b.current_url)


def test_an_invited_teacher_sets_a_password_logs_in_and_resets_it(web, browser, django_user_model, teacher):
    from selenium.webdriver.common.by import By

    admin = django_user_model.objects.create_user(username="head", password="s3cret-pass-789")
    make_school_admin(admin)
    Classroom.objects.create(teacher=teacher, name="Physics")  # the deactivate page then offers a transfer
    log_in(browser, web.url, "head", "s3cret-pass-789")
    browser.find_element(By.LINK_TEXT, "School").click()
    browser.find_element(By.NAME, "email").send_keys("nia@school.org")
    browser.find_element(By.NAME, "name").send_keys("Nia Okafor")
    submit(browser, "#invite-form button[type=submit]")
    assert "Invitation sent to nia@school.org" in browser.page_source
    assert "invited" in browser.find_element(By.CSS_SELECTOR, "tr[data-teacher='nia@school.org']").text
    shoot(browser, "school-teachers")
    browser.get(f"{web.url}/school/teachers/{teacher.pk}/deactivate/")
    shoot(browser, "school-deactivate")
    browser.get(f"{web.url}/school/audit/")
    assert "nia@school.org" in browser.find_element(By.ID, "audit").text
    shoot(browser, "school-audit")
    log_out(browser)

    browser.get(emailed_link(web, "welcome", 0))
    assert "Choose a password for nia@school.org" in browser.find_element(By.TAG_NAME, "main").text
    shoot(browser, "invitation-accept")
    set_password(browser, "river-lamp-42x")
    assert "Password set" in browser.page_source, browser.find_element(By.TAG_NAME, "main").text
    shoot(browser, "password-set")
    log_in(browser, web.url, "nia@school.org", "river-lamp-42x")
    assert "Nia Okafor" in browser.find_element(By.CLASS_NAME, "who").text
    assert not browser.find_elements(By.LINK_TEXT, "School")  # a teacher, not an administrator
    log_out(browser)

    browser.find_element(By.ID, "forgot-password").click()
    assert "/accounts/reset/" in browser.current_url
    shoot(browser, "forgot-password")
    browser.find_element(By.NAME, "email").send_keys("nia@school.org")
    submit(browser, "main button[type=submit]")
    assert "Check your email" in browser.page_source
    shoot(browser, "reset-sent")
    browser.get(emailed_link(web, "reset", 0))
    assert "Choose a new password" in browser.page_source
    shoot(browser, "reset-confirm")
    set_password(browser, "harbour-kite-77q")
    log_in(browser, web.url, "nia@school.org", "harbour-kite-77q")
    assert browser.current_url.rstrip("/") == web.url


def test_the_notice_comes_before_an_upload_or_a_live_session(web, browser, teacher):
    from selenium.webdriver.common.by import By

    session = done_session(teacher, seconds=30)
    Consent.record(session, teacher)
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    for name, path in (("consent-upload", "/sessions/upload/"), ("consent-live", "/live/")):
        browser.get(web.url + path)
        assert "Tell the students first" in browser.find_element(By.ID, "consent-notice").text
        box = browser.find_element(By.NAME, "students_informed")
        assert box.get_attribute("required") is not None and not box.is_selected()
        shoot(browser, name)
    browser.find_element(By.ID, "start-live").click()  # unticked: the browser keeps the form, nothing starts
    assert browser.current_url == web.url + "/live/" and not Session.objects.filter(source="live").exists()
    browser.get(web.url + session.get_absolute_url())
    assert "confirmed by ada" in browser.find_element(By.ID, "consent").text
    shoot(browser, "consent-session")
    browser.get(f"{web.url}/classes/{session.classroom_id}/")
    assert browser.find_element(By.ID, "class-export-delete").is_displayed()
    shoot(browser, "class-export")
