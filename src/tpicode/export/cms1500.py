"""CMS-1500 (02/12) claim form as a PDF: the form's boxes drawn, each value printed inside its NUCC box.

Positions follow the form's print grid (10 characters an inch, 6 lines an inch); BOXES is the layout as
data, so tests can check that each value landed in its box. Six service lines a page; more start a page.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from tpicode.export.claim import Claim, ClaimLine, fmt_qty
from tpicode.export.settings import Address

PAGE_W, PAGE_H = 612.0, 792.0  # US letter, points
X0, Y0 = 18.0, 24.0  # left and top margins of the grid, points
CW, LH = 6.75, 11.4  # one print column (about 1/10 inch) and one print line (about 1/6 inch), points
LINES_PER_PAGE = 6
FORM_RED = Color(0.78, 0.12, 0.16)
SHADE = Color(1.0, 0.92, 0.92)
VALUE_FONT, LABEL_FONT = "Courier", "Helvetica"


@dataclass(frozen=True)
class Box:
    """A box of the form on the print grid: first column, first line, width in columns, height in lines."""

    label: str
    col: int
    line: int
    width: int
    height: int

    def rect(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) in PDF points, origin bottom-left."""
        x0 = X0 + (self.col - 1) * CW
        top = PAGE_H - Y0 - (self.line - 1) * LH
        return x0, top - self.height * LH, x0 + self.width * CW, top


# The NUCC boxes tpicode fills (and the neighbours that frame them). Row 24 is generated per line.
BOXES: dict[str, Box] = {
    "carrier": Box("PAYER", 50, 1, 35, 4),
    "1": Box("1. MEDICARE  MEDICAID  TRICARE  CHAMPVA  GROUP HEALTH PLAN  FECA BLK LUNG  OTHER", 1, 7, 49, 2),
    "1a": Box("1a. INSURED'S I.D. NUMBER", 50, 7, 35, 2),
    "2": Box("2. PATIENT'S NAME (Last Name, First Name, Middle Initial)", 1, 9, 29, 2),
    "3": Box("3. PATIENT'S BIRTH DATE  SEX", 30, 9, 20, 2),
    "4": Box("4. INSURED'S NAME (Last Name, First Name, Middle Initial)", 50, 9, 35, 2),
    "5": Box("5. PATIENT'S ADDRESS (No., Street) / CITY / STATE / ZIP CODE", 1, 11, 29, 6),
    "6": Box("6. PATIENT RELATIONSHIP TO INSURED", 30, 11, 20, 2),
    "7": Box("7. INSURED'S ADDRESS (No., Street) / CITY / STATE / ZIP CODE", 50, 11, 35, 6),
    "8": Box("8. RESERVED FOR NUCC USE", 30, 13, 20, 4),
    "9": Box("9. OTHER INSURED'S NAME", 1, 17, 29, 10),
    "10": Box(
        "10. IS PATIENT'S CONDITION RELATED TO: a. EMPLOYMENT  b. AUTO ACCIDENT  c. OTHER ACCIDENT",
        30,
        17,
        20,
        10,
    ),
    "11": Box("11. INSURED'S POLICY GROUP OR FECA NUMBER", 50, 17, 35, 2),
    "11c": Box("c. INSURANCE PLAN NAME OR PROGRAM NAME", 50, 23, 35, 2),
    "12": Box("12. PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE", 1, 27, 49, 4),
    "13": Box("13. INSURED'S OR AUTHORIZED PERSON'S SIGNATURE", 50, 27, 35, 4),
    "14": Box("14. DATE OF CURRENT ILLNESS, INJURY, or PREGNANCY (LMP)", 1, 31, 29, 2),
    "17": Box("17. NAME OF REFERRING PROVIDER OR OTHER SOURCE", 1, 33, 49, 2),
    "19": Box("19. ADDITIONAL CLAIM INFORMATION (Designated by NUCC)", 1, 35, 49, 2),
    "20": Box("20. OUTSIDE LAB?", 50, 35, 35, 2),
    "21": Box(
        "21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  Relate A-L to service line below (24E)", 1, 37, 49, 4
    ),
    "21_ind": Box("ICD Ind.", 42, 37, 8, 1),
    "22": Box("22. RESUBMISSION CODE / ORIGINAL REF. NO.", 50, 37, 35, 2),
    "23": Box("23. PRIOR AUTHORIZATION NUMBER", 50, 39, 35, 2),
    "25": Box("25. FEDERAL TAX I.D. NUMBER  SSN EIN", 1, 57, 20, 2),
    "26": Box("26. PATIENT'S ACCOUNT NO.", 21, 57, 17, 2),
    "27": Box("27. ACCEPT ASSIGNMENT?", 38, 57, 12, 2),
    "28": Box("28. TOTAL CHARGE", 50, 57, 12, 2),
    "29": Box("29. AMOUNT PAID", 62, 57, 11, 2),
    "30": Box("30. Rsvd for NUCC Use", 73, 57, 12, 2),
    "31": Box("31. SIGNATURE OF PHYSICIAN OR SUPPLIER", 1, 59, 21, 5),
    "32": Box("32. SERVICE FACILITY LOCATION INFORMATION", 22, 59, 27, 4),
    "32a": Box("a. NPI", 22, 63, 27, 1),
    "33": Box("33. BILLING PROVIDER INFO & PH #", 49, 59, 36, 4),
    "33a": Box("a. NPI", 49, 63, 18, 1),
    "33b": Box("b.", 67, 63, 18, 1),
}
# Row 24 columns (start column, width) and its header line.
COLUMNS_24: dict[str, tuple[int, int, str]] = {
    "A": (1, 18, "A. DATE(S) OF SERVICE From / To"),
    "B": (19, 3, "B. POS"),
    "C": (22, 3, "C. EMG"),
    "D": (25, 19, "D. CPT/HCPCS  MODIFIER"),
    "E": (44, 6, "E. DX PTR"),
    "F": (50, 9, "F. $ CHARGES"),
    "G": (59, 4, "G. UNITS"),
    "H": (63, 2, "H."),
    "I": (65, 3, "I. QUAL"),
    "J": (68, 17, "J. RENDERING PROVIDER ID. #"),
}
HEADER_24 = 42
FIRST_ROW_24 = 44  # line of row 1's shaded half; its unshaded half is the next line
DX_LETTERS = "ABCDEFGHIJKL"


