"""Building the knowledge base from policy.yml and answers.yml, validated at load time.

Why this exists: every answer the assistant gives about the privacy policy must come from
one place and say only what the policy says. The policy itself is data (policy.yml:
sections, items, the tables of section 4, notes, the contact details and hours, each with a
stable id); the customer-facing answers (answers.yml) cite those ids. Loading

* validates both files (unknown ids, duplicate ids, unknown placeholders, hard-coded section
  references, opening hours that disagree with the policy's words) so a broken edit fails
  fast, not in a chat;
* renders contact placeholders (``{contact.phone}``) from the structured contact data, so
  changing the contact data changes every answer;
* builds the citation 「（プライバシーポリシー 8. より）」 from the sources, so an answer can
  never cite a section it does not draw on;
* builds an answer's ``parts:`` (the focused answer to a question about one part of it, e.g.
  which companies are 一般送配電事業者), validating their sources like an answer's and
  their ``when`` words (non-empty, and none already caught by an earlier part's word, since
  the first applicable part is the one sent).

The data model is ``policy_kb.model``, the queries ``policy_kb.knowledge_base``; the check
against the source text is ``policy_kb.source_audit``. No Rasa imports.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

from .knowledge_base import KnowledgeBase
from .model import (
    AnswerPart, Contact, FaqAnswer, KnowledgeBaseError, Piece, Section, TextBlock, _citation, match_form,
)
from .normalize import to_hhmm

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_POLICY_PATH = PACKAGE_DIR / "policy.yml"
DEFAULT_ANSWERS_PATH = PACKAGE_DIR / "answers.yml"
#: Byte-identical copy of the policy text, so the product never reads shared/ at run time.
DEFAULT_SOURCE_PATH = PACKAGE_DIR / "source" / "privacy_policy.txt"

_ID_RE = re.compile(r"^(?:doc|note|s\d+)(?:\.[A-Za-z0-9_]+)*$")
_PLACEHOLDER_RE = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)+)\}")
# An answer must not cite a section itself; the loader adds the citation.
_HARDCODED_REF_RE = re.compile(r"プライバシーポリシー\s*[0-9０-９]|[0-9０-９]\s*[.．]\s*より")
# Keys of a piece in policy.yml that are NOT text copied from the source.
_NON_TEXT_KEYS = frozenset(
    {"id", "kind", "number", "notes", "items", "rows", "entries", "fields",
     "open_time", "close_time", "closed_weekdays", "closed_on_national_holidays", "closed_period"}
)
# Containers: their text is rendered from their children, not stored.
_CONTAINER_KEYS = ("items", "rows", "entries", "fields")
# A part's name appears in logs and in the coverage report (``intent#name``).
_PART_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# What a part may say. No ``detail``: 「詳しく」 after a part gives the whole answer's detail.
_PART_KEYS = frozenset({"when", "short", "sources"})


# ----------------------------------------------------------------------------------
# loading
# ----------------------------------------------------------------------------------

def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


class _Builder:
    """Turns the YAML dicts into Pieces, collecting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.pieces: dict[str, Piece] = {}
        self.order: list[str] = []
        self.verbatim: list[tuple[str, str]] = []

    def add(
        self, raw: Any, section: str | None, parent: str | None = None, key: str | None = None, via: str | None = None
    ) -> Piece | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            self.problems.append(f"piece without id in section {section}: {raw!r}")
            return None
        pid = raw["id"]
        if not _ID_RE.match(pid):
            self.problems.append(f"malformed id {pid!r}")
        if pid in self.pieces or pid in self.order:
            self.problems.append(f"duplicate id {pid!r}")
        if section is not None and not (pid.startswith(f"s{section}") or pid.startswith("note.")):
            self.problems.append(f"id {pid!r} does not belong to section {section}")
        self.order.append(pid)
        # verbatim text fields
        for k, v in raw.items():
            if k in _NON_TEXT_KEYS:
                continue
            values = v if isinstance(v, list) else [v]
            for i, s in enumerate(values):
                if not isinstance(s, str):
                    self.problems.append(f"{pid}.{k}: expected text, got {s!r}")
                elif s.strip():
                    self.verbatim.append((f"{pid}.{k}" + (f"[{i}]" if isinstance(v, list) else ""), s))
        children: list[Piece] = []
        ckey = next((k for k in _CONTAINER_KEYS if k in raw), None)
        if ckey is not None:
            container = raw[ckey]
            items = list(container.items()) if isinstance(container, dict) else [(None, c) for c in container or []]
            for ck, craw in items:
                child = self.add(craw, section, parent=pid, key=ck, via=ckey)
                if child is not None:
                    children.append(child)
        kind = (
            raw.get("kind")
            or {"items": "list", "rows": "table", "entries": "row", "fields": "contact"}.get(ckey or "")
            or {"items": "item", "rows": "row", "entries": "entry", "fields": "contact_field"}.get(via or "")
            or "paragraph"
        )
        text = raw.get("text")
        if text is None:
            if not children:
                self.problems.append(f"{pid}: no text and no children")
            text = "\n".join(_render_child(c) for c in children)
        notes = tuple(raw.get("notes") or ())
        attrs = {
            k: _freeze(v) for k, v in raw.items()
            if k not in {"id", "kind", "text", "label", "marker", "number", "notes", *_CONTAINER_KEYS}
        }
        if key is not None:
            attrs["key"] = key
        piece = Piece(
            id=pid,
            section=section,
            text=text,
            kind=kind,
            label=raw.get("label"),
            marker=raw.get("marker"),
            number=raw.get("number"),
            notes=notes,
            children=tuple(c.id for c in children),
            parent=parent,
            attrs=MappingProxyType(attrs),
        )
        self.pieces[pid] = piece
        return piece


