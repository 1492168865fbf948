"""Lecture -> Session and TrackStat -> Student, their `lecture` foreign keys -> `session`: renames only,
every row kept (the app keeps its label `lectures`, so its tables become lectures_session and
lectures_student).

The unique constraints and the event index name the renamed field, and RenameField does not rewrite
them, so they are taken off before the renames and put back, on `session`, after them.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("classrooms", "0001_initial"),
        ("lectures", "0005_lecture_options"),
        # after the live app's table exists, so that RenameModel repoints its foreign key too
        ("live", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="chunk", name="one_row_per_chunk"),
        migrations.RemoveConstraint(model_name="secondstat", name="one_row_per_second"),
        migrations.RemoveConstraint(model_name="trackstat", name="one_row_per_track"),
        migrations.RemoveIndex(model_name="expressionevent", name="lectures_ex_lecture_814557_idx"),
        migrations.RenameModel(old_name="Lecture", new_name="Session"),
        migrations.RenameModel(old_name="TrackStat", new_name="Student"),
        migrations.RenameField(model_name="chunk", old_name="lecture", new_name="session"),
        migrations.RenameField(model_name="secondstat", old_name="lecture", new_name="session"),
        migrations.RenameField(model_name="student", old_name="lecture", new_name="session"),
        migrations.RenameField(model_name="expressionevent", old_name="lecture", new_name="session"),
        migrations.AlterField(
            model_name="session",
            name="classroom",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="sessions", to="classrooms.classroom"
            ),
        ),
        migrations.AddConstraint(
            model_name="chunk",
            constraint=models.UniqueConstraint(fields=("session", "index"), name="one_row_per_chunk"),
        ),
        migrations.AddConstraint(
            model_name="secondstat",
            constraint=models.UniqueConstraint(fields=("session", "second"), name="one_row_per_second"),
        ),
        migrations.AddConstraint(
            model_name="student",
            constraint=models.UniqueConstraint(fields=("session", "track"), name="one_row_per_track"),
        ),
        migrations.AddIndex(
            model_name="expressionevent",
            index=models.Index(fields=["session", "onset"], name="lectures_ex_session_33bac2_idx"),
        ),
    ]
