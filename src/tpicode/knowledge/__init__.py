"""Loads the versioned knowledge files once, validates them, and hands out typed, read-only views."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tpicode.errors import KnowledgeError
from tpicode.knowledge.schema import Code, DiagnosisTerm, Drug, Group, Muscle, Pack, Rule

try:  # the C loader is ~10x faster; fall back where libyaml is missing
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class ResolvedPack:
    """A payer pack with its includes flattened: the rules to run, in file order."""

    payer: str
    title: str
    version: str
    rules: tuple[Rule, ...]
    bundled_drug_classes: frozenset[str]
    bundling_source: str


@dataclass(frozen=True, eq=False)
class Knowledge:
    muscles: dict[str, Muscle]
    groups: dict[str, Group]
    drugs: dict[str, Drug]
    codes: dict[str, Code]
    dx_terms: tuple[DiagnosisTerm, ...]
    tpi_related_prefixes: tuple[str, ...]  # diagnoses a TPI visit is about (diagnoses.yaml)
    packs: dict[str, ResolvedPack]
    versions: dict[str, str]

    def pack(self, payer: str) -> ResolvedPack:
        try:
            return self.packs[payer]
        except KeyError:
            known = ", ".join(sorted(self.packs))
            raise KnowledgeError(f"unknown payer {payer!r}: rule packs are {known}") from None


def data_dir() -> Path:
    return Path(str(resources.files("tpicode.knowledge") / "data"))


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            doc = yaml.load(fh, Loader=_Loader)
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path.name}: cannot be read: {exc}") from exc
    if not isinstance(doc, dict):
        raise KnowledgeError(f"{path.name}: expected a mapping at the top level")
    return doc


def _items(doc: dict[str, Any], path: Path, key: str, model: type[Any]) -> list[Any]:
    out = []
    for i, raw in enumerate(doc.get(key) or []):
        try:
            out.append(model(**raw))
        except (ValidationError, TypeError) as exc:
            ident = raw.get("id") or raw.get("code") if isinstance(raw, dict) else i
            raise KnowledgeError(f"{path.name}: {key}[{i}] ({ident}): {exc}") from exc
    return out


def _unique(items: list[Any], attr: str, fname: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        k = getattr(item, attr)
        if k in out:
            raise KnowledgeError(f"{fname}: duplicate {attr} {k!r}")
        out[k] = item
    return out


def _load_packs(pack_dir: Path) -> dict[str, ResolvedPack]:
    raw: dict[str, Pack] = {}
    for path in sorted(pack_dir.glob("*.yaml")):
        try:
            pack = Pack(**_read(path))
        except ValidationError as exc:
            raise KnowledgeError(f"packs/{path.name}: {exc}") from exc
        if pack.payer != path.stem:
            raise KnowledgeError(f"packs/{path.name}: payer {pack.payer!r} does not match the file name")
        raw[pack.payer] = pack

    def flatten(name: str, seen: tuple[str, ...]) -> list[Rule]:
        if name in seen:
            raise KnowledgeError(f"packs: include cycle {' -> '.join((*seen, name))}")
        if name not in raw:
            raise KnowledgeError(f"packs/{seen[-1]}.yaml includes unknown pack {name!r}")
        rules: list[Rule] = []
        for inc in raw[name].includes:
            rules.extend(flatten(inc, (*seen, name)))
        rules.extend(raw[name].rules)
        return rules

    out: dict[str, ResolvedPack] = {}
    for name, pack in raw.items():
        if pack.coding is None:  # shared packs (included by payers) are not payers themselves
            continue
        out[name] = ResolvedPack(
            payer=name,
            title=pack.title,
            version=pack.version,
            rules=tuple(flatten(name, ())),
            bundled_drug_classes=frozenset(pack.coding.bundled_drug_classes),
            bundling_source=pack.coding.source,
        )
    return out


def _cross_check(k: Knowledge) -> None:
    for g in k.groups.values():
        for mid in g.could_mean:
            if mid not in k.muscles:
                raise KnowledgeError(f"groups.yaml: {g.id} could mean unknown muscle {mid!r}")
    from tpicode.checks import IMPLEMENTATIONS  # local: checks import knowledge types

    for pack in k.packs.values():
        for rule in pack.rules:
            if rule.impl not in IMPLEMENTATIONS:
                raise KnowledgeError(f"pack {pack.payer}: rule {rule.id} names unknown impl {rule.impl!r}")


@functools.cache
def load_knowledge(directory: str | None = None) -> Knowledge:
    """Load every knowledge file once per process (cached); raises KnowledgeError naming the bad entry."""
    base = Path(directory) if directory else data_dir()
    names = ("muscles", "groups", "drugs", "codes", "diagnoses")
    docs = {name: _read(base / f"{name}.yaml") for name in names}  # each file read and parsed once

    def items(name: str, key: str, model: type[Any]) -> list[Any]:
        return _items(docs[name], base / f"{name}.yaml", key, model)

    muscles = _unique(items("muscles", "muscles", Muscle), "id", "muscles.yaml")
    groups = _unique(items("groups", "groups", Group), "id", "groups.yaml")
    drugs = _unique(items("drugs", "drugs", Drug), "id", "drugs.yaml")
    codes = _unique(items("codes", "codes", Code), "code", "codes.yaml")
    dx_terms = tuple(items("diagnoses", "terms", DiagnosisTerm))
    related = docs["diagnoses"].get("tpi_related_prefixes")
    if not isinstance(related, list) or not related or not all(isinstance(x, str) and x for x in related):
        raise KnowledgeError("diagnoses.yaml: tpi_related_prefixes must be a non-empty list of ICD-10-CM code prefixes")
    versions = {name: str(docs[name].get("version", "unversioned")) for name in names}
    k = Knowledge(
        muscles=muscles,
        groups=groups,
        drugs=drugs,
        codes=codes,
        dx_terms=dx_terms,
        tpi_related_prefixes=tuple(related),
        packs=_load_packs(base / "packs"),
        versions=versions,
    )
    _cross_check(k)
    return k
