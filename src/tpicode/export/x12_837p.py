"""X12 837P (005010X222A1) writer: one interchange, one transaction for a batch of claims.

The loop and segment layout is data (LAYOUT, in the implementation guide's order, like pyx12's maps);
the code only fills each loop's context and counts segments and control numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import ChainMap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tpicode.errors import InputError
from tpicode.export.claim import Claim, fmt_qty
from tpicode.export.settings import Address, Settings

VERSION = "005010X222A1"
ELEMENT, COMPONENT, REPETITION, TERMINATOR = "*", ":", "^", "~"


@dataclass(frozen=True)
class Seg:
    """A segment: its id and elements; `{name}` fills from the loop context, a tuple is a composite.

    `when` names a context key: the segment is written only when that value is non-empty.
    """

    id: str
    elements: tuple[str | tuple[str, ...], ...]
    when: str | None = None


@dataclass(frozen=True)
class Loop:
    """A loop: its segments, then its child loops; `each` names the context list it repeats over."""

    id: str
    name: str
    segments: tuple[Seg, ...] = ()
    children: tuple[Loop, ...] = ()
    each: str | None = None
    when: str | None = None
    trailer: tuple[Seg, ...] = field(default=())


# --------------------------------------------------------------------------------------------------
# the layout (005010X222A1, the segments tpicode writes, in guide order)

# fmt: off
LAYOUT = Loop(
    "ST_LOOP",
    "Transaction set",
    segments=(
        Seg("ST", ("837", "{st_control}", VERSION)),
        Seg("BHT", ("0019", "00", "{batch_id}", "{date}", "{time}", "CH")),
    ),
    children=(
        Loop(
            "1000A",
            "Submitter name",
            (
                Seg("NM1", ("41", "2", "{submitter_name}", "", "", "", "", "46", "{submitter_id}")),
                Seg("PER", ("IC", "{submitter_contact}", "TE", "{submitter_phone}"), when="submitter_phone"),
                Seg("PER", ("IC", "{submitter_contact}", "EM", "{submitter_email}"), when="submitter_email_only"),
            ),
        ),
        Loop(
            "1000B",
            "Receiver name",
            (Seg("NM1", ("40", "2", "{receiver_name}", "", "", "", "", "46", "{receiver_id}")),),
        ),
        Loop(
            "2000A",
            "Billing provider hierarchical level",
            (
                Seg("HL", ("{hl_billing}", "", "20", "1")),
                Seg("PRV", ("BI", "PXC", "{billing_taxonomy}")),
            ),
            children=(
                Loop(
                    "2010AA",
                    "Billing provider name",
                    (
                        Seg("NM1", ("85", "{billing_entity}", "{billing_name}", "{billing_first}", "", "", "", "XX", "{billing_npi}")),
                        Seg("N3", ("{billing_line1}", "{billing_line2}")),
                        Seg("N4", ("{billing_city}", "{billing_state}", "{billing_zip}")),
                        Seg("REF", ("{billing_tax_type}", "{billing_tax_id}")),
                    ),
                ),
                Loop(
                    "2000B",
                    "Subscriber hierarchical level",
                    (
                        Seg("HL", ("{hl_subscriber}", "{hl_billing}", "22", "0")),
                        Seg("SBR", ("P", "18", "", "", "", "", "", "", "{claim_filing}")),
                    ),
                    each="claims",
                    children=(
                        Loop(
                            "2010BA",
                            "Subscriber name",
                            (
                                Seg("NM1", ("IL", "1", "{pat_last}", "{pat_first}", "{pat_middle}", "", "", "MI", "{pat_member_id}")),
                                Seg("N3", ("{pat_line1}", "{pat_line2}")),
                                Seg("N4", ("{pat_city}", "{pat_state}", "{pat_zip}")),
                                Seg("DMG", ("D8", "{pat_birth}", "{pat_sex}")),
                            ),
                        ),
                        Loop(
                            "2010BB",
                            "Payer name",
                            (
                                Seg("NM1", ("PR", "2", "{payer_name}", "", "", "", "", "PI", "{payer_id}")),
                                Seg("N3", ("{payer_line1}", "{payer_line2}"), when="payer_line1"),
                                Seg("N4", ("{payer_city}", "{payer_state}", "{payer_zip}"), when="payer_line1"),
                            ),
                        ),
                        Loop(
                            "2300",
                            "Claim information",
                            (
                                Seg(
                                    "CLM",
                                    ("{clm_id}", "{clm_total}", "", "", ("{pos}", "B", "1"), "Y", "A", "Y", "Y"),
                                ),
                                Seg("HI", ("{hi_1}", "{hi_2}", "{hi_3}", "{hi_4}", "{hi_5}", "{hi_6}", "{hi_7}",
                                           "{hi_8}", "{hi_9}", "{hi_10}", "{hi_11}", "{hi_12}")),
                            ),
                            children=(
                                Loop(
                                    "2310B",
                                    "Rendering provider name",
                                    (
                                        Seg("NM1", ("82", "1", "{rend_last}", "{rend_first}", "", "", "", "XX", "{rend_npi}")),
                                        Seg("PRV", ("PE", "PXC", "{rend_taxonomy}")),
                                    ),
                                    when="rend_npi",
                                ),
                                Loop(
                                    "2400",
                                    "Service line",
                                    (
                                        Seg("LX", ("{lx}",)),
                                        Seg(
                                            "SV1",
                                            (
                                                ("HC", "{code}", "{mod_1}", "{mod_2}", "{mod_3}", "{mod_4}", "{sv_description}"),
                                                "{charge}",
                                                "UN",
                                                "{units}",
                                                "",
                                                "",
                                                ("{ptr_1}", "{ptr_2}", "{ptr_3}", "{ptr_4}"),
                                            ),
                                        ),
                                        Seg("DTP", ("472", "D8", "{dos}")),
                                        Seg("NTE", ("ADD", "{remark}"), when="remark"),
                                    ),
                                    each="lines",
                                    children=(
                                        Loop(
                                            "2410",
                                            "Drug identification",
                                            (
                                                Seg("LIN", ("", "N4", "{ndc}")),
                                                Seg("CTP", ("", "", "", "{ndc_qty}", "{ndc_unit}")),
                                            ),
                                            when="ndc",
                                        ),
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    trailer=(Seg("SE", ("{@segment_count}", "{st_control}")),),
)
# fmt: on


# --------------------------------------------------------------------------------------------------
# rendering


_BAD = re.compile(r"[^A-Z0-9 !\"&'()+,\-./;?=%@#]")


def clean(value: str) -> str:
    """Upper-case text with the delimiters and anything outside the X12 basic set removed."""
    return re.sub(r"\s+", " ", _BAD.sub(" ", value.upper())).strip()


def _fill(template: str, ctx: Mapping[str, Any]) -> str:
    def sub(m: re.Match[str]) -> str:
        v = ctx.get(m.group(1), "")
        return "" if v is None else str(v)

    return re.sub(r"\{([@\w]+)\}", sub, template)


def _element(el: str | tuple[str, ...], ctx: Mapping[str, Any]) -> str:
    if isinstance(el, tuple):
        parts = [_fill(p, ctx) for p in el]
        while parts and not parts[-1]:
            parts.pop()
        return COMPONENT.join(parts)
    return _fill(el, ctx)


def render_segment(seg: Seg, ctx: Mapping[str, Any]) -> str | None:
    """One segment's text without terminator, trailing empty elements dropped; None when skipped."""
    if seg.when is not None and not ctx.get(seg.when):
        return None
    els = [_element(e, ctx) for e in seg.elements]
    while els and not els[-1]:
        els.pop()
    return ELEMENT.join([seg.id, *els])


