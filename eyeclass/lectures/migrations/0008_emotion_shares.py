"""The emotion mix as the share of faces read by top class ("uncertain" its own band), beside the mean
probabilities the `angry`..`neutral` columns keep. Sessions stored before have no shares until reprocessed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("lectures", "0007_action_units")]

    operations = [
        *(
            migrations.AddField(model_name="secondstat", name=f"{label}_share", field=models.FloatField(null=True))
            for label in ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral", "uncertain")
        ),
        migrations.AddField(model_name="student", name="probabilities", field=models.JSONField(default=dict)),
    ]
