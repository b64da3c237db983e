"""Draw the installable app's icons (the red 共 of the site's logo) at the sizes browsers ask for:
192 and 512 px (any purpose, a round badge), 512 px maskable (full bleed, the mark inside the safe circle),
180 px for iOS home screens (no transparency). Run again after changing the mark:

    .venv/bin/python scripts/draw_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

RED = (179, 38, 30)
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "src/gongzhi/static/gongzhi/icons"
FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
]
SC_INDEX = 2  # the Simplified Chinese face in Noto's collections (JP, KR, SC, TC, HK)


def _font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size, index=SC_INDEX)
    raise SystemExit("Noto Sans CJK is needed (apt-get install fonts-noto-cjk)")


def draw(size: int, *, full_bleed: bool, glyph_share: float) -> Image.Image:
    """The mark at ``size`` px: a red disc (or a red square for maskable and iOS icons) with a white 共
    taking ``glyph_share`` of the side, and a thin white ring that reads as "together"."""
    scale = 4  # draw large, then shrink: smooth edges without anti-aliasing of our own
    side = size * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0) if not full_bleed else (*RED, 255))
    pen = ImageDraw.Draw(image)
    if not full_bleed:
        pen.ellipse((0, 0, side - 1, side - 1), fill=RED)
    ring = side * (0.40 if full_bleed else 0.44)
    centre = side / 2
    pen.ellipse(
        (centre - ring, centre - ring, centre + ring, centre + ring), outline=WHITE, width=max(2, side // 64)
    )
    font = _font(int(side * glyph_share))
    pen.text((centre, centre), "共", font=font, fill=WHITE, anchor="mm")
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    return image.convert("RGB") if full_bleed else image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icons = {
        "icon-192.png": draw(192, full_bleed=False, glyph_share=0.56),
        "icon-512.png": draw(512, full_bleed=False, glyph_share=0.56),
        "maskable-512.png": draw(512, full_bleed=True, glyph_share=0.46),
        "apple-touch-icon.png": draw(180, full_bleed=True, glyph_share=0.52),
    }
    for name, image in icons.items():
        image.save(OUT / name, optimize=True)
        print(OUT / name, image.size)


if __name__ == "__main__":
    main()
