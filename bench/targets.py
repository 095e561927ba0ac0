"""One line per benchmark target: the figure, the target and whether the figure meets it.

``make bench`` prints every issue-21 target next to its figure; the benches build those lines
with :func:`target_line` so they read alike. Figures only: nothing here fails a run.
"""

from __future__ import annotations


def target_line(
    name: str, figure: float, unit: str, limit: float, *, below: bool = True, digits: int = 2
) -> str:
    """``name``: ``figure`` against ``< limit`` (or ``>= limit`` when ``below`` is False)."""
    met = figure < limit if below else figure >= limit
    sign = "<" if below else ">="
    shown = f"{figure:.{digits}f} {unit}"
    verdict = "met" if met else "NOT met"
    return f"  {name:<44} {shown:>14}   target {sign} {limit:g} {unit}   {verdict}"
