"""The one catalogue of words: every entry used, in both languages, with the same placeholders,
every plural with both forms, and every key the code names present.

"Used" means the key is written somewhere in ``offri_kg/`` (Python or a page template) outside
the catalogue, or is one the code builds at run time and ``DYNAMIC`` below declares with every
suffix it can take. Docstrings and the keys of dict displays (``{"error": …}`` in a JSON answer)
do not count: they name something else.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2 import nodes

import offri_kg
from offri_kg.i18n import (
    LANGS,
    MESSAGES,
    PAGES,
    WORDS,
    Plural,
    message,
    parse,
    placeholders,
)
from offri_kg.query.library import PARAM_TYPES
from offri_kg.validate.report import Severity

ROOT = Path(offri_kg.__file__).parent
CATALOGUE = ROOT / "i18n" / "words.py"
TEMPLATES = ROOT / "web" / "templates"

#: Keys the code builds at run time: the prefix, and every suffix the code can put after it,
#: taken from where those suffixes are defined.
DYNAMIC: dict[str, tuple[str, ...]] = {
    # query/bind.py: Msg(f"expect-{param.type}"), a type from the stored queries' PARAM_TYPES
    "expect-": PARAM_TYPES,
    # report_text.py: message(f"label-severity-{result.severity.value}")
    "label-severity-": tuple(s.value for s in Severity),
    # validate/report.py: message("report-note-" + note); validate/__init__.py adds the only note, "no-data"
    "report-note-": ("no-data",),
    # templates/ontology.html: w("ontology-" ~ kind), the owl kinds web/linked_data.py's ontology page groups by
    "ontology-": ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty"),
}

#: Entries that are rightly the same in both languages.
SAME_IN_BOTH: set[str] = {
    "section-status",  # "Status" in both; the ontology's own label of offri:status is "status"@nb, "status"@en
}

#: Calls whose first argument is a key (besides the error classes, found in the code).
LOOKUPS = {"message", "word", "t", "w", "Msg", "OffriError", "OffriWarning"}


@dataclass
class Uses:
    """What the code says about words: every string it writes, the prefixes it builds keys
    from, the keys it looks up, and the parameters a template gives each word."""

    strings: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    lookups: set[str] = field(default_factory=set)
    template_calls: list[tuple[str, str, set[str]]] = field(default_factory=list)


def _error_classes(trees: list[ast.Module]) -> set[str]:
    """The names of every class that derives from OffriError or OffriWarning, at any depth."""
    names = {"OffriError", "OffriWarning"}
    classes = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    while True:
        more = {c.name for c in classes
                if any((b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")) in names for b in c.bases)}
        if more <= names:
            return names
        names |= more


def _constants(node: ast.AST) -> list[str]:
    """The string constants an argument can be: itself, or either side of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    return []


def _built_from(node: ast.AST) -> str | None:
    """The constant start of a key built at run time (``f"expect-{type}"``, ``"report-note-" + note``)."""
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return node.values[0].value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _constants(node.left)[0] if _constants(node.left) else None
    return None


def _scan_python(uses: Uses) -> None:
    paths = [p for p in sorted(ROOT.rglob("*.py")) if p != CATALOGUE]
    trees = [ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in paths]
    lookups = LOOKUPS | _error_classes(trees)
    for tree in trees:
        skip: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr):  # docstrings and other bare strings
                skip.add(id(node.value))
            elif isinstance(node, ast.Dict):
                skip |= {id(k) for k in node.keys if k is not None}
            elif isinstance(node, ast.JoinedStr):
                skip |= {id(v) for v in node.values}
            elif isinstance(node, ast.Call) and node.args:
                callee = node.func
                name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
                is_super = name == "__init__" and isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Call)
                if name in lookups or is_super:
                    uses.lookups.update(_constants(node.args[0]))
                    prefix = _built_from(node.args[0])
                    if prefix is not None:
                        uses.prefixes.add(prefix)
        uses.strings |= {node.value for node in ast.walk(tree)
                         if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip}


def _scan_templates(uses: Uses) -> None:
    environment = jinja2.Environment()
    for path in sorted(TEMPLATES.glob("*.html")):
        tree = environment.parse(path.read_text(encoding="utf-8"))
        uses.strings |= {c.value for c in tree.find_all(nodes.Const) if isinstance(c.value, str)}
        for call in tree.find_all(nodes.Call):
            if not (isinstance(call.node, nodes.Name) and call.node.name in ("w", "word") and call.args):
                continue
            key = call.args[0]
            if isinstance(key, nodes.Const):
                uses.lookups.add(key.value)
                uses.template_calls.append((path.name, key.value, {k.key for k in call.kwargs}))
            first = key.nodes[0] if isinstance(key, nodes.Concat) else getattr(key, "left", None)
            if isinstance(first, nodes.Const):
                uses.prefixes.add(first.value)


