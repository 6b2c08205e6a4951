"""Generator of realistic BMC Remedy AR System server logs (API/SQL/FLTR/ESCL), with a truth.

Pure library, stdlib only, streaming::

    from remedyiq_arlog.generator import GeneratorConfig, generate

    with open("big.log", "wb") as out:
        truth = generate(GeneratorConfig(seed=7, target_bytes=100_000_000), out)

CLI: ``python -m remedyiq_arlog.generator -o FILE --size 100MB --truth FILE.json``.
"""

from .config import (
    ALL_ANOMALIES,
    AnomalyKind,
    GeneratorConfig,
    parse_anomalies,
    parse_size,
)
from .engine import generate
from .truth import ApiTruth, EsclTruth, FltrTruth, GenerationTruth, SqlTruth

__all__ = [
    "ALL_ANOMALIES",
    "AnomalyKind",
    "ApiTruth",
    "EsclTruth",
    "FltrTruth",
    "GenerationTruth",
    "GeneratorConfig",
    "SqlTruth",
    "generate",
    "parse_anomalies",
    "parse_size",
]
