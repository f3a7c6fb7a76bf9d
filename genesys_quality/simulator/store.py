"""The organisation's evaluations: the lazy generated population plus an overlay of mutations.

The overlay holds only what changed: generated evaluations served from a stored document
(`replaced`, e.g. a version that became RETRACTED), generated evaluations that were deleted, and
documents that never were generated (`extras`: added evaluations and new rescored versions).

Order is (createdDate, id) everywhere. Within a month the generated evaluations are already in
that order (createdDate strictly increasing in the index), so a createdDate window is an index
range, and a page is found by walking a short list of segments — index ranges between the few
overlay entries — without materialising the month.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Callable, Iterator

from . import dates
from .ids import KIND_CONVERSATION
from .population import Population

Ref = tuple
"""("base", month, index) for a generated evaluation, ("doc", id) for a stored one."""
Segment = tuple
"""("base", month, range) — a run of generated evaluations — or ("doc", id)."""


class EvaluationStore:
    """Generated population + overlay. Not thread-safe: the Organisation's lock guards it."""

    def __init__(self, population: Population) -> None:
        self.population = population
        self._replaced: dict[tuple[str, int], dict] = {}
        self._deleted_base: dict[str, list[int]] = {}
        self._extra_keys: dict[str, list[tuple[int, str]]] = {}
        self._extras: dict[str, dict] = {}
        self.deleted_ids: set[str] = set()
        self.patches: dict[str, list[tuple]] = {}
        self.revision = 0
        """Bumped by every change, so cached search results know they are stale."""
        self._cache: OrderedDict[tuple, list] = OrderedDict()

    # -- lookups -------------------------------------------------------------------------------

    def get(self, evaluation_id: str, with_answers: bool = True) -> dict | None:
        ref = self.ref_of(evaluation_id)
        return None if ref is None else self.doc(ref, with_answers)

    def ref_of(self, evaluation_id: str) -> Ref | None:
        if evaluation_id in self._extras:
            return ("doc", evaluation_id)
        located = self.population.locate(evaluation_id)
        if located is None or self._is_deleted_base(*located):
            return None
        return ("base", *located)

    def resolve(self, ref: Ref, with_answers: bool = True) -> dict | None:
        """The document behind a ref, or None if it was deleted since the ref was taken."""
        if ref[0] == "doc":
            return self._extras.get(ref[1])
        if self._is_deleted_base(ref[1], ref[2]):
            return None
        return self.doc(ref, with_answers)

    def is_stored(self, ref: Ref) -> bool:
        """True when the ref is served from a stored document (shared, so callers must copy before editing)."""
        return ref[0] == "doc" or (ref[1], ref[2]) in self._replaced

    def doc(self, ref: Ref, with_answers: bool = True) -> dict:
        if ref[0] == "doc":
            return self._extras[ref[1]]
        stored = self._replaced.get((ref[1], ref[2]))
        return stored if stored is not None else self.population.generate(ref[1], ref[2], with_answers)

    def by_conversation(self, conversation_id: str) -> list[Ref]:
        refs = []
        located = self.population.locate(conversation_id, kind=KIND_CONVERSATION)
        if located is not None and not self._is_deleted_base(*located) and located not in self._replaced:
            refs.append(("base", *located))
        refs.extend(ref for ref, doc in self.overlay_docs() if doc["conversation"]["id"] == conversation_id)
        return refs

    # -- changes ---------------------------------------------------------------------------------

    def put(self, doc: dict) -> None:
        """Store the new state of an existing evaluation (same id)."""
        ref = self.ref_of(doc["id"])
        if ref is None:
            raise LookupError(f"evaluation {doc['id']} does not exist")
        if ref[0] == "doc":
            self._extras[doc["id"]] = doc
        else:
            self._replaced[(ref[1], ref[2])] = doc
        self.revision += 1

    def add(self, doc: dict) -> None:
        created = dates.parse_iso(doc["createdDate"])
        month = dates.month_of_ms(created)
        bisect.insort(self._extra_keys.setdefault(month, []), (created, doc["id"]))
        self._extras[doc["id"]] = doc
        self.revision += 1

    def delete(self, evaluation_id: str) -> None:
        ref = self.ref_of(evaluation_id)
        if ref is None:
            raise LookupError(f"evaluation {evaluation_id} does not exist (unknown or already deleted)")
        if ref[0] == "doc":
            doc = self._extras.pop(evaluation_id)
            created = dates.parse_iso(doc["createdDate"])
            self._extra_keys[dates.month_of_ms(created)].remove((created, evaluation_id))
        else:
            self._replaced.pop((ref[1], ref[2]), None)
            bisect.insort(self._deleted_base.setdefault(ref[1], []), ref[2])
        self.deleted_ids.add(evaluation_id)
        self.revision += 1

    # -- ordered access ----------------------------------------------------------------------

    def months(self) -> list[str]:
        return sorted(set(self.population.months) | {m for m, keys in self._extra_keys.items() if keys})

    def sequence(self, low_ms: int, high_ms: int) -> list[Segment]:
        """Everything created in [low_ms, high_ms), in (createdDate, id) order, as segments."""
        segments: list[Segment] = []
        for month in self.months():
            start = dates.month_start_ms(month)
            if start < high_ms and dates.month_start_ms(dates.add_months(month, 1)) > low_ms:
                segments.extend(self._month_sequence(month, low_ms, high_ms))
        return segments

    def without(self, segments: list[Segment], evaluation_ids: set[str]) -> list[Segment]:
        """`segments` less the evaluations with these ids (a few: split around them, never expanded)."""
        if not evaluation_ids:
            return segments
        docs: set[str] = set()
        base: dict[str, list[int]] = {}
        for evaluation_id in evaluation_ids:
            ref = self.ref_of(evaluation_id)
            if ref is not None and ref[0] == "doc":
                docs.add(ref[1])
            elif ref is not None:
                base.setdefault(ref[1], []).append(ref[2])
        kept: list[Segment] = []
        for segment in segments:
            if segment[0] == "doc":
                if segment[1] not in docs:
                    kept.append(segment)
            else:
                run = segment[2]
                kept.extend(_runs(segment[1], run.start, run.stop, sorted(base.get(segment[1], ()))))
        return kept

    def base_candidates(self, low_ms: int, high_ms: int) -> Iterator[tuple[str, int]]:
        """Generated evaluations created in [low_ms, high_ms) that the overlay does not hold or delete."""
        for month in self.population.months:
            layout = self.population.layout(month)
            if layout is None or layout.start >= high_ms or layout.end <= low_ms:
                continue
            deleted = set(self._deleted_base.get(month, ()))
            for index in range(layout.first_index_at_or_after(low_ms), layout.first_index_at_or_after(high_ms)):
                if index not in deleted and (month, index) not in self._replaced:
                    yield month, index

    def find_sorted(
        self,
        match: Callable[[dict], bool],
        sort_field: str,
        created_window: tuple[int, int],
        descending: bool,
        cache_key: tuple,
        prefilter: Callable[[str, int], bool] | None = None,
    ) -> list:
        """Packed refs of every evaluation that matches, by (sort_field, id); those without the field last.

        Scans the generated evaluations whose createdDate lies in `created_window` (without answers,
        skipping those `prefilter` rules out) plus every overlay document. Results are cached per
        query until the next change.
        """
        key = (cache_key, self.revision)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        present, missing = [], []
        for month, index in self.base_candidates(*created_window):
            if prefilter is not None and not prefilter(month, index):
                continue
            doc = self.population.generate(month, index, with_answers=False)
            if match(doc):
                packed = (dates.month_ordinal(month) << 40) | index
                (present if sort_field in doc else missing).append((doc.get(sort_field), doc["id"], packed))
        for ref, doc in self.overlay_docs():
            if match(doc):
                packed = ref[1] if ref[0] == "doc" else (dates.month_ordinal(ref[1]) << 40) | ref[2]
                (present if sort_field in doc else missing).append((doc.get(sort_field), doc["id"], packed))
        present.sort()
        missing.sort(key=lambda item: item[1])
        if descending:
            present.reverse()
        refs = [item[2] for item in present] + [item[2] for item in missing]
        for stale in [k for k in self._cache if k[1] != self.revision]:
            del self._cache[stale]
        self._cache[key] = refs
        while len(self._cache) > 8:
            self._cache.popitem(last=False)
        return refs

    def overlay_docs(self) -> Iterator[tuple[Ref, dict]]:
        for (month, index), doc in self._replaced.items():
            yield ("base", month, index), doc
        for evaluation_id, doc in self._extras.items():
            yield ("doc", evaluation_id), doc

    def _month_sequence(self, month: str, low_ms: int, high_ms: int) -> list[Segment]:
        layout = self.population.layout(month)
        first = last = 0
        if layout is not None:
            first, last = layout.first_index_at_or_after(low_ms), layout.first_index_at_or_after(high_ms)
        keys = self._extra_keys.get(month, [])
        extras = keys[bisect.bisect_left(keys, (low_ms, "")) : bisect.bisect_left(keys, (high_ms, ""))]
        deleted = self._deleted_base.get(month, [])
        segments: list[Segment] = []
        cursor = first
        for created, evaluation_id in extras:
            position = self._insertion_index(month, created, evaluation_id) if layout is not None else 0
            position = min(max(position, first), last)
            if position > cursor:
                segments.extend(_runs(month, cursor, position, deleted))
                cursor = position
            segments.append(("doc", evaluation_id))
        if last > cursor:
            segments.extend(_runs(month, cursor, last, deleted))
        return segments

    def _insertion_index(self, month: str, created: int, evaluation_id: str) -> int:
        """How many generated evaluations of the month sort before (created, evaluation_id)."""
        layout = self.population.layout(month)
        index = layout.first_index_at_or_after(created)
        if index < layout.size and layout.created_ms(index) == created:
            if self.population.evaluation_id(month, index) < evaluation_id:
                index += 1
        return index

    def _is_deleted_base(self, month: str, index: int) -> bool:
        deleted = self._deleted_base.get(month)
        if not deleted:
            return False
        position = bisect.bisect_left(deleted, index)
        return position < len(deleted) and deleted[position] == index


