from django.core.management.base import BaseCommand

from eyeclass.lectures.retention import purge_expired


class Command(BaseCommand):
    help = (
        "Delete sessions older than EYECLASS_RETENTION_DAYS (rows and kept video) and kept videos older than "
        "EYECLASS_KEEP_VIDEO_DAYS, and audit entries older than EYECLASS_AUDIT_DAYS. Every worker's heartbeat "
        "runs it too."
    )

    def handle(self, *args, **options):
        removed = purge_expired()
        for line in removed:
            self.stdout.write(line)
        self.stdout.write(f"{len(removed)} deletion(s).")
