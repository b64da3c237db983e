from django.core.management.base import BaseCommand

from gongzhi.appeals.tallies import tallies_rebuild, tallies_refresh


class Command(BaseCommand):
    help = (
        "Bring the appeal KPI day tallies up to date (the background worker does this every minute); "
        "--rebuild builds all of them again from the appeals, e.g. after loading appeals by SQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="build every tally again")

    def handle(self, *args, **options):
        if options["rebuild"]:
            self.stdout.write(self.style.SUCCESS(f"Rebuilt: {tallies_rebuild()} tally rows."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Refreshed: {tallies_refresh()} days rebuilt."))
