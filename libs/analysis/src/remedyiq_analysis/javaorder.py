"""The reference analyzer's tie order: Java ``HashMap`` iteration order of string keys.

Several reference tables ("most executed", "most filters per transaction", "most filter levels")
are stable sorts of a ``HashMap``'s values, so equal counts keep the map's iteration order: by
bucket — the spread ``String.hashCode`` masked by the table size, which doubles past a 0.75 load —
then by insertion within a bucket. Reproducing it makes those tables identical to the
reference's, not just equal as sets.
"""

from __future__ import annotations

from collections.abc import Sequence


def java_string_hash(text: str) -> int:
    """``String.hashCode()`` (over UTF-16 code units), as an unsigned 32-bit value."""
    value = 0
    data = text.encode("utf-16-be", "surrogatepass")
    for index in range(0, len(data), 2):
        value = (31 * value + ((data[index] << 8) | data[index + 1])) & 0xFFFFFFFF
    return value


def _capacity(size: int) -> int:
    capacity = 16
    while size > capacity * 3 // 4:
        capacity *= 2
    return capacity


def hashmap_order(keys: Sequence[str]) -> list[int]:
    """Indices of ``keys`` (given in insertion order) in ``HashMap`` iteration order."""
    mask = _capacity(len(keys)) - 1

    def bucket(index: int) -> tuple[int, int]:
        value = java_string_hash(keys[index])
        return (value ^ (value >> 16)) & mask, index

    return sorted(range(len(keys)), key=bucket)
