"""The checks of params.yaml across sections, on the parsed file: every reference names an entry that exists
(a model's `inputs` folder is written by the DAG from the model's own corpus, a view's corpus is downloaded,
an ensemble's members, a search's model and knobs, an explanation's task), and the like. Each problem is
(dotted-key parts, value as written, what is wrong); `textlab.params_check` turns them into lines."""
from __future__ import annotations

from typing import Any

from textlab.kinds import BY_SECTION
from textlab.params_schema import KERAS_MODELS, MODEL_SECTIONS, Embedded
from textlab.tuning import tuned_key

Problem = tuple[tuple[Any, ...], Any, str]  # dotted-key parts, value as written (UNSHOWN: none), what is wrong
UNSHOWN = object()
KINDS = {"view": "a view (features/<view>)", "windows": "a text view (features/<view> of a text corpus)",
         "pairs": "a pairs view (features/<view> of a sentence-pair corpus)",
         "pretrained": "a pretrained view (features/<pretrained key>)",
         "bow": "a bag-of-tokens folder (features/<corpus>-bow/<mode>)", "split": "the split texts (split/<corpus>)"}
REFERENCES = ("corpus", "family", "inputs", "view", "source")  # keys naming another entry, a family or a folder
NOUNS = {"view": "view", "windows": "text view", "pairs": "pairs view", "pretrained": "pretrained view", "bow": "bag-of-tokens folder",
         "split": "split"}


def _value_at(params: Any, keys: tuple[Any, ...]) -> Any:
    for key in keys:
        if not isinstance(params, dict) or key not in params:
            return UNSHOWN
        params = params[key]
    return params


def _entries(params: dict[str, Any], section: str) -> dict[Any, dict[str, Any]]:
    """The mapping entries of a section, with references that are not text left out."""
    return {key: {name: value for name, value in entry.items() if name not in REFERENCES or isinstance(value, str)}
            for key, entry in params[section].items() if isinstance(entry, dict)}


def _unknown(keys: tuple[Any, ...], value: Any, known: Any, what: str) -> list[Problem]:
    """A reference to an entry that does not exist."""
    if not isinstance(value, str) or value in known:
        return []
    return [(keys, value, f"expected {what}: {', '.join(map(str, known)) or 'none defined'}")]


def is_text_corpus(corpus: Any) -> bool:
    return view_kind(corpus) == "windows"


def view_kind(corpus: Any) -> str:
    """What a view of `corpus` holds: windows of a running text, sentence pairs, or padded labelled texts."""
    from textlab.corpora import corpus_kind  # brings pandas, as in _download_problems

    return {"text": "windows", "pairs": "pairs", "labelled": "view"}[corpus_kind(corpus)] if isinstance(corpus, str) \
        else "view"


def _sources(params: dict[str, Any]) -> list[Any]:
    sources = params["download"].get("sources")
    return sources if isinstance(sources, list) else []


def _download_problems(params: dict[str, Any]) -> list[Problem]:
    from textlab.corpora import SOURCES  # brings pandas (a second cold); stages have it loaded already

    sources = _sources(params)
    problems = [p for s in sources for p in _unknown(("download", "sources"), s, SOURCES, "a registry name")]
    return problems + [(("corpora", c), UNSHOWN, f"split@{c} reads data/raw/{c}: add {c} to download.sources")
                       for c in _entries(params, "corpora") if c not in sources]


def _reference_problems(params: dict[str, Any]) -> list[Problem]:
    """views and pretrained point at corpora, views and sources; no two stages write one features folder."""
    corpora, views, pretrained = (_entries(params, s) for s in ("corpora", "views", "pretrained"))
    problems = [p for k, v in views.items() for p in _unknown(("views", k, "corpus"), v.get("corpus"), corpora,
                                                               "a key of corpora")]
    for key, entry in pretrained.items():
        corpus, view = entry.get("corpus"), entry.get("view")
        problems += _unknown(("pretrained", key, "corpus"), corpus, corpora, "a key of corpora")
        problems += _unknown(("pretrained", key, "source"), entry.get("source"), _sources(params),
                             "an entry of download.sources")
        problems += _unknown(("pretrained", key, "view"), view, views, "a key of views")
        if view in views and views[view].get("corpus") != corpus:
            problems.append((("pretrained", key, "view"), view, f"that view belongs to corpus "
                             f"{views[view].get('corpus')}, but the entry's corpus is {corpus}"))
    problems += [p for k in _entries(params, "bags") for p in _unknown(("bags", k), k, corpora, "a key of corpora")]
    for key, view in views.items():
        text, step = is_text_corpus(view.get("corpus")), "step" in view and view["step"] is not None
        if view.get("corpus") in corpora and text != step:
            problems.append((("views", key, "step"), view.get("step") if step else UNSHOWN,
                             "missing; a text corpus's view cuts windows every `step` tokens" if text else
                             "only a text corpus's view cuts windows; remove it"))
    problems += [(("bags", k), UNSHOWN, f"{k} has no labels to bag") for k in _entries(params, "bags")
                 if view_kind(k) != "view"]
    taken = {f"{c}-bow" for c in _entries(params, "bags")}
    problems += [(("views", k), UNSHOWN, f"vectorize@{k[:-4]} writes data/features/{k} already; rename the view")
                 for k in views if k in taken]
    return problems + [(("pretrained", k), UNSHOWN, f"another stage writes data/features/{k} already; rename it")
                       for k in pretrained if k in taken | set(views)]