def _freeze(value: Any) -> Any:
    """Lists to tuples, dicts to read-only mappings: the loaded KB is shared and cached."""
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    return value


def _render_child(p: Piece) -> str:
    head = (p.marker or (f"{p.number}." if p.number is not None else "")) + (f"{p.label}：" if p.label else "")
    return head + p.text


def _build_contact(pieces: Mapping[str, Piece], problems: list[str]) -> Contact:
    try:
        c = pieces["s8.contact"]
        fields = {pieces[cid].attrs.get("key"): pieces[cid].text for cid in c.children}
        h = pieces["s8.hours"].attrs
        closed = pieces["s8.hours.closed"].attrs
    except KeyError as exc:
        problems.append(f"contact data incomplete: missing {exc}")
        return Contact(address="", department="", phone="", hours="", closed_days="")
    for f in ("address", "department", "phone"):
        if not fields.get(f):
            problems.append(f"s8.contact: missing field {f}")
    times: dict[str, _dt.time] = {}
    for word_key, time_key in (("open", "open_time"), ("close", "close_time")):
        word, machine = str(h.get(word_key, "")), str(h.get(time_key, ""))
        if to_hhmm(word) is None or to_hhmm(word) != to_hhmm(machine):
            problems.append(f"s8.hours: {time_key} {machine!r} disagrees with the policy's {word!r}")
            times[time_key] = _dt.time(0, 0)
        else:
            hh, mm = to_hhmm(machine).split(":")  # type: ignore[union-attr]
            times[time_key] = _dt.time(int(hh), int(mm))
    period = closed.get("closed_period") or {}
    return Contact(
        address=fields.get("address", ""),
        department=fields.get("department", ""),
        phone=fields.get("phone", ""),
        hours=f"{h.get('days', '')} {h.get('open', '')}〜{h.get('close', '')}",
        closed_days=str(closed.get("closed_days", "")),
        days=str(h.get("days", "")),
        open=str(h.get("open", "")),
        close=str(h.get("close", "")),
        open_time=times["open_time"],
        close_time=times["close_time"],
        closed_weekdays=tuple(int(d) for d in closed.get("closed_weekdays", ())),
        closed_on_national_holidays=bool(closed.get("closed_on_national_holidays", False)),
        closed_period=(str(period.get("from", "")), str(period.get("to", ""))),
    )


def _placeholder_values(contact: Contact) -> dict[str, str]:
    return {
        f"contact.{name}": str(getattr(contact, name))
        for name in ("address", "department", "phone", "hours", "closed_days", "days", "open", "close")
    }


