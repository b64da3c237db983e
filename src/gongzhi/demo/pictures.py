"""Pictures the demo gives its wishes and projects so that the boards show photos: drawn here (a soft
coloured ground, a few shapes and the thing's name), never fetched from anywhere."""

import io
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

# TrueType CJK fonts of Debian's packages; without one the picture has no words, only its shapes.
FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
PALETTE = [  # (ground, shapes)
    ((250, 228, 214), (214, 120, 90)),
    ((222, 238, 226), (88, 150, 110)),
    ((224, 232, 246), (90, 120, 180)),
    ((248, 238, 206), (196, 150, 60)),
    ((240, 226, 240), (150, 96, 150)),
]
WIDTH, HEIGHT = 960, 720


def _font(size: int) -> ImageFont.FreeTypeFont | None:
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return None


def drawn_photo(title: str, caption: str = "") -> SimpleUploadedFile:
    """A 960×720 JPEG for ``title``: the same title always draws the same picture."""
    seed = zlib.crc32(title.encode())
    ground, ink = PALETTE[seed % len(PALETTE)]
    image = Image.new("RGB", (WIDTH, HEIGHT), ground)
    draw = ImageDraw.Draw(image)
    for n in range(7):  # soft circles, placed by the title's checksum
        r = 60 + (seed >> (n * 3)) % 140
        x = (seed >> n) % WIDTH
        y = (seed >> (n + 5)) % HEIGHT
        tint = tuple(int(g + (c - g) * 0.35) for g, c in zip(ground, ink, strict=True))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tint)
    draw.rounded_rectangle((80, 230, WIDTH - 80, 490), radius=36, fill=(255, 255, 255))
    big, small = _font(64), _font(34)
    if big is not None and small is not None:
        text = title if len(title) <= 12 else title[:11] + "…"
        draw.text((WIDTH / 2, 340), text, font=big, fill=ink, anchor="mm")
        if caption:
            draw.text((WIDTH / 2, 430), caption, font=small, fill=(90, 80, 70), anchor="mm")
    else:
        draw.rectangle((WIDTH / 2 - 120, 330, WIDTH / 2 + 120, 390), fill=ink)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile("demo.jpg", buffer.getvalue(), content_type="image/jpeg")
