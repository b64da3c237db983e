from django.core.management.base import BaseCommand

from gongzhi.appeals.categories import categories_load_default


class Command(BaseCommand):
    help = "Load the default three-level appeal category tree (the official citizen-appeal taxonomy)."

    def handle(self, *args, **options):
        added = categories_load_default()
        self.stdout.write(self.style.SUCCESS(f"Added {added} categories."))
