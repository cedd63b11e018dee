"""The `tpicode code` command line: formats, input kinds, and every exit-2 case (contract: Command line)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import tpicode
from tpicode.cli import main
from tpicode.model import MAX_NOTE_BYTES

NOTE = (
    "Procedure: trigger point injections. After consent, the left upper trapezius, left levator "
    "scapulae and right rhomboid major were injected with 1 mL of 1% lidocaine each. "
    "Pre 7/10, post 2/10. Tolerated well."
)
DOS = "2025-06-02"
SRC = Path(__file__).resolve().parents[1] / "src"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def assert_usage_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert err.startswith("tpicode: ")
    assert err.count("\n") == 1, err  # one line
    for needle in needles:
        assert needle in err, (needle, err)


# --- happy paths ------------------------------------------------------------------------------------


def test_txt_note_gives_json_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note = write(tmp_path / "visit1.txt", NOTE)
    code, out, err = run(capsys, "code", str(note), "--date", DOS)
    assert code == 0, err
    result = json.loads(out)
    assert result["id"] == "visit1"
    assert result["procedure"] == {"code": "20553", "muscle_count": 3}
    assert {(m["muscle"], m["laterality"]) for m in result["muscles"]} == {
        ("trapezius", "left"),
        ("levator scapulae", "left"),
        ("rhomboid major", "right"),
    }
    assert result["status"] in ("ready", "review", "hold")
    assert result["date_of_service"] == DOS
    assert result["payer"] == "medicare"
    assert "20553" in [line["code"] for line in result["lines"]]
    # evidence spans point into the note as written
    for m in result["muscles"]:
        for ev in m["evidence"]:
            assert NOTE[ev["start"] : ev["end"]] == ev["text"]


def test_result_matches_python_api(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note = write(tmp_path / "same.txt", NOTE)
    code, out, _ = run(capsys, "code", str(note), "--date", DOS)
    assert code == 0
    api = tpicode.code({"id": "same", "note": NOTE, "date_of_service": DOS}).model_dump(mode="json")
    assert json.loads(out) == api


def test_pretty_is_indented_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note = write(tmp_path / "p.txt", NOTE)
    code, out, _ = run(capsys, "code", str(note), "--pretty", "--date", DOS)
    assert code == 0
    assert out.startswith("{\n  ")
    assert json.loads(out)["procedure"]["code"] == "20553"


def test_text_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note = write(tmp_path / "t.txt", NOTE)
    code, out, err = run(capsys, "code", str(note), "--format", "text", "--date", DOS)
    assert code == 0, err
    assert "20553" in out
    for name in ("trapezius", "levator scapulae", "rhomboid major", "lidocaine"):
        assert name in out
    assert '"left upper trapezius"' in out  # evidence quoted, with the side word it was read from
    assert out.splitlines()[0].startswith("== id t")
    assert DOS in out.splitlines()[0]
    assert out.isascii()
    assert max(len(line) for line in out.splitlines()) <= 100
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


def test_json_encounter_with_billed_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    enc = {
        "id": "enc-7",
        "note": NOTE,
        "date_of_service": DOS,
        "payer": "medicare",
        "diagnoses": ["M79.18"],
        "billed_lines": [{"code": "20553", "units": 2, "modifiers": ["50"]}],
    }
    path = write(tmp_path / "enc.json", json.dumps(enc))
    code, out, err = run(capsys, "code", str(path))
    assert code == 0, err
    result = json.loads(out)
    assert result["id"] == "enc-7"
    assert result["procedure"]["code"] == "20553"
    assert result["date_of_service"] == DOS
    checks = {f["check"] for f in result["findings"]}
    assert "UNITS_NOT_ONE" in checks
    assert result["status"] == "hold"
    assert {"code": "M79.18", "source": "input"}.items() <= result["diagnoses"][0].items()


def test_json_encounter_without_id_takes_file_stem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "anon.json", json.dumps({"note": NOTE}))
    code, out, _ = run(capsys, "code", str(path), "--date", DOS)
    assert code == 0
    assert json.loads(out)["id"] == "anon"


def test_file_values_win_flags_fill(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    given = write(tmp_path / "given.json", json.dumps({"note": NOTE, "payer": "medicare", "date_of_service": DOS}))
    code, out, _ = run(capsys, "code", str(given), "--payer", "cigna", "--date", "2024-01-05")
    assert code == 0
    result = json.loads(out)
    assert (result["payer"], result["date_of_service"]) == ("medicare", DOS)

    bare = write(tmp_path / "bare.json", json.dumps({"note": NOTE}))
    code, out, _ = run(capsys, "code", str(bare), "--payer", "Cigna", "--date", "2024-01-05")
    assert code == 0
    result = json.loads(out)
    assert (result["payer"], result["date_of_service"]) == ("cigna", "2024-01-05")


def test_default_date_is_today(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    note = write(tmp_path / "today.txt", NOTE)
    before = dt.date.today().isoformat()
    code, out, _ = run(capsys, "code", str(note))
    assert code == 0
    assert json.loads(out)["date_of_service"] in {before, dt.date.today().isoformat()}


def test_jsonl_bad_middle_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        json.dumps({"id": "one", "note": NOTE, "date_of_service": DOS}),
        '{"id": "two", "note": "unterminated',
        json.dumps({"id": "three", "note": NOTE, "date_of_service": DOS, "payer": "cigna"}),
    ]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    code, out, err = run(capsys, "code", str(path))
    assert code == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 3
    assert [r["status"] for r in results][1] == "invalid"
    assert results[0]["id"] == "one" and results[2]["id"] == "three"
    assert results[0]["status"] != "invalid" and results[2]["status"] != "invalid"
    assert results[0]["procedure"]["code"] == "20553"
    assert results[2]["payer"] == "cigna"
    assert "line 2" in results[1]["error"]
    assert "JSON" in results[1]["error"]


@pytest.mark.parametrize(
    ("line", "ident", "needle"),
    [
        ("[1, 2]", None, "not a JSON object"),
        (json.dumps({"note": NOTE}), None, '"id"'),
        (json.dumps({"id": "", "note": NOTE}), None, '"id"'),
        (json.dumps({"id": "x"}), "x", '"note"'),
        (json.dumps({"id": "x", "note": "   "}), "x", "empty"),
        (json.dumps({"id": "x", "note": NOTE, "date_of_service": "2025-02-30"}), "x", "date_of_service"),
        (json.dumps({"id": "x", "note": NOTE, "colour": "blue"}), "x", "colour"),
        (json.dumps({"id": "x", "note": NOTE, "payer": "acme"}), "x", "acme"),
        (json.dumps({"id": "x", "note": "a" * (MAX_NOTE_BYTES + 1)}), "x", "larger than"),
    ],
)
def test_jsonl_bad_lines_are_invalid_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, ident: str | None, needle: str
) -> None:
    good = json.dumps({"id": "ok", "note": NOTE, "date_of_service": DOS})
    path = write(tmp_path / "b.jsonl", f"{good}\n\n{line}\n{good}\n")
    code, out, err = run(capsys, "code", str(path))
    assert code == 0, err
    results = [json.loads(x) for x in out.splitlines()]
    assert [r["status"] == "invalid" for r in results] == [False, True, False]  # the blank line is skipped
    bad = results[1]
    assert bad["id"] == ident
    assert bad["error"].startswith("line 3: ")
    assert needle in bad["error"]


def test_jsonl_non_utf8_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = json.dumps({"id": "ok", "note": NOTE}).encode()
    path = tmp_path / "enc.jsonl"
    path.write_bytes(good + b"\n" + b'{"id": "x", "note": "caf\xe9"}\n' + good + b"\n")
    code, out, _ = run(capsys, "code", str(path), "--date", DOS)
    assert code == 0
    results = [json.loads(x) for x in out.splitlines()]
    assert len(results) == 3
    assert results[1]["status"] == "invalid"
    assert "line 2" in results[1]["error"] and "UTF-8" in results[1]["error"]


def test_jsonl_text_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [json.dumps({"id": "first", "note": NOTE}), "oops", json.dumps({"id": "third", "note": NOTE})]
    path = write(tmp_path / "t.jsonl", "\n".join(lines))
    code, out, _ = run(capsys, "code", str(path), "--format", "text", "--date", DOS)
    assert code == 0
    blocks = out.split("\n\n== ")
    assert len(blocks) == 3
    assert "first" in blocks[0] and "INVALID" in blocks[1] and "line 2" in blocks[1] and "third" in blocks[2]


def test_stdin_note(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(NOTE.encode())))
    code, out, err = run(capsys, "code", "-", "--date", DOS)
    assert code == 0, err
    result = json.loads(out)
    assert result["procedure"]["code"] == "20553"
    assert result["id"] is None


def test_stdin_json_and_jsonl(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    one = json.dumps({"id": "s1", "note": NOTE, "date_of_service": DOS})
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(one.encode())))
    code, out, _ = run(capsys, "code", "-")
    assert code == 0
    assert json.loads(out)["id"] == "s1"

    many = "\n".join([one, "{broken", json.dumps({"id": "s3", "note": NOTE})])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(many.encode())))
    code, out, _ = run(capsys, "code", "-", "--date", DOS)
    assert code == 0
    results = [json.loads(x) for x in out.splitlines()]
    assert [r["id"] for r in results] == ["s1", None, "s3"]
    assert results[1]["status"] == "invalid" and "line 2" in results[1]["error"]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert tpicode.__version__ in out


# --- unusable input: exit 2, one line on stderr naming the file and the problem ----------------------


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nope.txt"
    assert_usage_error(*run(capsys, "code", str(path)), str(path), "no such file")


def test_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.txt"
    path.mkdir()
    assert_usage_error(*run(capsys, "code", str(path)), str(path), "directory")


def test_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "locked.txt", NOTE)
    real_open = Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        # chmod 0 does not stop root (CI runs as root), so the OS refusal is simulated at open()
        if self == path:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    assert_usage_error(*run(capsys, "code", str(path)), str(path), "permission denied")


@pytest.mark.parametrize("ext", [".txt", ".json"])
def test_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str], ext: str) -> None:
    path = tmp_path / f"latin1{ext}"
    data = "Left trapezius, patient is très bien".encode("latin-1")
    path.write_bytes(data)
    code, out, err = run(capsys, "code", str(path))
    assert_usage_error(code, out, err, str(path), "UTF-8", f"byte offset {data.index(0xE8)}")


@pytest.mark.parametrize("text", ["", "   \n\t\n"])
def test_empty_note(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    path = write(tmp_path / "empty.txt", text)
    assert_usage_error(*run(capsys, "code", str(path)), str(path), "empty")


def test_empty_note_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "empty.json", json.dumps({"note": "  "}))
    assert_usage_error(*run(capsys, "code", str(path)), str(path), "note", "empty")


def test_empty_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "empty.jsonl", "\n\n")
    assert_usage_error(*run(capsys, "code", str(path)), str(path), "no encounters")


def test_too_large(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "huge.txt", "trapezius " * (MAX_NOTE_BYTES // 10 + 1))
    assert_usage_error(*run(capsys, "code", str(path)), str(path), "larger than 1 MB")


def test_too_large_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "huge.json", json.dumps({"note": "a" * (MAX_NOTE_BYTES + 10)}))
    assert_usage_error(*run(capsys, "code", str(path)), str(path), "larger than 1 MB")


def test_malformed_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "bad.json", '{\n  "note": "x",\n  "id" "y"\n}\n')
    assert_usage_error(*run(capsys, "code", str(path)), str(path), "not valid JSON", "line 3", "column")


@pytest.mark.parametrize(("doc", "found"), [("[]", "array"), ('"a note"', "string"), ("3", "number")])
def test_json_not_object(tmp_path: Path, capsys: pytest.CaptureFixture[str], doc: str, found: str) -> None:
    path = write(tmp_path / "list.json", doc)
    assert_usage_error(*run(capsys, "code", str(path)), str(path), "JSON object", found)


@pytest.mark.parametrize(
    ("enc", "needle"),
    [
        ({"id": "x"}, "note"),
        ({"note": NOTE, "date_of_service": "2025-02-30"}, "date_of_service"),
        ({"note": NOTE, "place_of_service": "office"}, "place_of_service"),
        ({"note": NOTE, "diagnoses": ["not-a-code"]}, "diagnoses"),
        ({"note": NOTE, "colour": "blue"}, "colour: is not a field"),
        ({"note": NOTE, "payer": "acme"}, "acme"),
        ({"note": NOTE, "billed_lines": [{"units": 1}]}, "billed_lines"),
    ],
)
def test_invalid_encounter_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], enc: dict[str, Any], needle: str
) -> None:
    path = write(tmp_path / "enc.json", json.dumps(enc))
    assert_usage_error(*run(capsys, "code", str(path)), str(path), "invalid encounter", needle)


@pytest.mark.parametrize("name", ["note.docx", "note.TXT.bak", "README"])
def test_unknown_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    path = write(tmp_path / name, NOTE)
    assert_usage_error(*run(capsys, "code", str(path)), str(path), ".txt", ".json", ".jsonl")


def test_uppercase_extension_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "NOTE.TXT", NOTE)
    code, out, _ = run(capsys, "code", str(path), "--date", DOS)
    assert code == 0
    assert json.loads(out)["procedure"]["code"] == "20553"


@pytest.mark.parametrize("value", ["2025-02-30", "2025-2-3", "02/03/2025", "tomorrow", "2025-13-01"])
def test_bad_date_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    path = write(tmp_path / "n.txt", NOTE)
    assert_usage_error(*run(capsys, "code", str(path), "--date", value), "--date", value)


def test_unknown_payer_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "n.txt", NOTE)
    code, out, err = run(capsys, "code", str(path), "--payer", "acme-health")
    assert_usage_error(code, out, err, "--payer", "acme-health", "medicare")


def test_stdin_empty(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"  \n")))
    assert_usage_error(*run(capsys, "code", "-"), "<stdin>", "empty")


def test_stdin_malformed_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"note": "x",')))
    assert_usage_error(*run(capsys, "code", "-"), "<stdin>", "not valid JSON")


def test_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == 2
    assert "Traceback" not in err


def test_internal_error_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("kaboom")

    monkeypatch.setattr("tpicode.cli.code_encounter", boom)
    path = write(tmp_path / "n.txt", NOTE)
    code, _out, err = run(capsys, "code", str(path))
    assert code == 1
    assert err.startswith("tpicode: internal error: RuntimeError('kaboom')")
    assert "Traceback" not in err


def test_keyboard_interrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def stop(*_a: Any, **_k: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr("tpicode.cli.code_encounter", stop)
    path = write(tmp_path / "n.txt", NOTE)
    code, _, err = run(capsys, "code", str(path))
    assert code == 130
    assert err == ""


def test_note_text_never_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "enc.json", json.dumps({"note": "SECRET-PATIENT-TEXT", "date_of_service": "bad"}))
    code, _, err = run(capsys, "code", str(path))
    assert code == 2
    assert "SECRET-PATIENT-TEXT" not in err


# --- the real console entry point -----------------------------------------------------------------


def _run_module(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    return subprocess.run(
        [sys.executable, "-m", "tpicode", *args], input=stdin, capture_output=True, env=env, timeout=120
    )


def test_module_codes_txt(tmp_path: Path) -> None:
    path = write(tmp_path / "sub.txt", NOTE)
    proc = _run_module("code", str(path), "--date", DOS)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["procedure"] == {"code": "20553", "muscle_count": 3}


def test_module_stdin_text_format() -> None:
    proc = _run_module("code", "-", "--format", "text", "--date", DOS, stdin=NOTE.encode())
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode("ascii")
    assert "20553" in out and "levator scapulae" in out


def test_module_missing_file_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "gone.json"
    proc = _run_module("code", str(path))
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert str(path) in err and "no such file" in err
    assert "Traceback" not in err
    assert proc.stdout == b""


def test_module_version() -> None:
    proc = _run_module("--version")
    assert proc.returncode == 0
    assert tpicode.__version__ in proc.stdout.decode()
