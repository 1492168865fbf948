"""Teacher A can neither see nor change teacher B's data through any URL: always a 404.

The tables below name every route; `test_every_route_is_in_the_isolation_tables` fails when a new
one is added without being put in one of them (and so under test)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from eyeclass.classrooms.models import Classroom
from eyeclass.lectures.models import Session
from eyeclass.routing import websocket_urlpatterns
from tests.web.factories import done_session

pytestmark = pytest.mark.django_db

GET_URLS = [
    "/classes/{classroom}/",
    "/sessions/{session}/",
    "/sessions/{session}/status/",
    "/sessions/{session}/export.csv",
    "/sessions/{session}/export.json",
    "/api/classes/{classroom}/",
    "/api/sessions/{session}/",
    "/sessions/{session}/students/{track}/",
    "/sessions/{session}/students.csv",
    "/classes/{classroom}/compare/",
    "/classes/{classroom}/export.zip",
]
POST_URLS = [
    "/sessions/{session}/reprocess/",
    "/sessions/{session}/delete/",
    "/sessions/{session}/rename/",
    "/sessions/{session}/students/{track}/counted",
    "/sessions/{session}/notes/",
    "/sessions/{session}/notes/{note}/edit",
    "/sessions/{session}/notes/{note}/delete",
    "/classes/{classroom}/rename/",
    "/classes/{classroom}/delete/",
    "/classes/{classroom}/export-delete/",
    "/live/{session}/stop/",
]
OWNER_FILES = ["/sessions/{session}/video"]  # 404 for the owner too unless the recording was kept
LIVE_URL = "/live/{session}/"  # the owner is sent on to the session page once it is no longer live
# Routes that name no object: each shows or changes only the caller's own data (the test saying so).
OWN_DATA_ONLY = {
    "": "test_classrooms.py::test_home_lists_only_my_classes",
    "classes/new/": "test_classrooms.py::test_two_teachers_may_use_the_same_name",
    "sessions/upload/": "test_upload.py::test_it_refuses_another_teachers_class",
    "api/classes/": "test_the_class_list_api_shows_only_my_classes",
    "live/": "test_a_live_session_cannot_start_in_another_teachers_class",
    "accounts/password/": "test_accounts.py (the logged-in teacher's own password)",
}
NO_TEACHER_DATA = {"healthz", "help/", "accounts/login/", "accounts/logout/", "accounts/password/done/"}
# forgot password and the invitation link: Django's views, a signed one-time token names the account
NO_TEACHER_DATA |= {"accounts/reset/", "accounts/reset/sent/", "accounts/reset/<uidb64>/<token>/"}
NO_TEACHER_DATA |= {"accounts/reset/done/", "accounts/welcome/<uidb64>/<token>/"}
# single sign-on (404 unless configured): it logs in whom the provider vouches for (test_sso.py)
NO_TEACHER_DATA |= {"accounts/sso/", "accounts/sso/callback/"}
# a school administrator's pages: 403 for every teacher who is not one
SCHOOL_ADMIN_ONLY = {
    "school/teachers/",
    "school/teachers/<int:pk>/deactivate/",
    "school/teachers/<int:pk>/reactivate/",
    "school/audit/",
}  # test_school.py::test_only_school_administrators_open_the_school_pages
STAFF_ONLY_PREFIX = "admin/"  # test_the_admin_is_for_staff_only
WEBSOCKETS = {
    "ws/updates/": "test_websocket.py (a socket joins its own teacher's group only)",
    "ws/live/<int:pk>/": "test_live_socket.py::test_it_refuses_another_teachers_session",
    "": "test_live_socket.py::test_an_unknown_websocket_path_is_closed_with_a_reason (no data at all)",
}


def routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def route_of(url: str) -> str:
    return (
        url.lstrip("/")
        .replace("{session}", "<int:pk>")
        .replace("{classroom}", "<int:pk>")
        .replace("{track}", "<int:track>")
        .replace("{note}", "<int:note>")
    )


def test_every_route_is_in_the_isolation_tables():
    tested = (
        {route_of(url) for url in [*GET_URLS, *POST_URLS, *OWNER_FILES, LIVE_URL]}
        | set(OWN_DATA_ONLY)
        | NO_TEACHER_DATA
        | SCHOOL_ADMIN_ONLY
    )
    http = {route for route in routes(get_resolver().url_patterns) if not route.startswith(STAFF_ONLY_PREFIX)}
    assert http - tested == set(), "new routes: add them to a table in this file"
    assert tested - http == set(), "the tables name routes that no longer exist"
    assert {str(p.pattern) for p in websocket_urlpatterns} == set(WEBSOCKETS)


@pytest.fixture
def theirs(other_teacher):
    session = done_session(other_teacher, seconds=5)
    note = session.notes.create(at=1.0, text="theirs")
    return {
        "session": session.pk,
        "classroom": session.classroom_id,
        "track": session.tracks.first().track,
        "note": note.pk,
    }


@pytest.mark.parametrize("url", [*GET_URLS, *OWNER_FILES, LIVE_URL])
def test_it_hides_other_teachers_objects(client, teacher, theirs, url):
    client.force_login(teacher)
    assert client.get(url.format(**theirs)).status_code == 404


@pytest.mark.parametrize("url", POST_URLS)
def test_it_refuses_changes_to_other_teachers_objects(client, teacher, theirs, url):
    client.force_login(teacher)
    assert client.post(url.format(**theirs), {"title": "mine now", "name": "mine now"}).status_code == 404
    session = Session.objects.get(pk=theirs["session"])
    assert session.status == "done" and session.title != "mine now" and session.classroom.name != "mine now"


@pytest.mark.parametrize("url", GET_URLS[:5] + ["/", "/sessions/upload/"])
def test_pages_need_a_login(client, theirs, url):
    response = client.get(url.format(**theirs))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", GET_URLS)
def test_the_owner_can_see_them(client, other_teacher, theirs, url):
    client.force_login(other_teacher)
    assert client.get(url.format(**theirs)).status_code == 200


def test_the_owner_can_delete_a_session(client, other_teacher, theirs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    session = Session.objects.get(pk=theirs["session"])
    session.video_file = "uploads/x.mp4"
    session.save()
    session.video_path.parent.mkdir(parents=True)
    session.video_path.write_bytes(b"video")
    client.force_login(other_teacher)
    assert client.post(f"/sessions/{session.pk}/delete/").status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists() and not session.video_path.exists()
    assert session.tracks.count() == 0


def test_reprocessing_needs_the_video(client, other_teacher, theirs):
    client.force_login(other_teacher)
    response = client.post(f"/sessions/{theirs['session']}/reprocess/", follow=True)
    assert "upload it again" in response.content.decode()
    assert Session.objects.get(pk=theirs["session"]).status == "done"


def test_the_class_list_api_shows_only_my_classes(client, teacher, theirs):
    mine = Classroom.objects.create(teacher=teacher, name="Mine")
    client.force_login(teacher)
    assert [row["id"] for row in client.get("/api/classes/").json()["classes"]] == [mine.pk]


def test_a_live_session_cannot_start_in_another_teachers_class(client, teacher, theirs):
    Classroom.objects.create(teacher=teacher, name="Mine")
    client.force_login(teacher)
    response = client.post(
        "/live/", {"classroom": theirs["classroom"], "title": "intrusion", "students_informed": "on"}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Session.objects.filter(title="intrusion").exists()


@pytest.mark.parametrize("url", ["/admin/", "/admin/lectures/session/", "/admin/lectures/session/{session}/change/"])
def test_the_admin_is_for_staff_only(client, teacher, theirs, url):
    client.force_login(teacher)
    response = client.get(url.format(**theirs))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
