"""Synthetic offri data at national scale, for the validation benchmark.

Scales the example model (data/examples/, tests/fixtures/base.ttl) to as many municipalities as
Norway (357 in 2020) and Denmark (98): synthetic municipalities ("Syntetisk kommune 0001") with
synthetic four-digit numbers (7001–7357 for Norway, 8001–8098 for Denmark — never one of the
real numbers in data/reference/), synthetic voluntary organisations with valid mod-11
organisation numbers (3xxxxxxxx, not taken from Enhetsregisteret), and per municipality tens of
partnerships with participations, goals, anchorings, challenges, cases, some collaboration
models with context conditions and adoptions, municipal contexts and contact points (role
mailboxes at example.org). Every record carries ``offri:illustrative true``.

Everything is deterministic for a given (target, seed). The size is set by a target number of
triples in the generated file (the reference graphs — ontology, vocabularies, reference data,
about 2,500 triples — come on top when validating): small targets use fewer municipalities
(about a dozen partnerships each), from about 1M triples all 455 municipalities are used and
the number of partnerships per municipality grows.

The generated data conforms to offri's shapes: zero Violations. By default a small, fixed
fraction of records is left incomplete the way real records are (a partnership without
anchoring, a challenge without mitigation, a goal without theme, ...), which gives Warnings and
Infos only, so that engine comparisons have results to compare; ``noise=0`` turns that off.

``candidate_quads`` builds ONE new partnership record (its participations, goals, anchorings,
challenges, maybe a case) that references existing municipalities and actors of the big graph;
some candidates are deliberately broken (``CANDIDATE_KINDS``) so that checking them finds
violations.

Usage::

    python benchmarks/generate.py 100k -o benchmarks/out/data/synth-100k.nt
    python benchmarks/generate.py 10k --candidate 3      # print candidate 3 as N-Triples
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

# --------------------------------------------------------------------------------------------
# Terms (N-Triples syntax)
# --------------------------------------------------------------------------------------------

ID = "https://w3id.org/offri/id/"
VOCAB = "https://w3id.org/offri/vocab/"
OFFRI = "https://w3id.org/offri/ns#"

_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "adms": "http://www.w3.org/ns/adms#",
    "time": "http://www.w3.org/2006/time#",
    "offri": OFFRI,
}


def _u(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return f"<{_NS[prefix]}{local}>"


A = _u("rdf:type")
PREF = _u("skos:prefLabel")
DESC = _u("dct:description")
ILL = _u("offri:illustrative")
TRUE = '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'
FALSE = '"false"^^<http://www.w3.org/2001/XMLSchema#boolean>'
XSD_DATE = "<http://www.w3.org/2001/XMLSchema#date>"
XSD_INT = "<http://www.w3.org/2001/XMLSchema#integer>"
XSD_GYEAR = "<http://www.w3.org/2001/XMLSchema#gYear>"
P = {c: _u(c) for c in (
    "offri:sector", "org:classification", "offri:organisationNumber", "dcat:contactPoint",
    "org:member", "org:organization", "org:role", "org:memberDuring", "offri:ownGoal",
    "offri:sharedGoal", "offri:status", "offri:inMunicipality", "dct:temporal", "dcat:startDate",
    "dcat:endDate", "offri:collaborationForm", "offri:activityType", "offri:governanceMode",
    "offri:leadershipArrangement", "offri:anchoring", "offri:anchoringType", "offri:decisionDate",
    "offri:caseNumber", "offri:responsibleUnit", "offri:budgetLine", "offri:challenge",
    "offri:challengeType", "offri:mitigation", "offri:projectFundingEnd", "offri:goalTheme",
    "offri:servesSDG", "offri:servesPolicy", "offri:requiredRole", "offri:suitsContext",
    "offri:expectedChallenge", "offri:borrowsClusterPractice", "prov:wasDerivedFrom",
    "offri:hasAdoption", "offri:adoptedBy", "offri:adaptation", "dct:date", "offri:minPopulation",
    "offri:maxPopulation", "offri:centrality", "offri:country", "offri:requiresVolunteerCentre",
    "offri:describesPartnership", "offri:outcome", "dct:source", "dct:type", "dct:title",
    "offri:contextOf", "offri:year", "offri:population", "offri:municipalityNumber",
    "offri:county", "offri:hasVolunteerCentre", "adms:identifier", "skos:notation",
    "dct:creator", "vcard:fn", "vcard:hasEmail")}
C = {c: _u(c) for c in (
    "offri:Actor", "offri:Municipality", "offri:Partnership", "offri:Participation", "offri:Goal",
    "offri:Anchoring", "offri:Challenge", "offri:CollaborationModel", "offri:ContextCondition",
    "offri:Adoption", "offri:Case", "offri:MunicipalContext", "foaf:Document", "vcard:Organization",
    "adms:Identifier", "dct:PeriodOfTime", "time:Interval")}

COUNTRY = "http://publications.europa.eu/resource/authority/country/"
SDGS = ["3", "3.4", "3.8", "4.1", "8.5", "10.2", "11.7", "16.7", "17.17"]
POLICIES = [ID + "policy/samhandlingsreformen", ID + "policy/folkehelsemeldingen",
            ID + "policy/serviceloven-paragraf-18"]
ISSUERS = {"NOR": ID + "actor/ssb", "DNK": ID + "actor/danmarks-statistik"}

#: Concept ids per scheme, as in docs/model.md.
SCHEMES: dict[str, list[str]] = {
    "sector": ["public", "voluntary", "private", "academia"],
    "actor-type": ["municipality", "county", "state-agency", "health-trust", "voluntary-organisation",
                   "volunteer-centre", "informal-group", "private-company", "social-enterprise",
                   "research-institution"],
    "role": ["initiator", "coordinator", "funder", "service-provider", "volunteer-recruiter",
             "premises-provider", "knowledge-partner", "owner"],
    "goal-theme": ["health-wellbeing", "public-health", "mental-health", "loneliness", "inclusion",
                   "integration", "work-inclusion", "children-youth", "civil-society", "volunteering",
                   "participation", "ageing-well"],
    "activity": ["visiting-service", "meeting-place", "transport-escort", "activities-older-people",
                 "homework-help", "language-cafe", "outdoor-activities", "meal-service",
                 "youth-activities", "digital-help"],
    "governance": ["participant-governed", "lead-organisation", "network-administrative-organisation"],
    "leadership": ["steering-group", "coordinator-post", "collaboration-agreement", "reference-group"],
    "anchoring": ["political", "administrative", "financial", "strategic"],
    "challenge": ["leadership", "culture", "role-ambiguity", "goal-conflict", "weak-anchoring",
                  "resources", "continuity"],
    "form": ["co-production", "co-creation", "contracting", "grant-funding", "network",
             "volunteer-centre-model", "partnership-agreement"],
    "status": ["planned", "active", "completed", "discontinued"],
    "cluster-practice": ["facilitator", "arena", "shared-agenda", "joint-projects"],
    "centrality": ["1", "2", "3", "4", "5", "6"],
    "source-type": ["report", "interview", "document", "council-decision", "web-page"],
}


def v(scheme: str, concept: str) -> str:
    assert concept in SCHEMES[scheme], (scheme, concept)
    return f"<{VOCAB}{scheme}/{concept}>"


def iri(path: str) -> str:
    return f"<{ID}{path}>"


def lit(text: str, lang: str | None = None) -> str:
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{esc}"@{lang}' if lang else f'"{esc}"'


def date(y: int, m: int, d: int) -> str:
    return f'"{y:04d}-{m:02d}-{d:02d}"^^{XSD_DATE}'


def integer(n: int) -> str:
    return f'"{n}"^^{XSD_INT}'


def mod11_check(first8: str) -> int | None:
    """Enhetsregisteret's check digit for eight digits (weights 3,2,7,6,5,4,3,2); None if 10."""
    total = sum(w * int(d) for w, d in zip((3, 2, 7, 6, 5, 4, 3, 2), first8))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def orgnr_valid(number: str) -> bool:
    if len(number) != 9 or not number.isdigit():
        return False
    check = mod11_check(number[:8])
    return check is not None and check == int(number[8])


