"""Near-identical listing images as one identifier: perceptual hashes (netsword.image_hash, 64-bit pHash) that
differ in at most `max_distance` bits are grouped, and every hash of a group links as its smallest member.

Pairs are found by the pigeonhole principle, not by comparing every pair: two hashes at most d bits apart agree
exactly on at least one of d + 1 disjoint blocks of their bits, so hashes are bucketed by each block's value and
compared only within a bucket (at 4 bits, 5 blocks of 12–13 bits: a handful of hashes per bucket even at a million).
Groups are connected components (union-find), so a chain of small edits stays one image.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from netsword.image_hash import distance, is_hash

MAX_DISTANCE = 4  # of 64 bits: re-encoded, resized, lightly cropped or stamped copies of one photo
BUCKET_LIMIT = 2000  # a bucket this full (blank or solid images) is compared no further: such images link nobody


def _blocks(bits: int, parts: int) -> list[tuple[int, int]]:
    """(shift, mask) of `parts` disjoint blocks covering `bits` bits."""
    size, extra = divmod(bits, parts)
    out, shift = [], 0
    for i in range(parts):
        width = size + (1 if i < extra else 0)
        out.append((shift, (1 << width) - 1))
        shift += width
    return out


def near_duplicate_groups(hashes: Iterable[str], max_distance: int = MAX_DISTANCE) -> dict[str, str]:
    """hash → the smallest hash of its group (itself when alone), for every well-formed 16-hex-digit hash given."""
    values = sorted({h for h in hashes if is_hash(h)})
    parent = {h: h for h in values}

    def root(h: str) -> str:
        while parent[h] != h:
            parent[h] = parent[parent[h]]
            h = parent[h]
        return h

    if max_distance > 0:
        numbers = [int(h, 16) for h in values]
        for shift, mask in _blocks(64, max_distance + 1):
            buckets: dict[int, list[int]] = defaultdict(list)
            for i, n in enumerate(numbers):
                buckets[(n >> shift) & mask].append(i)
            for members in buckets.values():
                if len(members) < 2 or len(members) > BUCKET_LIMIT:
                    continue
                for x, i in enumerate(members):
                    for j in members[x + 1 :]:
                        if distance(values[i], values[j]) <= max_distance:
                            a, b = root(values[i]), root(values[j])
                            if a != b:
                                parent[max(a, b)] = min(a, b)
    return {h: root(h) for h in values}
