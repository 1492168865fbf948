from django.conf import settings
from django.core.management.base import BaseCommand

from eyeclass.lectures.wipe import wipe_emotions


class Command(BaseCommand):
    help = (
        "Delete every emotion number stored while EYECLASS_EMOTIONS was on (per-second probabilities and "
        "mix, students' mix and dominant emotion, event labels, the summaries' emotions, the stored charts' "
        "emotion series). Engagement and eye signals stay. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what holds an emotion value; change nothing")

    def handle(self, *args, dry_run=False, **options):
        counts = wipe_emotions(dry_run=dry_run)
        verb = "hold emotion values" if dry_run else "emptied"
        self.stdout.write(", ".join(f"{n} {what}" for what, n in counts.items()) + f": {verb}.")
        if not dry_run and settings.EYECLASS_EMOTIONS:
            self.stderr.write(
                "EYECLASS_EMOTIONS is on: sessions analysed from now on store emotions again. "
                "Set EYECLASS_EMOTIONS=off (and restart the workers) to stop that."
            )
