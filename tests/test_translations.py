"""Every visible string is translated in all three languages (English is the source)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "telesales" / "locale"
LANGS = ["zh_Hans", "zh_Hant"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_has_no_untranslated_or_fuzzy_entry(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert len(po) > 100


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_survive_translation(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    wrong = [
        e.msgid
        for e in po.translated_entries()
        if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr or ""))
        and not e.msgid_plural
    ]
    assert wrong == []


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogue_matches_source(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    mo = polib.mofile(str(LOCALE / lang / "LC_MESSAGES" / "django.mo"))
    compiled = {e.msgid: e.msgstr for e in mo if e.msgid}
    source = {e.msgid: e.msgstr for e in po.translated_entries() if not e.msgid_plural}
    assert {k: v for k, v in source.items() if compiled.get(k) != v} == {}, (
        "run `make messages` to recompile the catalogues"
    )


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext (xgettext) is not installed, so the code cannot be scanned")
    # given: a copy of the code whose catalogues are regenerated from scratch
    for name in ("telesales", "config"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.rmtree(tmp_path / "telesales" / "locale")
    (tmp_path / "telesales" / "locale").mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(tmp_path)}
    env["TELESALES_DATA_DIR"] = str(tmp_path / "var")
    # when
    subprocess.run(
        [sys.executable, "-m", "telesales.cli", "makemessages", "--no-location", "-l", "zh_Hans"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    # then
    fresh = {
        e.msgid
        for e in polib.pofile(str(tmp_path / "telesales/locale/zh_Hans/LC_MESSAGES/django.po"))
    }
    committed = {e.msgid for e in polib.pofile(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po"))}
    assert sorted(fresh - committed) == [], "run `make messages` and translate the new strings"
