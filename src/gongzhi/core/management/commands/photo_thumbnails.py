"""Make the small copies lists show for photos stored before copies were made (``core.photos``): every
declared photo slot, only the photos without one (``--all`` remakes every copy)."""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from gongzhi.core.photos import thumb_name, thumbnail_make
from gongzhi.core.registry import photo_slots


class Command(BaseCommand):
    help = "Make the small list copies of stored photos that have none."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="remake every copy, not only missing ones")

    def handle(self, *args: Any, **options: Any) -> None:
        made = failed = 0
        for slot in photo_slots().values():
            model = apps.get_model(slot.model)
            # unscoped: the operator's command, every stored photo of the kind
            rows = model._default_manager.exclude(**{slot.field: ""}).only("pk", slot.field).iterator()
            for obj in rows:
                stored = getattr(obj, slot.field)
                if not options["all"] and stored.storage.exists(thumb_name(stored.name)):
                    continue
                try:
                    thumbnail_make(stored)
                except OSError as exc:  # a file gone from storage or unreadable: say so, go on
                    failed += 1
                    self.stderr.write(f"{slot.kind} {obj.pk}: {exc}")
                    continue
                made += 1
        self.stdout.write(f"{made} thumbnails made, {failed} failed")
