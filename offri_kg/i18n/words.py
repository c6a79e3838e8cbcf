"""Every word offri shows to people, in Norwegian bokmål (nb) and English (en): one table.

Library code raises ``OffriError`` with a code and the CLI and the web pages name what they show
by a key; the words live only here, looked up by ``offri_kg.i18n.message`` and ``word``. A text
may hold plural forms, ``{count, plural, one {# row} other {# rows}}`` (the syntax of ICU
MessageFormat; ``#`` is the count), chosen by the parameter it names. ``tests/test_words.py``
checks that every entry is used, has both languages with the same placeholders, and that each
plural has both forms.
"""

from __future__ import annotations

#: What the library's errors and warnings, the CLI and its reports say.
MESSAGES: dict[str, dict[str, str]] = {
    # --- input ------------------------------------------------------------------------
    "file-missing": {
        "en": "no such file: {path}. Check the path and try again.",
        "nb": "finner ikke filen: {path}. Sjekk stien og prøv igjen.",
    },
    "is-directory": {
        "en": "{path} is a directory; give the data files in it instead, e.g. {path}/*.ttl.",
        "nb": "{path} er en mappe; oppgi datafilene i den i stedet, f.eks. {path}/*.ttl.",
    },
    "unreadable": {
        "en": "cannot read {path}: {reason}.",
        "nb": "kan ikke lese {path}: {reason}.",
    },
    "unknown-extension": {
        "en": "{path}: unknown file type '{ext}'. Use .ttl, .trig, .nt, .nq, .jsonld or .rdf/.owl, or give --input-format.",
        "nb": "{path}: ukjent filtype «{ext}». Bruk .ttl, .trig, .nt, .nq, .jsonld eller .rdf/.owl, eller oppgi --input-format.",
    },
    "unknown-format": {
        "en": "unknown format '{format}'. Choose one of: {choices}.",
        "nb": "ukjent format «{format}». Velg ett av: {choices}.",
    },
    "empty-file": {
        "en": "{path} is empty: there is no data to load. (`offri validate` takes an empty file: it conforms.)",
        "nb": "{path} er tom: det er ingen data å laste inn. (`offri validate` tar imot en tom fil: den er gyldig.)",
    },
    "not-a-file": {
        "en": "{path} is not a regular file (a pipe, a device or a socket would never end); give a data file.",
        "nb": "{path} er ikke en vanlig fil (et rør, en enhet eller en sokkel ville aldri ta slutt); oppgi en datafil.",
    },
    "rdfxml-too-deep": {
        "en": "the RDF/XML nests elements more than {max} levels deep; offri reads at most {max} (deeper nesting makes the parser slow without end). Flatten it, or export the data as Turtle.",
        "nb": "RDF/XML-en nøster elementer mer enn {max} nivåer dypt; offri leser høyst {max} (dypere nøsting gjør tolkeren treg uten ende). Gjør den flatere, eller eksporter dataene som Turtle.",
    },
    "jsonld-too-deep": {
        "en": "the JSON-LD nests objects and arrays more than {max} levels deep; offri reads at most {max}. Flatten it, or export the data as Turtle.",
        "nb": "JSON-LD-en nøster objekter og lister mer enn {max} nivåer dypt; offri leser høyst {max}. Gjør den flatere, eller eksporter dataene som Turtle.",
    },
    "binary-file": {
        "en": "{path} looks like a binary file, not RDF text. Export the data as Turtle (.ttl) and try again.",
        "nb": "{path} ser ut som en binærfil, ikke RDF-tekst. Eksporter dataene som Turtle (.ttl) og prøv igjen.",
    },
    "bad-encoding": {
        "en": "{path} is not UTF-8 text (byte {offset}). Save the file as UTF-8 and try again.",
        "nb": "{path} er ikke UTF-8-tekst (byte {offset}). Lagre filen som UTF-8 og prøv igjen.",
    },
    "syntax-error": {
        "en": "syntax error in {format}: {detail}",
        "nb": "syntaksfeil i {format}: {detail}",
    },
    "doctype-refused": {
        "en": "RDF/XML with <!DOCTYPE> or <!ENTITY> is refused: entities can make a small file expand without end. Remove the DOCTYPE and write the IRIs out in full.",
        "nb": "RDF/XML med <!DOCTYPE> eller <!ENTITY> avvises: entiteter kan få en liten fil til å vokse uten ende. Fjern DOCTYPE og skriv IRI-ene fullt ut.",
    },
    "remote-context-refused": {
        "en": "the JSON-LD @context '{context}' would be fetched from outside; offri never reads the network or other files because of input. Put the context inline in the document.",
        "nb": "JSON-LD-konteksten «{context}» måtte ha vært hentet utenfra; offri henter aldri noe fra nettet eller andre filer på grunn av input. Legg konteksten inn i dokumentet.",
    },
    "jsonld-invalid": {
        "en": "the JSON is not valid: {detail}",
        "nb": "JSON-en er ikke gyldig: {detail}",
    },
    "no-input": {
        "en": "give at least one data file.",
        "nb": "oppgi minst én datafil.",
    },
    "bad-lang": {
        "en": "unknown language '{value}'; use nb or en.",
        "nb": "ukjent språk «{value}»; bruk nb eller en.",
    },
    # --- store and queries --------------------------------------------------------------
    "validation-failed": {
        "en": "nothing was loaded: the data has {violations, plural, one {# violation} other {# violations}}. Run `offri validate` on the same files to see them.",
        "nb": "ingenting ble lastet: dataene har {violations} brudd. Kjør `offri validate` på de samme filene for å se dem.",
    },
    "store-locked": {
        "en": "the store at {path} is in use by another offri process; wait for it to finish or give another --store.",
        "nb": "lageret i {path} er i bruk av en annen offri-prosess; vent til den er ferdig, eller oppgi et annet --store.",
    },
    "serve-store-missing": {
        "en": "there is no offri store at {path}; build one there with `offri build --store {path}`, or load your data with `offri load --store {path} FILE…` (offri serve puts the shipped example data only in the default place).",
        "nb": "det finnes ikke noe offri-lager i {path}; bygg et der med `offri build --store {path}`, eller last inn dataene dine med `offri load --store {path} FIL…` (offri serve legger de medfølgende eksempeldataene bare på standardstedet).",
    },
    "store-missing": {
        "en": "there is no offri store at {path}; load data first with `offri load FILE…`.",
        "nb": "det finnes ikke noe offri-lager i {path}; last inn data først med `offri load FIL…`.",
    },
    "bad-size": {
        "en": "{option} takes a size such as 1G or 500M, not {value!r}.",
        "nb": "{option} tar en størrelse som 1G eller 500M, ikke {value!r}.",
    },
    "bad-count": {
        "en": "{option} must be a whole number of at least 1, not {value!r}.",
        "nb": "{option} må være et helt tall på minst 1, ikke {value!r}.",
    },
    "bad-timeout": {
        "en": "the timeout must be a number of seconds above 0, not {value!r}.",
        "nb": "tidsgrensen må være et antall sekunder over 0, ikke {value!r}.",
    },
    "store-closed": {
        "en": "this KnowledgeGraph was closed; open it again with KnowledgeGraph.open() or .connect().",
        "nb": "denne KnowledgeGraph er lukket; åpne den igjen med KnowledgeGraph.open() eller .connect().",
    },
    "query-not-text": {
        "en": "a query is SPARQL text (str), not {type}.",
        "nb": "en spørring er SPARQL-tekst (str), ikke {type}.",
    },
    "update-not-query": {
        "en": "this is an update ({kind}), not a query: offri query only reads. Load data with `offri load`; a server started with --allow-update takes updates at /sparql.",
        "nb": "dette er en oppdatering ({kind}), ikke en spørring: offri query bare leser. Last inn data med `offri load`; en tjener startet med --allow-update tar imot oppdateringer på /sparql.",
    },
    "rdfxml-malformed": {
        "en": "the RDF/XML is not well-formed XML: {detail}. A file cut off before </rdf:RDF> gives this too; export it again.",
        "nb": "RDF/XML-filen er ikke velformet XML: {detail}. En fil som er kuttet før </rdf:RDF>, gir også dette; eksporter den på nytt.",
    },
    "cannot-write": {
        "en": "cannot write {path}: {detail}. Choose a file in a folder that exists and that you may write to.",
        "nb": "kan ikke skrive {path}: {detail}. Velg en fil i en mappe som finnes og som du kan skrive til.",
    },
    "endpoint-bad-url": {
        "en": "{endpoint} is not an http(s) address of a SPARQL endpoint; give e.g. http://localhost:7878/query.",
        "nb": "{endpoint} er ikke en http(s)-adresse til et SPARQL-endepunkt; oppgi f.eks. http://localhost:7878/query.",
    },
    "store-error": {
        "en": "the store at {path} cannot be opened: {detail}",
        "nb": "lageret i {path} kan ikke åpnes: {detail}",
    },
    "unknown-graph": {
        "en": "the store has no graph <{graph}>. `offri stats` lists the graphs.",
        "nb": "lageret har ingen graf <{graph}>. `offri stats` viser grafene.",
    },
    "bad-graph-iri": {
        "en": "'{graph}' is not an absolute IRI; give e.g. https://w3id.org/offri/graph/my-data.",
        "nb": "«{graph}» er ikke en absolutt IRI; oppgi f.eks. https://w3id.org/offri/graph/mine-data.",
    },
    "blank-graph-name": {
        "en": "the file puts triples in a graph named by a blank node ({graph}); offri names graphs by IRIs. Name the graph with an IRI, or leave the triples in the default graph (they then go to the file's own graph).",
        "nb": "filen legger tripler i en graf som er navngitt med en blank node ({graph}); offri navngir grafer med IRI-er. Gi grafen en IRI, eller la triplene stå i standardgrafen (da havner de i filens egen graf).",
    },
    "export-needs-graph": {
        "en": "{format} holds one graph, and the store holds several: add --graph IRI (`offri stats` lists them), or export everything as N-Quads or TriG.",
        "nb": "{format} rommer én graf, og lageret har flere: legg til --graph IRI (`offri stats` viser dem), eller eksporter alt som N-Quads eller TriG.",
    },
    "graph-reserved": {
        "en": "{graph} is one of offri's own graphs (the load records, the ontology, the vocabularies or the reference data); data cannot be loaded into it. Choose another graph IRI.",
        "nb": "{graph} er en av offris egne grafer (innlastingsloggen, ontologien, vokabularene eller referansedataene); data kan ikke lastes inn i den. Velg en annen graf-IRI.",
    },
    "graph-needs-one-file": {
        "en": "--graph names one graph, so give exactly one file with it.",
        "nb": "--graph navngir én graf, så oppgi nøyaktig én fil sammen med den.",
    },
    "unknown-query-none": {
        "en": "there is no stored query '{name}'. `offri queries` lists them all, with the research question each answers.",
        "nb": "det finnes ingen lagret spørring «{name}». `offri queries` viser alle, med forskningsspørsmålet hver svarer på.",
    },
    "unknown-query": {
        "en": "there is no stored query '{name}'. Did you mean: {matches}? `offri queries` lists them all.",
        "nb": "det finnes ingen lagret spørring «{name}». Mente du: {matches}? `offri queries` viser alle.",
    },
    "unknown-param": {
        "en": "the query {query} has no parameter '{name}'; its parameters are: {known}.",
        "nb": "spørringen {query} har ingen parameter «{name}»; parameterne er: {known}.",
    },
    "expect-iri": {"en": "an IRI such as https://w3id.org/offri/id/municipality/arendal",
                   "nb": "en IRI, for eksempel https://w3id.org/offri/id/municipality/arendal"},
    "expect-concept": {"en": "a concept IRI from {scheme}", "nb": "en begreps-IRI fra {scheme}"},
    "expect-string": {"en": "text", "nb": "tekst"},
    "expect-integer": {"en": "a whole number such as 2016", "nb": "et heltall, for eksempel 2016"},
    "expect-decimal": {"en": "a number such as 2.5", "nb": "et tall, for eksempel 2.5"},
    "expect-date": {"en": "a date such as 2016-01-31", "nb": "en dato, for eksempel 2016-01-31"},
    "expect-boolean": {"en": "true or false", "nb": "true eller false"},
    "bad-param": {
        "en": "the parameter {name} of {query} got '{value}', but expects {expected}.",
        "nb": "parameteren {name} i {query} fikk «{value}», men venter {expected}.",
    },
    "dump-failed": {
        "en": "the dump could not be written just now ({reason}); try again later.",
        "nb": "dumpen kunne ikke skrives nå ({reason}); prøv igjen senere.",
    },
    "bad-page": {
        "en": "'{value}' is not a page number; pages are counted from 1.",
        "nb": "«{value}» er ikke et sidenummer; sidene telles fra 1.",
    },
    "missing-param": {
        "en": "the parameter {name} of {query} needs a value: {expected}.",
        "nb": "parameteren {name} i {query} må ha en verdi: {expected}.",
    },
    "param-not-allowed": {
        "en": "the parameter {name} of {query} cannot be '{value}'; choose one of: {allowed}.",
        "nb": "parameteren {name} i {query} kan ikke være «{value}»; velg en av: {allowed}.",
    },
    "param-syntax": {
        "en": "write parameters as NAME=VALUE, not '{value}'.",
        "nb": "skriv parametere som NAVN=VERDI, ikke «{value}».",
    },
    "query-syntax": {
        "en": "SPARQL syntax error: {detail}",
        "nb": "syntaksfeil i SPARQL: {detail}",
    },
    "query-refused": {
        "en": "the query uses {feature}, which would fetch data from outside; offri never reaches the network because of a query.",
        "nb": "spørringen bruker {feature}, som ville hentet data utenfra; offri går aldri ut på nettet på grunn av en spørring.",
    },
    "query-file-or-name": {
        "en": "give either a stored query NAME or --file, not both and not neither.",
        "nb": "oppgi enten navnet på en lagret spørring eller --file, ikke begge og ikke ingen.",
    },
    "endpoint-unreachable": {
        "en": "cannot reach the SPARQL endpoint {endpoint}: {detail}. Check the address and that the server runs.",
        "nb": "får ikke kontakt med SPARQL-endepunktet {endpoint}: {detail}. Sjekk adressen og at tjeneren kjører.",
    },
    "endpoint-login-refused": {
        "en": "the endpoint {endpoint} refused the login (HTTP {status}). Check OFFRI_ENDPOINT_USER/OFFRI_ENDPOINT_PASSWORD or the config file.",
        "nb": "endepunktet {endpoint} avviste innloggingen (HTTP {status}). Sjekk OFFRI_ENDPOINT_USER/OFFRI_ENDPOINT_PASSWORD eller konfigurasjonsfilen.",
    },
    "endpoint-timeout": {
        "en": "the endpoint {endpoint} did not answer within {seconds} s; try a smaller query or a longer --timeout.",
        "nb": "endepunktet {endpoint} svarte ikke innen {seconds} s; prøv en mindre spørring eller en lengre --timeout.",
    },
    "endpoint-partial": {
        "en": "the endpoint {endpoint} returned only part of the answer (HTTP 206); offri does not show partial results. Raise the server's result limits.",
        "nb": "endepunktet {endpoint} returnerte bare en del av svaret (HTTP 206); offri viser ikke delvise svar. Øk tjenerens grenser for svar.",
    },
    "endpoint-error": {
        "en": "the endpoint {endpoint} answered HTTP {status}: {detail}",
        "nb": "endepunktet {endpoint} svarte HTTP {status}: {detail}",
    },
    "endpoint-cannot-write": {
        "en": "no update or Graph Store address is configured for {endpoint}; see the README on remote stores.",
        "nb": "ingen oppdaterings- eller Graph Store-adresse er satt opp for {endpoint}; se README om eksterne lagre.",
    },
    "load-interrupted": {
        "en": "interrupted: the load is being undone once the disk writes under way end; the store stays as it was.",
        "nb": "avbrutt: innlastingen angres når skrivingen til disk som pågår er ferdig; lageret blir som det var.",
    },
    "load-replaced": {
        "en": "replaced <{graph}>: it now holds {triples, plural, one {# triple} other {# triples}} from {source} (what it held before is gone)",
        "nb": "erstattet <{graph}>: den har nå {triples, plural, one {# tripel} other {# tripler}} fra {source} (det den hadde før, er borte)",
    },
    "graph-owned": {
        "en": "<{graph}> holds what {owner} loaded; this is {source}, another file. Load it into a graph of its own with --graph IRI, or give --replace to replace that file's data with this one's.",
        "nb": "<{graph}> inneholder det {owner} lastet inn; dette er {source}, en annen fil. Last den inn i en egen graf med --graph IRI, eller bruk --replace for å erstatte den filens data med denne.",
    },
    "graph-unrecorded": {
        "en": "<{graph}> exists, but no load recorded where its data came from (an update may have made it); {source} would replace it. Give --replace if that is what you want, or load into another graph with --graph IRI.",
        "nb": "<{graph}> finnes, men ingen innlasting har registrert hvor dataene kom fra (en oppdatering kan ha laget den); {source} ville erstattet den. Bruk --replace hvis det er meningen, eller last inn i en annen graf med --graph IRI.",
    },
    "same-graph-twice": {
        "en": "{first} and {second} would both go into <{graph}> (files are named by their file name); load them one by one with --graph, or rename one.",
        "nb": "{first} og {second} ville begge havne i <{graph}> (filer får grafnavn etter filnavnet); last dem én og én med --graph, eller gi den ene et annet navn.",
    },
    "load-done": {
        "en": "loaded {triples, plural, one {# triple} other {# triples}} from {source} into <{graph}>",
        "nb": "lastet {triples, plural, one {# tripel} other {# tripler}} fra {source} inn i <{graph}>",
    },
    "stats-graphs": {"en": "Graphs", "nb": "Grafer"},
    "stats-classes": {"en": "Classes", "nb": "Klasser"},
    "stats-source": {"en": "source", "nb": "kilde"},
    "stats-loaded": {"en": "loaded", "nb": "lastet"},
    "stats-total": {"en": "total", "nb": "totalt"},
    "rows-count": {"en": "{n, plural, one {# row} other {# rows}}", "nb": "{n, plural, one {# rad} other {# rader}}"},
    "ask-true": {"en": "yes", "nb": "ja"},
    "ask-false": {"en": "no", "nb": "nei"},
    "build-store": {"en": "store: {path}", "nb": "lager: {path}"},
    # --- report -------------------------------------------------------------------------
    "report-conforms": {
        "en": "The data conforms: no violations.",
        "nb": "Dataene er gyldige: ingen brudd.",
    },
    "report-note-no-data": {
        "en": "(Note: there was no data: the files are empty.)",
        "nb": "(Merk: det var ingen data: filene er tomme.)",
    },
    "report-summary": {
        "en": "{violations, plural, one {# violation} other {# violations}}, "
              "{warnings, plural, one {# warning} other {# warnings}}, {infos, plural, one {# note} other {# notes}} "
              "in {nodes, plural, one {# resource} other {# resources}}.",
        "nb": "{violations} brudd, {warnings, plural, one {# advarsel} other {# advarsler}}, "
              "{infos, plural, one {# merknad} other {# merknader}} i {nodes, plural, one {# ressurs} other {# ressurser}}.",
    },
    "label-severity-Violation": {"en": "Violation", "nb": "Brudd"},
    "label-severity-Warning": {"en": "Warning", "nb": "Advarsel"},
    "label-severity-Info": {"en": "Info", "nb": "Merknad"},
    "label-path": {"en": "path", "nb": "sti"},
    "label-value": {"en": "value", "nb": "verdi"},
    "label-rule": {"en": "rule", "nb": "regel"},
    # --- build ----------------------------------------------------------------------------
    "build-title": {
        "en": "offri knowledge graph built from the shipped data",
        "nb": "offri-kunnskapsgrafen bygd fra de medfølgende dataene",
    },
    "build-graphs": {"en": "named graph", "nb": "navngitt graf"},
    "build-triples": {"en": "triples", "nb": "tripler"},
    "build-class": {"en": "class", "nb": "klasse"},
    "build-instances": {"en": "instances", "nb": "forekomster"},
    "build-illustrative": {
        "en": "{n, plural, one {# resource is} other {# resources are}} illustrative example data (offri:illustrative true), "
              "not facts about real organisations.",
        "nb": "{n, plural, one {# ressurs} other {# ressurser}} er illustrerende eksempeldata (offri:illustrative true), "
              "ikke fakta om virkelige organisasjoner.",
    },
    "internal-error": {
        "en": "internal error ({kind}): {detail}. This is a bug in offri; please report it.",
        "nb": "intern feil ({kind}): {detail}. Dette er en feil i offri; meld den gjerne.",
    },
    # --- the web endpoint ------------------------------------------------------------
    "protocol-not-utf8": {
        "en": "the request is not UTF-8; send SPARQL as UTF-8 (charset=utf-8).",
        "nb": "forespørselen er ikke UTF-8; send SPARQL som UTF-8 (charset=utf-8).",
    },
    "protocol-two-operations": {
        "en": "the request carries more than one query or update; send exactly one.",
        "nb": "forespørselen har mer enn én spørring eller oppdatering; send nøyaktig én.",
    },
    "protocol-update-get": {
        "en": "an update cannot be sent with GET; use POST.",
        "nb": "en oppdatering kan ikke sendes med GET; bruk POST.",
    },
    "protocol-no-operation": {
        "en": "no query or update in the request: send query=... or update=..., or a body of type application/sparql-query.",
        "nb": "ingen spørring eller oppdatering i forespørselen: send query=... eller update=..., eller en kropp av typen application/sparql-query.",
    },
    "protocol-no-media-type": {
        "en": "the POST body has no Content-Type; use application/sparql-query, application/sparql-update or application/x-www-form-urlencoded.",
        "nb": "POST-kroppen mangler Content-Type; bruk application/sparql-query, application/sparql-update eller application/x-www-form-urlencoded.",
    },
    "protocol-media-type": {
        "en": "unsupported Content-Type {media}; use application/sparql-query, application/sparql-update or application/x-www-form-urlencoded.",
        "nb": "Content-Type {media} støttes ikke; bruk application/sparql-query, application/sparql-update eller application/x-www-form-urlencoded.",
    },
    "protocol-method": {
        "en": "method {method} is not allowed here; use GET or POST.",
        "nb": "metoden {method} er ikke tillatt her; bruk GET eller POST.",
    },
    "protocol-bad-graph-iri": {
        "en": "{param} is not an absolute IRI: {graph!r}. Name a graph of this store by its full IRI; /.well-known/void lists them.",
        "nb": "{param} er ikke en absolutt IRI: {graph!r}. Oppgi en graf i dette lageret med full IRI; /.well-known/void viser dem.",
    },
    "query-from-unknown": {
        "en": "FROM names {graph}, which is not a graph in this store; offri never fetches graphs. /.well-known/void lists the ones it holds.",
        "nb": "FROM viser til {graph}, som ikke er en graf i dette lageret; offri henter aldri grafer utenfra. /.well-known/void viser grafene som finnes.",
    },
    "query-unconfined": {
        "en": "queries run without their network filter here ({detail}); install libseccomp (apt-get install libseccomp2) so that no query can reach the network.",
        "nb": "spørringer kjører uten nettverksfilteret her ({detail}); installer libseccomp (apt-get install libseccomp2) så ingen spørring kan nå nettet.",
    },
    "query-escape-ambiguous": {
        "en": "the query's \\u or \\U escapes stand for characters that change what it does if they are read as SPARQL allows (before everything else: a quote or a bracket, not text); write those characters out, or escape them in the string with a backslash.",
        "nb": "spørringens \\u- eller \\U-koder står for tegn som endrer hva den gjør hvis de leses slik SPARQL tillater (før alt annet: et anførselstegn eller en klamme, ikke tekst); skriv tegnene ut, eller beskytt dem i strengen med omvendt skråstrek.",
    },
    "query-too-deep": {
        "en": "the query nests brackets more than {max} levels deep, the most allowed. Flatten the query.",
        "nb": "spørringen nøster klammer mer enn {max} nivåer dypt, det meste som er tillatt. Gjør spørringen flatere.",
    },
    "query-too-many-operators": {
        "en": "the query combines more than {max} patterns and operators, the most allowed (the engine stops on very long chains). Split it, or use VALUES or IN (…) for long lists.",
        "nb": "spørringen kombinerer mer enn {max} mønstre og operatorer, det meste som er tillatt (motoren stopper på svært lange kjeder). Del den opp, eller bruk VALUES eller IN (…) for lange lister.",
    },
    "query-is-update": {
        "en": "this is an update ({kind}), not a query; send it as update=… with POST to a server started with --allow-update.",
        "nb": "dette er en oppdatering ({kind}), ikke en spørring; send den som update=… med POST til en tjener startet med --allow-update.",
    },
    "query-memory": {
        "en": "the query needed more memory than the limit of {limit} and was stopped. Narrow it down (filters, LIMIT, fewer string operations) and try again.",
        "nb": "spørringen trengte mer minne enn grensen på {limit} og ble stoppet. Avgrens den (filtre, LIMIT, færre strengoperasjoner) og prøv igjen.",
    },
    "query-crashed-local": {
        "en": "the query engine stopped on this query (its process ended). Simplify the query; the store is not affected.",
        "nb": "spørremotoren stoppet på denne spørringen (prosessen avsluttet). Forenkle spørringen; lageret er ikke berørt.",
    },
    "busy-slow": {
        "en": "{max} long-running queries are already running, the most this server runs at once; this one, among the heaviest, was stopped after running more than {seconds} s. Try again in {retry_after} s, or narrow it down.",
        "nb": "{max} langvarige spørringer kjører allerede, det meste denne tjeneren kjører samtidig; denne, blant de tyngste, ble stoppet etter å ha kjørt mer enn {seconds} s. Prøv igjen om {retry_after} s, eller avgrens den.",
    },
    "busy-slow-wait": {
        "en": "{max} long-running queries are already running, the most this server runs at once, and your latest queries ran long too; try again in {retry_after} s, or narrow the query down.",
        "nb": "{max} langvarige spørringer kjører allerede, det meste denne tjeneren kjører samtidig, og dine siste spørringer var også langvarige; prøv igjen om {retry_after} s, eller avgrens spørringen.",
    },
    "client-slow": {
        "en": "you already have {max} long-running queries running, the most one client may; this one, among the heaviest, was stopped after running more than {seconds} s. Wait for them, then try again in {retry_after} s.",
        "nb": "du har allerede {max} langvarige spørringer i gang, det meste én klient kan ha; denne, blant de tyngste, ble stoppet etter å ha kjørt mer enn {seconds} s. Vent på dem, og prøv igjen om {retry_after} s.",
    },
    "client-too-many": {
        "en": "you have {max} queries running, the most one client may at once; wait for an answer before sending more.",
        "nb": "du har {max} spørringer i gang, det meste én klient kan ha samtidig; vent på et svar før du sender flere.",
    },
    "client-wait": {
        "en": "too many long queries from you just now; try again in {retry_after} s.",
        "nb": "for mange lange spørringer fra deg akkurat nå; prøv igjen om {retry_after} s.",
    },
    "login-wait": {
        "en": "too many wrong logins from your address; try again in {retry_after} s.",
        "nb": "for mange feil innlogginger fra din adresse; prøv igjen om {retry_after} s.",
    },
    "query-timeout": {
        "en": "the query ran longer than the time limit of {seconds} s and was stopped. Narrow it down (filters, LIMIT) and try again.",
        "nb": "spørringen brukte mer enn tidsgrensen på {seconds} s og ble stoppet. Avgrens den (filtre, LIMIT) og prøv igjen.",
    },
    "query-crashed": {
        "en": "the query engine stopped on this query; the server has restarted it. Simplify the query.",
        "nb": "spørremotoren stoppet på denne spørringen; tjeneren har startet den på nytt. Forenkle spørringen.",
    },
    "query-failed": {
        "en": "the query could not be run: {detail}",
        "nb": "spørringen kunne ikke kjøres: {detail}",
    },
    "too-many-rows": {
        "en": "the answer has more than {cap, plural, one {# row} other {# rows}}, the most this server sends; add LIMIT and OFFSET to page through it.",
        "nb": "svaret har mer enn {cap, plural, one {# rad} other {# rader}}, det meste denne tjeneren sender; bruk LIMIT og OFFSET for å bla gjennom det.",
    },
    "not-acceptable": {
        "en": "none of the media types in Accept can carry this answer; choose one of: {offers}.",
        "nb": "ingen av medietypene i Accept kan bære dette svaret; velg en av: {offers}.",
    },
    "busy": {
        "en": "the server is busy: the query could not start within {seconds} s. Try again shortly.",
        "nb": "tjeneren er opptatt: spørringen kunne ikke starte innen {seconds} s. Prøv igjen om litt.",
    },
    "request-too-large": {
        "en": "the request is {size} bytes; at most {max} are accepted.",
        "nb": "forespørselen er på {size} byte; høyst {max} tas imot.",
    },
    "update-forbidden": {
        "en": "this endpoint is read-only; updates need a server started with --allow-update and valid credentials.",
        "nb": "dette endepunktet er skrivebeskyttet; oppdateringer krever en tjener startet med --allow-update og gyldig innlogging.",
    },
    "update-unauthorized": {
        "en": "updates need credentials: log in with the user and password the server was started with.",
        "nb": "oppdateringer krever innlogging: bruk brukeren og passordet tjeneren ble startet med.",
    },
    "update-cross-site": {
        "en": "updates are only accepted from this site itself or from programs, not from a page on another site.",
        "nb": "oppdateringer tas bare imot fra dette nettstedet selv eller fra programmer, ikke fra en side på et annet nettsted.",
    },
    "update-dataset-conflict": {
        "en": "the update names its own dataset (USING/WITH) and the request names one too (using-graph-uri); give only one.",
        "nb": "oppdateringen angir sitt eget datasett (USING/WITH), og forespørselen angir også ett (using-graph-uri); oppgi bare ett.",
    },
    "update-credentials-missing": {
        "en": "--allow-update needs OFFRI_SERVE_USER and OFFRI_SERVE_PASSWORD in the environment (never on the command line).",
        "nb": "--allow-update krever OFFRI_SERVE_USER og OFFRI_SERVE_PASSWORD i miljøet (aldri på kommandolinjen).",
    },
    "bad-facet": {
        "en": "the filter {facet}={value} is not valid: a filter value must be an IRI from the facet list.",
        "nb": "filteret {facet}={value} er ugyldig: en filterverdi må være en IRI fra listen.",
    },
    "remote-dataset": {
        "en": "default-graph-uri and named-graph-uri are not passed on to a remote store; query it directly for that.",
        "nb": "default-graph-uri og named-graph-uri sendes ikke videre til et eksternt lager; spør det direkte for det.",
    },
    "store-or-endpoint": {
        "en": "give either --store or --endpoint, not both.",
        "nb": "oppgi enten --store eller --endpoint, ikke begge.",
    },
    "serve-ready": {
        "en": "offri serves the catalogue at {url} (SPARQL endpoint: {url}sparql). Stop with Ctrl+C.",
        "nb": "offri viser katalogen på {url} (SPARQL-endepunkt: {url}sparql). Stopp med Ctrl+C.",
    },
    "not-found": {
        "en": "nothing is known about {what} here.",
        "nb": "ingenting er kjent om {what} her.",
    },
}