def box_24(row: int, column: str, shaded: bool = False) -> Box:
    """The cell of service line `row` (1-6) in column A-J; `shaded` is the upper (supplemental) half."""
    col, width, label = COLUMNS_24[column]
    line = FIRST_ROW_24 + 2 * (row - 1) + (0 if shaded else 1)
    return Box(label, col, line, width, 1)


def box_24_shaded(row: int) -> Box:
    """The shaded supplemental area of a service line (24A through 24G): NDC and quantity go here."""
    return Box("24 shaded", 1, FIRST_ROW_24 + 2 * (row - 1), 62, 1)


def dx_slot(i: int) -> tuple[int, int]:
    """(column, line) of diagnosis A-L in box 21: four a line."""
    return 3 + (i % 4) * 12, 38 + i // 4


# --------------------------------------------------------------------------------------------------
# drawing


def _xy(col: float, line: int) -> tuple[float, float]:
    """Baseline point for text starting at a grid column on a grid line."""
    return X0 + (col - 1) * CW + 1.5, PAGE_H - Y0 - line * LH + 2.5


def _put(cv: Canvas, col: float, line: int, text: str, size: float = 9.5, fit: int = 0) -> None:
    """Print text at a grid position; with `fit`, shrink the type so it spans at most that many columns."""
    if not text:
        return
    if fit and len(text) > fit:
        size = size * fit / len(text)
    cv.setFillColorRGB(0, 0, 0)
    cv.setFont(VALUE_FONT, size)
    x, y = _xy(col, line)
    cv.drawString(x, y, text)


def _put_right(cv: Canvas, end_col: int, line: int, text: str) -> None:
    """Right-align text so it ends at the end of column `end_col`."""
    cv.setFillColorRGB(0, 0, 0)
    cv.setFont(VALUE_FONT, 9.5)
    x = X0 + end_col * CW - 1.5
    cv.drawRightString(x, _xy(1, line)[1], text)


def _frame(cv: Canvas, box: Box, shade: bool = False, label: bool = True) -> None:
    x0, y0, x1, y1 = box.rect()
    cv.setStrokeColor(FORM_RED)
    cv.setLineWidth(0.5)
    if shade:
        cv.setFillColor(SHADE)
        cv.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=1)
    else:
        cv.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=0)
    if label:
        cv.setFillColor(FORM_RED)
        cv.setFont(LABEL_FONT, 4.6)
        cv.drawString(x0 + 1.2, y1 - 5.2, box.label[: int((x1 - x0) / 2.0)])


