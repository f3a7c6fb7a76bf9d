"""Deterministic identifiers.

Generated evaluations and conversations get ids that *encode* their (month, index) under a
seed-derived mask, so a GET by id on a million-evaluation month is a decode, not a scan. The ids
are valid version-4 UUIDs and look random; the decoder verifies a 64-bit check, so foreign ids
never decode by accident.
"""

from __future__ import annotations

import hashlib
import random
import uuid

MASK64 = (1 << 64) - 1
_MASK62 = (1 << 62) - 1
_VERSION_BITS = 0xF << 12

KIND_EVALUATION = 1
KIND_CONVERSATION = 2
KIND_EVALUATION_CONTEXT = 3


def mix64(value: int) -> int:
    """splitmix64 finaliser: a fast, well-spread 64-bit hash of an integer."""
    value = (value + 0x9E3779B97F4A7C15) & MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & MASK64
    return value ^ (value >> 31)


def key_of(*parts: object) -> int:
    """A 64-bit key from arbitrary labels (used once per setup, not per evaluation)."""
    text = "|".join(str(part) for part in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def derive(key: int, *values: int) -> int:
    for value in values:
        key = mix64(key ^ (value & MASK64))
    return key


def unit(key: int, *values: int) -> float:
    """A uniform float in [0, 1) that is a pure function of its inputs."""
    return derive(key, *values) / 18446744073709551616.0


def stable_uuid(*parts: object) -> str:
    """A version-4 UUID that is a pure function of its labels (forms, users, queues)."""
    digest = hashlib.blake2b("|".join(str(part) for part in parts).encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def random_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class IdCodec:
    """Invertible ids for generated entities: (kind, month ordinal, index) <-> UUID string."""

    def __init__(self, seed: int) -> None:
        self._key = key_of(seed, "ids")
        self._mask_key = key_of(seed, "id-mask")

    def _high(self, kind: int, month_ordinal: int, index: int) -> int:
        return (derive(self._key, kind, month_ordinal, index) & ~_VERSION_BITS) | (0x4 << 12)

    def encode(self, kind: int, month_ordinal: int, index: int) -> str:
        high = self._high(kind, month_ordinal, index)
        payload = (kind << 58) | (month_ordinal << 40) | index
        low = (0b10 << 62) | (payload ^ (derive(self._mask_key, high) & _MASK62))
        text = f"{high:016x}{low:016x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def decode(self, text: str) -> tuple[int, int, int] | None:
        """(kind, month ordinal, index) of an id this codec made, else None."""
        try:
            value = uuid.UUID(str(text)).int
        except ValueError:
            return None
        high, low = value >> 64, value & MASK64
        if low >> 62 != 0b10:
            return None
        payload = (low & _MASK62) ^ (derive(self._mask_key, high) & _MASK62)
        kind, month_ordinal, index = payload >> 58, (payload >> 40) & 0x3FFFF, payload & ((1 << 40) - 1)
        if self._high(kind, month_ordinal, index) != high:
            return None
        return kind, month_ordinal, index