@lru_cache(maxsize=1)
def code_uses() -> Uses:
    uses = Uses()
    _scan_python(uses)
    _scan_templates(uses)
    return uses


def _names(text: str) -> set[str]:
    """The parameters ``text`` needs (``value!r`` needs ``value``)."""
    return {p.split("!")[0].split(":")[0] for p in placeholders(text)}


def test_one_catalogue() -> None:
    assert not set(MESSAGES) & set(PAGES), "a key in both halves of the catalogue"
    assert WORDS == {**MESSAGES, **PAGES}


def test_every_entry_has_both_languages() -> None:
    incomplete = [key for key, entry in WORDS.items()
                  if set(entry) != set(LANGS) or not all(isinstance(text, str) and text.strip() for text in entry.values())]
    assert not incomplete, f"not exactly nb and en, each a text: {incomplete}"


def test_both_languages_have_the_same_placeholders() -> None:
    differ = {key: (sorted(placeholders(entry["nb"])), sorted(placeholders(entry["en"])))
              for key, entry in WORDS.items() if placeholders(entry["nb"]) != placeholders(entry["en"])}
    assert not differ, f"key: (nb's placeholders, en's): {differ}"


def test_every_plural_has_both_forms() -> None:
    lacking = [(key, lang, piece) for key, entry in WORDS.items() for lang in LANGS
               for piece in parse(entry[lang]) if isinstance(piece, Plural)
               and (set(piece.forms) != {"one", "other"} or not all(f.strip() for f in piece.forms.values()))]
    assert not lacking, f"plurals without exactly the forms one and other: {lacking}"


def test_every_text_can_be_filled_in() -> None:
    """With each count a plural can meet: nothing left unfilled, no plural syntax showing."""
    for key, entry in WORDS.items():
        for lang in LANGS:
            for count in (0, 1, 2):
                text = message(key, lang, **dict.fromkeys(_names(entry[lang]), count))
                assert "plural," not in text and "#" not in text, (key, lang, text)


def test_the_languages_differ() -> None:
    same = {key for key, entry in WORDS.items() if entry["nb"] == entry["en"]}
    assert same == SAME_IN_BOTH, "nb is en: a word left untranslated, or SAME_IN_BOTH out of date"


def test_plural_forms_follow_the_count() -> None:
    assert [message("rows-count", "en", n=n) for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
    assert [message("rows-count", "nb", n=n) for n in (0, 1, 2)] == ["0 rader", "1 rad", "2 rader"]
    assert message("report-summary", "en", violations=1, warnings=0, infos=2, nodes=1) == \
        "1 violation, 0 warnings, 2 notes in 1 resource."
    assert message("report-summary", "nb", violations=2, warnings=1, infos=1, nodes=2) == \
        "2 brudd, 1 advarsel, 1 merknad i 2 ressurser."
    # a value that is not a whole-number count still makes a sentence (the other form), never an error
    assert [message("rows-count", "en", n=v) for v in ("1", 1.0, None, True)] == \
        ["1 rows", "1.0 rows", "None rows", "True rows"]


def test_every_entry_is_used() -> None:
    uses = code_uses()
    built = {prefix + suffix for prefix, suffixes in DYNAMIC.items() if prefix in uses.prefixes for suffix in suffixes}
    unused = set(WORDS) - uses.strings - built
    assert not unused, f"entries nothing in offri_kg/ uses: {sorted(unused)}"


def test_every_key_the_code_names_is_in_the_catalogue() -> None:
    uses = code_uses()
    missing = {key for key in uses.lookups if key not in WORDS}
    assert not missing, f"looked up but not in the catalogue: {sorted(missing)}"
    undeclared = uses.prefixes - set(DYNAMIC)
    assert not undeclared, f"keys built from {sorted(undeclared)}: declare their suffixes in DYNAMIC"
    unbuilt = set(DYNAMIC) - uses.prefixes
    assert not unbuilt, f"DYNAMIC declares {sorted(unbuilt)}, which no code builds any more"
    absent = {prefix + suffix for prefix, suffixes in DYNAMIC.items() for suffix in suffixes} - set(WORDS)
    assert not absent, f"keys the code can build that are not in the catalogue: {sorted(absent)}"


def test_templates_give_each_word_its_parameters() -> None:
    wrong = [(page, key, sorted(given), sorted(_names(WORDS[key]["en"])))
             for page, key, given in code_uses().template_calls if key in WORDS and given != _names(WORDS[key]["en"])]
    assert not wrong, f"(template, key, given, needed): {wrong}"


def test_the_scan_sees_what_it_should() -> None:
    """The scan itself: a lookup through an error class, one through a conditional, a template's
    word and a template's built key are all seen (else the tests above would prove nothing)."""
    uses = code_uses()
    assert {"validation-failed", "ask-true", "ask-false", "protocol-method", "rows-count"} <= uses.lookups
    assert {"ontology-", "expect-"} <= uses.prefixes
