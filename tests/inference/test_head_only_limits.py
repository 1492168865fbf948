from bench.small_faces import AwayClip, Reading, held_out


def clip(away_yaw: float) -> AwayClip:
    """Ten frames: the first five calm and facing, the last five turned `away_yaw` degrees, labelled away."""
    readings = [Reading(True, 0.0, 0.0)] * 5 + [Reading(True, away_yaw, 0.0)] * 5
    return AwayClip(readings, list(range(10)), away=[(5, 9)], calm=[(0, 4)])


def test_a_head_turn_inside_the_facing_limits_is_missed_by_them_and_found_by_limits_chosen_on_other_clips():
    clips = [clip(15.0), clip(14.0), clip(16.0)]
    assert clips[0].accuracy(25.0, 20.0).balanced == 0.5  # 15 degrees is "facing" for the analysis
    assert held_out(clips) == 1.0


def test_a_missing_face_counts_as_away_and_a_face_without_a_pose_does_not():
    readings = [Reading(True, 0.0, 0.0), None, Reading(True), Reading(False)]
    scored = AwayClip(readings, [0, 1, 2, 3], away=[(1, 1), (3, 3)], calm=[(0, 0), (2, 2)])
    assert scored.accuracy(25.0, 20.0).balanced == 1.0
