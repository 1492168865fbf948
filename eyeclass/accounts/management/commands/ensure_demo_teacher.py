from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from eyeclass.school.roles import make_school_admin


class Command(BaseCommand):
    help = "Create the demo teacher account if it does not exist, and print its login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="teacher")
        parser.add_argument("--password", default="eyeclass-demo")
        parser.add_argument(
            "--school-admin", action="store_true", help="also a school administrator (invites and deactivates teachers)"
        )

    def handle(self, *args, username, password, school_admin, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": "Demo"})
        if created:
            user.set_password(password)
            user.save()
        if school_admin:
            make_school_admin(user)
        note = "" if created else " (account already existed; the password is this unless you changed it)"
        role = ", school administrator" if school_admin else ""
        self.stdout.write(f"Demo teacher login: username={username} password={password}{note}{role}")