class OrgNumbers:
    """Unique, valid, synthetic organisation numbers 3xxxxxxxx (real ones start with 8 or 9)."""

    def __init__(self, start: int = 30_000_000) -> None:
        self._next = start

    def take(self) -> str:
        while True:
            first8 = f"{self._next:08d}"
            self._next += 1
            check = mod11_check(first8)
            if check is not None:
                return first8 + str(check)


# --------------------------------------------------------------------------------------------
# Emitting triples
# --------------------------------------------------------------------------------------------

class Emitter:
    """Collects N-Triples lines; blank nodes get labels unique within the emitter."""

    def __init__(self, bnode_prefix: str = "b") -> None:
        self.lines: list[str] = []
        self._prefix = bnode_prefix
        self._bnodes = 0

    def t(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} .")

    def bnode(self) -> str:
        self._bnodes += 1
        return f"_:{self._prefix}{self._bnodes}"

    def period(self, start: str | None, end: str | None) -> str:
        node = self.bnode()
        self.t(node, A, C["dct:PeriodOfTime"])
        self.t(node, A, C["time:Interval"])
        if start:
            self.t(node, P["dcat:startDate"], start)
        if end:
            self.t(node, P["dcat:endDate"], end)
        return node

    def labels(self, s: str, nb: str, en: str | None) -> None:
        self.t(s, PREF, lit(nb, "nb"))
        if en is not None:
            self.t(s, PREF, lit(en, "en"))

    def __len__(self) -> int:
        return len(self.lines)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