def _registry_problems(where: tuple[Any, ...], corpus: Any, params: dict[str, Any]) -> list[Problem]:
    """A task's corpus is a labelled corpus of `corpora`: promotion ranks classifiers."""
    if corpus in _entries(params, "corpora") and view_kind(corpus) != "view":
        return [(where, corpus, "a labelled corpus: only classifiers are registered and promoted")]
    return _unknown(where, corpus, _entries(params, "corpora"), "a key of corpora")


def _export_problems(params: dict[str, Any]) -> list[Problem]:
    models = _entries(params, "models") | _entries(params, "language_models") | _entries(params, "embedding_models")
    baselines = _entries(params, "baselines")
    where, names = ("export_embeddings", "models"), _value_at(params, ("export_embeddings", "models"))
    problems = [p for task, gate in _entries(params, "registry").items()
                for p in _registry_problems(("registry", task, "corpus"), gate.get("corpus"), params)]
    for name in [n for n in names if isinstance(n, str)] if isinstance(names, list) else []:
        family = models[name].get("family") if name in models else None
        if family in KERAS_MODELS and not issubclass(KERAS_MODELS[family], Embedded):
            problems.append((where, name, f"family {family} has no Embedding layer"))
        elif name in baselines and name not in models:
            problems.append((where, name, "a scikit-learn baseline has no Embedding layer"))
        else:
            problems += _unknown(where, name, models, "a key of models")
    sections = list(MODEL_SECTIONS)
    for later, section in enumerate(sections):
        for earlier in sections[:later]:
            problems += [((section, k), UNSHOWN, f"{earlier}.{k} has the same key; their stages and models/{k} "
                          "would clash") for k in _entries(params, section) if k in _entries(params, earlier)]
    return problems


def _ensemble_problems(params: dict[str, Any]) -> list[Problem]:
    """Each member of an ensemble is a classifier (models or baselines) of the ensemble's own corpus."""
    classifiers = {k: v for s in BY_SECTION["ensembles"].members for k, v in _entries(params, s).items()}
    problems = []
    for key, entry in _entries(params, "ensembles").items():
        members, corpus = entry.get("members"), entry.get("corpus")
        for member in [m for m in members if isinstance(m, str)] if isinstance(members, list) else []:
            where = ("ensembles", key, "members")
            if member in classifiers and classifiers[member].get("corpus") != corpus:
                problems.append((where, member, f"that classifier belongs to corpus {classifiers[member].get('corpus')}"
                                                f", but the ensemble's corpus is {corpus}"))
            problems += _unknown(where, member, classifiers, f"a key of {' or '.join(BY_SECTION['ensembles'].members)}")
    return problems


LANGUAGE_SECTIONS = BY_SECTION["mixture_models"].members  # the models an interpolation may mix


def _mixture_problems(params: dict[str, Any]) -> list[Problem]:
    """Each component of an interpolation is a language model of the entry's corpus, and all read one view (the
    same vocabulary, so their probabilities are of the same tokens)."""
    models, problems = {k: v for s in LANGUAGE_SECTIONS for k, v in _entries(params, s).items()}, []
    for key, entry in _entries(params, "mixture_models").items():
        components, corpus, where = entry.get("components"), entry.get("corpus"), ("mixture_models", key, "components")
        found = []
        for name in [c for c in components if isinstance(c, str)] if isinstance(components, list) else []:
            problems += _unknown(where, name, models, f"a key of {' or '.join(LANGUAGE_SECTIONS)}")
            if name in models and models[name].get("corpus") != corpus:
                problems.append((where, name, f"that language model belongs to corpus {models[name].get('corpus')}, "
                                              f"but the interpolation's corpus is {corpus}"))
            elif name in models:
                found.append(name)
        views = {models[name].get("inputs") for name in found}
        if len(views) > 1:
            shown = ", ".join(map(str, sorted(views, key=str)))
            problems.append((where, components, f"the components read different views ({shown}): their vocabularies "
                                                "differ"))
    return problems