def _walk(loop: Loop, ctx: Mapping[str, Any], out: list[str]) -> None:
    if loop.when is not None and not ctx.get(loop.when):
        return
    items: Sequence[Mapping[str, Any]] = ctx.get(loop.each, ()) if loop.each else [{}]
    for item in items:
        c: Mapping[str, Any] = ChainMap(dict(item), dict(ctx)) if loop.each else ctx
        for seg in loop.segments:
            s = render_segment(seg, c)
            if s is not None:
                out.append(s)
        for child in loop.children:
            _walk(child, c, out)
        for seg in loop.trailer:
            s = render_segment(seg, ChainMap({"@segment_count": len(out) + 1}, dict(c)))
            if s is not None:
                out.append(s)


# --------------------------------------------------------------------------------------------------
# contexts


def _amount(v: Decimal) -> str:
    return fmt_qty(v.quantize(Decimal("0.01")))


def _addr(prefix: str, a: Address | None, zip9: bool = False, where: str = "") -> dict[str, str]:
    if a is None:
        return {}
    if zip9 and len(a.zip) != 9:
        raise InputError(f"{where}: the 837P needs the 9-digit ZIP code (ZIP+4)")
    return {
        f"{prefix}_line1": clean(a.line1)[:55],
        f"{prefix}_line2": clean(a.line2)[:55],
        f"{prefix}_city": clean(a.city)[:30],
        f"{prefix}_state": a.state,
        f"{prefix}_zip": a.zip,
    }


