"""FHIR R4 out (a Bundle: Claim, Procedure, Patient, Coverage, providers, BodyStructures) and in (a
DocumentReference with its Patient becomes an Encounter). Shapes are checked with fhir.resources.R4B.

R4's Claim.item.bodySite holds one concept, so a line's muscles go in item.subSite (one per muscle and side),
each also a BodyStructure with its side in locationQualifier, referenced from the Procedure's bodySite.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from tpicode.errors import InputError
from tpicode.export.claim import Claim, ClaimInput
from tpicode.export.settings import Address, Patient
from tpicode.model import Encounter, MuscleResult
from tpicode.pipeline import to_encounter

CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
NDC = "http://hl7.org/fhir/sid/ndc"
NPI = "http://hl7.org/fhir/sid/us-npi"
SNOMED = "http://snomed.info/sct"
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
MUSCLE = "urn:tpicode:muscle"
BODY_SITE_EXT = "http://hl7.org/fhir/StructureDefinition/bodySite"
# SNOMED CT qualifier values for laterality (as used by BodyStructure.locationQualifier).
LATERALITY = {"left": ("7771000", "Left"), "right": ("24028007", "Right")}
UCUM = {"ML": "mL", "GR": "g", "ME": "mg", "UN": "{unit}", "F2": "[iU]"}


def _cc(system: str, code: str, text: str | None = None) -> dict[str, Any]:
    cc: dict[str, Any] = {"coding": [{"system": system, "code": code}]}
    if text:
        cc["text"] = text
    return cc


def _address(a: Address) -> dict[str, Any]:
    lines = [a.line1] + ([a.line2] if a.line2 else [])
    return {"line": lines, "city": a.city, "state": a.state, "postalCode": a.zip, "country": "US"}


def _muscle_id(m: MuscleResult) -> str:
    return re.sub(r"[^a-z0-9]+", "-", f"{m.muscle}-{m.laterality}")


def _muscle_cc(m: MuscleResult) -> dict[str, Any]:
    side = "" if m.laterality == "unspecified" else f"{m.laterality} "
    return {
        "coding": [{"system": MUSCLE, "code": m.muscle, "display": m.muscle}],
        "text": f"{side}{m.muscle}",
    }


def _body_structure(rid: str, m: MuscleResult, patient_ref: str) -> dict[str, Any]:
    bs: dict[str, Any] = {
        "resourceType": "BodyStructure",
        "id": rid,
        "location": {"coding": [{"system": MUSCLE, "code": m.muscle, "display": m.muscle}], "text": m.muscle},
        "patient": {"reference": patient_ref},
        "description": _muscle_cc(m)["text"],
    }
    if m.laterality in LATERALITY:
        code, display = LATERALITY[m.laterality]
        bs["locationQualifier"] = [{"coding": [{"system": SNOMED, "code": code, "display": display}]}]
    return bs


def _entry(res: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{res['resourceType'].lower()}-{res['id']}", "resource": res}


def _ref(res: dict[str, Any]) -> str:
    return f"urn:uuid:{res['resourceType'].lower()}-{res['id']}"


def _fid(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9\-.]", "-", value)[:64]


def claim_resources(claim: Claim, created: dt.date | None = None) -> list[dict[str, Any]]:
    """The resources for one claim: Patient, Coverage, Organization, Practitioner, BodyStructures,
    Procedure(s) and the Claim itself."""
    s = claim.settings
    cid = _fid(claim.control_number.lower())
    p = claim.patient
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": f"{cid}-patient",
        "identifier": [{"system": "urn:tpicode:member-id", "value": p.member_id}],
        "name": [{"family": p.last_name, "given": [g for g in (p.first_name, p.middle_name) if g]}],
        "gender": {"M": "male", "F": "female"}.get(p.sex, "unknown"),
        "birthDate": p.birth_date.isoformat(),
        "address": [_address(p.address)],
    }
    pref = _ref(patient)
    org: dict[str, Any] = {
        "resourceType": "Organization",
        "id": f"{cid}-billing",
        "identifier": [
            {"system": NPI, "value": s.billing.npi},
            {"system": "urn:oid:2.16.840.1.113883.4.4", "value": s.billing.tax_id},
        ],
        "name": s.billing.display_name,
    }
    if s.billing.address:
        org["address"] = [_address(s.billing.address)]
    payer: dict[str, Any] = {
        "resourceType": "Organization",
        "id": f"{cid}-payer",
        "identifier": [{"system": "urn:tpicode:payer-id", "value": claim.payer.id}],
        "name": claim.payer.name,
    }
    coverage: dict[str, Any] = {
        "resourceType": "Coverage",
        "id": f"{cid}-coverage",
        "status": "active",
        "subscriberId": p.member_id,
        "beneficiary": {"reference": pref},
        "relationship": _cc("http://terminology.hl7.org/CodeSystem/subscriber-relationship", "self"),
        "payor": [{"reference": _ref(payer)}],
    }
    out = [patient, org, payer, coverage]
    performer_ref = _ref(org)
    if s.rendering is not None:
        prac: dict[str, Any] = {
            "resourceType": "Practitioner",
            "id": f"{cid}-rendering",
            "identifier": [{"system": NPI, "value": s.rendering.npi}],
            "name": [{"family": s.rendering.last_name, "given": [s.rendering.first_name]}],
        }
        out.append(prac)
        performer_ref = _ref(prac)
    dos = claim.date_of_service.isoformat()
    items = []
    for n, ln in enumerate(claim.lines, start=1):
        system = CPT if ln.code[:1].isdigit() else HCPCS
        item: dict[str, Any] = {
            "sequence": n,
            "diagnosisSequence": list(ln.pointers),
            "productOrService": _cc(system, ln.code, ln.description),
            "servicedDate": dos,
            "locationCodeableConcept": _cc(POS, claim.place_of_service),
            "quantity": {"value": float(ln.units)},
            "unitPrice": {"value": float(ln.charge / ln.units), "currency": "USD"},
            "net": {"value": float(ln.charge), "currency": "USD"},
        }
        if ln.modifiers:
            item["modifier"] = [_cc(system if m.isdigit() else HCPCS, m) for m in ln.modifiers]
        if ln.drug is not None:
            item["detail"] = [
                {
                    "sequence": 1,
                    "productOrService": _cc(NDC, ln.drug.ndc, ln.drug.name),
                    "quantity": {
                        "value": float(ln.drug.quantity),
                        "unit": ln.drug.unit,
                        "system": "http://unitsofmeasure.org",
                        "code": UCUM.get(ln.drug.unit, ln.drug.unit),
                    },
                }
            ]
        if ln.muscles:
            structures = []
            for m in ln.muscles:
                bs = _body_structure(f"{cid}-{n}-{_muscle_id(m)}", m, pref)
                structures.append(bs)
            out.extend(structures)
            item["bodySite"] = {"text": "; ".join(_muscle_cc(m)["text"] for m in ln.muscles)}
            item["subSite"] = [_muscle_cc(m) for m in ln.muscles]
            item["extension"] = [
                {"url": BODY_SITE_EXT, "valueReference": {"reference": _ref(b)}} for b in structures
            ]
            proc: dict[str, Any] = {
                "resourceType": "Procedure",
                "id": f"{cid}-procedure-{n}",
                "status": "completed",
                "code": _cc(system, ln.code, ln.description),
                "subject": {"reference": pref},
                "performedDateTime": dos,
                "performer": [{"actor": {"reference": performer_ref}}],
                "bodySite": [
                    {
                        **_muscle_cc(m),
                        "extension": [{"url": BODY_SITE_EXT, "valueReference": {"reference": _ref(b)}}],
                    }
                    for m, b in zip(ln.muscles, structures, strict=True)
                ],
                "reasonCode": [_cc(ICD10CM, claim.diagnoses[i - 1]) for i in ln.pointers],
            }
            if claim.result.medications:
                used = [m.drug for m in claim.result.medications]
                proc["usedCode"] = [{"text": d} for d in used]
            out.append(proc)
        items.append(item)
    fhir_claim: dict[str, Any] = {
        "resourceType": "Claim",
        "id": cid,
        "identifier": [{"system": "urn:tpicode:patient-control-number", "value": claim.control_number}],
        "status": "active",
        "type": _cc("http://terminology.hl7.org/CodeSystem/claim-type", "professional"),
        "use": "claim",
        "patient": {"reference": pref},
        "billablePeriod": {"start": dos, "end": dos},
        "created": (created or dt.date.today()).isoformat(),
        "insurer": {"reference": _ref(payer)},
        "provider": {"reference": _ref(org)},
        "priority": _cc("http://terminology.hl7.org/CodeSystem/processpriority", "normal"),
        "diagnosis": [
            {"sequence": i, "diagnosisCodeableConcept": _cc(ICD10CM, dx)}
            for i, dx in enumerate(claim.diagnoses, start=1)
        ],
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": _ref(coverage)}}],
        "item": items,
        "total": {"value": float(claim.total_charge), "currency": "USD"},
    }
    if s.rendering is not None:
        fhir_claim["careTeam"] = [
            {
                "sequence": 1,
                "provider": {"reference": performer_ref},
                "role": _cc("http://terminology.hl7.org/CodeSystem/claimcareteamrole", "primary"),
            }
        ]
        for it in items:
            it["careTeamSequence"] = [1]
    procs = [r for r in out if r["resourceType"] == "Procedure"]
    if procs:
        fhir_claim["procedure"] = [
            {"sequence": i, "procedureReference": {"reference": _ref(pr)}}
            for i, pr in enumerate(procs, start=1)
        ]
    out.append(fhir_claim)
    return out


def claim_bundle(claims: Sequence[Claim], created: dt.date | None = None) -> dict[str, Any]:
    """A collection Bundle of every claim's resources, checked against the R4 models before it is returned."""
    entries = []
    seen: set[str] = set()
    for c in claims:
        for res in claim_resources(c, created):
            url = _ref(res)
            if url not in seen:
                seen.add(url)
                entries.append(_entry(res))
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    validate_r4(bundle)
    return bundle


