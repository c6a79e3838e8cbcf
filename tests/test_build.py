"""The README's main job: ``offri build`` on the shipped data."""

from __future__ import annotations

from clikit import offri


def test_build_summarises_and_marks_illustrative_data() -> None:
    run = offri("build", "--lang", "en")
    assert run.code == 0, run.err
    assert "offri:Partnership" in run.out and "offri:CollaborationModel" in run.out
    assert "illustrative example data" in run.out
    assert "0 violations," in run.out or "The data conforms" in run.out


def test_build_in_norwegian() -> None:
    run = offri("build", "--lang", "nb")
    assert run.code == 0
    assert "illustrerende eksempeldata" in run.out and "tripler" in run.out
