"""Compiles the context cues (knowledge/data/cues.yaml) into regular expressions, once per process."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from tpicode.errors import KnowledgeError
from tpicode.knowledge import data_dir


def _alt(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@dataclass(frozen=True, eq=False)
class Cues:
    version: str
    sections: tuple[tuple[str, re.Pattern[str]], ...]
    site_field: re.Pattern[str]
    correction: re.Pattern[str]
    nominal: re.Pattern[str]
    dry_needling: re.Pattern[str]
    future: re.Pattern[str]
    history: re.Pattern[str]
    today: re.Pattern[str]
    exam: re.Pattern[str]
    attempted: re.Pattern[str]
    negated_done: re.Pattern[str]
    negation_before: re.Pattern[str]
    negation_after: re.Pattern[str]
    clause_breaks: re.Pattern[str]
    intramuscular: re.Pattern[str]
    other_procedures: re.Pattern[str]
    tpi_document: re.Pattern[str]
    non_tpi_document: re.Pattern[str]
    not_misspellings: frozenset[str]
    manual_therapy: re.Pattern[str]
    therapy_modalities: re.Pattern[str]


@functools.cache
def load_cues(directory: str | None = None) -> Cues:
    path = (Path(directory) if directory else data_dir()) / "cues.yaml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Cues(
            version=str(doc["version"]),
            sections=tuple((kind, re.compile(p)) for kind, p in doc["sections"]),
            site_field=re.compile(doc["site_field"]),
            correction=_alt(doc["correction"]),
            nominal=_alt(doc["nominal"]),
            dry_needling=_alt(doc["dry_needling"]),
            future=_alt(doc["future"]),
            history=_alt(doc["history"]),
            today=_alt(doc["today"]),
            exam=_alt(doc["exam"]),
            attempted=_alt(doc["attempted"]),
            negated_done=re.compile(doc["negated_done"]),
            negation_before=_alt(doc["negation_before"]),
            negation_after=_alt(doc["negation_after"]),
            clause_breaks=re.compile(doc["clause_breaks"]),
            intramuscular=re.compile(doc["intramuscular"]),
            other_procedures=re.compile(doc["other_procedures"]),
            tpi_document=re.compile(doc["tpi_document"]),
            non_tpi_document=re.compile(doc["non_tpi_document"]),
            not_misspellings=frozenset(doc["not_misspellings"]),
            manual_therapy=_alt(doc["manual_therapy"]),
            therapy_modalities=_alt(doc["therapy_modalities"]),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, re.error) as exc:
        raise KnowledgeError(f"cues.yaml: {exc}") from exc