def validate_r4(resource: Mapping[str, Any]) -> None:
    """Raise InputError unless fhir.resources' R4 (R4B) model accepts the resource."""
    from fhir.resources.R4B import get_fhir_model_class

    kind = resource.get("resourceType")
    if not isinstance(kind, str):
        raise InputError("FHIR: the object has no resourceType")
    try:
        cls = get_fhir_model_class(kind)
    except (KeyError, ValueError, AttributeError):
        raise InputError(f"FHIR: {kind!r} is not an R4 resource type") from None
    try:
        cls.model_validate(dict(resource))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"FHIR {kind}: {where}: {first['msg']}") from None


# --------------------------------------------------------------------------------------------------
# in: DocumentReference (+ Patient) -> Encounter


def _note_text(doc: Mapping[str, Any]) -> str:
    for content in doc.get("content") or []:
        att = content.get("attachment") or {}
        ctype = str(att.get("contentType", "text/plain"))
        if not ctype.startswith("text/"):
            continue
        data = att.get("data")
        if data:
            m = re.search(r"charset=([\w-]+)", ctype)
            try:
                return base64.b64decode(data, validate=True).decode(m.group(1) if m else "utf-8")
            except (binascii.Error, UnicodeDecodeError, LookupError):
                raise InputError(
                    "FHIR DocumentReference: content.attachment.data is not base64 text"
                ) from None
    div = (doc.get("text") or {}).get("div")
    if isinstance(div, str) and div.strip():
        return re.sub(r"<[^>]+>", "", div).strip()
    raise InputError("FHIR DocumentReference: no text/plain content.attachment.data holding the note")


