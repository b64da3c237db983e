from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gongzhi.core.errors import ServiceError
from gongzhi.core.excel import ImportRejected
from gongzhi.core.registry import spreadsheets


class Command(BaseCommand):
    help = "Import a list (residents, party members, nodes …) from an .xlsx file: all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(k for k, s in spreadsheets().items() if s.importer))
        parser.add_argument("file")
        parser.add_argument("--as", dest="actor", required=True, help="Username whose permissions apply.")

    def handle(self, kind, file, actor, **options):
        try:
            user = get_user_model().objects.get(username=actor, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {actor!r}.") from None
        with tqdm(desc="rows checked", unit="row", disable=options["verbosity"] == 0) as bar:
            try:
                with open(file, "rb") as handle:
                    count = spreadsheets()[kind].run_import(actor=user, source=handle, progress=bar.update)
            except FileNotFoundError:
                raise CommandError(f"No file {file!r}.") from None
            except ServiceError as exc:
                raise CommandError(str(exc.message)) from None
            except ImportRejected as exc:
                bar.close()
                for error in exc.errors:
                    self.stderr.write(f"row {error.row}\t{error.column}\t{error.message}")
                raise CommandError(f"Nothing imported: {len(exc.errors)} problem(s).") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {count} rows."))
