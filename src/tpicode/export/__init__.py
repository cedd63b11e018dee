"""Claims out: X12 837P, CMS-1500 PDF and FHIR R4, all from one checked Claim (see claim.py)."""

from tpicode.export.claim import Claim, ClaimInput, ClaimLine, build_claim, build_claims, claim_input
from tpicode.export.settings import Settings, load_settings

__all__ = [
    "Claim",
    "ClaimInput",
    "ClaimLine",
    "Settings",
    "build_claim",
    "build_claims",
    "claim_input",
    "load_settings",
]
