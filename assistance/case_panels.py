"""Panels another domain adds to the case page, beside the step they inform (e.g. the department records the
monitoring feeds hold, shown beside 信息核对). The contributing app imports this module; assistance imports none."""

from collections.abc import Callable

# fn(user, case) -> {"title", "template", ...context} or None (nothing to show to this user for this case).
PanelFn = Callable[[object, object], dict | None]
_PANELS: dict[str, list[PanelFn]] = {}


def case_panel(action: str) -> Callable[[PanelFn], PanelFn]:
    """Register a panel shown on the case page next to the form of `action` (idempotent)."""
    def register(fn: PanelFn) -> PanelFn:
        panels = _PANELS.setdefault(action, [])
        if fn not in panels:
            panels.append(fn)
        return fn
    return register


def case_panels(*, user, case, actions: list[str]) -> list[dict]:
    """The panels for the steps the user can take now (and for 信息核对 once done, so the record stays readable)."""
    out = []
    for action, panels in _PANELS.items():
        if action in actions:
            out += [panel for panel in (fn(user, case) for fn in panels) if panel]
    return out
