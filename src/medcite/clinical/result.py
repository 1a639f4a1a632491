"""What every clinical result shares (differential, treatment options, summary): the common
fields (:class:`ClinicalResult`) and the JSON shape (:func:`clinical_json`).

``{"task", "input", <task's own keys>, "items", "references", "generator", "notes", "disclaimer",
"timings"}`` — what ``--json`` prints and the HTTP API's ``DiagnoseResponse`` / ``ClinicalResponse``
pass through (:mod:`medcite.server.models`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def clinical_json(task: str, input_text: str, items: list, result: Any, **own: Any) -> dict[str, Any]:
    """The shared clinical JSON dict.

    Args:
        task: ``"diagnose"``, ``"treatments"`` or ``"summarize"``.
        input_text: what the task was asked about (findings text, condition, document id).
        items: the result's items (each with ``to_json()``), best first.
        result: the result object: ``references`` (each with ``to_json()``), ``generator``, ``notes``,
            ``timings`` and, where it has one, ``disclaimer`` (else ``""``).
        own: the task's own keys, placed after ``input`` in the given order.
    """
    return {
        "task": task,
        "input": input_text,
        **own,
        "items": [item.to_json() for item in items],
        "references": [r.to_json() for r in result.references],
        "generator": result.generator,
        "notes": result.notes,
        "disclaimer": getattr(result, "disclaimer", ""),
        "timings": result.timings,
    }


@dataclass(kw_only=True)
class ClinicalResult:
    """Fields every clinical result carries (keyword-only, after the result's own fields).

    Attributes:
        generator: "extractive", or the model that proposed items.
        notes: remarks for the reader (e.g. why a list is empty, weak evidence).
        timings: seconds per stage.
    """

    generator: str = "extractive"
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