def _folders(params: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """The data/ folders a stage writes that a model may read: folder -> (its corpus, its kind)."""
    folders = {}
    for corpus, settings in _entries(params, "bags").items():
        modes = settings.get("modes")
        folders |= {f"features/{corpus}-bow/{m}": (corpus, "bow") for m in (modes if isinstance(modes, list) else [])}
    folders |= {f"split/{corpus}": (corpus, "split") for corpus in _entries(params, "corpora")}
    for key, view in _entries(params, "views").items():
        folders[f"features/{key}"] = (view.get("corpus"), view_kind(view.get("corpus")))
    folders |= {f"features/{k}": (v.get("corpus"), "pretrained") for k, v in _entries(params, "pretrained").items()}
    return folders


def _entry_problems(params: dict[str, Any], section: str, classes: dict[str, Any]) -> list[Problem]:
    """Each model's corpus exists and prefixes its key; its inputs are a folder of that corpus its family reads."""
    corpora, folders, problems = _entries(params, "corpora"), _folders(params), []
    for key, entry in _entries(params, section).items():
        corpus, cls, inputs = entry.get("corpus"), classes.get(entry.get("family")), entry.get("inputs")
        problems += _unknown((section, key, "corpus"), corpus, corpora, "a key of corpora")
        if corpus in corpora and not str(key).startswith(f"{corpus}-"):
            problems.append(((section, key), UNSHOWN, f"the key must start with '{corpus}-', the entry's corpus"))
        if cls is None or inputs is None or corpus not in corpora:
            continue
        wanted = ", ".join(f for f, (c, kind) in folders.items() if kind in cls.reads and c == corpus) or "none"
        reads = f"family {entry['family']} reads {' or '.join(KINDS[kind] for kind in cls.reads)}: {wanted}"
        owner, kind = folders.get(inputs, (None, None))
        if kind is None:
            problems.append(((section, key, "inputs"), inputs, f"no stage writes data/{inputs}; {reads}"))
        elif kind not in cls.reads:
            problems.append(((section, key, "inputs"), inputs, f"that is {KINDS[kind]}, but {reads}"))
        elif owner != corpus:
            problems.append(((section, key, "inputs"), inputs, f"that {NOUNS[kind]} belongs to corpus {owner}, "
                             f"but the model's corpus is {corpus}"))
        elif issubclass(cls, Embedded):
            problems += _embedding_problems((section, key), entry, pretrained=kind == "pretrained")
    return problems


def _embedding_problems(where: tuple[Any, ...], entry: dict[str, Any], pretrained: bool) -> list[Problem]:
    if pretrained and "embedding_dim" in entry:
        return [((*where, "embedding_dim"), entry["embedding_dim"], "the pretrained vectors set the width; remove it")]
    if not pretrained and "embedding_dim" not in entry:
        return [((*where, "embedding_dim"), UNSHOWN, "missing; expected an integer ≥ 1 (inputs holds no "
                 "pretrained vectors)")]
    if not pretrained and "trainable" in entry:
        return [((*where, "trainable"), entry["trainable"], "only pretrained vectors can be frozen; remove it")]
    return []


FIXED = ("corpus", "inputs", "family", "epochs", "patience", "seed", "batch_size")  # a search never draws these


def tune_problems(params: dict[str, Any]) -> list[Problem]:
    models, problems = _entries(params, "models"), []
    taken = {key for section in MODEL_SECTIONS for key in _entries(params, section)}
    for key, search in _entries(params, "tune").items():
        problems += _unknown(("tune", key), key, models, "a key of models (a Keras model to search)")
        if key not in models:
            continue
        model = models[key]
        # Compared with a sound entry only: a broken one is reported under models already.
        sound = _folders(params).get(model.get("inputs"), (None,))[0] == model.get("corpus")
        problems += [(("tune", key, name), search.get(name), f"must be models.{key}.{name}: {model.get(name)}")
                     for name in ("corpus", "inputs") if sound and name in search and search[name] != model.get(name)]
        cls = KERAS_MODELS.get(model.get("family"))
        knobs = sorted(set(cls.model_fields) - set(FIXED)) if cls else []
        space = search.get("space") if isinstance(search.get("space"), dict) else {}
        problems += [(("tune", key, "space", name), UNSHOWN, f"not a knob a search may draw for family "
                      f"{model.get('family')}: {', '.join(knobs)}") for name in space if cls and name not in knobs]
        if tuned_key(key) in taken:
            problems.append((("tune", key), UNSHOWN, f"{tuned_key(key)} is taken: the search trains a model of that key"))
    return problems


def explain_problems(params: dict[str, Any]) -> list[Problem]:
    registry, baselines, problems = _entries(params, "registry"), _entries(params, "baselines"), []
    for corpus, entry in _entries(params, "explain").items():
        task, linear = (value if isinstance(value, str) else None for value in (entry.get("task"), entry.get("linear")))
        problems += _unknown(("explain", corpus, "task"), task, registry, "a key of registry")
        if task in registry and registry[task].get("corpus") != corpus:
            problems.append((("explain", corpus, "task"), task, f"that task ranks corpus {registry[task].get('corpus')}"))
        if linear is not None:
            problems += _unknown(("explain", corpus, "linear"), linear, baselines, "a key of baselines")
            if linear in baselines and baselines[linear].get("corpus") != corpus:
                problems.append((("explain", corpus, "linear"), linear, f"a model of {baselines[linear].get('corpus')}"))
    return problems
