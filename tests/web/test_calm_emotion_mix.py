"""The emotion mix a session page shows for a calm webcam lesson is calm: at least 90% of the readable
faces read neutral or uncertain (the share of faces by calibrated top class, not mean probabilities)."""

import pytest

from tests.conftest import shared_path
from tests.web.test_live_socket import needs_weights
from tests.web.test_live_upload_parity import uploaded

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.shared, needs_weights]


def test_a_calm_webcam_session_shows_at_least_nine_tenths_neutral_or_uncertain(teacher):
    clip = shared_path("data", "video", "labelled", "webcam_dim_drowsy_closure.mp4")  # calm, one blink, a closure
    session = uploaded(teacher, clip)
    mix = session.figures["emotions"]  # what the session page, exports and the API show
    assert mix is not None and sum(mix.values()) == pytest.approx(1.0, abs=0.01)
    assert mix["neutral"] + mix["uncertain"] >= 0.9, mix
