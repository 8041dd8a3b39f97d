"""The random draw of a certification's questions: seeded, so a stored seed replays it."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable

from app.services.errors import ErrorCode, PlumeError

SEED_BITS = 31  # fits an INTEGER column on every database


def new_seed() -> int:
    """A fresh seed for one attempt's draw, unpredictable to the candidate.

    Returns:
        A non-negative integer below 2**31.
    """
    return secrets.randbits(SEED_BITS)


def draw(pool: Iterable[int], size: int, seed: int) -> list[int]:
    """Draw `size` question ids from a pool: the same pool and seed always give the same questions.

    The pool is sorted first, so the order the database returned it in does not matter.

    Args:
        pool: The ids of the bank's questions.
        size: How many to draw.
        seed: The attempt's seed.

    Returns:
        The drawn ids, in the order they are asked.

    Raises:
        PlumeError: BANK_TOO_SMALL when the pool holds fewer than `size` questions.
    """
    ordered = sorted(set(pool))
    if size < 1 or size > len(ordered):
        raise PlumeError(ErrorCode.BANK_TOO_SMALL, size=str(size))
    # Not a secret: the seed is, and it is stored so that an auditor replays the draw.
    return random.Random(seed).sample(ordered, size)  # noqa: S311
