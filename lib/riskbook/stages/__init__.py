"""The four stages of a unit's report (identification, assessment, monitoring, summary) and the group
roll-up, each a function of an opened unit returning a typed product (riskbook.stages.pipeline).

Notebooks call them as ``rb.stages.identification(u)`` … ``rb.stages.summary(u)``; the engines behind
them are identify, assess, monitor and summarise; unit opens a unit's data and settings.
"""

from riskbook.stages.pipeline import (
    NOTEBOOKS,
    READS,
    STAGES,
    Assessment,
    Identification,
    Monitoring,
    Summary,
    assessment,
    identification,
    load,
    monitoring,
    save,
    saved,
    summary,
)

__all__ = [
    "NOTEBOOKS",
    "READS",
    "STAGES",
    "Assessment",
    "Identification",
    "Monitoring",
    "Summary",
    "assessment",
    "identification",
    "load",
    "monitoring",
    "save",
    "saved",
    "summary",
]
