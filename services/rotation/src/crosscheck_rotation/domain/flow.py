"""A small max-flow (Dinic) for the pre-check: a few hundred nodes, milliseconds."""

from __future__ import annotations

from collections import deque


class FlowNetwork:
    def __init__(self, nodes: int) -> None:
        self._adj: list[list[int]] = [[] for _ in range(nodes)]
        self._to: list[int] = []
        self._cap: list[int] = []

    def add_edge(self, source: int, target: int, capacity: int) -> None:
        for a, b, c in ((source, target, capacity), (target, source, 0)):
            self._adj[a].append(len(self._to))
            self._to.append(b)
            self._cap.append(c)

    def max_flow(self, source: int, sink: int) -> int:
        total = 0
        while True:
            level = self._levels(source)
            if level[sink] < 0:
                return total
            cursor = [0] * len(self._adj)
            while pushed := self._push(source, sink, 1 << 60, level, cursor):
                total += pushed

    def reachable(self, source: int) -> set[int]:
        """Nodes reachable from `source` in the residual network: the source side of a
        minimum cut once the flow is maximal."""
        return {n for n, lv in enumerate(self._levels(source)) if lv >= 0}

    def _levels(self, source: int) -> list[int]:
        level = [-1] * len(self._adj)
        level[source] = 0
        queue = deque([source])
        while queue:
            node = queue.popleft()
            for e in self._adj[node]:
                if self._cap[e] > 0 and level[self._to[e]] < 0:
                    level[self._to[e]] = level[node] + 1
                    queue.append(self._to[e])
        return level

    def _push(self, node: int, sink: int, limit: int, level: list[int], cursor: list[int]) -> int:
        if node == sink:
            return limit
        while cursor[node] < len(self._adj[node]):
            e = self._adj[node][cursor[node]]
            target = self._to[e]
            if self._cap[e] > 0 and level[target] == level[node] + 1:
                pushed = self._push(target, sink, min(limit, self._cap[e]), level, cursor)
                if pushed:
                    self._cap[e] -= pushed
                    self._cap[e ^ 1] += pushed
                    return pushed
            cursor[node] += 1
        return 0
