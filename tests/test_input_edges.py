"""Input that used to end in "internal error", hang, take a minute, or be refused although RDF
calls it valid: each is now read, or refused in words with exit 2 at once."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from clikit import invoke, offri

NQUOTE = "<urn:test:a> <urn:test:b> "


def one_line(run) -> str:  # noqa: ANN001
    assert "Traceback" not in run.err and "internal error" not in run.err, run.err
    assert len(run.err.strip().splitlines()) == 1, run.err
    return run.err


def test_json_ld_nested_past_any_reader_is_refused_in_words(tmp_path: Path) -> None:
    deep = tmp_path / "deep.jsonld"
    deep.write_text('{"@id": "urn:test:a", "urn:test:p": ' + "[" * 100_000 + "1" + "]" * 100_000 + "}")
    run = offri("validate", deep, "--lang", "en")
    assert run.code == 2 and "more than 500 levels" in one_line(run) and "deep.jsonld:1:" in run.err


def test_json_ld_with_a_five_thousand_digit_number_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonld"
    big.write_text('{"@id": "urn:test:a", "urn:test:p": ' + "9" * 5000 + "}")
    run = invoke("validate", big, "--lang", "en")
    assert run.code == 0, run.err


def test_rdf_xml_nested_fifty_thousand_deep_is_refused_at_once(tmp_path: Path) -> None:
    deep = tmp_path / "deep.rdf"
    deep.write_text('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                    'xmlns:e="urn:test:"><rdf:Description rdf:about="urn:test:a">'
                    + '<e:p rdf:parseType="Resource">' * 50_000 + "</e:p>" * 50_000 + "</rdf:Description></rdf:RDF>")
    run = offri("validate", deep, "--lang", "nb", timeout=60)
    assert run.code == 2 and "1000 nivåer" in one_line(run)


@pytest.mark.parametrize("command", [["validate"], ["load", "--store", "STORE"], ["query", "--store", "STORE", "--file"]])
def test_paths_that_never_end_are_refused(tmp_path: Path, command: list[str]) -> None:
    fifo = tmp_path / "pipe.ttl"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.ttl"
    zero.symlink_to("/dev/zero")
    args = [str(tmp_path / "store") if part == "STORE" else part for part in command]
    for path in (fifo, zero):
        run = offri(*args, path, "--lang", "en", timeout=60)
        assert run.code == 2 and "not a regular file" in one_line(run), run.err


def test_control_characters_from_input_are_shown_escaped(tmp_path: Path) -> None:
    name = tmp_path / "bad\x1b[2J\x07name.ttl"
    run = invoke("validate", name, "--lang", "en")
    assert run.code == 2 and "\x1b" not in run.err and "\\x1b[2J\\x07name.ttl" in run.err
    broken = tmp_path / "broken.ttl"
    broken.write_text(NQUOTE + '"ok" .\n<urn:test:\x1b[31m> <urn:test:b> "x" .\n')
    run = invoke("validate", broken, "--lang", "en")
    assert run.code == 2 and "\x1b" not in run.err


def test_control_characters_are_escaped_in_page_messages(tmp_path: Path) -> None:
    from webkit import built_store, client

    with client(built_store(tmp_path / "store")) as web:
        answer = web.get("/queries/q01-partnerships", params={"municipality": "evil\x1b[2J"})
        assert answer.status_code == 400 and "\x1b" not in answer.text and "\\x1b" in answer.text


def test_a_raw_nul_inside_a_literal_is_data_not_a_binary_file(tmp_path: Path) -> None:
    nul = tmp_path / "nul.nt"
    nul.write_bytes((NQUOTE + '"before\x00after" .\n').encode())
    assert invoke("validate", nul).code == 0
    binary = tmp_path / "picture.ttl"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    run = invoke("validate", binary, "--lang", "en")
    assert run.code == 2 and "binary file" in one_line(run)


def test_an_empty_file_conforms_with_a_note_and_load_says_there_is_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("")
    run = invoke("validate", empty, "--lang", "en")
    assert run.code == 0 and "conforms" in run.out and "no data" in run.out
    load = invoke("load", "--store", tmp_path / "store", empty, "--lang", "en")
    assert load.code == 2 and "no data to load" in one_line(load)


def test_a_blank_node_graph_name_is_valid_rdf_but_no_store_graph(tmp_path: Path) -> None:
    trig = tmp_path / "blank.trig"
    trig.write_text('_:g { <urn:test:a> <urn:test:b> "c" }\n')
    assert invoke("validate", trig).code == 0
    load = invoke("load", "--store", tmp_path / "store", trig, "--lang", "en")
    assert load.code == 2 and "blank node" in one_line(load)


def test_refusing_a_fifo_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    """The check is made before the file is opened (opening a FIFO blocks until a writer comes)."""
    from offri_kg.errors import InputError
    from offri_kg.ingest.read import read_file_bytes

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    outcome: list[object] = []
    reader = threading.Thread(target=lambda: outcome.append(_refused(read_file_bytes, fifo, InputError)), daemon=True)
    reader.start()
    reader.join(30)
    assert outcome == ["not-a-file"]  # a hang would leave it empty


def _refused(function, path: Path, error: type) -> str:  # noqa: ANN001
    try:
        function(path)
    except error as caught:  # type: ignore[misc]
        return caught.code
    return "read"
