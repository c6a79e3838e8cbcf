"""Plain-text renderings of reports and summaries for the terminal, in nb or en."""

from __future__ import annotations

from offri_kg.i18n import t
from offri_kg.names import shorten
from offri_kg.validate.report import ValidationReport


def render_report(report: ValidationReport, lang: str) -> str:
    """Results grouped by focus node: severity, path, value, message."""
    lines: list[str] = []
    for focus, results in report.by_focus().items():
        lines.append(shorten(focus))
        for r in results:
            severity = t(f"label-severity-{r.severity.value}", lang)
            parts = [f"  {severity}"]
            if r.path:
                parts.append(f"{t('label-path', lang)}: {shorten(r.path)}")
            if r.value and r.value != focus:
                parts.append(f"{t('label-value', lang)}: {shorten(r.value)}")
            parts.append(f"{t('label-rule', lang)}: {shorten(r.source_shape)}")
            lines.append("  ".join(parts))
            lines.append(f"      {r.message(lang)}")
        lines.append("")
    lines.append(report.summary(lang))
    return "\n".join(lines)


def render_build(summary: "object", lang: str) -> str:
    """The main job's summary: graphs, classes, validation, the illustrative mark."""
    from offri_kg.build import BuildSummary

    assert isinstance(summary, BuildSummary)
    width = max(len(shorten(g)) for g in summary.graphs) if summary.graphs else 10
    lines = [t("build-title", lang), ""]
    lines.append(f"{t('build-graphs', lang):<{width}}  {t('build-triples', lang):>8}")
    for graph, count in summary.graphs.items():
        lines.append(f"{shorten(graph):<{width}}  {count:>8}")
    lines.append(f"{'':<{width}}  {summary.total_triples:>8}")
    lines.append("")
    lines.append(f"{t('build-class', lang):<32}  {t('build-instances', lang):>9}")
    for cls, count in summary.classes.items():
        lines.append(f"{shorten(cls):<32}  {count:>9}")
    lines.append("")
    lines.append(t("build-illustrative", lang, n=summary.illustrative))
    lines.append(summary.report.summary(lang))
    return "\n".join(lines)
