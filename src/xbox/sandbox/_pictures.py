"""The pictures inside the sandbox's capture files: a seeded game scene, drawn at any size.

A scene is a few flat-shaded shapes on a virtual 256 x 144 canvas: a sky that fades between
two colours, a sun, two ranges of hills, a striped ground, a few pillars, a ball that bounces
across the ground once a second, and the bars a capture overlay shows (the game's name and the
clip's length above, a running clock below). Colours and sky come from the game (its clips
look alike), shapes and the ball from the capture (no two look the same).

Pictures are palette images (a byte per pixel, at most 256 colours): a PNG stores them as
they are, and the video encoder turns them into Y, Cb and Cr planes with ``bytes.translate``.
Drawn at another size the same scene scales (a thumbnail is its capture, smaller); text
smaller than its 5 x 7 font becomes a smudge, as it does in a real thumbnail.
"""

from __future__ import annotations

import colorsys
import hashlib
import math
import random
import unicodedata
from dataclasses import dataclass

__all__ = ["HEIGHT", "WIDTH", "Canvas", "Scene", "clock_text"]

WIDTH, HEIGHT = 256, 144  # the virtual canvas, and the clips' picture size
TOP_BAR, BOTTOM_BAR = 16, 128  # the overlay bars: y < TOP_BAR and y >= BOTTOM_BAR
GROUND = 104  # where the hills stand and the ball bounces
COUNTER_COLUMN = 12  # the running clock's first 16-pixel column (m:ss in columns 12-15)

RGB = tuple[int, int, int]

# A 5 x 7 font, capitals, digits and common punctuation: seven rows, bit 4 the leftmost pixel.
_FONT: dict[str, tuple[int, ...]] = {
    "0": (14, 17, 19, 21, 25, 17, 14), "1": (4, 12, 4, 4, 4, 4, 14),
    "2": (14, 17, 1, 2, 4, 8, 31), "3": (31, 2, 4, 2, 1, 17, 14),
    "4": (2, 6, 10, 18, 31, 2, 2), "5": (31, 16, 30, 1, 1, 17, 14),
    "6": (6, 8, 16, 30, 17, 17, 14), "7": (31, 1, 2, 4, 8, 8, 8),
    "8": (14, 17, 17, 14, 17, 17, 14), "9": (14, 17, 17, 15, 1, 2, 12),
    "A": (14, 17, 17, 17, 31, 17, 17), "B": (30, 17, 17, 30, 17, 17, 30),
    "C": (14, 17, 16, 16, 16, 17, 14), "D": (28, 18, 17, 17, 17, 18, 28),
    "E": (31, 16, 16, 30, 16, 16, 31), "F": (31, 16, 16, 30, 16, 16, 16),
    "G": (14, 17, 16, 23, 17, 17, 15), "H": (17, 17, 17, 31, 17, 17, 17),
    "I": (14, 4, 4, 4, 4, 4, 14), "J": (7, 2, 2, 2, 2, 18, 12),
    "K": (17, 18, 20, 24, 20, 18, 17), "L": (16, 16, 16, 16, 16, 16, 31),
    "M": (17, 27, 21, 21, 17, 17, 17), "N": (17, 17, 25, 21, 19, 17, 17),
    "O": (14, 17, 17, 17, 17, 17, 14), "P": (30, 17, 17, 30, 16, 16, 16),
    "Q": (14, 17, 17, 17, 21, 18, 13), "R": (30, 17, 17, 30, 20, 18, 17),
    "S": (15, 16, 16, 14, 1, 1, 30), "T": (31, 4, 4, 4, 4, 4, 4),
    "U": (17, 17, 17, 17, 17, 17, 14), "V": (17, 17, 17, 17, 17, 10, 4),
    "W": (17, 17, 17, 21, 21, 21, 10), "X": (17, 17, 10, 4, 10, 17, 17),
    "Y": (17, 17, 17, 10, 4, 4, 4), "Z": (31, 1, 2, 4, 8, 16, 31),
    " ": (0,) * 7, ":": (0, 12, 12, 0, 12, 12, 0), ".": (0, 0, 0, 0, 0, 12, 12),
    ",": (0, 0, 0, 0, 12, 4, 8), "'": (12, 4, 8, 0, 0, 0, 0), "!": (4, 4, 4, 4, 4, 0, 4),
    "?": (14, 17, 1, 2, 4, 0, 4), "-": (0, 0, 0, 31, 0, 0, 0), "/": (0, 1, 2, 4, 8, 16, 0),
    "&": (12, 18, 20, 8, 21, 18, 13), "(": (2, 4, 8, 8, 8, 4, 2), ")": (8, 4, 2, 2, 2, 4, 8),
    "+": (0, 4, 4, 31, 4, 4, 0), "#": (10, 10, 31, 10, 31, 10, 10), "_": (0, 0, 0, 0, 0, 0, 31),
}
GLYPH_ADVANCE = 6  # 5 pixels and a space

