from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gongzhi.accounts.models import User
from gongzhi.accounts.spreadsheets import residents_import
from gongzhi.core.excel import ImportRejected
from gongzhi.orgs.spreadsheets import nodes_import, party_members_import

IMPORTERS = {"residents": residents_import, "party_members": party_members_import, "nodes": nodes_import}


class Command(BaseCommand):
    help = "Import residents, party members or nodes from an .xlsx file: all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file")
        parser.add_argument("--as", dest="actor", required=True, help="Username whose permissions apply.")

    def handle(self, kind, file, actor, **options):
        try:
            user = User.objects.get(username=actor, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {actor!r}.") from None
        with tqdm(desc="rows checked", unit="row", disable=options["verbosity"] == 0) as bar:
            try:
                with open(file, "rb") as handle:
                    count = IMPORTERS[kind](actor=user, source=handle, progress=bar.update)
            except FileNotFoundError:
                raise CommandError(f"No file {file!r}.") from None
            except ImportRejected as exc:
                bar.close()
                for error in exc.errors:
                    self.stderr.write(f"row {error.row}\t{error.column}\t{error.message}")
                raise CommandError(f"Nothing imported: {len(exc.errors)} problem(s).") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {count} rows."))