def _date(doc: Mapping[str, Any]) -> str | None:
    start = ((doc.get("context") or {}).get("period") or {}).get("start")
    when = start or doc.get("date")
    return str(when)[:10] if when else None


def _patient_for(doc: Mapping[str, Any], resources: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    patients = [r for r in resources if r.get("resourceType") == "Patient"]
    ref = str((doc.get("subject") or {}).get("reference", ""))
    for p in patients:
        if ref and (ref == f"Patient/{p.get('id')}" or ref.endswith(str(p.get("id")))):
            return p
    return patients[0] if len(patients) == 1 else None


def _resources(resource: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if resource.get("resourceType") == "Bundle":
        return [e["resource"] for e in resource.get("entry") or [] if isinstance(e.get("resource"), dict)]
    return [resource]


def fhir_claim_input(resource: Mapping[str, Any]) -> ClaimInput:
    """An encounter (and, with a Patient that has what a claim needs, its demographics) from FHIR R4."""
    validate_r4(resource)
    resources = _resources(resource)
    docs = [r for r in resources if r.get("resourceType") == "DocumentReference"]
    if len(docs) != 1:
        raise InputError(f"FHIR: expected one DocumentReference holding the note, found {len(docs)}")
    doc = docs[0]
    pat = _patient_for(doc, resources)
    enc: dict[str, Any] = {"note": _note_text(doc)}
    if doc.get("id"):
        enc["id"] = str(doc["id"])
    day = _date(doc)
    if day:
        enc["date_of_service"] = day
    if pat is not None:
        ident = (pat.get("identifier") or [{}])[0].get("value")
        enc["patient_id"] = str(pat.get("id") or ident or "") or None
    patient = _patient(pat) if pat is not None else None
    return ClaimInput(to_encounter(enc), patient)


def _patient(pat: Mapping[str, Any]) -> Patient | None:
    """Demographics for a claim, or None when the Patient lacks any of them (settings may supply them)."""
    try:
        name = (pat.get("name") or [{}])[0]
        addr = (pat.get("address") or [{}])[0]
        member = next((i["value"] for i in pat.get("identifier") or [] if i.get("value")), None)
        zipc = re.sub(r"\D", "", str(addr.get("postalCode", "")))
        lines = addr.get("line") or []
        if not (
            name.get("family") and name.get("given") and pat.get("birthDate") and member and lines and zipc
        ):
            return None
        sex = {"male": "M", "female": "F"}.get(str(pat.get("gender")), "U")
        return Patient(
            last_name=str(name["family"]),
            first_name=str(name["given"][0]),
            middle_name=str(name["given"][1]) if len(name["given"]) > 1 else "",
            birth_date=dt.date.fromisoformat(str(pat["birthDate"])),
            sex=sex,
            member_id=str(member),
            address=Address(
                line1=str(lines[0]),
                line2=str(lines[1]) if len(lines) > 1 else "",
                city=str(addr.get("city", "")),
                state=str(addr.get("state", "")).upper(),
                zip=zipc,
            ),
        )
    except (KeyError, IndexError, ValueError, TypeError):
        return None


def encounter_from_fhir(resource: dict[str, Any]) -> Encounter:
    """An Encounter from a FHIR R4 Bundle (DocumentReference + Patient) or a DocumentReference alone."""
    return fhir_claim_input(resource).encounter


def maybe_encounter_from_fhir(obj: Any) -> Encounter | None:
    """For `tpicode code`: an Encounter when `obj` is a FHIR resource, None when it is not FHIR at all.

    A FHIR object that is not usable raises InputError with the reason.
    """
    if not isinstance(obj, dict) or "resourceType" not in obj:
        return None
    return encounter_from_fhir(obj)
