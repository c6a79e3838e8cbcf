"""Read SPARQL the way the engine does, to know what a query would do before it runs.

Why a parser and not a keyword scan: a scan that takes the backslash of ``ex:a\\#`` but not the
escaped ``#`` reads the rest of the line as a comment, and a ``SERVICE`` hidden there reaches
the network. Here every terminal is the engine's own (Oxigraph 0.5's SPARQL grammar, a PEG:
``IRIREF``, ``PNAME_LN`` with ``PN_LOCAL_ESC`` and ``PERCENT``, the four string forms,
comments, variables, blank nodes, numbers), and the rules are SPARQL 1.1 Query and Update
(with the SPARQL 1.2 triple terms, reifiers, annotations and base directions Oxigraph reads),
so what this reader takes for a keyword, a comment or a string is exactly what the engine
takes. Where the grammar depends on context — ``<`` starts an IRI in a pattern and is
"less than" after an operand in an expression — the parser knows the context, as the engine's
does. Anything this reader does not accept is refused before the engine sees it, so the two
can only disagree on queries that are refused.

No library fits: rdflib's parser is another dialect (it is this module's test oracle), and
pyoxigraph does not expose its parser. The rules follow the SPARQL 1.1 grammar's names.

The parser is recursive only in nesting (brackets), which is capped (``max_depth``) before
the Python stack is at risk; chains (``UNION``, ``||``, ``+``, path ``/``) are loops, and their
total (``max_operators``) is capped too: Oxigraph builds them into deep trees and crashes on
long ones (8,000 ``UNION``s, 4,000 ``OPTIONAL``s in a thread of 8 MB stack, measured here).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

from offri_kg.errors import Location, OffriError

#: Nesting the reader accepts at most, whatever a caller allows (its recursion stays well
#: inside Python's limit: about five frames per level).
HARD_MAX_DEPTH = 150

# ---- terminals, as Oxigraph 0.5 defines them (lib/spargebra/src/parser.rs) -------------------
_BASE_CHARS = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
               "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD")
_U = _BASE_CHARS + "_"
_CHARS = _U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_HEX = "[0-9A-Fa-f]"
_PLX = f"(?:%{_HEX}{_HEX}|\\\\[_~.\\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = f"[{_BASE_CHARS}][{_CHARS}]*(?:\\.+[{_CHARS}]+)*"
_PN_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:[{_CHARS}:]|{_PLX})*(?:\\.+(?:[{_CHARS}:]|{_PLX})+)?"
_VARNAME = f"[0-9{_U}][0-9\u00B7\u0300-\u036F\u203F-\u2040{_U}]*"
_UCHAR = f"\\\\u{_HEX}{{4}}|\\\\U{_HEX}{{8}}"
_ECHAR = "\\\\[tbnrf\"'\\\\]"

_WS = re.compile(r"(?:[ \t\r\n]|#[^\r\n]*)*")
_WS_ONLY = re.compile(r"[ \t\r\n]*")
_PNAME = re.compile(f"({_PN_PREFIX})?:({_PN_LOCAL})?")
_VAR = re.compile(f"[?$]({_VARNAME})")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_BLANK = re.compile(f"_:[0-9{_U}][{_CHARS}]*(?:\\.+[{_CHARS}]+)*")
_LANGDIR = re.compile(r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?")
_NUMBER = re.compile(r"(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+")
_INTEGER = re.compile(r"[0-9]+")
_STRINGS = (
    re.compile(f"'''(?:(?:''|')?(?:[^'\\\\]|{_ECHAR}|{_UCHAR}))*'''"),
    re.compile(f'"""(?:(?:""|")?(?:[^"\\\\]|{_ECHAR}|{_UCHAR}))*"""'),
    re.compile(f"'(?:[^'\\\\\\n\\r]|{_ECHAR}|{_UCHAR})*'"),
    re.compile(f'"(?:[^"\\\\\\n\\r]|{_ECHAR}|{_UCHAR})*"'),
)
_IRIREF = re.compile(r"<([^>]*)>")
#: what an IRIREF may hold (RFC 3987 as the engine checks it, and \u escapes)
_IRI_CONTENT = re.compile(f"(?:[^<>\"{{}}|^`\\\\\\x00-\\x20]|{_UCHAR})*")
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F][0-9a-fA-F]{2}")
_PATH_OPTIONAL = re.compile(f"\\?(?![0-9{_U}])")

#: SPARQL's built-in functions, as the engine names them (a bare word before "(")
_BUILT_INS = frozenset("""STR LANG LANGMATCHES LANGDIR DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR
    ROUND CONCAT SUBSTR STRLEN REPLACE UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE
    STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384
    SHA512 COALESCE IF STRLANG STRLANGDIR STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC HASLANG
    HASLANGDIR REGEX TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE ADJUST""".split())
_NO_ARGUMENTS = frozenset({"RAND", "NOW", "UUID", "STRUUID"})
_AGGREGATES = frozenset({"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})
_UPDATE_WORDS = ("LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "INSERT", "DELETE", "WITH")


@dataclass(frozen=True)
class Reading:
    """What a query or update would do, as read by the grammar.

    ``form`` is SELECT, CONSTRUCT, DESCRIBE, ASK or UPDATE. ``services`` and ``loads`` are the
    offsets of ``SERVICE`` and ``LOAD`` keywords (they fetch from the network). ``from_default``
    and ``from_named`` are the dataset clauses' IRIs (``FROM``/``FROM NAMED``, or an update's
    ``USING``), resolved against ``BASE`` and the prefixes. ``depth`` is the deepest nesting of
    brackets (``{``, ``(``, ``[``, ``<<``), ``braces`` of ``{`` alone (group patterns),
    ``operators`` how many patterns and operators the query combines.
    ``where_offsets`` are, for an update, where each ``DELETE``/``INSERT … WHERE`` operation's
    ``WHERE`` keyword starts (the protocol's ``using-graph-uri`` is written in before it);
    ``names_dataset`` says whether an update has a ``USING`` or ``WITH`` of its own.
    """

    form: str
    services: tuple[int, ...] = ()
    loads: tuple[int, ...] = ()
    from_default: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()
    depth: int = 0
    braces: int = 0
    operators: int = 0
    where_offsets: tuple[int, ...] = ()
    names_dataset: bool = False
    operations: tuple[str, ...] = ()

    @property
    def fetches(self) -> str | None:
        """``SERVICE`` or ``LOAD`` if the text would make the engine reach the network."""
        if self.services:
            return "SERVICE"
        if self.loads:
            return "LOAD"
        return None


class SparqlSyntaxError(OffriError):
    """The text is not SPARQL the engine would run: ``location`` says where, ``params``
    what was expected there."""


class TooDeep(OffriError):
    """The text nests deeper than allowed (``params``: the limit)."""


class TooManyOperators(OffriError):
    """The text combines more patterns and operators than allowed."""


class _Fail(Exception):
    """A rule did not match at the current position (internal: the parser backtracks)."""


_FAIL = _Fail()


@dataclass
class _State:
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None


class _Parser:
    """One pass over ``text``; each method is a grammar rule and consumes what it matches or
    raises ``_Fail`` (a few rules try an alternative after restoring ``pos``)."""

    def __init__(self, text: str, base: str | None, max_depth: int, max_operators: int) -> None:
        self.text, self.pos, self.end = text, 0, len(text)
        self.state = _State(base=base)
        self.max_depth, self.max_operators = min(max_depth, HARD_MAX_DEPTH), max_operators
        self.depth = self.deepest = self.operators = 0
        self.braces = self.deepest_braces = 0
        self.services: list[int] = []
        self.loads: list[int] = []
        self.from_default: list[str] = []
        self.from_named: list[str] = []
        self.where_offsets: list[int] = []
        self.names_dataset = False
        self.operations: list[str] = []
        self.furthest, self.expected = 0, set()  # for the error message: the furthest failure
        self._last_keyword = 0  # where the keyword last consumed starts
        self.skipped = -1  # the position white space was last skipped to
        self.no_variables = self.no_blank_nodes = False  # inside INSERT DATA / DELETE … quads

    # ---- low level -------------------------------------------------------------------------
    def fail(self, what: str) -> _Fail:
        if self.pos >= self.furthest:
            if self.pos > self.furthest:
                self.furthest, self.expected = self.pos, set()
            self.expected.add(what)
        return _FAIL

    def ws(self) -> None:
        """Skip white space and comments (once per position: rules look ahead often)."""
        if self.pos != self.skipped:
            self.pos = self.skipped = _WS.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def at(self, literal: str) -> bool:
        """Whether ``literal`` follows (after white space and comments)."""
        if self.pos != self.skipped:
            self.ws()
        return self.text.startswith(literal, self.pos)

    def take(self, literal: str) -> bool:
        if self.at(literal):
            self.pos += len(literal)
            return True
        self.fail(repr(literal))
        return False

    def expect(self, literal: str) -> None:
        if not self.take(literal):
            raise _FAIL

    def word(self) -> str | None:
        """The keyword at the current position, upper-cased, or None. A name followed by
        ``:`` is a prefixed name, never a keyword."""
        self.ws()
        match = _WORD.match(self.text, self.pos)
        if match is None or _PNAME.match(self.text, self.pos):
            return None
        return match.group(0).upper()

    def keyword(self, *words: str) -> str | None:
        """Consume one of ``words`` (case-insensitive) if it is next."""
        found = self.word()
        if found in words:
            start = self.pos
            self.pos += len(found)
            self._last_keyword = start
            return found
        for word in words:
            self.fail(word)
        return None

    def need(self, *words: str) -> str:
        found = self.keyword(*words)
        if found is None:
            raise _FAIL
        return found

    def enter(self) -> None:
        self.depth += 1
        if self.depth > self.deepest:
            self.deepest = self.depth
            if self.depth > self.max_depth:
                raise TooDeep("query-too-deep", {"max": self.max_depth})

    def leave(self) -> None:
        self.depth -= 1

    def operator(self, count: int = 1) -> None:
        self.operators += count
        if self.operators > self.max_operators:
            raise TooManyOperators("query-too-many-operators", {"max": self.max_operators})

    def open(self, literal: str) -> None:
        self.expect(literal)
        self.enter()
        if literal[0] == "{":
            self.braces += 1
            self.deepest_braces = max(self.deepest_braces, self.braces)

    def close(self, literal: str) -> None:
        self.expect(literal)
        self.leave()
        if literal[-1] == "}":
            self.braces -= 1

    # ---- terms --------------------------------------------------------------------------------
    def iriref(self) -> str | None:
        self.ws()
        if not self.text.startswith("<", self.pos) or self.text.startswith("<<", self.pos):
            self.fail("IRI")
            return None
        match = _IRIREF.match(self.text, self.pos)
        if match is None or not _IRI_CONTENT.fullmatch(match.group(1)):
            self.fail("IRI")
            return None
        self.pos = match.end()
        value = _unescape_iri(match.group(1))
        return urljoin(self.state.base, value) if self.state.base else value

    def prefixed_name(self) -> str | None:
        self.ws()
        match = _PNAME.match(self.text, self.pos)
        if match is None:
            self.fail("prefixed name")
            return None
        prefix = match.group(1) or ""
        if prefix not in self.state.prefixes:
            self.fail(f"a declared prefix (PREFIX {prefix}: <…>)")
            raise _FAIL
        self.pos = match.end()
        return self.state.prefixes[prefix] + (match.group(2) or "").replace("\\", "")

    def iri(self) -> str | None:
        value = self.iriref()
        if value is None:
            value = self.prefixed_name()
        return value

    def need_iri(self) -> str:
        value = self.iri()
        if value is None:
            raise _FAIL
        return value

    def var(self) -> bool:
        self.ws()
        match = _VAR.match(self.text, self.pos)
        if match is None:
            self.fail("variable")
            return False
        if self.no_variables:
            raise self.fail("no variables in INSERT DATA or DELETE DATA")
        self.pos = match.end()
        return True

    def var_name(self) -> str | None:
        """A variable's name (without ? or $), consumed; None if no variable is next."""
        start = _WS.match(self.text, self.pos).end()  # type: ignore[union-attr]
        if not self.var():
            return None
        return self.text[start + 1:self.pos]

    def string(self) -> bool:
        self.ws()
        for pattern in _STRINGS:
            match = pattern.match(self.text, self.pos)
            if match is not None:
                if "\\" in match.group(0) and _SURROGATE.search(match.group(0)):
                    raise self.fail("a character (\\uD800–\\uDFFF are not characters)")
                self.pos = match.end()
                return True
        self.fail("string")
        return False

    def rdf_literal(self) -> bool:
        if not self.string():
            return False
        if self.take("^^"):
            self.need_iri()
        else:
            self.ws()
            match = _LANGDIR.match(self.text, self.pos)
            if match is not None:
                self.pos = match.end()
        return True

    def numeric(self) -> bool:
        self.ws()
        start = self.pos
        if self.text.startswith(("+", "-"), self.pos):
            self.pos += 1
            self.ws()
        match = _NUMBER.match(self.text, self.pos)
        if match is None:
            self.pos = start
            self.fail("number")
            return False
        self.pos = match.end()
        return True

    def boolean(self) -> bool:
        self.ws()
        for value in ("true", "false"):
            if self.text.startswith(value, self.pos):
                self.pos += len(value)
                return True
        self.fail("true or false")
        return False

    def blank_node(self) -> bool:
        self.ws()
        match = _BLANK.match(self.text, self.pos)
        if match is None and not self.ahead(self.anon):
            self.fail("blank node")
            return False
        if self.no_blank_nodes:
            raise self.fail("no blank nodes in what DELETE removes")
        if match is not None:
            self.pos = match.end()
            return True
        return self.anon()

    def anon(self) -> bool:
        """ANON: ``[`` white space ``]``."""
        return self.empty_pair("[", "]", "blank node")

    def nil(self) -> bool:
        """NIL: ``(`` white space ``)``."""
        self.ws()
        return self.empty_pair("(", ")", "()")

    def empty_pair(self, opening: str, closing: str, expected: str) -> bool:
        """The terminals ANON and NIL: an opening and a closing bracket with only white space
        (no comments: a terminal) between them."""
        if self.text.startswith(opening, self.pos):
            after = _WS_ONLY.match(self.text, self.pos + 1).end()  # type: ignore[union-attr]
            if self.text.startswith(closing, after):
                self.pos = after + 1
                return True
        self.fail(expected)
        return False

    def var_or_iri(self) -> str | None:
        """A variable (returns "") or an IRI (returns it); None if neither."""
        if self.var():
            return ""
        return self.iri()

    def ground_term(self) -> bool:
        """iri, literal, number, boolean (what a VALUES block and a triple term may hold)."""
        return (self.iri() is not None or self.rdf_literal() or self.numeric() or self.boolean())

    def var_or_term(self) -> bool:
        if self.var():
            return True
        if self.at("<<("):
            self.triple_term()
            return True
        return (self.ground_term() or self.blank_node() or self.nil())

    def triple_term(self, data: bool = False) -> None:
        """``<<( s p o )>>`` (SPARQL 1.2)."""
        self.open("<<(")
        self.triple_term_part(data)
        self.verb()
        self.triple_term_part(data)
        self.close(")>>")

    def triple_term_part(self, data: bool) -> None:
        if self.at("<<("):
            self.triple_term(data)
        elif not ((not data and self.var()) or self.ground_term() or (not data and self.blank_node())):
            raise self.fail("a term")

    # ---- prologue and queries -------------------------------------------------------------
    def prologue(self) -> None:
        while True:
            found = self.keyword("BASE", "PREFIX", "VERSION")
            if found == "BASE":
                iri = self.iriref()
                if iri is None:
                    raise _FAIL
                self.state.base = iri
            elif found == "PREFIX":
                self.ws()
                match = _PNAME.match(self.text, self.pos)
                if match is None or match.group(2):
                    raise self.fail("prefix name ending in ':'")
                self.pos = match.end()
                iri = self.iriref()
                if iri is None:
                    raise _FAIL
                self.state.prefixes[match.group(1) or ""] = iri
            elif found == "VERSION":
                self.ws()
                if not any(p.match(self.text, self.pos) for p in _STRINGS[2:]):
                    raise self.fail("version string")
                self.string()
            else:
                return

    def query(self) -> str:
        self.prologue()
        form = self.need("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
        star = False
        if form == "SELECT":
            star = self.select_clause()
            self.dataset_clauses()
            self.where_clause()
        elif form == "CONSTRUCT":
            if self.at("{"):
                self.construct_template()
                self.dataset_clauses()
                self.where_clause()
            else:
                self.dataset_clauses()
                self.need("WHERE")
                self.open("{")
                self.triples_template(until="}")
                self.close("}")
        elif form == "DESCRIBE":
            if not self.take("*"):
                if self.var_or_iri() is None:
                    raise _FAIL
                while self.var_or_iri() is not None:
                    pass
            self.dataset_clauses()
            if self.word() == "WHERE" or self.at("{"):
                self.where_clause()
        else:
            self.dataset_clauses()
            self.where_clause()
        self.solution_modifiers(star)
        self.values_clause()
        return form

    def select_clause(self) -> bool:
        """The projection; True for ``SELECT *``. A variable projected twice is refused."""
        self.keyword("DISTINCT", "REDUCED")
        if self.take("*"):
            return True
        names: set[str] = set()
        while True:
            if self.at("(") and not self.ahead(self.nil):
                self.open("(")
                self.expression()
                self.need("AS")
                name = self.var_name()
                if name is None:
                    raise _FAIL
                self.close(")")
            else:
                name = self.var_name()
                if name is None:
                    break
            if name in names:
                raise self.fail(f"a variable not projected already (?{name})")
            names.add(name)
        if not names:
            raise self.fail("variable or (expression AS ?var)")
        return False

    def ahead(self, terminal: Callable[[], bool]) -> bool:
        """Whether ``terminal`` comes next, without reading it."""
        start = self.pos
        found = terminal()
        self.pos = start
        return found

    def dataset_clauses(self) -> None:
        while self.keyword("FROM"):
            named = self.keyword("NAMED") is not None
            (self.from_named if named else self.from_default).append(self.need_iri())

    def where_clause(self) -> None:
        self.keyword("WHERE")
        self.group_graph_pattern()

    def solution_modifiers(self, star: bool = False) -> None:
        if self.keyword("GROUP"):
            if star:
                raise self.fail("no SELECT * with GROUP BY")
            self.need("BY")
            if not self.group_condition():
                raise _FAIL
            while self.group_condition():
                pass
        if self.keyword("HAVING"):
            if not self.constraint():
                raise _FAIL
            while self.constraint():
                pass
        if self.keyword("ORDER"):
            self.need("BY")
            if not self.order_condition():
                raise _FAIL
            while self.order_condition():
                pass
        for _ in range(2):
            found = self.keyword("LIMIT", "OFFSET")
            if found is None:
                break
            self.ws()
            match = _INTEGER.match(self.text, self.pos)
            if match is None:
                raise self.fail("a whole number")
            self.pos = match.end()

    def values_clause(self) -> None:
        if self.keyword("VALUES"):
            self.data_block()

    def group_condition(self) -> bool:
        if self.builtin_call() or self.function_call():
            return True
        if self.at("(") and not self.ahead(self.nil):
            self.open("(")
            self.expression()
            if self.keyword("AS"):
                if not self.var():
                    raise _FAIL
            self.close(")")
            return True
        return self.var()

    def order_condition(self) -> bool:
        if self.keyword("ASC", "DESC"):
            self.bracketted_expression()
            return True
        return self.constraint() or self.var()

    def constraint(self) -> bool:
        if self.at("(") and not self.ahead(self.nil):
            self.bracketted_expression()
            return True
        return self.builtin_call() or self.function_call()

    def function_call(self) -> bool:
        start = self.pos
        if self.iri() is None:
            return False
        if not self.arg_list():
            self.pos = start
            return False
        return True

    def arg_list(self) -> bool:
        if self.nil():
            return True
        if not self.at("("):
            return False
        self.expressions_in_parentheses(distinct=True)
        return True

    def data_block(self) -> None:
        if self.var():
            self.open("{")
            while self.data_value():
                pass
            self.close("}")
            return
        variables = 0
        if not self.nil():
            self.open("(")
            while self.var():
                variables += 1
            self.close(")")
        self.open("{")
        while True:
            values = 0
            if not self.nil():
                if not self.at("("):
                    break
                self.open("(")
                while self.data_value():
                    values += 1
                self.close(")")
            if values != variables:
                raise self.fail(f"{variables} value(s) in each row, one per variable")
        self.close("}")

    def data_value(self) -> bool:
        if self.at("<<("):
            self.triple_term(data=True)
            return True
        if self.ground_term():
            return True
        return self.keyword("UNDEF") is not None

    # ---- graph patterns ---------------------------------------------------------------------
    def group_graph_pattern(self) -> None:
        self.open("{")
        if self.word() == "SELECT":
            self.sub_select()
        else:
            self.group_graph_pattern_sub()
        self.close("}")

    def sub_select(self) -> None:
        self.need("SELECT")
        star = self.select_clause()
        self.where_clause()
        self.solution_modifiers(star)
        self.values_clause()

    def group_graph_pattern_sub(self) -> None:
        self.triples_block()
        while self.graph_pattern_not_triples():
            self.operator()
            self.take(".")
            self.triples_block()

    def triples_block(self) -> None:
        """TriplesSameSubjectPath ( '.' TriplesSameSubjectPath? )*, as many as follow."""
        if not self.triples_same_subject(path=True):
            return
        self.operator()
        while self.take("."):
            if not self.triples_same_subject(path=True):
                break

    def graph_pattern_not_triples(self) -> bool:
        if self.at("{"):
            self.group_graph_pattern()
            while self.keyword("UNION"):
                self.operator()
                self.group_graph_pattern()
            return True
        found = self.keyword("OPTIONAL", "LATERAL", "MINUS", "GRAPH", "SERVICE", "FILTER", "BIND", "VALUES")
        if found is None:
            return False
        if found == "SERVICE":
            self.services.append(self._last_keyword)
            self.keyword("SILENT")
            if self.var_or_iri() is None:
                raise _FAIL
            self.group_graph_pattern()
        elif found == "GRAPH":
            if self.var_or_iri() is None:
                raise _FAIL
            self.group_graph_pattern()
        elif found == "FILTER":
            if not self.constraint():
                raise self.fail("a condition in brackets or a function call")
        elif found == "BIND":
            self.open("(")
            self.expression()
            self.need("AS")
            if not self.var():
                raise _FAIL
            self.close(")")
        elif found == "VALUES":
            self.data_block()
        else:
            self.group_graph_pattern()
        return True

    def triples_same_subject(self, path: bool) -> bool:
        """A subject (term, collection, [ … ] or << … >>) and its properties; False if no
        subject starts here (nothing consumed)."""
        self.ws()
        if self.at("<<") and not self.at("<<("):
            self.reified_triple(path)
            self.property_list(path, required=False)
            return True
        if self.at("[") and not self.ahead(self.anon):
            self.blank_node_property_list(path)
            self.property_list(path, required=False)
            return True
        if self.at("(") and not self.ahead(self.nil):
            self.collection(path)
            self.property_list(path, required=False)
            return True
        start = self.pos
        if not self.var_or_term():
            self.pos = start
            return False
        self.property_list(path, required=True)
        return True

    def property_list(self, path: bool, required: bool) -> None:
        if not self.verb_here(path):
            if required:
                raise self.fail("a property")
            return
        self.object_list(path)
        while self.take(";"):
            if self.verb_here(path):
                self.object_list(path)

    def verb_here(self, path: bool) -> bool:
        """A verb (variable, IRI, ``a``, or a property path) if one starts here."""
        if self.var():
            return True
        if path:
            return self.path()
        return self.verb_simple()

    def verb(self) -> None:
        if not (self.var() or self.verb_simple()):
            raise self.fail("a property")

    def verb_simple(self) -> bool:
        if self.iri() is not None:
            return True
        return self.a()

    def a(self) -> bool:
        self.ws()
        if self.text.startswith("a", self.pos):
            after = self.pos + 1
            if after >= self.end or not re.match(f"[{_CHARS}:.]", self.text[after]):
                self.pos = after
                return True
        self.fail("a")
        return False

    def object_list(self, path: bool) -> None:
        self.object(path)
        while self.take(","):
            self.object(path)

    def object(self, path: bool) -> None:
        self.graph_node(path)
        while True:  # reifiers and annotation blocks (SPARQL 1.2)
            if self.take("~"):
                start = self.pos
                if not (self.var() or self.iri() is not None or self.blank_node()):
                    self.pos = start
            elif self.at("{|"):
                self.open("{|")
                self.property_list(path, required=True)
                self.close("|}")
            else:
                return

    def graph_node(self, path: bool) -> None:
        self.ws()
        if self.at("<<") and not self.at("<<("):
            self.reified_triple(path)
        elif self.at("[") and not self.ahead(self.anon):
            self.blank_node_property_list(path)
        elif self.at("(") and not self.ahead(self.nil):
            self.collection(path)
        elif not self.var_or_term():
            raise self.fail("a term")

    def reified_triple(self, path: bool) -> None:
        self.open("<<")
        self.reified_part(path)
        self.verb()
        self.reified_part(path)
        if self.take("~"):
            start = self.pos
            if not (self.var() or self.iri() is not None or self.blank_node()):
                self.pos = start
        self.close(">>")

    def reified_part(self, path: bool) -> None:
        if self.at("<<("):
            self.triple_term()
        elif self.at("<<"):
            self.reified_triple(path)
        elif not (self.var() or self.ground_term() or self.blank_node()):
            raise self.fail("a term")

    def blank_node_property_list(self, path: bool) -> None:
        self.open("[")
        self.property_list(path, required=True)
        self.close("]")

    def collection(self, path: bool) -> None:
        self.open("(")
        self.graph_node(path)
        while not self.at(")"):
            self.graph_node(path)
        self.close(")")

    def construct_template(self) -> None:
        self.open("{")
        self.triples_template(until="}")
        self.close("}")

    def triples_template(self, until: str) -> None:
        """TriplesSameSubject ( '.' TriplesSameSubject? )*, no paths (templates, quads)."""
        if not self.triples_same_subject(path=False):
            return
        while self.take("."):
            if self.at(until) or not self.triples_same_subject(path=False):
                break

    # ---- property paths ----------------------------------------------------------------------
    def path(self) -> bool:
        return self.path_operands("|", self.path_sequence)

    def path_sequence(self) -> bool:
        return self.path_operands("/", self.path_elt_or_inverse)

    def path_operands(self, sign: str, operand: Callable[[], bool]) -> bool:
        """``operand (sign operand)*``: False when there is no first operand (not a path), a
        syntax error when a sign has none after it; one operator counted per sign."""
        if not operand():
            return False
        while self.take(sign):
            self.operator()
            if not operand():
                raise _FAIL
        return True

    def path_elt_or_inverse(self) -> bool:
        if self.take("^"):
            self.operator()
            if not self.path_elt():
                raise _FAIL
            return True
        return self.path_elt()

    def path_elt(self) -> bool:
        if not self.path_primary():
            return False
        self.ws()
        if self.text.startswith(("*", "+"), self.pos) or _PATH_OPTIONAL.match(self.text, self.pos):
            self.pos += 1
            self.operator()
        return True

    def path_primary(self) -> bool:
        if self.iri() is not None or self.a():
            return True
        if self.take("!"):
            self.operator()
            if self.at("(") and not self.ahead(self.nil):
                self.open("(")
                self.path_one_in_set()
                while self.take("|"):
                    self.path_one_in_set()
                self.close(")")
            else:
                self.path_one_in_set()
            return True
        if self.at("(") and not self.ahead(self.nil):
            self.open("(")
            if not self.path():
                raise _FAIL
            self.close(")")
            return True
        return False

    def path_one_in_set(self) -> None:
        self.take("^")
        if not (self.iri() is not None or self.a()):
            raise self.fail("an IRI or a")

    # ---- expressions -----------------------------------------------------------------------
    def bracketted_expression(self) -> None:
        self.open("(")
        self.expression()
        self.close(")")

    def expression(self) -> None:
        self.and_expression()
        while self.take("||"):
            self.operator()
            self.and_expression()

    def and_expression(self) -> None:
        self.relational_expression()
        while self.take("&&"):
            self.operator()
            self.relational_expression()

    def relational_expression(self) -> None:
        self.additive_expression()
        self.ws()
        for operator in ("=", "!=", ">=", ">", "<=", "<"):
            # after an operand "<" is "less than", as in the engine's grammar (never an IRI)
            if self.text.startswith(operator, self.pos):
                self.pos += len(operator)
                self.operator()
                self.additive_expression()
                return
        found = self.keyword("IN", "NOT")
        if found == "NOT":
            self.need("IN")
        if found:
            self.operator()
            self.expression_list()

    def additive_expression(self) -> None:
        self.left_associative(("+", "-"), self.multiplicative_expression)

    def multiplicative_expression(self) -> None:
        self.left_associative(("*", "/"), self.unary_expression)

    def left_associative(self, signs: tuple[str, ...], operand: Callable[[], None]) -> None:
        """``operand (sign operand)*``, one operator counted per sign. (A signed number after
        ``+``/``-`` — the grammar's NumericLiteralPositive/Negative branch — reads the same: the
        sign is taken here and the number by the operand.)"""
        operand()
        while True:
            self.ws()
            if not self.text.startswith(signs, self.pos):
                return
            self.pos += 1
            self.operator()
            operand()

    def unary_expression(self) -> None:
        self.ws()
        while self.text.startswith(("!", "+", "-"), self.pos) and not self.text.startswith("!=", self.pos):
            if self.text[self.pos] in "+-" and _NUMBER.match(self.text, _WS.match(self.text, self.pos + 1).end()):
                break  # a signed number: the primary expression reads it
            self.pos += 1
            self.operator()
            self.ws()
        self.primary_expression()

    def primary_expression(self) -> None:
        if self.at("(") and not self.ahead(self.nil):
            self.bracketted_expression()
        elif self.at("<<("):
            self.triple_term()
        elif self.builtin_call():
            pass
        elif self.iri() is not None:
            self.arg_list()
        elif not (self.var() or self.rdf_literal() or self.numeric() or self.boolean()):
            raise self.fail("an expression")

    def expression_list(self) -> None:
        if self.nil():
            return
        self.expressions_in_parentheses()

    def expressions_in_parentheses(self, distinct: bool = False) -> None:
        """``( [DISTINCT] Expression ( ',' Expression )* )``: function arguments, IN lists."""
        self.open("(")
        if distinct:
            self.keyword("DISTINCT")
        self.expression()
        while self.take(","):
            self.expression()
        self.close(")")

    def builtin_call(self) -> bool:
        name = self.word()
        if name is None:
            return False
        if name in ("EXISTS", "NOT"):
            start = self.pos
            self.pos += len(name)
            if name == "NOT" and self.keyword("EXISTS") is None:
                self.pos = start
                return False
            self.operator()
            self.group_graph_pattern()
            return True
        if name in _AGGREGATES:
            self.pos += len(name)
            self.aggregate(name)
            return True
        if name not in _BUILT_INS:
            return False
        self.pos += len(name)
        if name in _NO_ARGUMENTS or (name == "BNODE" and self.ahead(self.nil)):
            if not self.nil():
                raise _FAIL
            return True
        if name in ("CONCAT", "COALESCE"):
            self.expression_list()
            return True
        if name == "BOUND":
            self.open("(")
            if not self.var():
                raise _FAIL
            self.close(")")
            return True
        self.expressions_in_parentheses()
        return True

    def aggregate(self, name: str) -> None:
        self.open("(")
        self.keyword("DISTINCT")
        if name == "COUNT" and self.take("*"):
            self.close(")")
            return
        self.expression()
        if name == "GROUP_CONCAT" and self.take(";"):
            self.need("SEPARATOR")
            self.expect("=")
            if not self.string():
                raise _FAIL
        self.close(")")

    # ---- updates -------------------------------------------------------------------------------
    def update(self) -> None:
        self.prologue()
        while True:
            found = self.word()
            if found not in _UPDATE_WORDS:
                self.fail("an update operation")
                return
            self.update1()
            if not self.take(";"):
                return
            self.prologue()

    def update1(self) -> None:
        found = self.need(*_UPDATE_WORDS)
        self.operations.append(found)
        if found == "LOAD":
            self.loads.append(self._last_keyword)
            self.keyword("SILENT")
            self.need_iri()
            if self.keyword("INTO"):
                self.need("GRAPH")
                self.need_iri()
        elif found in ("CLEAR", "DROP"):
            self.keyword("SILENT")
            if self.keyword("GRAPH"):
                self.need_iri()
            else:
                self.need("DEFAULT", "NAMED", "ALL")
        elif found == "CREATE":
            self.keyword("SILENT")
            self.need("GRAPH")
            self.need_iri()
        elif found in ("ADD", "MOVE", "COPY"):
            self.keyword("SILENT")
            self.graph_or_default()
            self.need("TO")
            self.graph_or_default()
        elif found == "INSERT" and self.keyword("DATA"):
            self.quad_pattern(variables=False)
        elif found == "DELETE" and self.keyword("DATA"):
            self.quad_pattern(variables=False, blank_nodes=False)
        elif found == "DELETE" and self.keyword("WHERE"):
            self.quad_pattern(blank_nodes=False)
        else:
            self.modify(found)

    def graph_or_default(self) -> None:
        if self.keyword("DEFAULT"):
            return
        self.keyword("GRAPH")
        self.need_iri()

    def modify(self, first: str) -> None:
        if first == "WITH":
            self.names_dataset = True
            self.need_iri()
            first = self.need("DELETE", "INSERT")
        self.quad_pattern(blank_nodes=first != "DELETE")
        if first == "DELETE" and self.keyword("INSERT"):
            self.quad_pattern()
        while self.keyword("USING"):
            self.names_dataset = True
            named = self.keyword("NAMED") is not None
            (self.from_named if named else self.from_default).append(self.need_iri())
        self.ws()
        self.where_offsets.append(self.pos)
        self.need("WHERE")
        self.group_graph_pattern()

    def quad_pattern(self, variables: bool = True, blank_nodes: bool = True) -> None:
        self.no_variables, self.no_blank_nodes = not variables, not blank_nodes
        try:
            self.quads()
        finally:
            self.no_variables = self.no_blank_nodes = False

    def quads(self) -> None:
        self.open("{")
        self.triples_template(until="}")
        while self.keyword("GRAPH"):
            if self.var_or_iri() is None:
                raise _FAIL
            self.open("{")
            self.triples_template(until="}")
            self.close("}")
            self.take(".")
            self.triples_template(until="}")
        self.close("}")

    # ---- the whole text -----------------------------------------------------------------------
    def finish(self) -> None:
        self.ws()
        if self.pos < self.end:
            raise self.fail("the end of the query")

    def error(self) -> SparqlSyntaxError:
        at = max(self.furthest, 0)
        line = self.text.count("\n", 0, at) + 1
        column = at - (self.text.rfind("\n", 0, at) + 1) + 1
        found = self.text[at:at + 20].split("\n")[0] or "the end"
        expected = ", ".join(sorted(self.expected)[:6]) or "something else"
        return SparqlSyntaxError("query-syntax", {"detail": f"line {line}, column {column}: expected {expected}, "
                                                            f"found {found!r}"},
                                 Location(None, line, column))


def _unescape_iri(value: str) -> str:
    if "\\" not in value:
        return value
    return re.sub(f"{_UCHAR}", lambda m: chr(int(m.group(0)[2:], 16)), value)


def _read(text: str, kind: str, base: str | None, max_depth: int, max_operators: int) -> Reading:
    parser = _Parser(text, base, max_depth, max_operators)
    try:
        if kind == "query":
            form = parser.query()
        else:
            parser.update()
            form = "UPDATE"
        parser.finish()
    except _Fail:
        raise parser.error() from None
    except RecursionError:  # only with a max_depth beyond what the rules allow for
        raise TooDeep("query-too-deep", {"max": parser.max_depth}) from None
    return Reading(form=form, services=tuple(parser.services), loads=tuple(parser.loads),
                   from_default=tuple(dict.fromkeys(parser.from_default)),
                   from_named=tuple(dict.fromkeys(parser.from_named)), depth=parser.deepest,
                   braces=parser.deepest_braces,
                   operators=parser.operators, where_offsets=tuple(parser.where_offsets),
                   names_dataset=parser.names_dataset, operations=tuple(parser.operations))


def read_query(text: str, base: str | None = None, max_depth: int = 64, max_operators: int = 1000) -> Reading:
    """The reading of a SPARQL query; raises ``SparqlSyntaxError``, ``TooDeep`` or
    ``TooManyOperators``. An update given here is ``SparqlSyntaxError`` (see ``read``)."""
    return _read(text, "query", base, max_depth, max_operators)


def read_update(text: str, base: str | None = None, max_depth: int = 64, max_operators: int = 1000) -> Reading:
    """The reading of a SPARQL update (see ``read_query``)."""
    return _read(text, "update", base, max_depth, max_operators)


def read(text: str, base: str | None = None, max_depth: int = 64, max_operators: int = 1000) -> Reading:
    """A query's reading, or an update's when the text is an update and not a query (so that
    callers can say "this is an update" instead of reporting a syntax error)."""
    try:
        return read_query(text, base, max_depth, max_operators)
    except SparqlSyntaxError as query_error:
        try:
            reading = read_update(text, base, max_depth, max_operators)
        except SparqlSyntaxError:
            raise query_error from None
        if not reading.operations:  # only a prologue: neither a query nor an update to speak of
            raise query_error from None
        return reading