def _tick_label(cv: Canvas, col: float, line: int, text: str) -> None:
    """A small red caption beside a check position (M/F, SSN/EIN), part of the form, not a value."""
    cv.setFillColor(FORM_RED)
    cv.setFont(LABEL_FONT, 5.5)
    x, y = _xy(col, line)
    cv.drawString(x, y + 1, text)


def _draw_form(cv: Canvas) -> None:
    cv.setFillColor(FORM_RED)
    cv.setFont("Helvetica-Bold", 13)
    cv.drawString(X0 + 2, PAGE_H - Y0 - 4.6 * LH, "HEALTH INSURANCE CLAIM FORM")
    cv.setFont(LABEL_FONT, 5.5)
    cv.drawString(X0 + 2, PAGE_H - Y0 - 5.5 * LH, "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12")
    cv.drawString(X0 + 2, PAGE_H - Y0 - 65.6 * LH, "NUCC Instruction Manual available at: www.nucc.org")
    cv.drawRightString(X0 + 84 * CW, PAGE_H - Y0 - 65.6 * LH, "FORM CMS-1500 (02-12) - printed by tpicode")
    for box in BOXES.values():
        _frame(cv, box)
    for key, (col, width, label) in COLUMNS_24.items():
        _frame(cv, Box(f"24. {label}" if key == "A" else label, col, HEADER_24, width, 2))
    for row in range(1, LINES_PER_PAGE + 1):
        cv.setFillColor(FORM_RED)
        cv.setFont("Helvetica-Bold", 7)
        cv.drawString(X0 - 9, _xy(1, FIRST_ROW_24 + 2 * row - 1)[1], str(row))
        for key in COLUMNS_24:
            _frame(cv, box_24(row, key, shaded=True), shade=True, label=False)
            _frame(cv, box_24(row, key, shaded=False), label=False)
    for tcol, tline, text in ((42.6, 10, "M"), (45.6, 10, "F"), (15.4, 58, "SSN"), (17.8, 58, "EIN")):
        _tick_label(cv, tcol, tline, text)


def _money(v: Decimal) -> tuple[str, str]:
    q = v.quantize(Decimal("0.01"))
    dollars, cents = f"{q:.2f}".split(".")
    return dollars, cents


def _mmddyy(d: dt.date, year4: bool = False) -> str:
    return f"{d:%m %d %Y}" if year4 else f"{d:%m %d %y}"


def _addr_lines(a: Address | None) -> list[str]:
    if a is None:
        return []
    lines = [a.line1] + ([a.line2] if a.line2 else [])
    z = a.zip if len(a.zip) == 5 else f"{a.zip[:5]}-{a.zip[5:]}"
    return [*lines, f"{a.city}, {a.state} {z}"]


def _fill_header(cv: Canvas, c: Claim) -> None:
    s = c.settings
    p = c.patient
    # carrier block (payer name and address), top right
    payer_lines = [c.payer.name.upper(), *_addr_lines(c.payer.address)]
    for i, text in enumerate(payer_lines[:4]):
        _put(cv, 51, 1 + i, text.upper(), fit=33)
    # 1: insurance type (Medicare / other), 1a: insured's id
    plan_col = {"MB": 2, "MC": 9, "CH": 17, "BL": 34, "CI": 34}.get(c.payer.claim_filing, 45)
    _put(cv, plan_col, 8, "X")
    _put(cv, 51, 8, p.member_id)
    name = f"{p.last_name}, {p.first_name}" + (f", {p.middle_name[:1]}" if p.middle_name else "")
    _put(cv, 2, 10, name.upper(), fit=27)
    _put(cv, 31, 10, _mmddyy(p.birth_date, year4=True))
    _put(cv, 43.5 if p.sex == "M" else 46.5, 10, "X" if p.sex in ("M", "F") else "")
    _put(cv, 51, 10, name.upper(), fit=33)  # 4: the insured is the patient
    addr = _addr_lines(p.address)
    for i, text in enumerate(addr[:3]):
        _put(cv, 2, 12 + 2 * i, text.upper(), fit=27)
        _put(cv, 51, 12 + 2 * i, text.upper(), fit=33)
    _put(cv, 31, 12, "X SELF")
    _put(cv, 31, 20, "a. NO")
    _put(cv, 31, 22, "b. NO")
    _put(cv, 31, 24, "c. NO")
    _put(cv, 51, 18, "NONE" if c.payer.claim_filing == "MB" else "")
    _put(cv, 51, 24, c.payer.name.upper(), fit=33)
    _put(cv, 7, 30, "SIGNATURE ON FILE")
    _put(cv, 56, 30, "SIGNATURE ON FILE")
    # 19: unclassified drugs: name, dose and NDC
    remarks = [ln.drug.remark for ln in c.lines if ln.drug is not None and ln.drug.unclassified]
    _put(cv, 2, 36, "; ".join(remarks)[:71].upper(), fit=47)
    _put(cv, 51, 36, "NO")
    # 21: ICD indicator 0 (ICD-10-CM) and diagnoses A-L
    _put(cv, 48, 37, "0")
    for i, dx in enumerate(c.diagnoses):
        col, line = dx_slot(i)
        _put(cv, col, line, f"{DX_LETTERS[i]}. {dx.replace('.', '')}")
    # 25, 26, 27
    _put(cv, 2, 58, s.billing.tax_id)
    _put(cv, 14.6 if s.billing.tax_id_type == "SY" else 19.2, 58, "X")
    _put(cv, 22, 58, c.control_number, fit=15)
    _put(cv, 39, 58, "X YES")
    # 31: signature of physician (rendering or billing) and date
    signer = s.rendering or s.billing
    _put(cv, 2, 61, signer.display_name.upper()[:20])
    _put(cv, 2, 63, f"{c.date_of_service:%m/%d/%Y}")
    # 32: service facility (the office), 32a its NPI
    for i, text in enumerate([s.billing.display_name, *_addr_lines(s.billing.address)][:3]):
        _put(cv, 23, 60 + i, text.upper()[:26])
    _put(cv, 23, 63, s.billing.npi)
    # 33: billing provider, phone, 33a NPI, 33b taxonomy (ZZ)
    phone = s.billing.phone
    if len(phone) == 10:
        _put(cv, 72, 59, f"({phone[:3]}) {phone[3:6]}-{phone[6:]}")
    for i, text in enumerate([s.billing.display_name, *_addr_lines(s.billing.address)][:3]):
        _put(cv, 50, 60 + i, text.upper()[:35])
    _put(cv, 50, 63, s.billing.npi)
    _put(cv, 68, 63, f"ZZ{s.billing.taxonomy}")


