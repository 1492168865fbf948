"""Processing shows the time remaining, estimated from the progress and the time it has taken so far."""

from datetime import timedelta

from django.utils import timezone

from eyeclass.lectures.eta import in_words, remaining_seconds
from eyeclass.lectures.models import Session
from tests.web.factories import make_session

NOW = timezone.now()


def test_what_is_left_goes_at_the_pace_of_what_was_done():
    assert remaining_seconds(0.25, NOW - timedelta(seconds=60), NOW) == 180
    assert remaining_seconds(0.5, NOW - timedelta(minutes=10), NOW) == 600


def test_no_estimate_before_there_is_something_to_go_on():
    assert remaining_seconds(0.01, NOW - timedelta(minutes=5), NOW) is None  # start-up, not pace
    assert remaining_seconds(0.5, NOW - timedelta(seconds=2), NOW) is None
    assert remaining_seconds(0.5, None, NOW) is None
    assert remaining_seconds(1.0, NOW - timedelta(minutes=5), NOW) is None


def test_it_is_said_in_words():
    assert [in_words(s) for s in (None, 40, 61, 180, 5400, 9000)] == [
        "",
        "under a minute left",
        "about 1 min left",
        "about 3 min left",
        "about 1.5 h left",
        "about 2.5 h left",
    ]


def test_the_status_json_and_the_page_say_how_long_is_left(client, teacher):
    started = timezone.now() - timedelta(seconds=120)
    session = make_session(teacher, status="processing", progress=0.2, started_at=started)
    client.force_login(teacher)
    status = client.get(f"/sessions/{session.pk}/status/").json()
    assert 470 <= status["remaining"] <= 490 and status["remaining_text"] == "about 8 min left"
    assert "about 8 min left" in client.get(f"/sessions/{session.pk}/").content.decode()
    Session.objects.filter(pk=session.pk).update(status="queued")
    assert client.get(f"/sessions/{session.pk}/status/").json()["remaining"] is None
