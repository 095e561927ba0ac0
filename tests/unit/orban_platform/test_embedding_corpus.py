"""The corpus of real sentences: the standard library's docstrings (and Debian's licences),
as distinct prose sentences of 20 to 300 characters, in a stable order, read fast."""

from __future__ import annotations

import time
from pathlib import Path

from orban_platform.embedding import corpus
from orban_platform.embedding.corpus import load_corpus


def test_the_corpus_is_large_distinct_prose_in_a_stable_order() -> None:
    started = time.perf_counter()
    sentences = load_corpus()
    elapsed = time.perf_counter() - started
    assert len(sentences) >= 3000 and len(set(sentences)) == len(sentences)
    assert sentences == load_corpus()
    assert all(20 <= len(s) <= 300 and s[0].isupper() and s[-1] in ".!?" for s in sentences)
    assert not any(">>>" in s or "\n" in s or "  " in s for s in sentences)
    assert "Return true if the object is a traceback." in sentences  # inspect.istraceback
    assert elapsed < 5.0  # about 0.3 s on a quiet core; generous for a busy test machine


def test_max_sentences_cuts_the_same_list() -> None:
    assert load_corpus(50) == load_corpus()[:50]


def test_the_licences_are_read_when_the_machine_has_them() -> None:
    sentences = set(load_corpus())
    licences = Path("/usr/share/common-licenses")
    if (licences / "GPL-3").is_file():
        assert any("GNU General Public License" in s for s in sentences)


def test_code_doctests_and_abbreviations_are_handled() -> None:
    text = (
        "Summary line of the function.\n\n    indented code = 1\n\n>>> doctest()\n'out'\n\n"
        "Use it, e.g. with a file. Then close it again, please! X = y + z; f(a)[b] == {c}."
    )
    paragraphs = list(corpus._paragraphs(text))
    found = [s for p in paragraphs for s in corpus._sentences(p)]
    assert found == [
        "Summary line of the function.",
        "Use it, e.g. with a file.",
        "Then close it again, please!",
    ]


def test_docstrings_are_found_in_source(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(
        '#!/usr/bin/env python\n"""Module doc."""\n\ndef f(\n    a: int,\n) -> None:  # note\n'
        '    r\'\'\'Function\n    doc \\n kept raw.\'\'\'\n\nclass C:\n    """Class \\"doc\\"."""\n'
    )
    assert list(corpus._docstrings(source)) == [
        "Module doc.",
        "Function\ndoc \\n kept raw.",
        'Class "doc".',
    ]
