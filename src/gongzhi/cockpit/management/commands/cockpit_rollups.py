from django.core.management.base import BaseCommand

from gongzhi.cockpit.rollups import rollups_rebuild, rollups_refresh


class Command(BaseCommand):
    help = (
        "Bring the cockpit's day rollups up to date (the background worker does this every minute); "
        "--rebuild builds all of them again from every module's figures, e.g. after loading data by SQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="build every rollup again")

    def handle(self, *args, **options):
        if options["rebuild"]:
            self.stdout.write(self.style.SUCCESS(f"Rebuilt: {rollups_rebuild()} rollup rows."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Refreshed: {rollups_refresh()} days counted again."))
