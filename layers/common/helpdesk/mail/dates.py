"""Moments as a customer reads them in a mail: on Netz0's clock (the stack's time zone, with its
abbreviation, so nobody has to guess whose 14:00 it is) and in the mail's language. Two
languages do not need Babel; the day and month names are here."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

_DAYS = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}  # fmt: skip


def spoken_time(moment: datetime, language: str, zone: ZoneInfo) -> str:
    """'el lunes 30 de noviembre de 2026 a las 14:05 (CET)' / 'Monday 30 November 2026 at 14:05 (CET)'."""
    if moment.utcoffset() is None:
        raise ValueError("moment must be timezone-aware")
    local = moment.astimezone(zone)
    day = _DAYS.get(language, _DAYS["es"])[local.weekday()]
    month = _MONTHS.get(language, _MONTHS["es"])[local.month - 1]
    clock = f"{local:%H:%M} ({local.tzname()})"
    if language == "en":
        return f"{day} {local.day} {month} {local.year} at {clock}"
    return f"el {day} {local.day} de {month} de {local.year} a las {clock}"
