from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from gongzhi.accounts.models import User
from gongzhi.accounts.selectors import person_list
from gongzhi.accounts.spreadsheets import residents_export
from gongzhi.orgs.selectors import node_list, party_membership_list
from gongzhi.orgs.spreadsheets import nodes_export, party_members_export


class Command(BaseCommand):
    help = "Export the residents, party members or nodes a user can see to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["residents", "party_members", "nodes"])
        parser.add_argument("file")
        parser.add_argument("--as", dest="actor", required=True, help="Username whose scope applies.")
        parser.add_argument(
            "--reveal",
            action="store_true",
            help="Residents: full phone and ID numbers (recorded in the audit log).",
        )

    def handle(self, kind, file, actor, reveal=False, **options):
        try:
            user = User.objects.get(username=actor, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {actor!r}.") from None
        if kind == "residents":
            try:
                content = residents_export(actor=user, people=person_list(fetched_by=user), reveal=reveal)
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from None
        elif kind == "party_members":
            content = party_members_export(memberships=party_membership_list(fetched_by=user))
        else:
            content = nodes_export(nodes=node_list(fetched_by=user))
        Path(file).write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Wrote {file} ({len(content):,} bytes)."))