# --------------------------------------------------------------------------------------------
# The world: municipalities and actors (independent of how many partnerships follow)
# --------------------------------------------------------------------------------------------

NO_MUNICIPALITIES = 357   # Norway, 2020
DK_MUNICIPALITIES = 98    # Denmark
ALL_MUNICIPALITIES = NO_MUNICIPALITIES + DK_MUNICIPALITIES

#: rough triples per partnership record (partnership, participations, goals, anchorings,
#: challenges, sometimes a case and a model) and per municipality without its partnerships;
#: only used to choose the number of municipalities and local actors.
_EST_PER_PARTNERSHIP = 105
_EST_PER_MUNICIPALITY = 75
_MIN_PARTNERSHIPS_PER_MUNICIPALITY = 12


@dataclass
class Actor:
    iri: str
    sector: str          # v-sector id
    kind: str            # v-actor-type id


@dataclass
class Municipality:
    index: int           # 1-based, over both countries
    iri: str
    number: str          # synthetic 4-digit number
    country: str         # NOR or DNK
    name: str            # "Syntetisk kommune 0001"
    population: int
    centrality: str
    volunteer_centre: bool
    county: Actor | None = None
    local: list[Actor] = field(default_factory=list)


@dataclass
class Plan:
    target: int
    seed: int
    municipalities: list[Municipality]
    national: list[Actor]          # national voluntary organisations, shared across municipalities
    research: list[Actor]          # research institutions (academia)
    counties: list[Actor]          # county authorities / regions (public)
    local_per_municipality: int


def _counts(target: int) -> tuple[int, int, int]:
    """(Norwegian, Danish municipalities, local voluntary actors per municipality) for ``target``."""
    per_municipality = _MIN_PARTNERSHIPS_PER_MUNICIPALITY * _EST_PER_PARTNERSHIP + _EST_PER_MUNICIPALITY
    n = max(2, min(ALL_MUNICIPALITIES, round(target / per_municipality)))
    n_no = max(1, round(n * NO_MUNICIPALITIES / ALL_MUNICIPALITIES))
    n_dk = max(1, n - n_no)
    ppm = max(1.0, (target / (n_no + n_dk) - _EST_PER_MUNICIPALITY) / _EST_PER_PARTNERSHIP)
    local = max(3, min(15, round(ppm / 2)))
    return n_no, n_dk, local


def make_plan(target: int, seed: int = 20200101) -> Plan:
    """The municipalities and actors of the graph for ``target`` triples (deterministic)."""
    rng = random.Random(f"plan-{seed}")
    n_no, n_dk, local = _counts(target)
    counties = [Actor(iri(f"actor/synth-county-{c:02d}"), "public", "county") for c in range(1, 12)]
    national = [Actor(iri(f"actor/synth-national-{c:02d}"), "voluntary", "voluntary-organisation")
                for c in range(1, 21)]
    research = [Actor(iri(f"actor/synth-research-{c:02d}"), "academia", "research-institution")
                for c in range(1, 5)]
    municipalities = []
    for index in range(1, n_no + n_dk + 1):
        norwegian = index <= n_no
        number = 7000 + index if norwegian else 8000 + (index - n_no)
        m = Municipality(
            index=index, iri=iri(f"municipality/synth-{number}"), number=f"{number:04d}",
            country="NOR" if norwegian else "DNK", name=f"Syntetisk kommune {index:04d}",
            population=int(rng.lognormvariate(9.2, 1.0)) + 200, centrality=rng.choice(SCHEMES["centrality"]),
            volunteer_centre=rng.random() < 0.7,
            county=counties[index % len(counties)] if norwegian else None)
        for a in range(1, local + 1):
            kind = "volunteer-centre" if a == 1 and m.volunteer_centre else rng.choice(
                ["voluntary-organisation", "voluntary-organisation", "informal-group"])
            m.local.append(Actor(iri(f"actor/synth-{number}-vol-{a:02d}"), "voluntary", kind))
        municipalities.append(m)
    return Plan(target, seed, municipalities, national, research, counties, local)


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------

