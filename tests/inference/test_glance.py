"""The lesson at a glance: one sentence from the stored numbers, with the withholding rule and
without emotion words when emotions are off."""

from __future__ import annotations

import pytest

from inference.glance import clock, emotion_peak, lesson_sentence, span
from inference.summary import shown

FIGURES = {
    "engagement": 0.82,
    "students": 14,
    "dominant": ["neutral", "happy"],
    "emotions": {"neutral": 0.7, "happy": 0.1},
    "dips": [{"start": 730, "end": 909, "engagement": 0.4}, {"start": 1900, "end": 2199, "engagement": 0.5}],
}


def test_the_sentence_names_attention_the_dips_the_class_and_the_mood():
    sentence = lesson_sentence(shown(FIGURES, True), 45 * 60, peak=("surprise", 1205))
    assert sentence == (
        "Attention held at 0.8 for most of the 45 minutes, dipped twice — at 12:10 for 3 min and at 31:40 "
        "for 5 min; 14 students; mostly neutral, brief surprise around 20:05."
    )


def test_a_lesson_without_dips_says_so_and_one_dip_is_once():
    assert "with no sustained dip; 14 students" in lesson_sentence({**FIGURES, "dips": []}, 600)
    one = lesson_sentence({**FIGURES, "dips": FIGURES["dips"][:1]}, 600)
    assert "dipped once — at 12:10 for 3 min;" in one and "the 10 minutes" in one


def test_dips_over_most_of_the_lesson_do_not_say_attention_held_for_most_of_it():
    dips = [{"start": 0, "end": 399, "engagement": 0.2}]
    assert lesson_sentence({**FIGURES, "dips": dips}, 600).startswith("Attention held at 0.8 over the 10 minutes")


def test_with_emotions_off_no_emotion_word_appears():
    sentence = lesson_sentence(FIGURES, 2700, peak=("surprise", 1205), emotions=False)
    assert sentence.endswith("14 students.")
    for word in ("neutral", "surprise", "happy", "mostly"):
        assert word not in sentence
    no_mix = {k: v for k, v in FIGURES.items() if k not in ("emotions", "dominant")}
    assert lesson_sentence(no_mix, 2700).endswith("14 students.")


def test_a_withheld_session_gives_no_number_read_from_the_eyes():
    sentence = lesson_sentence(shown(FIGURES, False), 8)
    assert sentence == "Not enough could be read to say how the lesson went; 14 students."


def test_unmeasured_engagement_and_uncertain_faces_are_said_plainly():
    assert lesson_sentence({**FIGURES, "engagement": None}, 60).startswith("Attention could not be measured")
    mood = lesson_sentence({**FIGURES, "dominant": ["uncertain", "neutral"]}, 60, peak=("surprise", 20))
    assert "emotions mostly hard to read, brief surprise around 0:20" in mood


def test_the_brief_emotion_is_the_one_that_rose_well_above_its_usual_share():
    seconds = list(range(60))
    calm = {"neutral": 0.8, "happy": 0.2}
    mixes = [calm] * 60
    assert emotion_peak(seconds, mixes) is None  # a steady fifth happy is the lesson's mood, not a moment
    mixes = [{"neutral": 0.3, "surprise": 0.7} if 30 <= s < 36 else calm for s in seconds]
    label, at = emotion_peak(seconds, mixes)
    assert label == "surprise" and 30 <= at < 36
    assert emotion_peak(seconds[:3], mixes[:3]) is None


@pytest.mark.parametrize(("seconds", "words"), [(40, "40 s"), (180, "3 min"), (3900, "1 h 5 min"), (3600, "1 h")])
def test_lengths_and_times_read_as_a_teacher_says_them(seconds, words):
    assert span(seconds) == words
    assert clock(730) == "12:10" and clock(3725) == "1:02:05"