#: What the web pages say: the page words, and the catalogue's kinds, facets and page sections.
PAGES: dict[str, dict[str, str]] = {
    # --- every page -------------------------------------------------------------------------
    "site-title": {"nb": "offri – samarbeidsmodeller for offentlig og frivillig sektor",
                   "en": "offri – collaboration models for the public and voluntary sectors"},
    "void-title": {"nb": "offri – samarbeidsmodeller", "en": "offri – collaboration models"},
    "skip-to-content": {"nb": "Hopp til innholdet", "en": "Skip to content"},
    "aria-main": {"nb": "Hovedmeny", "en": "Main menu"},
    "page-queries": {"nb": "Lagrede spørringer", "en": "Stored queries"},
    "sparql-endpoint": {"nb": "SPARQL-endepunkt", "en": "SPARQL endpoint"},
    "page-editor": {"nb": "SPARQL-editor", "en": "SPARQL editor"},
    "page-ontology": {"nb": "Ontologien", "en": "The ontology"},
    "other-language": {"nb": "English", "en": "Norsk"},
    "void-link": {"nb": "Datasettbeskrivelse (VoID)", "en": "Dataset description (VoID)"},
    "dump-link": {"nb": "Hele datasettet (N-Quads)", "en": "The whole dataset (N-Quads)"},
    "download-csv": {"nb": "Last ned CSV", "en": "Download CSV"},
    "illustrative-badge": {"nb": "Illustrativt eksempel – oppdiktede data", "en": "Illustrative example – invented data"},
    # --- the home page ----------------------------------------------------------------------
    "home-intro": {"nb": "En katalog over samarbeid mellom kommuner og frivillige organisasjoner: hvem som tar hvilken "
                         "rolle, med hvilke mål, hvordan samarbeidet er forankret, og modellene som kan overføres.",
                   "en": "A catalogue of partnerships between municipalities and voluntary organisations: who takes "
                         "which role, with what goals, how the collaboration is anchored, and the models that transfer."},
    "browse-catalogue": {"nb": "Bla i katalogen", "en": "Browse the catalogue"},
    "home-holds": {"nb": "Katalogen inneholder", "en": "The catalogue holds"},
    "home-triples": {"nb": "{n, plural, one {tripel} other {tripler}}", "en": "{n, plural, one {triple} other {triples}}"},
    "home-classes": {"nb": "Klasser", "en": "Classes"},
    "home-count": {"nb": "Antall", "en": "Count"},
    # --- stored queries ---------------------------------------------------------------------
    "research-question": {"nb": "Forskningsspørsmål", "en": "Research question"},
    "run-query": {"nb": "Kjør", "en": "Run"},
    "first-rows": {"nb": "{n, plural, one {Viser den første raden; svaret har flere.} "
                         "other {Viser de første # radene; svaret har flere.}}",
                   "en": "{n, plural, one {Showing the first row; the answer has more.} "
                         "other {Showing the first # rows; the answer has more.}}"},
    "illustrative-rows": {"nb": "Svaret inneholder illustrative eksempeldata (oppdiktet).",
                          "en": "The answer contains illustrative example data (invented)."},
    # --- a resource, the ontology, a concept scheme -----------------------------------------
    "resource-types": {"nb": "{n, plural, one {Type} other {Typer}}", "en": "{n, plural, one {Type} other {Types}}"},
    "diagram-title": {"nb": "Hvem som tar hvilken rolle i {name}", "en": "Who takes which role in {name}"},
    "properties": {"nb": "Egenskaper", "en": "Properties"},
    "links-here": {"nb": "Lenker hit", "en": "Links here"},
    "machine-readable": {"nb": "Maskinlesbart", "en": "Machine-readable"},
    "ontology-Class": {"nb": "Klasser", "en": "Classes"},
    "ontology-ObjectProperty": {"nb": "Objektegenskaper", "en": "Object properties"},
    "ontology-DatatypeProperty": {"nb": "Dataegenskaper", "en": "Datatype properties"},
    "ontology-AnnotationProperty": {"nb": "Annotasjonsegenskaper", "en": "Annotation properties"},
    "scheme-hierarchy": {"nb": "Hierarki", "en": "Hierarchy"},
    "scheme-a-z": {"nb": "A–Å", "en": "A–Z"},
    # --- browsing the catalogue -------------------------------------------------------------
    "search-label": {"nb": "Søk i navn og beskrivelser", "en": "Search names and descriptions"},
    "filter-button": {"nb": "Filtrer", "en": "Filter"},
    "aria-facets": {"nb": "Filtre", "en": "Filters"},
    "facet-chosen": {"nb": "valgt", "en": "chosen"},
    "items-found": {"nb": "treff", "en": "found"},
    "remove-filters": {"nb": "Fjern alle filtre", "en": "Remove all filters"},
    "aria-pages": {"nb": "Sider", "en": "Pages"},
    "showing-range": {"nb": "Viser {first}–{last} av {total}", "en": "Showing {first}–{last} of {total}"},
    "previous-page": {"nb": "Forrige side", "en": "Previous page"},
    "next-page": {"nb": "Neste side", "en": "Next page"},
    "kind-models": {"nb": "Samarbeidsmodeller", "en": "Collaboration models"},
    "kind-partnerships": {"nb": "Samarbeid", "en": "Partnerships"},
    "kind-cases": {"nb": "Caser", "en": "Cases"},
    "kind-organisations": {"nb": "Organisasjoner", "en": "Organisations"},
    "kind-municipalities": {"nb": "Kommuner", "en": "Municipalities"},
    "facet-form": {"nb": "Samarbeidsform", "en": "Collaboration form"},
    "facet-governance": {"nb": "Styringsform", "en": "Governance mode"},
    "facet-municipality": {"nb": "Kommune", "en": "Municipality"},
    "facet-country": {"nb": "Land", "en": "Country"},
    "facet-required-role": {"nb": "Rolle som trengs", "en": "Required role"},
    "facet-anchoring": {"nb": "Forankring", "en": "Anchoring"},
    "facet-suits-country": {"nb": "Land den passer i", "en": "Country it suits"},
    "facet-adopted-in": {"nb": "Tatt i bruk i", "en": "Adopted in"},
    "facet-sector": {"nb": "Sektor", "en": "Sector"},
    "facet-role": {"nb": "Rolle", "en": "Role"},
    "facet-goal-theme": {"nb": "Måltema", "en": "Goal theme"},
    "facet-challenge": {"nb": "Utfordring", "en": "Challenge"},
    "facet-actor-type": {"nb": "Type aktør", "en": "Actor type"},
    # --- what a resource page says, per class -----------------------------------------------
    "section-collaboration-form": {"nb": "Samarbeidsform", "en": "Form of collaboration"},
    "section-required-roles": {"nb": "Roller som trengs", "en": "Roles it needs"},
    "section-governance": {"nb": "Styring", "en": "Governance"},
    "section-leadership": {"nb": "Ledelse", "en": "Leadership"},
    "section-anchoring": {"nb": "Forankring", "en": "Anchoring"},
    "section-suits": {"nb": "Passer i", "en": "Suits these contexts"},
    "section-derived-from-cases": {"nb": "Bygger på casene", "en": "Derived from the cases"},
    "section-expected-challenges": {"nb": "Utfordringer å vente", "en": "Challenges to expect"},
    "section-borrows-clusters": {"nb": "Låner fra klynger", "en": "Borrows from clusters"},
    "section-adopted-in": {"nb": "Tatt i bruk i", "en": "Adopted in"},
    "section-municipality": {"nb": "Kommune", "en": "Municipality"},
    "section-status": {"nb": "Status", "en": "Status"},
    "section-activity": {"nb": "Aktivitet", "en": "Activity"},
    "section-shared-goals": {"nb": "Felles mål", "en": "Shared goals"},
    "section-challenges": {"nb": "Utfordringer", "en": "Challenges"},
    "section-described-in-case": {"nb": "Beskrevet i casen", "en": "Described in the case"},
    "section-derived-models": {"nb": "Modeller som bygger på den", "en": "Models derived from it"},
    "section-the-partnership": {"nb": "Samarbeidet", "en": "The partnership"},
    "section-sources": {"nb": "Kilder", "en": "Sources"},
    # --- the SPARQL editor ------------------------------------------------------------------
    "editor-intro": {"nb": "Skriv og kjør egne SPARQL-spørringer mot katalogen. Hver fane holder en av de lagrede "
                           "spørringene med standardverdiene sine; alt kjøres på denne serveren.",
                     "en": "Write and run your own SPARQL queries against the catalogue. Each tab holds one of the "
                           "stored queries with its default values; everything runs on this server."},
    "editor-noscript": {"nb": "Editoren trenger JavaScript. Uten det kan du sende spørringer rett til endepunktet:",
                        "en": "The editor needs JavaScript. Without it, send queries straight to the endpoint:"},
    "editor-new-tab": {"nb": "Spørring", "en": "Query"},
}

#: The one catalogue every lookup reads (``MESSAGES`` keeps its name for the code and tests that
#: import it; its entries all differ between the languages, which a test holds it to).
WORDS: dict[str, dict[str, str]] = {**MESSAGES, **PAGES}
