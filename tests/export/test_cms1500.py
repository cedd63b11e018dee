"""CMS-1500 (02/12): each value is read back from the PDF (pypdf text with positions) inside its NUCC box;
the first page is rendered to PNG (pdftoppm) for a person to look at."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import NOTE_SARAPIN, PATIENT, hand_built

from tpicode.export.claim import Claim, build_claim, claim_input
from tpicode.export.cms1500 import BOXES, Box, box_24, box_24_shaded, cms1500_bytes, write_cms1500
from tpicode.export.settings import Settings

Texts = list[tuple[str, float, float, float]]
OUT = Path(__file__).resolve().parents[2] / "build" / "cms1500"


def _read(pdf: bytes, page: int = 0) -> Texts:
    import io

    from pypdf import PdfReader

    found: Texts = []

    def visit(text: str, cm: list[float], tm: list[float], font: dict[str, str] | None, size: float) -> None:
        if text.strip() and font and font.get("/BaseFont") == "/Courier":
            found.append((text.strip(), tm[4] + cm[4], tm[5] + cm[5], size))

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return found


def _in(texts: Texts, box: Box) -> list[str]:
    x0, y0, x1, y1 = box.rect()
    return [t for t, x, y, size in texts if x0 <= x and x + 0.6 * size * len(t) <= x1 + 0.5 and y0 <= y <= y1]


def _claim(settings: Settings, obj: dict[str, object]) -> Claim:
    ci = claim_input(obj)
    return build_claim(ci.encounter, settings, ci.patient)


def test_each_box_holds_its_value(settings: Settings) -> None:
    claim = _claim(settings, hand_built())
    texts = _read(cms1500_bytes([claim]))
    b = settings.billing
    assert b.address is not None and settings.rendering is not None
    assert _in(texts, BOXES["1"]) == ["X"]  # Medicare
    assert _in(texts, BOXES["1a"]) == ["2AB3CD4EF56"]
    assert _in(texts, BOXES["2"]) == ["ROE, RICHARD, Q"]
    assert _in(texts, BOXES["3"]) == ["11 02 1948", "X"]
    assert _in(texts, BOXES["5"]) == ["45 OAK AVE", "APT 3", "BROOKLYN, NY 11201"]
    assert _in(texts, BOXES["carrier"])[0] == "MEDICARE PART B"
    assert _in(texts, BOXES["11"]) == ["NONE"]
    assert _in(texts, BOXES["12"]) == ["SIGNATURE ON FILE"]
    assert _in(texts, BOXES["19"]) == []  # no unclassified drug
    assert _in(texts, BOXES["21_ind"]) == ["0"]  # ICD-10-CM
    assert _in(texts, BOXES["21"]) == ["0", "A. M7918", "B. M62838"]  # the ICD Ind. box sits inside 21
    # line 1: 20553, pointers A and B; line 2: J3301 JZ x4 with the NDC in the shaded area
    assert _in(texts, box_24(1, "A")) == ["05 14 25", "05 14 25"]
    assert _in(texts, box_24(1, "B")) == ["11"]
    assert _in(texts, box_24(1, "D")) == ["20553"]
    assert _in(texts, box_24(1, "E")) == ["AB"]
    assert _in(texts, box_24(1, "F")) == ["180", "00"]
    assert _in(texts, box_24(1, "G")) == ["1"]
    assert _in(texts, box_24(1, "J")) == [settings.rendering.npi]
    assert _in(texts, box_24(1, "J", shaded=True)) == [settings.rendering.taxonomy]
    assert _in(texts, box_24(1, "I", shaded=True)) == ["ZZ"]
    assert _in(texts, box_24(2, "D")) == ["J3301", "JZ"]
    assert _in(texts, box_24(2, "E")) == ["A"]
    assert _in(texts, box_24(2, "F")) == ["32", "00"]
    assert _in(texts, box_24(2, "G")) == ["4"]
    assert _in(texts, box_24_shaded(2)) == ["N499999030101 ML1"]
    assert _in(texts, box_24_shaded(1)) == []
    assert _in(texts, BOXES["25"]) == [b.tax_id, "X"]
    assert _in(texts, BOXES["26"]) == ["HB-0001"]
    assert _in(texts, BOXES["27"]) == ["X YES"]
    assert _in(texts, BOXES["28"]) == ["212", "00"]
    assert _in(texts, BOXES["31"]) == ["RIVERA, ALEX", "05/14/2025"]
    assert _in(texts, BOXES["32"]) == ["SUNRISE PAIN CLINIC PLLC", "100 MAIN ST", "NEW YORK, NY 10001-1234"]
    assert _in(texts, BOXES["32a"]) == [b.npi]
    assert _in(texts, BOXES["33"]) == [
        "(555) 555-0100",
        "SUNRISE PAIN CLINIC PLLC",
        "100 MAIN ST",
        "NEW YORK, NY 10001-1234",
    ]
    assert _in(texts, BOXES["33a"]) == [b.npi]
    assert _in(texts, BOXES["33b"]) == [f"ZZ{b.taxonomy}"]


def test_unclassified_drug_goes_in_box_19(settings: Settings) -> None:
    obj = {"id": "SAR-1", "note": NOTE_SARAPIN, "date_of_service": "2025-03-10", "patient": PATIENT}
    texts = _read(cms1500_bytes([_claim(settings, obj)]))
    assert _in(texts, BOXES["19"]) == ["SARAPIN 4 ML NDC 99999349001"]
    assert _in(texts, box_24(2, "D")) == ["J3490"]
    assert _in(texts, box_24_shaded(2)) == ["N499999349001 ML4"]


def test_render_png_for_a_person(settings: Settings) -> None:
    """Writes build/cms1500/claim-1.png (and the PDF) to look at; skipped without poppler's pdftoppm."""
    OUT.mkdir(parents=True, exist_ok=True)
    pdf = OUT / "claim.pdf"
    write_cms1500([_claim(settings, hand_built())], pdf)
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils) not installed")
    subprocess.run(["pdftoppm", "-png", "-r", "110", str(pdf), str(OUT / "claim")], check=True, timeout=60)
    png = OUT / "claim-1.png"
    assert png.exists() and png.stat().st_size > 20_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