def _header_context(s: Settings, control: int, created: dt.datetime, batch_id: str) -> dict[str, Any]:
    b = s.billing
    ctx: dict[str, Any] = {
        "st_control": f"{control % 10000:04d}",
        "batch_id": clean(batch_id)[:30],
        "date": f"{created:%Y%m%d}",
        "time": f"{created:%H%M}",
        "submitter_name": clean(s.submitter.name)[:60],
        "submitter_id": clean(s.submitter.id)[:80],
        "submitter_contact": clean(s.submitter.contact)[:60],
        "submitter_phone": s.submitter.phone[:10],
        "submitter_email_only": "" if s.submitter.phone else s.submitter.email,
        "submitter_email": s.submitter.email,
        "receiver_name": clean(s.receiver.name)[:60],
        "receiver_id": clean(s.receiver.id)[:80],
        "hl_billing": "1",
        "billing_taxonomy": b.taxonomy,
        "billing_entity": "2" if b.organization else "1",
        "billing_name": clean(b.organization or b.last_name)[:60],
        "billing_first": "" if b.organization else clean(b.first_name)[:35],
        "billing_npi": b.npi,
        "billing_tax_type": b.tax_id_type,
        "billing_tax_id": b.tax_id,
    }
    if not s.submitter.phone and not s.submitter.email:
        raise InputError("settings: [submitter] has no phone (or email) for the 837P contact")
    ctx.update(_addr("billing", b.address, zip9=True, where="settings: [billing_provider.address]"))
    r = s.rendering
    if r is not None:
        ctx.update(
            rend_last=clean(r.last_name)[:60],
            rend_first=clean(r.first_name)[:35],
            rend_npi=r.npi,
            rend_taxonomy=r.taxonomy,
        )
    return ctx


def _claim_context(c: Claim, hl: int) -> dict[str, Any]:
    p = c.patient
    ctx: dict[str, Any] = {
        "hl_subscriber": str(hl),
        "claim_filing": c.payer.claim_filing,
        "pat_last": clean(p.last_name)[:60],
        "pat_first": clean(p.first_name)[:35],
        "pat_middle": clean(p.middle_name)[:25],
        "pat_member_id": clean(p.member_id)[:80],
        "pat_birth": f"{p.birth_date:%Y%m%d}",
        "pat_sex": p.sex,
        "payer_name": clean(c.payer.name)[:60],
        "payer_id": clean(c.payer.id)[:80],
        "clm_id": clean(c.control_number)[:38],
        "clm_total": _amount(c.total_charge),
        "pos": c.place_of_service,
    }
    ctx.update(_addr("pat", p.address))
    ctx.update(_addr("payer", c.payer.address))
    for i, dx in enumerate(c.diagnoses, start=1):
        ctx[f"hi_{i}"] = f"{'ABK' if i == 1 else 'ABF'}{COMPONENT}{dx.replace('.', '')}"
    lines = []
    for n, ln in enumerate(c.lines, start=1):
        lc: dict[str, Any] = {
            "lx": str(n),
            "code": ln.code,
            "charge": _amount(ln.charge),
            "units": fmt_qty(ln.units),
            "dos": f"{c.date_of_service:%Y%m%d}",
            "sv_description": "",
        }
        for i, m in enumerate(ln.modifiers, start=1):
            lc[f"mod_{i}"] = m
        for i, ptr in enumerate(ln.pointers, start=1):
            lc[f"ptr_{i}"] = str(ptr)
        if ln.drug is not None:
            lc.update(ndc=ln.drug.ndc, ndc_qty=fmt_qty(ln.drug.quantity), ndc_unit=ln.drug.unit)
            if ln.drug.unclassified:
                lc["remark"] = clean(ln.drug.remark)[:80]
                lc["sv_description"] = clean(f"{ln.drug.name} {ln.drug.dose}")[:80]
        lines.append(lc)
    ctx["lines"] = lines
    return ctx


def write_837p(
    claims: Sequence[Claim],
    settings: Settings,
    control_number: int = 1,
    created: dt.datetime | None = None,
    newline: bool = True,
) -> str:
    """The 837P text for a batch: ISA/GS/ST envelope around one 2000B + 2300 per claim."""
    if not claims:
        raise InputError("no claims to write")
    if not 1 <= control_number <= 999_999_999:
        raise InputError("the interchange control number must be 1 to 999999999")
    created = created or dt.datetime.now()
    s = settings
    ctx = _header_context(s, control_number, created, f"{claims[0].control_number}-{len(claims)}")
    ctx["claims"] = [_claim_context(c, hl) for hl, c in enumerate(claims, start=2)]
    body: list[str] = []
    _walk(LAYOUT, ctx, body)
    ctl = f"{control_number:09d}"
    isa = ELEMENT.join(
        [
            "ISA", "00", " " * 10, "00", " " * 10,
            "ZZ", clean(s.submitter.id)[:15].ljust(15),
            "ZZ", clean(s.receiver.id)[:15].ljust(15),
            f"{created:%y%m%d}", f"{created:%H%M}", REPETITION, "00501", ctl, "0", s.usage, COMPONENT,
        ]
    )  # fmt: skip
    gs = ELEMENT.join(
        ["GS", "HC", clean(s.submitter.id)[:15], clean(s.receiver.id)[:15], f"{created:%Y%m%d}",
         f"{created:%H%M}", str(control_number), "X", VERSION]
    )  # fmt: skip
    segs = [isa, gs, *body, f"GE*1*{control_number}", f"IEA*1*{ctl}"]
    sep = TERMINATOR + ("\n" if newline else "")
    return sep.join(segs) + sep