def _runs(month: str, start: int, stop: int, deleted: list[int]) -> list[Segment]:
    """range(start, stop) split around deleted indices."""
    runs = []
    for index in deleted[bisect.bisect_left(deleted, start) : bisect.bisect_left(deleted, stop)]:
        if index > start:
            runs.append(("base", month, range(start, index)))
        start = index + 1
    if stop > start:
        runs.append(("base", month, range(start, stop)))
    return runs


def segment_length(segment: Segment) -> int:
    return len(segment[2]) if segment[0] == "base" else 1


def slice_segments(segments: list[Segment], offset: int, limit: int, descending: bool = False) -> list[Ref]:
    """Refs at positions [offset, offset + limit) of the ordered segments (reversed when descending)."""
    refs: list[Ref] = []
    ordered = reversed(segments) if descending else segments
    for segment in ordered:
        if len(refs) >= limit:
            break
        size = segment_length(segment)
        if offset >= size:
            offset -= size
            continue
        if segment[0] == "doc":
            refs.append(segment)
        else:
            indices = segment[2][::-1] if descending else segment[2]
            take = indices[offset : offset + limit - len(refs)]
            refs.extend(("base", segment[1], index) for index in take)
        offset = 0
    return refs


def iterate_segments(segments: list[Segment]) -> Iterator[Ref]:
    for segment in segments:
        if segment[0] == "doc":
            yield segment
        else:
            for index in segment[2]:
                yield ("base", segment[1], index)


def unpack(packed) -> Ref:
    """A ref from `find_sorted`'s compact form (an int for a generated evaluation, an id otherwise)."""
    if isinstance(packed, str):
        return ("doc", packed)
    return ("base", dates.month_from_ordinal(packed >> 40), packed & ((1 << 40) - 1))
