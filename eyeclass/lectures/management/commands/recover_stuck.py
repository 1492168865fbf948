from django.conf import settings
from django.core.management.base import BaseCommand

from eyeclass.lectures import lifecycle


class Command(BaseCommand):
    help = (
        "Send the tasks of sessions queued while the broker was down, and queue again (or fail with a reason) "
        "sessions stuck in queued/processing with no sign of life."
    )

    def add_arguments(self, parser):
        parser.add_argument("--processing-after", type=float, default=settings.EYECLASS_STUCK_PROCESSING_SECONDS)
        parser.add_argument("--queued-after", type=float, default=settings.EYECLASS_STUCK_QUEUED_SECONDS)

    def handle(self, *args, processing_after, queued_after, **options):
        actions = lifecycle.send_unsent() + lifecycle.recover_stuck(processing_after, queued_after)
        for action in actions:
            self.stdout.write(action)
        self.stdout.write(f"{len(actions)} stuck session(s) handled.")
