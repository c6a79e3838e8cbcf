"""Plain-text renderings of reports and summaries for the terminal, in nb or en."""

from __future__ import annotations

from offri_kg.i18n import message, visible
from offri_kg.names import shorten
from offri_kg.validate.report import ValidationReport


def render_report(report: ValidationReport, lang: str) -> str:
    """Results grouped by focus node: severity, path, value, message."""
    lines: list[str] = []
    for focus, results in report.by_focus().items():
        lines.append(visible(shorten(focus)))
        for r in results:
            severity = message(f"label-severity-{r.severity.value}", lang)
            parts = [f"  {severity}"]
            if r.path:
                parts.append(f"{message('label-path', lang)}: {visible(shorten(r.path))}")
            if r.value and r.value != focus:
                parts.append(f"{message('label-value', lang)}: {visible(shorten(r.value))}")
            parts.append(f"{message('label-rule', lang)}: {shorten(r.source_shape)}")
            lines.append("  ".join(parts))
            lines.append(f"      {visible(r.message(lang))}")
        lines.append("")
    lines.append(report.summary(lang))
    return "\n".join(lines)


def render_build(summary: "object", lang: str) -> str:
    """The main job's summary: graphs, classes, validation, the illustrative mark."""
    from offri_kg.build import BuildSummary

    assert isinstance(summary, BuildSummary)
    names = {g: shorten(f"<{g}>") for g in summary.graphs}
    width = max(map(len, names.values())) if names else 10
    lines = [message("build-title", lang), message("build-store", lang, path=summary.location), ""]
    lines.append(f"{message('build-graphs', lang):<{width}}  {message('build-triples', lang):>8}")
    for graph, count in summary.graphs.items():
        lines.append(f"{names[graph]:<{width}}  {count:>8}")
    lines.append(f"{'':<{width}}  {summary.total_triples:>8}")
    lines.append("")
    lines.append(f"{message('build-class', lang):<32}  {message('build-instances', lang):>9}")
    for cls, count in summary.classes.items():
        lines.append(f"{shorten(cls):<32}  {count:>9}")
    lines.append("")
    lines.append(message("build-illustrative", lang, n=summary.illustrative))
    lines.append(summary.report.summary(lang))
    return "\n".join(lines)


def render_table(result: "object", lang: str) -> str:
    """A query answer as a readable table (rich), with a row count."""
    import io

    from rich.console import Console
    from rich.table import Table

    from offri_kg.store.base import QueryResult

    assert isinstance(result, QueryResult)
    if result.kind == "ask":
        return message("ask-true" if result.boolean else "ask-false", lang)
    if result.kind == "graph":
        import pyoxigraph as ox

        return result.serialize(ox.RdfFormat.TURTLE).decode("utf-8")
    table = Table(show_lines=False)
    for variable in result.variables:
        table.add_column(variable, overflow="fold")
    for row in result.rows:
        table.add_row(*[_cell(row[v]) for v in result.variables])
    buffer = io.StringIO()
    Console(file=buffer, width=200, no_color=True, highlight=False).print(table)
    return buffer.getvalue() + message("rows-count", lang, n=len(result.rows))


def _cell(term: "object") -> str:
    if term is None:
        return ""
    value = getattr(term, "value", str(term))
    language = getattr(term, "language", None)
    return shorten(f"<{value}>") if term.__class__.__name__ == "NamedNode" else (
        f"{value} @{language}" if language else value)


def render_stats(store: "object", lang: str) -> str:
    """Graphs with provenance, total triples, instances per offri class."""
    from offri_kg.build import class_counts

    graphs = store.graphs()
    lines = [message("stats-graphs", lang)]
    for g in graphs:
        extra = f"  {message('stats-source', lang)}: {g.source}" if g.source else ""
        when = f"  {message('stats-loaded', lang)}: {g.loaded_at} ({g.loaded_by})" if g.loaded_at else ""
        lines.append(f"  {shorten('<' + g.iri + '>'):<48} {g.triples:>9}{extra}{when}")
    lines.append(f"  {message('stats-total', lang):<48} {sum(g.triples for g in graphs):>9}")
    lines.append("")
    lines.append(message("stats-classes", lang))
    for cls, count in class_counts(store).items():
        lines.append(f"  {shorten(cls):<48} {count:>9}")
    return "\n".join(lines)