def _fill_line(cv: Canvas, c: Claim, row: int, ln: ClaimLine) -> None:
    top = FIRST_ROW_24 + 2 * (row - 1)
    line = top + 1
    dos = _mmddyy(c.date_of_service)
    _put(cv, 1, line, dos)
    _put(cv, 10, line, dos)
    _put(cv, 19, line, c.place_of_service)
    _put(cv, 25, line, ln.code)
    for i, m in enumerate(ln.modifiers):
        _put(cv, 32 + 3 * i, line, m)
    _put(cv, 44, line, "".join(DX_LETTERS[p - 1] for p in ln.pointers))
    dollars, cents = _money(ln.charge)
    _put_right(cv, 56, line, dollars)
    _put(cv, 57, line, cents)
    _put(cv, 59, line, fmt_qty(ln.units))
    rendering = c.settings.rendering
    _put(cv, 68, line, rendering.npi if rendering else "")
    if ln.drug is not None:
        # shaded area: N4 qualifier, 11-digit NDC, unit of measure qualifier and quantity
        _put(cv, 1, top, f"N4{ln.drug.ndc} {ln.drug.unit}{fmt_qty(ln.drug.quantity)}")
    if rendering is not None:
        _put(cv, 65, top, "ZZ")
        _put(cv, 68, top, rendering.taxonomy)


def _pages(c: Claim) -> list[Sequence[ClaimLine]]:
    return [c.lines[i : i + LINES_PER_PAGE] for i in range(0, len(c.lines), LINES_PER_PAGE)]


def write_cms1500(claims: Sequence[Claim], out: str | Path | io.BytesIO) -> None:
    """Write one form per claim (and per six lines) to a PDF file or buffer."""
    cv = Canvas(str(out) if isinstance(out, Path) else out, pagesize=(PAGE_W, PAGE_H))
    cv.setTitle("CMS-1500 (02/12) claims")
    cv.setAuthor("tpicode")
    cv.setCreator("tpicode")
    for c in claims:
        for chunk in _pages(c):
            _draw_form(cv)
            _fill_header(cv, c)
            for row, ln in enumerate(chunk, start=1):
                _fill_line(cv, c, row, ln)
            dollars, cents = _money(sum((ln.charge for ln in chunk), Decimal("0.00")))
            _put_right(cv, 59, 58, dollars)
            _put(cv, 60, 58, cents)
            cv.showPage()
    cv.save()


def cms1500_bytes(claims: Sequence[Claim]) -> bytes:
    buf = io.BytesIO()
    write_cms1500(claims, buf)
    return buf.getvalue()