# The overlay: near-black bars, light text, a red recording dot; the same in every game.
BAR = (14, 16, 22)
TEXT = (236, 238, 242)
DIM_TEXT = (150, 156, 170)
RECORDING = (220, 40, 40)
_BALLS: tuple[RGB, ...] = ((235, 64, 52), (250, 160, 30), (250, 225, 50), (60, 200, 240),
                           (225, 80, 205), (120, 230, 70), (245, 245, 245), (40, 90, 230))

# A game's look: a sky (top, horizon) and a land (far hills, near hills, ground stripes,
# pillars), drawn apart, then turned in hue; a game's captures share it.
_SKIES: tuple[tuple[RGB, RGB], ...] = (
    ((40, 110, 200), (170, 210, 240)),  # day
    ((30, 20, 70), (240, 140, 90)),  # dusk
    ((5, 10, 30), (40, 60, 110)),  # night
    ((90, 100, 110), (185, 188, 192)),  # overcast
    ((60, 80, 160), (250, 200, 150)),  # dawn
    ((20, 60, 60), (110, 190, 170)),  # green haze
)
_LANDS: tuple[tuple[RGB, RGB, RGB, RGB, RGB], ...] = (
    ((70, 110, 90), (50, 110, 60), (70, 150, 60), (60, 135, 55), (110, 90, 70)),  # meadow
    ((150, 90, 70), (120, 70, 50), (200, 140, 90), (185, 128, 82), (90, 50, 40)),  # canyon
    ((200, 170, 120), (170, 130, 80), (220, 190, 130), (205, 175, 120), (150, 100, 60)),  # dunes
    ((180, 200, 220), (120, 140, 170), (235, 240, 245), (220, 228, 236), (90, 100, 120)),  # snow
    ((90, 60, 110), (50, 35, 70), (120, 80, 60), (105, 70, 55), (40, 30, 50)),  # moor
    ((30, 40, 70), (15, 25, 45), (40, 50, 60), (34, 44, 54), (80, 80, 100)),  # city at night
    ((40, 100, 90), (20, 70, 50), (40, 120, 70), (35, 108, 62), (60, 50, 40)),  # jungle
)


def _rng(key: str) -> random.Random:
    return random.Random(hashlib.sha256(key.encode()).digest())


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t),
            round(a[2] + (b[2] - a[2]) * t))


def _jitter(rng: random.Random, colour: RGB, amount: int) -> RGB:
    r, g, b = (max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)
    return (r, g, b)


def _turn_hue(colour: RGB, turn: float) -> RGB:
    h, lightness, saturation = colorsys.rgb_to_hls(*(c / 255 for c in colour))
    r, g, b = colorsys.hls_to_rgb((h + turn) % 1.0, lightness, saturation)
    return (round(r * 255), round(g * 255), round(b * 255))


def _sky(top: RGB, horizon: RGB) -> list[RGB]:
    """The colours of the sky's 4-pixel bands, from ``top`` to ``horizon``.

    Each odd band is the even band above it made lighter or darker by the same amount in
    every channel: that changes the luma alone, so each 8-pixel pair of bands has one colour
    in 4:2:0 chroma (whose blocks are 8 pixels tall) and the video codes it exactly.
    """
    bands = (GROUND - TOP_BAR) // 4
    out = []
    for band in range(0, bands, 2):
        base = _mix(top, horizon, band / (bands - 1))
        target = _mix(top, horizon, (band + 1) / (bands - 1))
        shift = round(sum(w * (t - b) for w, t, b in zip((0.2126, 0.7152, 0.0722), target, base,
                                                         strict=True)))
        shift = max(-min(base), min(255 - max(base), shift))  # no channel leaves 0..255
        out += [base, (base[0] + shift, base[1] + shift, base[2] + shift)]
    return out


def _glyphs(text: str) -> str:
    """``text`` in the font's characters: capitals, accents dropped, others as spaces."""
    plain = unicodedata.normalize("NFKD", text).upper()
    out = "".join(c for c in plain if not unicodedata.combining(c) and c != "\u00ae")
    return "".join(c if c in _FONT else " " for c in out)


def clock_text(seconds: int) -> str:
    """A clip time as its overlay shows it: ``m:ss`` (``mm:ss`` from ten minutes)."""
    return f"{seconds // 60}:{seconds % 60:02d}"


