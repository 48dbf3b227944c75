"""The small scene several transport tests share: a static dog (id 1) and a ball (id 2) rolling right.

120x160 pixels, 45 frames at 15 fps, on a textured background; stamps start at 1 s.
"""

import numpy as np

H, W, N, FPS = 120, 160, 45, 15.0
START = 1_000_000_000
CATEGORIES = {1: "dog", 2: "ball"}
_BACKGROUND = np.random.default_rng(1).integers(0, 255, (H, W, 3), dtype=np.uint8)


def stamp(i: int) -> int:
    """Stamp of frame i in nanoseconds."""
    return START + round(i * 1e9 / FPS)


def scene(i: int) -> tuple[np.ndarray, np.ndarray]:
    """Frame i: (RGB image, object-id labels)."""
    img = _BACKGROUND.copy()
    labels = np.zeros((H, W), np.uint8)
    img[40:80, 10:40] = (150, 100, 40)
    labels[40:80, 10:40] = 1
    x = 60 + 2 * i
    img[50:70, x:x + 20] = (220, 30, 30)
    labels[50:70, x:x + 20] = 2
    return img, labels
