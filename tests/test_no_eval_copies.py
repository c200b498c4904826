"""The copy check (.ci/copy_check.py): no eval text of ../shared/eval, and no quotes-dev speaker name, in
the repository. The eval sentences and names used here are read from ../shared/eval at test time and
written only to temporary folders; the tests are skipped where that folder is absent."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from pipeline.settings import PROJECT_ROOT


def load_copy_check():
    name = "copy_check"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / ".ci" / "copy_check.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


copy_check = load_copy_check()
EVAL = copy_check.DEFAULT_EVAL
needs_eval = pytest.mark.skipif(not EVAL.is_dir(), reason=f"{EVAL} is absent (CI has it beside the checkout)")


def first_article_words(n: int) -> list[str]:
    """The first n words of the first quotes-dev article, as the check splits them."""
    line = (EVAL / "quotes-dev" / "gold.jsonl").read_text(encoding="utf-8").splitlines()[0]
    words = [m.group() for m in copy_check.words_of(json.loads(line)["text"])]
    assert len(words) >= n
    return words[:n]


def a_dev_speaker_name() -> str:
    """A full name (first and last name) of a quotes-dev gold speaker."""
    for line in (EVAL / "quotes-dev" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        for quote in json.loads(line)["quotes"]:
            tokens = str(quote.get("reference") or "").split()
            if len(tokens) == 2 and all(t[:1].isupper() and t.isalpha() for t in tokens):
                return " ".join(tokens)
    raise AssertionError("no two-word speaker name in quotes-dev")


@needs_eval
def test_the_repository_has_no_eval_text_and_no_dev_speaker_names():
    hits = copy_check.check(PROJECT_ROOT, EVAL)
    assert not hits, "\n".join(str(hit) for hit in hits)


@needs_eval
def test_an_eval_sentence_on_one_line_is_found(tmp_path):
    sentence = " ".join(first_article_words(12))
    sample = tmp_path / "test_sample.py"
    sample.write_text(f'"""A sample."""\n\nBODY = "{sentence}"\n', encoding="utf-8")
    hits = copy_check.find_copies([sample], EVAL)
    assert [(hit.path, hit.line) for hit in hits] == [(sample.as_posix(), 3)]
    assert hits[0].what == sentence
    assert str(hits[0]).startswith(f"{sample.as_posix()}:3: ")


@needs_eval
def test_an_eval_sentence_split_over_string_literals_is_found(tmp_path):
    words = first_article_words(12)
    sample = tmp_path / "test_split.py"
    lines = ["BODY = (", f'    "{" ".join(words[:5])} "', f'    "{" ".join(words[5:])}"', ")"]
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    hits = copy_check.find_copies(["test_split.py"], EVAL, root=tmp_path)
    assert [(hit.path, hit.line) for hit in hits] == [("test_split.py", 2)]
    assert hits[0].what == " ".join(words)


@needs_eval
def test_seven_words_are_not_a_copy_and_binary_files_are_skipped(tmp_path):
    short = tmp_path / "short.py"
    short.write_text(f'BODY = "{" ".join(first_article_words(7))}"\n', encoding="utf-8")
    binary = tmp_path / "data.bin"
    binary.write_bytes(b"\0" + " ".join(first_article_words(12)).encode())
    assert copy_check.find_copies([short, binary], EVAL) == []


@needs_eval
def test_a_dev_speaker_name_is_flagged_in_tests_and_pipeline_only(tmp_path):
    name = a_dev_speaker_name()
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_people.py").write_text(f'"""People."""\n\nWHO = "{name}"\n', encoding="utf-8")
    (tmp_path / "README.md").write_text(f"{name}\n", encoding="utf-8")
    files = ["tests/test_people.py", "README.md"]
    hits = copy_check.check(tmp_path, EVAL, files)
    assert [str(hit) for hit in hits] == [f'tests/test_people.py:3: dev speaker name "{name}"']
    first, last = name.split()
    assert copy_check.find_names([tmp_path / "tests" / "test_people.py"], EVAL)
    (tmp_path / "tests" / "test_people.py").write_text(f'WHO = "{first.lower()} {last.lower()}"\n')
    assert copy_check.check(tmp_path, EVAL, files) == []


@needs_eval
def test_the_command_scans_the_files_git_tracks_and_fails_on_a_hit(tmp_path, capsys):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "tests").mkdir()
    clean = tmp_path / "tests" / "test_clean.py"
    clean.write_text('BODY = "Harbour crews counted forty boats, the port said."\n', encoding="utf-8")
    subprocess.run(["git", "add", "tests/test_clean.py"], cwd=tmp_path, check=True)
    assert copy_check.main(["--root", str(tmp_path), "--eval", str(EVAL)]) == 0
    assert "clean" in capsys.readouterr().out

    copied = tmp_path / "tests" / "test_copied.py"
    copied.write_text(f'\nBODY = "{" ".join(first_article_words(10))}"\n', encoding="utf-8")
    untracked = tmp_path / "notes.txt"
    untracked.write_text(" ".join(first_article_words(10)), encoding="utf-8")
    subprocess.run(["git", "add", "tests/test_copied.py"], cwd=tmp_path, check=True)
    assert copy_check.main(["--root", str(tmp_path), "--eval", str(EVAL)]) == 1
    out = capsys.readouterr().out
    assert "tests/test_copied.py:2: " in out
    assert "notes.txt" not in out


def test_without_the_eval_folder_the_command_passes_with_a_message(tmp_path, capsys):
    assert copy_check.main(["--eval", str(tmp_path / "absent")]) == 0
    assert "absent" in capsys.readouterr().out