class Canvas:
    """A palette image of ``width`` x ``height`` drawn from virtual 256 x 144 coordinates."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.sx, self.sy = width / WIDTH, height / HEIGHT
        self.pixels = bytearray(width * height)
        self.palette: list[RGB] = []
        self._index: dict[RGB, int] = {}

    def colour(self, rgb: RGB) -> int:
        """The palette index of ``rgb``, added if new (the nearest colour once full)."""
        index = self._index.get(rgb)
        if index is None:
            if len(self.palette) < 256:
                index = len(self.palette)
                self.palette.append(rgb)
            else:
                index = min(range(256), key=lambda i: sum((a - b) ** 2 for a, b in
                                                          zip(self.palette[i], rgb, strict=True)))
            self._index[rgb] = index
        return index

    def copy(self) -> Canvas:
        other = Canvas(self.width, self.height)
        other.pixels[:] = self.pixels
        other.palette = list(self.palette)
        other._index = dict(self._index)
        return other

    def _span(self, a: float, b: float, scale: float, limit: int) -> tuple[int, int]:
        start = max(0, min(limit, round(a * scale)))
        end = max(0, min(limit, round(b * scale)))
        if end <= start and start < limit and b > a:
            end = start + 1  # never drop a shape for being thinner than a pixel
        return start, end

    def rect(self, x0: float, y0: float, x1: float, y1: float, rgb: RGB) -> None:
        """Fill [x0, x1) x [y0, y1) (virtual coordinates)."""
        a, b = self._span(x0, x1, self.sx, self.width)
        top, bottom = self._span(y0, y1, self.sy, self.height)
        if a >= b:
            return
        run = bytes([self.colour(rgb)]) * (b - a)
        for y in range(top, bottom):
            self.pixels[y * self.width + a:y * self.width + b] = run

    def disc(self, cx: float, cy: float, radius: float, rgb: RGB, cell: int = 0) -> None:
        """Fill the disc of ``radius`` around (cx, cy) (virtual coordinates); with ``cell``,
        in whole cells of that many virtual pixels on the cell grid (pixel-art style, and
        flat in every 4x4 block of the video when ``cell`` is 4)."""
        if cell:
            first_x, first_y = int((cx - radius) // cell), int((cy - radius) // cell)
            for gy in range(first_y, int((cy + radius) // cell) + 1):
                for gx in range(first_x, int((cx + radius) // cell) + 1):
                    dx, dy = (gx + 0.5) * cell - cx, (gy + 0.5) * cell - cy
                    if dx * dx + dy * dy <= radius * radius:
                        self.rect(gx * cell, gy * cell, (gx + 1) * cell, (gy + 1) * cell, rgb)
            return
        index = bytes([self.colour(rgb)])
        top, bottom = self._span(cy - radius, cy + radius, self.sy, self.height)
        for y in range(top, bottom):
            dy = (y + 0.5) / self.sy - cy
            if abs(dy) > radius:
                continue
            half = math.sqrt(radius * radius - dy * dy)
            a, b = self._span(cx - half, cx + half, self.sx, self.width)
            if a < b:
                self.pixels[y * self.width + a:y * self.width + b] = index * (b - a)

    def text(self, x: float, y: float, text: str, rgb: RGB, size: float = 1) -> float:
        """Draw ``text`` with its top left at (x, y), font pixels ``size`` virtual pixels
        wide; returns the x after the last character."""
        for char in _glyphs(text):
            for row, bits in enumerate(_FONT[char]):
                col = 0
                while col < 5:
                    if bits & (16 >> col):
                        start = col
                        while col < 5 and bits & (16 >> col):
                            col += 1
                        self.rect(x + start * size, y + row * size, x + col * size,
                                  y + (row + 1) * size, rgb)
                    col += 1
            x += GLYPH_ADVANCE * size
        return x

    def rgb(self) -> bytes:
        """The pixels as 8-bit RGB, row after row."""
        table = [bytes(c) for c in self.palette] + [b"\x00\x00\x00"] * (256 - len(self.palette))
        return b"".join(table[i] for i in self.pixels)


@dataclass(frozen=True)
class Scene:
    """Everything a capture's pictures show, decided by its ids.

    Args:
        key: the capture's id (shapes, ball, sun).
        game: the game's name (its look, and the overlay's title).
        duration: a clip's length in seconds (0 for a screenshot: no clock, no ball motion).
        caption: the capture's caption, shown in the lower bar of a clip.
    """

    key: str
    game: str
    duration: int = 0
    caption: str = ""

    def _look(self) -> tuple[RGB, ...]:
        """The game's colours: sky top, horizon, far and near hills, ground, its stripes and
        the pillars, one of the skies and one of the lands, hues turned up to 30 degrees."""
        rng = _rng("look:" + self.game)
        look = rng.choice(_SKIES) + rng.choice(_LANDS)
        turn = rng.uniform(-1 / 12, 1 / 12)
        return tuple(_jitter(rng, _turn_hue(c, turn), 8) for c in look)

    def background(self, width: int = WIDTH, height: int = HEIGHT) -> Canvas:
        """Everything but the ball and the clock, at ``width`` x ``height``."""
        canvas = Canvas(width, height)
        sky_top, horizon, far, near, ground, stripe, pillar = self._look()
        rng = _rng("scene:" + self.key)
        for band, colour in enumerate(_sky(sky_top, horizon)):  # the sky fades in 4-pixel bands
            canvas.rect(0, TOP_BAR + 4 * band, WIDTH, TOP_BAR + 4 * band + 4, colour)
        sun = _mix((255, 236, 160), horizon, 0.25 * rng.random())
        canvas.disc(rng.uniform(24, WIDTH - 24), rng.uniform(32, 60), rng.uniform(10, 16), sun, 4)
        for colour, step, low, high in ((far, 8, 24, 64), (near, 4, 8, 36)):
            height_now = rng.uniform(low, high)
            for x in range(0, WIDTH, step):  # a random walk, in columns as wide as `step`
                height_now = max(low, min(high, height_now + rng.uniform(-6, 6)))
                canvas.rect(x, GROUND - round(height_now / 4) * 4, x + step, GROUND, colour)
        for band in range((HEIGHT - GROUND) // 8):  # ground stripes, 8 pixels each
            y = GROUND + 8 * band
            canvas.rect(0, y, WIDTH, y + 8, ground if band % 2 == 0 else stripe)
        for _ in range(rng.randint(2, 4)):  # pillars standing on the ground
            x = rng.randrange(0, WIDTH - 16, 4)
            top = GROUND - rng.randrange(20, 56, 4)
            canvas.rect(x, top, x + rng.choice((8, 12)), GROUND + 4, _jitter(rng, pillar, 10))
        canvas.rect(0, 0, WIDTH, TOP_BAR, BAR)
        canvas.text(4, 5, self.game, TEXT)
        if self.duration:
            length = clock_text(self.duration)
            canvas.text(WIDTH - 4 - GLYPH_ADVANCE * len(length), 5, length, DIM_TEXT)
            canvas.rect(0, BOTTOM_BAR, WIDTH, HEIGHT, BAR)
            canvas.disc(10, BOTTOM_BAR + 8, 3, RECORDING)
            # The caption stays left of the clock (whose 16-pixel columns it must not touch).
            room = ((COUNTER_COLUMN - 1) * 16 - 4 - 20) // GLYPH_ADVANCE
            canvas.text(20, BOTTOM_BAR + 5, self.caption[:room], DIM_TEXT)
        return canvas

    def ball(self, canvas: Canvas, phase: float) -> None:
        """Draw the ball (and its shadow) where it is at ``phase`` (0 to 1) of its second."""
        rng = _rng("ball:" + self.key)
        # A vivid colour, of three drawn the one that stands out most against the game's
        # hills, ground and horizon.
        _, horizon, far, near, ground, stripe, _ = self._look()
        colour = max(rng.sample(_BALLS, 3), key=lambda c: min(
            sum(abs(a - b) for a, b in zip(c, other, strict=True))
            for other in (horizon, far, near, ground, stripe)))
        centre, reach = rng.uniform(72, WIDTH - 72), rng.uniform(32, 60)
        radius, bounce = 10, rng.uniform(20, 36)
        # In 4-pixel cells, as the hills are (each 4x4 block of the video stays one colour),
        # centred on a cell: five cells across, the corners cut.
        x = round((centre + reach * math.sin(2 * math.pi * phase)) / 4) * 4 + 2
        y = round((GROUND + 4 - radius - bounce * abs(math.sin(2 * math.pi * phase))) / 4) * 4 + 2
        canvas.rect(x - 10, GROUND + 8, x + 10, GROUND + 12, (20, 20, 20))  # the shadow
        canvas.disc(x, y, radius, colour, 4)

    def clock(self, canvas: Canvas, seconds: int, only: int | None = None) -> None:
        """Draw the running clock, one character per 16-pixel column: ``mm:ss`` in columns
        COUNTER_COLUMN - 1 to COUNTER_COLUMN + 3 (``only``: that column alone)."""
        text = clock_text(seconds).rjust(5)[-5:]
        for i, char in enumerate(text):
            column = COUNTER_COLUMN - 1 + i
            if only is None or column == only:
                canvas.rect(column * 16, BOTTOM_BAR, column * 16 + 16, HEIGHT, BAR)
                canvas.text(column * 16 + 3, BOTTOM_BAR + 1, char, TEXT, 2)

    def picture(self, width: int, height: int, seconds: int = 0, phase: float | None = None
                ) -> Canvas:
        """The whole picture: a clip's at ``seconds`` + ``phase`` (default its first), a
        screenshot's with the ball wherever its key puts it."""
        canvas = self.background(width, height)
        if phase is None:
            phase = 0.0 if self.duration else _rng("shot:" + self.key).random()
        self.ball(canvas, phase)
        if self.duration:
            self.clock(canvas, seconds)
        return canvas
