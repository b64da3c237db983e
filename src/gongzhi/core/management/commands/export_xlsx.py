from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.errors import ServiceError
from gongzhi.core.registry import spreadsheets


class Command(BaseCommand):
    help = "Export a list a user can see (residents, party members, nodes, appeals …) to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(k for k, s in spreadsheets().items() if s.exporter))
        parser.add_argument("file")
        parser.add_argument("--as", dest="actor", required=True, help="Username whose scope applies.")
        parser.add_argument(
            "--reveal",
            action="store_true",
            help="Residents: full phone and ID numbers (recorded in the audit log).",
        )

    def handle(self, kind, file, actor, reveal=False, **options):
        try:
            user = get_user_model().objects.get(username=actor, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {actor!r}.") from None
        try:
            content = spreadsheets()[kind].run_export(actor=user, reveal=reveal)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from None
        Path(file).write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Wrote {file} ({len(content):,} bytes)."))