class _AnswerBuilder:
    def __init__(self, pieces: Mapping[str, Piece], values: Mapping[str, str], problems: list[str]):
        self.pieces, self.values, self.problems = pieces, values, problems

    def render(self, where: str, text: Any) -> str:
        if not isinstance(text, str) or not text.strip():
            self.problems.append(f"{where}: empty or not text")
            return ""
        if _HARDCODED_REF_RE.search(text):
            self.problems.append(f"{where}: hard-coded section reference (the loader adds the citation)")

        def sub(m: re.Match[str]) -> str:
            if m.group(1) in self.values:
                return self.values[m.group(1)]
            self.problems.append(f"{where}: unknown placeholder {{{m.group(1)}}}")
            return m.group(0)

        return _PLACEHOLDER_RE.sub(sub, text.strip())

    def sources(self, where: str, raw: Any) -> tuple[list[str], list[str]]:
        if not isinstance(raw, list) or not raw:
            self.problems.append(f"{where}: needs a non-empty list of sources")
            return [], []
        sections: set[str] = set()
        for sid in raw:
            p = self.pieces.get(sid)
            if p is None:
                self.problems.append(f"{where}: unknown source id {sid!r}")
            elif p.section is None:
                self.problems.append(f"{where}: source {sid!r} belongs to no section")
            else:
                sections.add(p.section)
        return list(raw), sorted(sections, key=int)

    def parts(self, where: str, raw: Any, whole: FaqAnswer) -> tuple[AnswerPart, ...]:
        """The ``parts:`` of one answer, in answers.yml order (the order ``part_for`` tries them).

        A part's detail is the whole answer's (with the whole answer's citation), so
        「詳しく」 after a part shows everything; for an answer without a detail that is the
        whole answer's short text, which says more than the part. A ``when`` word that contains an earlier
        part's word (or repeats it) could never select its part: that is an ordering
        mistake, reported rather than left to surprise a customer.
        """
        if raw is None:
            return ()
        if not isinstance(raw, dict) or not raw:
            self.problems.append(f"{where}.parts: expected a mapping of part names to parts")
            return ()
        out: list[AnswerPart] = []
        earlier: list[tuple[str, str]] = []  # (word in match form, part name)
        for name, praw in raw.items():
            pwhere = f"{where}.parts.{name}"
            if not isinstance(name, str) or not _PART_NAME_RE.match(name):
                self.problems.append(f"{pwhere}: part names are lower_case_words")
            if not isinstance(praw, dict):
                self.problems.append(f"{pwhere}: expected when, short and sources")
                continue
            for key in sorted(set(praw) - _PART_KEYS):
                self.problems.append(f"{pwhere}: unknown key {key!r} (a part has when, short, sources; "
                                     f"its detail is the answer's)")
            when = self._when(pwhere, praw.get("when"))
            for word in when:
                for prior, prior_name in earlier:
                    if prior in word:
                        self.problems.append(f"{pwhere}.when: {word!r} is already caught by {prior!r} of "
                                             f"part {prior_name!r}, which comes first")
                        break
            earlier += [(w, str(name)) for w in when]
            srcs, secs = self.sources(pwhere, praw.get("sources"))
            answer = FaqAnswer(
                intent=whole.intent,
                short=self.render(pwhere + ".short", praw.get("short")),
                detail=whole.detail if whole.detail is not None else whole.short,
                sources=srcs,
                sections=secs,
                citation=_citation(secs),
                part=str(name),
                detail_citation=whole.citation,
            )
            out.append(AnswerPart(name=str(name), when=when, answer=answer))
        return tuple(out)

    def _when(self, where: str, raw: Any) -> tuple[str, ...]:
        """The words of a part in ``match_form``, duplicates dropped; a problem if there are none."""
        if not isinstance(raw, list) or not raw:
            self.problems.append(f"{where}.when: needs a non-empty list of words")
            return ()
        words: list[str] = []
        for w in raw:
            form = match_form(w) if isinstance(w, str) else ""
            if not form:
                self.problems.append(f"{where}.when: empty or not text: {w!r}")
            elif form not in words:
                words.append(form)
        return tuple(words)


