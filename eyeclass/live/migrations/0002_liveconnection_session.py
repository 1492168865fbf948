"""LiveConnection.lecture -> session, as the model it points at is now lectures.Session (rows kept)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("lectures", "0006_session_student"),
        ("live", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="liveconnection", old_name="lecture", new_name="session"),
    ]
