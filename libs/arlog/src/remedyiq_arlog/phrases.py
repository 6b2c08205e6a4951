"""Recognising the text of FLTR, ESCL, SQL and API records.

Filter-log messages are localised by the server; the phrases below are the ones the reference
analyzer knows (English, French, German, Italian, Japanese, Korean, Portuguese, Russian, Spanish,
Chinese). ``Checking "NAME"`` lines are recognised by their ``<Filter Level:…>`` prefix, whatever
the language of the word "Checking".
"""

from __future__ import annotations

import re
from typing import Final

# language -> (start phrase, end phrase, "failed qualification" phrase)
FILTER_LANGUAGES: Final[dict[str, tuple[str, str, str]]] = {
    "English": ("Start filter processing", "End of filter processing", "Failed qualification"),
    "French": (
        "Démarrage du traitement du filtre",
        "Fin du traitement du filtre",
        "Echec de la qualification",
    ),
    "German": (
        "Start der Filterverarbeitung",
        "Ende der Filterverarbeitung",
        "Qualifizierung nicht bestanden",
    ),
    "Italian": (
        "Operazione: avvio elaborazione del filtro",
        "Operazione: fine elaborazione del filtro",
        "Qualificazione non riuscita",
    ),
    "Japanese": ("フィルタ処理の開始", "フィルタ処理の終了", "認定失敗"),
    "Korean": ("필터 처리 시작", "필터 처리 끝", "정규화 실패"),
    "Portuguese": (
        "Iniciar processamento de filtro",
        "Término do processamento de filtro",
        "Falha na qualificação",
    ),
    "Russian": ("Запуск обработки фильтра", "Завершение обработки фильтра", "Ошибка квалификации"),
    "Spanish": (
        "Inicio del procesamiento de filtro",
        "Fin del procesamiento de filtro",
        "No se ha superado la cualificación",
    ),
    "Chinese": ("过滤器处理开始", "过滤器处理结束", "限定条件无效"),
}
RESTART_PHRASE: Final = "Restart of filter processing"
PASSED_PHRASE: Final = "Passed -- perform actions"
ELSE_PHRASE: Final = "-- perform else actions"

CHECKING: Final = re.compile(
    r"\s*<Filter Level:\s*(\d+)\s+Number Of Filters:\s*(\d+)>[^\"]*\"(.*)\""
)
_PHASE_NUMBER: Final = re.compile(r"\(\D*(\d+)\s*\)")
_PHASE_TAIL: Final = re.compile(r"\s+-+\s+\S+\s+-\s+(\S+)\s+\S+\s+(.*?)\s+-\s+(\S*)\s*$")
_ACTION: Final = re.compile(r"\s*\d+\s*:\s")
_FIRE_SECONDS: Final = re.compile(r"going to fire in (-?\d+) seconds")
_POOL: Final = re.compile(r"\(Pool (\d+)\)")
_OVERLAY_SUFFIX: Final = re.compile(r" \(Overlay Group[^)]*\)$")
_QUOTED: Final = re.compile(r"\"([^\"]*)\"")


_MARKERS: Final = {
    phrase: (marker, language)
    for language, (start, end, _failed) in FILTER_LANGUAGES.items()
    for marker, phrase in ((1, start), (2, end))
} | {RESTART_PHRASE: (3, "English")}
_MARKER: Final = re.compile(
    r"\s*(" + "|".join(re.escape(p) for p in sorted(_MARKERS, key=len, reverse=True)) + ")"
)


def phase_marker(details: str) -> tuple[int, str] | None:
    """``(marker, language)`` for filter Start (1) / End (2) / Restart (3) lines, else ``None``."""
    match = _MARKER.match(details)
    return _MARKERS[match.group(1)] if match else None


def phase_fields(details: str) -> tuple[int, str, str, str]:
    """``(phase, operation, form, request_id)`` of a filter Start/End/Restart line."""
    number = _PHASE_NUMBER.search(details)
    tail = _PHASE_TAIL.search(details)
    phase = int(number.group(1)) if number else 0
    if tail is None:
        return phase, "", "", ""
    return phase, tail.group(1), tail.group(2), tail.group(3)


def filter_result(details: str) -> int:
    """0 none, 1 passed, 2 failed qualification, 3 failed and performing else actions."""
    text = details.lstrip()
    if not text.startswith("-"):
        return 0
    if PASSED_PHRASE in text:
        return 1
    for _start, _end, failed in FILTER_LANGUAGES.values():
        if failed in text:
            return 3 if ELSE_PHRASE in text else 2
    return 0


def is_filter_action(details: str) -> bool:
    """``0 : Set Fields`` style action lines (their indented value lines are absorbed too)."""
    return _ACTION.match(details) is not None


def escalation_pool(user: str) -> str:
    """The pool number from ``AR_ESCALATOR (Pool 3)``; empty if none."""
    match = _POOL.search(user)
    return match.group(1) if match else ""


def escalation_names(details: str) -> tuple[str, str]:
    """``(escalation, form)`` from the quoted parts of an ESCL line, overlay suffix removed."""
    quoted = _QUOTED.findall(details)
    name = _OVERLAY_SUFFIX.sub("", quoted[0]) if quoted else ""
    form = quoted[1] if len(quoted) > 1 else ""
    return name, form


def fire_in_seconds(details: str) -> int | None:
    match = _FIRE_SECONDS.search(details)
    return int(match.group(1)) if match else None


def elapsed_seconds(details: str) -> float | None:
    """The ``(Elapsed time: 0.4 seconds)`` of an escalation completion line."""
    marker = details.find("Elapsed time")
    if marker < 0:
        return None
    digits = re.search(r"(-?\d+(?:\.\d+)?)", details[marker:])
    return float(digits.group(1)) if digits else None


# --- SQL ------------------------------------------------------------------------------------
SQL_START: Final = frozenset(
    {"ALTER", "CREATE", "DELETE", "DROP", "INSERT", "SELECT", "TRUNCATE", "UPDATE", "WITH"}
)
SQL_OK: Final = frozenset({"OK", "CLOSE", "EXEC", "EXECUTE"})
SQL_FAIL: Final = frozenset({"ROLLBACK", "***", "COM.BMC.ARSYS.DOMAIN.ETC.AREXCEPTION:"})

SQL_START_WORD: Final = 1
SQL_OK_WORD: Final = 2
SQL_FAIL_WORD: Final = 3


def sql_word_class(details: str) -> int:
    """1 statement start, 2 successful close, 3 failed close, 0 anything else (ignored)."""
    parts = details.split(None, 1)
    if not parts:
        return 0
    word = parts[0].upper()
    if word in SQL_START:
        return SQL_START_WORD
    if word in SQL_OK:
        return SQL_OK_WORD
    if word in SQL_FAIL or word.startswith("***"):
        return SQL_FAIL_WORD
    return 0
