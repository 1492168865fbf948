from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from eyeclass.school.roles import make_school_admin
from eyeclass.school.teachers import invite_teacher


class Command(BaseCommand):
    help = "Invite a teacher by email: an account and a one-time link to set its password (EYECLASS_SITE_URL)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--school-admin", action="store_true", help="make them a school administrator")

    def handle(self, *args, email, name, school_admin, **options):
        try:
            user = invite_teacher(email, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if school_admin:
            make_school_admin(user)
        role = " as a school administrator" if school_admin else ""
        self.stdout.write(f"Invited {user.get_username()}{role}; the email with the link has been sent.")