def _contact(em: Emitter, slug: str, name: str, mailbox: str) -> str:
    cp = iri(f"contact-point/{slug}")
    em.t(cp, A, C["vcard:Organization"])
    em.t(cp, P["vcard:fn"], lit(name))
    em.t(cp, P["vcard:hasEmail"], f"<mailto:{mailbox}@example.org>")
    em.t(cp, ILL, TRUE)
    return cp


def _actor(em: Emitter, actor: Actor, nb: str, en: str, orgnr: str | None, contact: bool) -> None:
    s = actor.iri
    em.t(s, A, C["offri:Actor"])
    em.labels(s, nb, en)
    em.t(s, P["offri:sector"], v("sector", actor.sector))
    em.t(s, P["org:classification"], v("actor-type", actor.kind))
    if orgnr:
        em.t(s, P["offri:organisationNumber"], lit(orgnr))
    if contact:
        slug = s[len("<" + ID + "actor/"):-1]
        em.t(s, P["dcat:contactPoint"], _contact(em, slug, f"{nb} – postmottak", f"post-{slug}"))
    em.t(s, ILL, TRUE)


def _municipality(em: Emitter, m: Municipality) -> None:
    s = m.iri
    en = m.name.replace("Syntetisk kommune", "Synthetic municipality")
    em.t(s, A, C["offri:Municipality"])
    em.t(s, A, C["offri:Actor"])
    em.labels(s, m.name, en)
    em.t(s, P["offri:sector"], v("sector", "public"))
    em.t(s, P["org:classification"], v("actor-type", "municipality"))
    em.t(s, P["offri:country"], f"<{COUNTRY}{m.country}>")
    number = iri(f"municipality/synth-{m.number}/number/{m.number}")
    em.t(s, P["adms:identifier"], number)
    em.t(number, A, C["adms:Identifier"])
    em.t(number, P["skos:notation"], lit(m.number))
    em.t(number, P["dct:temporal"], em.period(date(2000, 1, 1), None))
    em.t(number, P["dct:creator"], f"<{ISSUERS[m.country]}>")
    em.t(number, ILL, TRUE)
    em.t(s, P["dcat:contactPoint"],
         _contact(em, f"synth-{m.number}", f"Frivillighetskoordinator, {m.name}", f"frivillig-{m.number}"))
    em.t(s, ILL, TRUE)
    for year in (2019, 2023):
        ctx = iri(f"context/synth-{m.number}-{year}")
        em.t(ctx, A, C["offri:MunicipalContext"])
        em.t(ctx, P["offri:contextOf"], s)
        em.t(ctx, P["offri:year"], f'"{year}"^^{XSD_GYEAR}')
        em.t(ctx, P["offri:municipalityNumber"], lit(m.number))
        if m.country == "NOR":
            em.t(ctx, P["offri:county"], lit(f"Syntetisk fylke {m.index % 11 + 1:02d}"))
        em.t(ctx, P["offri:population"], integer(m.population + (year - 2019) * (m.population // 50)))
        em.t(ctx, P["offri:centrality"], v("centrality", m.centrality))
        em.t(ctx, P["offri:hasVolunteerCentre"], TRUE if m.volunteer_centre else FALSE)
        em.t(ctx, ILL, TRUE)


def _goal(em: Emitter, rng: random.Random, slug: str, noisy: bool) -> str:
    g = iri(f"goal/{slug}")
    themes = rng.sample(SCHEMES["goal-theme"], rng.choice((1, 1, 2)))
    em.t(g, A, C["offri:Goal"])
    em.labels(g, f"Mål {slug}", f"Goal {slug}")
    if not noisy:                                                # Warning: Goal-theme-present
        for theme in themes:
            em.t(g, P["offri:goalTheme"], v("goal-theme", theme))
    if rng.random() < 0.5:
        em.t(g, P["offri:servesSDG"], f"<http://metadata.un.org/sdg/{rng.choice(SDGS)}>")
    if rng.random() < 0.3:
        em.t(g, P["offri:servesPolicy"], f"<{rng.choice(POLICIES)}>")
    em.t(g, ILL, TRUE)
    return g


#: Ways a candidate partnership can be broken (each gives Violations), or "valid".
CANDIDATE_KINDS = ("valid", "valid", "valid", "no-voluntary-participant", "role-from-wrong-scheme",
                   "period-end-before-start", "unknown-municipality", "bad-orgnr")


def partnership_record(em: Emitter, rng: random.Random, plan: Plan, m: Municipality, slug: str,
                       noise: float = 0.0, with_case: bool | None = None, broken: str = "valid",
                       orgnrs: OrgNumbers | None = None) -> str | None:
    """One partnership with its participations, goals, anchorings, challenges (and maybe a
    case with its source document). Returns the case IRI, if any."""
    def noisy() -> bool:
        return noise > 0 and rng.random() < noise

    p = iri(f"partnership/{slug}")
    activity = rng.choice(SCHEMES["activity"])
    em.t(p, A, C["offri:Partnership"])
    em.labels(p, f"Syntetisk samarbeid {slug} ({activity}) i {m.name}",
              f"Synthetic partnership {slug} ({activity}) in {m.name.replace('Syntetisk kommune', 'Synthetic municipality')}")
    em.t(p, DESC, lit(f"Syntetisk, oppdiktet samarbeid for ytelsestesting ({slug}).", "nb"))
    em.t(p, DESC, lit(f"Synthetic, invented partnership for benchmarking ({slug}).", "en"))
    status = rng.choice(SCHEMES["status"])
    em.t(p, P["offri:status"], v("status", status))
    em.t(p, P["offri:inMunicipality"],
         iri(f"municipality/synth-unknown-{m.number}") if broken == "unknown-municipality" else m.iri)
    start_year = rng.randint(2008, 2023)
    start = date(start_year, rng.randint(1, 12), 1)
    end = None
    if status in ("completed", "discontinued"):
        end = date(start_year + rng.randint(1, 4), 12, 31)
    if broken == "period-end-before-start":
        end = date(start_year - 1, 6, 30)
    em.t(p, P["dct:temporal"], em.period(start, end))
    if rng.random() < 0.4:
        em.t(p, P["offri:projectFundingEnd"], date(start_year + rng.randint(0, 3), 12, 31))
    em.t(p, P["offri:collaborationForm"], v("form", rng.choice(SCHEMES["form"])))
    em.t(p, P["offri:activityType"], v("activity", activity))
    if rng.random() < 0.5:
        em.t(p, P["offri:activityType"], v("activity", rng.choice(SCHEMES["activity"])))
    em.t(p, P["offri:governanceMode"], v("governance", rng.choice(SCHEMES["governance"])))
    em.t(p, P["offri:leadershipArrangement"], v("leadership", rng.choice(SCHEMES["leadership"])))
    if not noisy():                                               # Warning: sharedGoal-present
        em.t(p, P["offri:sharedGoal"], _goal(em, rng, f"{slug}-shared", noisy()))

    # participations: the municipality (public) and 1–3 voluntary actors, sometimes a county
    # funder and a research partner
    members: list[tuple[Actor | None, str]] = []
    if broken == "no-voluntary-participant":
        members.append((None, rng.choice(("coordinator", "owner"))))
        members.append((m.county or plan.counties[0], "funder"))
    else:
        members.append((None, rng.choice(("coordinator", "owner", "initiator", "funder"))))
        pool = m.local + plan.national
        n_vol = rng.choice((1, 1, 2, 2, 3))
        chosen = rng.sample(m.local, min(n_vol, len(m.local)))
        if rng.random() < 0.3:
            chosen[-1] = rng.choice(plan.national)
        for actor in dict.fromkeys(a.iri for a in chosen):
            members.append((next(a for a in pool if a.iri == actor),
                            rng.choice(("service-provider", "volunteer-recruiter", "premises-provider"))))
        if m.county and rng.random() < 0.2:
            members.append((m.county, "funder"))
        if rng.random() < 0.1:
            members.append((rng.choice(plan.research), "knowledge-partner"))
    if broken == "bad-orgnr":
        assert orgnrs is not None
        number = orgnrs.take()
        wrong = number[:8] + str((int(number[8]) + 1) % 10)
        newcomer = Actor(iri(f"actor/{slug}-newcomer"), "voluntary", "voluntary-organisation")
        _actor(em, newcomer, f"Ny forening {slug}", f"New association {slug}", wrong, contact=False)
        members.append((newcomer, "volunteer-recruiter"))
    for i, (actor, role) in enumerate(members, start=1):
        part = iri(f"participation/{slug}-{i}")
        em.t(part, A, C["offri:Participation"])
        em.t(part, P["org:member"], m.iri if actor is None else actor.iri)
        em.t(part, P["org:organization"], p)
        role_term = v("sector", "voluntary") if broken == "role-from-wrong-scheme" and i == 2 else v("role", role)
        em.t(part, P["org:role"], role_term)
        if rng.random() < 0.5:
            em.t(part, P["org:memberDuring"], em.period(start, end))
        if rng.random() < 0.3:
            em.t(part, P["offri:ownGoal"], _goal(em, rng, f"{slug}-own-{i}", noisy()))
        em.t(part, ILL, TRUE)

    # anchorings
    if not noisy():                                               # Info: anchoring-present
        for k, kind in enumerate(rng.sample(SCHEMES["anchoring"], rng.choice((1, 1, 2))), start=1):
            anc = iri(f"anchoring/{slug}-{k}")
            em.t(p, P["offri:anchoring"], anc)
            em.t(anc, A, C["offri:Anchoring"])
            em.t(anc, P["offri:anchoringType"], v("anchoring", kind))
            if kind == "political":
                em.t(anc, P["offri:decisionDate"], date(max(2000, start_year - 1), rng.randint(1, 12), 15))
                if not noisy():                                   # Warning: political-decision
                    em.t(anc, P["offri:caseNumber"], lit(f"{start_year - 1}/{rng.randint(1, 9999)}"))
            elif kind == "administrative":
                em.t(anc, P["offri:responsibleUnit"], lit("Enhet for frivillighet", "nb"))
            elif kind == "financial":
                em.t(anc, P["offri:budgetLine"], lit(f"Ansvar {rng.randint(1000, 9999)}"))
            em.t(anc, ILL, TRUE)

    # challenges
    for k in range(1, rng.choice((0, 1, 1, 2)) + 1):
        ch = iri(f"challenge/{slug}-{k}")
        em.t(p, P["offri:challenge"], ch)
        em.t(ch, A, C["offri:Challenge"])
        em.t(ch, P["offri:challengeType"], v("challenge", rng.choice(SCHEMES["challenge"])))
        em.t(ch, DESC, lit("Syntetisk utfordring.", "nb"))
        em.t(ch, DESC, lit("Synthetic challenge.", "en"))
        if not noisy():                                           # Info: Challenge-mitigation
            em.t(ch, P["offri:mitigation"], lit("Syntetisk tiltak.", "nb"))
            em.t(ch, P["offri:mitigation"], lit("Synthetic mitigation.", "en"))
        em.t(ch, ILL, TRUE)
    em.t(p, ILL, TRUE)

    # a case describing the partnership, with its source document
    if with_case if with_case is not None else rng.random() < 0.4:
        case = iri(f"case/{slug}")
        doc = iri(f"source/{slug}")
        em.t(case, A, C["offri:Case"])
        em.labels(case, f"Case {slug}", f"Case {slug}")
        em.t(case, P["offri:describesPartnership"], p)
        em.t(case, P["offri:outcome"], lit("Flere deltakere.", "nb"))
        em.t(case, P["offri:outcome"], lit("More participants.", "en"))
        em.t(case, P["dct:source"], doc)
        em.t(case, ILL, TRUE)
        em.t(doc, A, C["foaf:Document"])
        em.t(doc, P["dct:title"], lit(f"Syntetisk intervjunotat {slug}", "nb"))
        em.t(doc, P["dct:type"], v("source-type", rng.choice(SCHEMES["source-type"])))
        em.t(doc, ILL, TRUE)
        return case
    return None


def model_record(em: Emitter, rng: random.Random, plan: Plan, slug: str, cases: list[str]) -> None:
    """A collaboration model derived from ``cases``, with context conditions and adoptions."""
    mod = iri(f"model/{slug}")
    em.t(mod, A, C["offri:CollaborationModel"])
    em.labels(mod, f"Syntetisk samarbeidsmodell {slug}", f"Synthetic collaboration model {slug}")
    em.t(mod, DESC, lit("Syntetisk modell abstrahert fra syntetiske caser.", "nb"))
    em.t(mod, DESC, lit("Synthetic model abstracted from synthetic cases.", "en"))
    for case in cases:
        em.t(mod, P["prov:wasDerivedFrom"], case)
    em.t(mod, P["offri:collaborationForm"], v("form", rng.choice(SCHEMES["form"])))
    for role in rng.sample(SCHEMES["role"], 2):
        em.t(mod, P["offri:requiredRole"], v("role", role))
    em.t(mod, P["offri:governanceMode"], v("governance", rng.choice(SCHEMES["governance"])))
    em.t(mod, P["offri:anchoringType"], v("anchoring", rng.choice(SCHEMES["anchoring"])))
    em.t(mod, P["offri:expectedChallenge"], v("challenge", rng.choice(SCHEMES["challenge"])))
    em.t(mod, P["offri:borrowsClusterPractice"], v("cluster-practice", rng.choice(SCHEMES["cluster-practice"])))
    for k in range(1, rng.choice((1, 2)) + 1):
        cond = iri(f"context-condition/{slug}-{k}")
        low = rng.choice((0, 1000, 5000, 20000))
        em.t(mod, P["offri:suitsContext"], cond)
        em.t(cond, A, C["offri:ContextCondition"])
        em.t(cond, P["offri:minPopulation"], integer(low))
        em.t(cond, P["offri:maxPopulation"], integer(low * 10 + 10000))
        em.t(cond, P["offri:centrality"], v("centrality", rng.choice(SCHEMES["centrality"])))
        em.t(cond, P["offri:country"], f"<{COUNTRY}{rng.choice(('NOR', 'DNK'))}>")
        em.t(cond, P["offri:requiresVolunteerCentre"], TRUE if rng.random() < 0.5 else FALSE)
        em.t(cond, ILL, TRUE)
    for k in range(1, rng.choice((1, 2, 3)) + 1):
        adoption = iri(f"adoption/{slug}-{k}")
        em.t(mod, P["offri:hasAdoption"], adoption)
        em.t(adoption, A, C["offri:Adoption"])
        em.t(adoption, P["offri:adoptedBy"], rng.choice(plan.municipalities).iri)
        em.t(adoption, P["dct:date"], date(rng.randint(2015, 2024), rng.randint(1, 12), 1))
        em.t(adoption, P["offri:adaptation"], lit("Tilpasset lokale forhold.", "nb"))
        em.t(adoption, P["offri:adaptation"], lit("Adapted to local conditions.", "en"))
        em.t(adoption, ILL, TRUE)
    em.t(mod, ILL, TRUE)


# --------------------------------------------------------------------------------------------
# The whole graph
# --------------------------------------------------------------------------------------------

MODEL_EVERY = 25    # one collaboration model per this many partnerships


def generate(target: int, seed: int = 20200101, noise: float = 0.01) -> tuple[str, dict]:
    """N-Triples for about ``target`` triples (a little more: the last record is completed)."""
    plan = make_plan(target, seed)
    rng = random.Random(f"graph-{seed}")
    em = Emitter()
    orgnrs = OrgNumbers()
    for actor in plan.counties:
        n = actor.iri.rsplit("-", 1)[-1][:2]
        _actor(em, actor, f"Syntetisk fylkeskommune {n}", f"Synthetic county authority {n}",
               orgnrs.take(), contact=True)
    for actor in plan.national:
        n = actor.iri.rsplit("-", 1)[-1][:2]
        _actor(em, actor, f"Syntetisk landsforbund {n}", f"Synthetic national federation {n}",
               orgnrs.take(), contact=True)
    for actor in plan.research:
        n = actor.iri.rsplit("-", 1)[-1][:2]
        _actor(em, actor, f"Syntetisk forskningsinstitutt {n}", f"Synthetic research institute {n}",
               orgnrs.take(), contact=True)
    for m in plan.municipalities:
        _municipality(em, m)
        for k, actor in enumerate(m.local, start=1):
            informal = actor.kind == "informal-group"
            _actor(em, actor, f"Syntetisk forening {k:02d}, {m.name}",
                   f"Synthetic association {k:02d}, {m.name.replace('Syntetisk kommune', 'Synthetic municipality')}",
                   None if informal else orgnrs.take(), contact=not informal)
    partnerships = models = 0
    cases: list[str] = []
    while len(em) < target:
        m = plan.municipalities[partnerships % len(plan.municipalities)]
        partnerships += 1
        slug = f"synth-{partnerships:06d}"
        case = partnership_record(em, rng, plan, m, slug, noise=noise,
                                  with_case=True if partnerships % MODEL_EVERY == 0 else None)
        if case:
            cases.append(case)
        if partnerships % MODEL_EVERY == 0:
            models += 1
            model_record(em, rng, plan, f"synth-{models:05d}", cases[-2:])
    stats = {"target": target, "seed": seed, "noise": noise, "triples": len(em),
             "municipalities": len(plan.municipalities),
             "municipalities_no": sum(m.country == "NOR" for m in plan.municipalities),
             "municipalities_dk": sum(m.country == "DNK" for m in plan.municipalities),
             "partnerships": partnerships,
             "partnerships_per_municipality": round(partnerships / len(plan.municipalities), 1),
             "voluntary_actors": len(plan.national) + sum(len(m.local) for m in plan.municipalities),
             "cases": len(cases), "models": models}
    return em.text(), stats


def write_ntriples(path: Path | str, target: int, seed: int = 20200101, noise: float = 0.01) -> dict:
    text, stats = generate(target, seed, noise)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    stats["bytes"] = path.stat().st_size
    return stats


# --------------------------------------------------------------------------------------------
# One new partnership for an existing graph
# --------------------------------------------------------------------------------------------

def candidate_ntriples(plan: Plan, k: int, kind: str | None = None) -> tuple[str, str]:
    """Candidate ``k``: a new partnership record in a municipality of ``plan``, with existing
    local and national actors. Returns (kind, N-Triples text; also valid Turtle)."""
    kind = kind or CANDIDATE_KINDS[k % len(CANDIDATE_KINDS)]
    rng = random.Random(f"candidate-{plan.seed}-{k}")
    m = plan.municipalities[(k * 7919) % len(plan.municipalities)]
    em = Emitter(bnode_prefix=f"c{k}x")
    partnership_record(em, rng, plan, m, f"candidate-{k:05d}", noise=0.0, broken=kind,
                       orgnrs=OrgNumbers(start=60_000_000 + 100 * k))
    return kind, em.text()


def candidate_quads(plan: Plan, k: int, kind: str | None = None) -> tuple[str, list]:
    """Candidate ``k`` as pyoxigraph quads in the default graph: (kind, quads)."""
    import pyoxigraph as ox

    kind, text = candidate_ntriples(plan, k, kind)
    return kind, [ox.Quad(t.subject, t.predicate, t.object) for t in
                  ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES)]


# --------------------------------------------------------------------------------------------

def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    factor = 1
    if text.endswith("k"):
        factor, text = 1_000, text[:-1]
    elif text.endswith("m"):
        factor, text = 1_000_000, text[:-1]
    return int(float(text) * factor)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def check_vocabulary() -> list[str]:
    """Concept ids used here that the vocabulary files do not define in that scheme."""
    import pyoxigraph as ox
    from offri_kg.resources import resource_dir

    store = ox.Store()
    for path in sorted((resource_dir("ontology") / "vocab").glob("*.ttl")):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    in_scheme = ox.NamedNode("http://www.w3.org/2004/02/skos/core#inScheme")
    missing = []
    for scheme, ids in SCHEMES.items():
        for concept in ids:
            node = ox.NamedNode(f"{VOCAB}{scheme}/{concept}")
            if not list(store.quads_for_pattern(node, in_scheme, ox.NamedNode(f"{VOCAB}{scheme}"))):
                missing.append(f"{scheme}/{concept}")
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", help="target number of triples, e.g. 10k, 100k, 1M")
    parser.add_argument("-o", "--output", help="N-Triples file to write (default: stdout summary only)")
    parser.add_argument("--seed", type=int, default=20200101)
    parser.add_argument("--noise", type=float, default=0.01,
                        help="share of incomplete records (Warnings/Infos only; 0 = none)")
    parser.add_argument("--candidate", type=int, help="print candidate K for this size as N-Triples")
    args = parser.parse_args(argv)
    target = parse_size(args.size)
    missing = check_vocabulary()
    if missing:
        print("concepts missing from the vocabularies: " + ", ".join(missing), file=sys.stderr)
        return 1
    if args.candidate is not None:
        kind, text = candidate_ntriples(make_plan(target, args.seed), args.candidate)
        print(f"# candidate {args.candidate}: {kind}")
        print(text, end="")
        return 0
    started = time.perf_counter()
    if args.output:
        stats = write_ntriples(args.output, target, args.seed, args.noise)
    else:
        _text, stats = generate(target, args.seed, args.noise)
    stats["seconds"] = round(time.perf_counter() - started, 2)
    print(" ".join(f"{k}={val}" for k, val in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
