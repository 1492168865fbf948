"""In a real Chromium: a session with a face in a picture says so, and a teacher brings the track back
(or leaves it out again) with one click, on a laptop and on a 390 px phone without sideways scroll.

Screenshots are left in $TMPDIR/eyeclass-screenshots to look at."""

import pytest

from tests.web.browser import log_in, on_phone, save_page, screenshot_folder, wait_replaced
from tests.web.factories import make_session
from tests.web.test_still_tracks import class_result

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_poster_is_listed_apart_and_counted_again_with_one_click(web, browser, teacher):
    from selenium.webdriver.common.by import By

    session = make_session(teacher, title="Computer lab with a poster")
    session.store_results(class_result())
    log_in(browser, web.url, "ada", "s3cret-pass-123")
    folder = screenshot_folder()
    for width, name in ((1366, "laptop"), (390, "phone")):
        if width == 390:
            on_phone(browser, 390)
        else:
            browser.set_window_size(1366, 900)
        pages = {"session": "", "student": "students/3/", "student-counted": "students/1/"}
        for page, path in pages.items():
            browser.get(f"{web.url}/sessions/{session.pk}/{path}")
            scroll = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
            assert scroll[0] <= scroll[1], f"{page} is {scroll[0]} px wide in a {scroll[1]} px window"
            save_page(browser, folder / f"still-{page}-{name}.png")
    browser.get(f"{web.url}/sessions/{session.pk}/")
    assert "1 face in a picture was ignored." in browser.find_element(By.ID, "tracks").text
    assert browser.find_element(By.CSS_SELECTOR, "#card-engagement").text == "0.90"
    before = browser.find_element(By.ID, "tracks")
    browser.find_element(By.CSS_SELECTOR, "#left-out button").click()
    wait_replaced(browser, before)  # the form posts and the page comes back
    assert "Every face found counts" in browser.find_element(By.ID, "tracks").text
    assert browser.find_element(By.CSS_SELECTOR, "#card-engagement").text == "0.60"
    save_page(browser, folder / "still-session-counted-phone.png")
