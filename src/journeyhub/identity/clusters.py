"""Clusters of matching records, and golden ids that stay stable across re-runs.

Clustering is connected components over the pairs judged to match. Ids are then handed
over from the previous run: each old golden id goes to the new cluster holding most of its
records (ties: the older id), a cluster whose records held no id gets a new one, and an old
id left without a cluster (its records merged into another) redirects to where most of its
records went. So re-running, retraining or adding data never renames a golden id unless its
cluster truly split or merged.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def cluster_labels(
    uids: list[str],
    pairs: list[tuple[str, str]],
    never: Iterable[tuple[str, str]] = (),
) -> np.ndarray:
    """Component label of each uid (same order) when ``pairs`` link records.

    ``never`` pairs (a steward's "never match") are a constraint on whole clusters, not only
    on the pair: a cluster that would hold both records is rebuilt from its links in the
    order given (strongest first), skipping every link that would bring them together.
    """
    index = {u: i for i, u in enumerate(uids)}
    rows = np.fromiter((index[a] for a, _ in pairs), dtype=np.int64, count=len(pairs))
    cols = np.fromiter((index[b] for _, b in pairs), dtype=np.int64, count=len(pairs))
    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (rows, cols)), shape=(len(uids),) * 2)
    _, labels = connected_components(graph, directed=False)
    apart = [(index[a], index[b]) for a, b in never if a in index and b in index]
    broken = {int(labels[a]) for a, b in apart if labels[a] == labels[b]}
    if broken:
        _split_apart(labels, rows, cols, apart, broken)
    return labels


def _split_apart(
    labels: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    apart: list[tuple[int, int]],
    broken: set[int],
) -> None:
    """Re-cluster the ``broken`` components with union-find that refuses ``apart`` unions."""
    parent: dict[int, int] = {}
    forbidden: dict[int, set[int]] = defaultdict(set)
    for a, b in apart:
        forbidden[a].add(b)
        forbidden[b].add(a)

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(rows.tolist(), cols.tolist(), strict=True):
        if labels[a] not in broken:
            continue
        ra, rb = find(a), find(b)
        if ra == rb or any(find(x) == rb for x in forbidden[ra]):
            continue
        parent[rb] = ra
        forbidden[ra] |= forbidden.pop(rb, set())
    members = np.flatnonzero(np.isin(labels, list(broken)))
    next_label = int(labels.max()) + 1
    for i in members.tolist():
        labels[i] = next_label + find(i)


def golden_number(golden_id: str) -> int:
    """Age order of golden ids (``G000042`` -> 42)."""
    return int(golden_id.lstrip("G") or 0)


@dataclass
class Assignment:
    """Golden id per record after a run, and what changed compared with before."""

    golden_of: dict[str, str]
    created: list[str] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)  # old id -> id it now redirects to
    merged_members: dict[str, list[str]] = field(default_factory=dict)  # old id -> its records
    split: dict[str, list[str]] = field(default_factory=dict)  # kept id -> ids split off
    changed: set[str] = field(default_factory=set)  # ids whose member set changed


def assign_ids(
    uids: list[str],
    labels: np.ndarray,
    previous: dict[str, str],
    new_id: Callable[[], str],
) -> Assignment:
    """Give each cluster a golden id, keeping ``previous`` ids wherever the cluster allows."""
    members: dict[int, list[str]] = defaultdict(list)
    for uid, label in zip(uids, labels.tolist(), strict=True):
        members[label].append(uid)
    votes: Counter[tuple[int, str]] = Counter()
    for label, group in members.items():
        for uid in group:
            old = previous.get(uid)
            if old is not None:
                votes[(label, old)] += 1
    ranked = sorted(votes.items(), key=lambda kv: (-kv[1], golden_number(kv[0][1]), kv[0][0]))
    id_of: dict[int, str] = {}
    taken: set[str] = set()
    for (label, old), _ in ranked:
        if label not in id_of and old not in taken:
            id_of[label] = old
            taken.add(old)
    result = Assignment(golden_of={})
    for label in sorted(members, key=lambda lb: min(members[lb])):
        if label not in id_of:
            id_of[label] = new_id()
            result.created.append(id_of[label])
        for uid in members[label]:
            result.golden_of[uid] = id_of[label]
    before: dict[str, set[str]] = defaultdict(set)
    for uid, old in previous.items():
        before[old].add(uid)
    after: dict[str, set[str]] = defaultdict(set)
    for uid, gid in result.golden_of.items():
        after[gid].add(uid)
    for old, old_members in before.items():
        went_to = Counter(result.golden_of[u] for u in old_members if u in result.golden_of)
        if old not in taken:
            if went_to:
                result.merged[old] = went_to.most_common(1)[0][0]
                result.merged_members[old] = sorted(old_members)
            continue
        others = sorted(g for g in went_to if g != old and g in result.created)
        if others:
            result.split[old] = others
    for gid, now in after.items():
        if before.get(gid) != now:
            result.changed.add(gid)
    return result