def _load(policy_path: Path, answers_path: Path, source_path: Path | None) -> KnowledgeBase:
    problems: list[str] = []
    data = _read_yaml(policy_path)
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        raise KnowledgeBaseError([f"{policy_path}: expected a mapping with 'sections'"])
    if source_path is None:
        rel = policy_path.parent / str(data.get("source", "source/privacy_policy.txt"))
        source_path = rel if rel.exists() else DEFAULT_SOURCE_PATH
    source_text = source_path.read_text(encoding="utf-8")

    b = _Builder()
    doc = data.get("document") or {}
    title_p = b.add(doc.get("title"), None)
    subtitle_p = b.add(doc.get("subtitle"), None)
    sections: list[Section] = []
    for raw_s in data["sections"]:
        number = str(raw_s.get("number", ""))
        if not number.isdigit() or number in {s.number for s in sections}:
            problems.append(f"bad or duplicate section number {number!r}")
            continue
        title = raw_s.get("title")
        if not isinstance(title, str) or not title:
            problems.append(f"section {number}: no title")
            title = ""
        else:
            b.verbatim.append((f"s{number}.title", title))
        start = len(b.order)
        for raw_p in raw_s.get("pieces") or []:
            b.add(raw_p, number)
        ids = b.order[start:]
        sections.append(Section(number=number, title=title, pieces=tuple(b.pieces[i] for i in ids if i in b.pieces)))
    problems.extend(b.problems)
    for p in b.pieces.values():
        for n in p.notes:
            if b.pieces.get(n) is None or b.pieces[n].kind != "note":
                problems.append(f"{p.id}: unknown note {n!r}")

    contact = _build_contact(b.pieces, problems)

    raw_answers = _read_yaml(answers_path) or {}
    ab = _AnswerBuilder(b.pieces, _placeholder_values(contact), problems)
    blocks: dict[str, TextBlock] = {}
    for name, raw in (raw_answers.get("blocks") or {}).items():
        where = f"blocks.{name}"
        srcs, secs = ab.sources(where, raw.get("sources"))
        blocks[name] = TextBlock(name, ab.render(where, raw.get("text")), srcs, secs, _citation(secs))
    if "contact_and_hours" not in blocks:
        problems.append("answers.yml: block 'contact_and_hours' is missing")

    answers: dict[str, dict[str | None, FaqAnswer]] = {}
    parts: dict[str, tuple[AnswerPart, ...]] = {}
    raw_faq = raw_answers.get("answers") or {}
    for intent, raw in raw_faq.items():
        variants: dict[str | None, FaqAnswer] = {}
        where = f"answers.{intent}"
        srcs, secs = ab.sources(where, raw.get("sources"))
        base = FaqAnswer(
            intent=intent,
            short=ab.render(where + ".short", raw.get("short")),
            detail=ab.render(where + ".detail", raw["detail"]) if raw.get("detail") is not None else None,
            sources=srcs,
            sections=secs,
            citation=_citation(secs),
        )
        variants[None] = base
        for prev, vraw in (raw.get("context") or {}).items():
            vwhere = f"{where}.context.{prev}"
            if prev not in raw_faq:
                problems.append(f"{vwhere}: context key must be a FAQ intent with an answer")
            if "parts" in vraw:
                problems.append(f"{vwhere}: parts belong to the answer, not to a context variant")
            if "sources" in vraw:
                vsrcs, vsecs = ab.sources(vwhere, vraw.get("sources"))
            else:
                vsrcs, vsecs = list(base.sources), list(base.sections)
            variants[prev] = FaqAnswer(
                intent=intent,
                short=ab.render(vwhere + ".short", vraw["short"]) if "short" in vraw else base.short,
                detail=(ab.render(vwhere + ".detail", vraw["detail"]) if vraw.get("detail") is not None else None)
                if "detail" in vraw else base.detail,
                sources=vsrcs,
                sections=vsecs,
                citation=_citation(vsecs),
                context=prev,
            )
        answers[intent] = variants
        parts[intent] = ab.parts(where, raw.get("parts"), base)

    if problems:
        raise KnowledgeBaseError(problems)
    return KnowledgeBase(
        title=title_p.text if title_p else "",
        subtitle=subtitle_p.text if subtitle_p else "",
        sections=tuple(sections),
        pieces={pid: b.pieces[pid] for pid in b.order},
        verbatim=tuple(b.verbatim),
        contact=contact,
        answers=answers,
        parts=parts,
        blocks=blocks,
        source_text=source_text,
        policy_path=policy_path,
        answers_path=answers_path,
        source_path=source_path,
    )


@lru_cache(maxsize=8)
def _load_cached(policy_path: str, answers_path: str, source_path: str | None) -> KnowledgeBase:
    return _load(Path(policy_path), Path(answers_path), Path(source_path) if source_path else None)


def load_knowledge_base(
    path: str | Path | None = None,
    *,
    answers_path: str | Path | None = None,
    source_path: str | Path | None = None,
) -> KnowledgeBase:
    """Load (once; cached per paths) and validate the knowledge base.

    ``path`` is a policy.yml or a directory holding policy.yml and answers.yml;
    by default the bundled files are used. ``answers_path`` defaults to
    answers.yml beside the policy file; the source text defaults to the
    policy's ``source:`` entry relative to it, else the bundled copy.
    Raises KnowledgeBaseError listing every problem.
    """
    p = Path(path) if path is not None else DEFAULT_POLICY_PATH
    if p.is_dir():
        p = p / "policy.yml"
    a = Path(answers_path) if answers_path is not None else p.parent / "answers.yml"
    return _load_cached(str(p.resolve()), str(a.resolve()), str(Path(source_path).resolve()) if source_path else None)


load_knowledge_base.cache_clear = _load_cached.cache_clear  # type: ignore[attr-defined]
