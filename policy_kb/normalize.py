"""Text normalisation shared by the loader's source check and the fact checker.

Why one module: the knowledge base is checked against the source text in two
ways (pieces vs. source, answer facts vs. source). Both must fold the same
differences away — full/half width, the several tilde and dash characters,
whitespace, the HTML and footnote markup of the source's table ② — or one
check would pass where the other fails.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["strip_markup", "fold", "squash", "to_hhmm", "NOTE_MARK_RE"]

#: ``^{※1}`` footnote marks of the source (kept in policy.yml as ``notes:`` refs).
NOTE_MARK_RE = re.compile(r"\^\{(※\s*\d+)\}")
# Only the real HTML of the source; ``<https://...>`` is a Markdown autolink, not a tag.
_HTML_TAG_RE = re.compile(r"</?(?:p|ul|ol|li|br|span|div)\b[^>]*>", re.IGNORECASE)
_AUTOLINK_RE = re.compile(r"<(https?://[^>\s]+)>")

# Characters that mean "from ... to" or a dash in Japanese text, folded to ASCII.
_TILDES = "\u301c\uff5e\u223c\u02dc"  # 〜 ～ ∼ ˜
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\ufe63"  # ‐‑‒–—―−－﹣
_TRANSLATE = {ord(c): "~" for c in _TILDES} | {ord(c): "-" for c in _DASHES}


def strip_markup(text: str) -> str:
    """Remove the source's HTML tags and ``^{※n}`` marks, unwrap ``<url>`` autolinks.

    The marks are replaced by nothing: in the data, a footnote is a reference
    (``notes: [note.1]``), not part of the sentence.
    """
    text = _AUTOLINK_RE.sub(r"\1", text)
    text = NOTE_MARK_RE.sub("", text)
    return _HTML_TAG_RE.sub(" ", text)


def fold(text: str) -> str:
    """NFKC (width folding: ０→0, （→(, ①→1), tildes to ``~``, dashes to ``-``, whitespace collapsed.

    Whitespace is kept as single spaces because it separates numbers
    (``5. 6. 7.`` must not become ``5.6.7``).
    """
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return re.sub(r"\s+", " ", text).strip()


def squash(text: str) -> str:
    """``fold`` plus markup removal and no whitespace at all: the form used for substring checks."""
    return re.sub(r"\s+", "", fold(strip_markup(text)))


_JA_TIME_RE = re.compile(r"(午前|午後)?\s*(\d{1,2})\s*時(?:\s*(\d{1,2})\s*分|\s*半)?")
_CLOCK_RE = re.compile(r"(\d{1,2}):(\d{2})")


def to_hhmm(text: str) -> str | None:
    """``午前9時`` / ``9時`` / ``9:00`` / ``09:00`` → ``"9:00"``; ``午後5時`` / ``17時`` → ``"17:00"``.

    One canonical form lets ``9:00〜17:00`` in an answer count as the
    policy's ``午前9時から午後5時まで`` (and lets the loader check that the
    machine-readable opening hours agree with the policy's words).
    Returns None when ``text`` is not a time of day.
    """
    s = fold(text).replace(" ", "")
    m = _JA_TIME_RE.fullmatch(s)
    if m:
        ampm, hour, minute = m.group(1), int(m.group(2)), m.group(3)
        mins = int(minute) if minute else (30 if s.endswith("半") else 0)
        if ampm == "午後" and hour < 12:
            hour += 12
        elif ampm == "午前" and hour == 12:
            hour = 0
    else:
        m = _CLOCK_RE.fullmatch(s)
        if not m:
            return None
        hour, mins = int(m.group(1)), int(m.group(2))
    if hour > 24 or mins > 59:
        return None
    return f"{hour}:{mins:02d}"
