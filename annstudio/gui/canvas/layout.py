"""Automatic layout of the canvas: populations in columns by depth from the inputs.

Pure Python (no Qt): ``auto_layout(document)`` returns ``{name: (x, y)}``.
Depth is the longest path from a population with no incoming projection,
ignoring cycles (back edges), so feed-forward chains read left to right and
recurrent populations sit with their inputs.
"""
from ...project.document import ref_population

COLUMN_DX, ROW_DY = 260.0, 120.0


def auto_layout(document, names=None):
    pops = [p["name"] for p in document.items("populations")]
    edges = []
    for proj in document.items("projections"):
        a, b = ref_population(proj.get("pre")), ref_population(proj.get("post"))
        if a in pops and b in pops and a != b:
            edges.append((a, b))
    incoming = {n: [a for a, b in edges if b == n] for n in pops}
    depth, state = {}, {}

    def visit(n):
        if state.get(n) == 2:
            return depth[n]
        if state.get(n) == 1:      # back edge: cut the cycle here
            return -1
        state[n] = 1
        depth[n] = 1 + max([visit(a) for a in incoming[n]] + [-1])
        state[n] = 2
        return depth[n]

    for n in pops:
        visit(n)
    columns = {}
    for n in pops:
        columns.setdefault(depth[n], []).append(n)
    out = {}
    for col, members in sorted(columns.items()):
        top = -(len(members) - 1) * ROW_DY / 2
        for i, n in enumerate(members):
            out[n] = (col * COLUMN_DX, top + i * ROW_DY)
    if names is not None:
        out = {n: p for n, p in out.items() if n in names}
    return out


def free_position(document, near=(0.0, 0.0)):
    """A spot near ``near`` that no node occupies (for new and pasted nodes)."""
    taken = [document.position(p["name"]) for p in document.items("populations")]
    taken = [t for t in taken if t is not None]
    x, y = near
    for _ in range(200):
        if all(abs(x - tx) > 150 or abs(y - ty) > 80 for tx, ty in taken):
            return x, y
        y += 90.0
    return x, y
