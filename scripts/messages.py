"""Refresh the translation catalogues (developers only; needs GNU gettext).

1. `makemessages` collects every string of the code and templates into telesales/locale.
2. Simplified Chinese is translated by hand in zh_Hans/LC_MESSAGES/django.po.
3. Traditional Chinese entries still empty are filled from the Simplified ones with OpenCC
   (s2twp: Taiwan characters and phrasing); a hand-made Traditional entry is kept.
4. `compilemessages` writes the .mo files that ship with the package.

Usage: python scripts/messages.py [--check] [--apply FILE.json ...]
  --check  fail when a string of the code is missing from the catalogues, or an entry is
           untranslated or fuzzy (what tests/test_translations.py also checks).
  --apply  take Simplified Chinese translations from JSON files ({msgid: msgstr}; a plural as
           {"singular|||plural": ["msgstr"]}) for entries still empty or fuzzy, before step 3.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "telesales" / "locale"
LANGS = ["zh_Hans", "zh_Hant"]


def manage(*args: str) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run([sys.executable, "-m", "telesales.cli", *args], cwd=ROOT, env=env, check=True)


def fill_traditional() -> int:
    from opencc_purepy import OpenCC

    convert = OpenCC("s2twp").convert
    hans = {e.msgid: e for e in polib.pofile(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po"))}
    hant = polib.pofile(str(LOCALE / "zh_Hant/LC_MESSAGES/django.po"))
    filled = 0
    for entry in hant:
        source = hans.get(entry.msgid)
        if source is None or entry.obsolete or source.fuzzy:
            continue  # a fuzzy Simplified entry is makemessages' guess, not a translation
        if entry.msgid_plural:
            if not any(entry.msgstr_plural.values()) or entry.fuzzy:
                entry.msgstr_plural = {k: convert(v) for k, v in source.msgstr_plural.items()}
                filled += 1
        elif (not entry.msgstr or entry.fuzzy) and source.msgstr:
            entry.msgstr = convert(source.msgstr)
            filled += 1
        if "fuzzy" in entry.flags and not source.fuzzy:
            entry.flags.remove("fuzzy")
    hant.save()
    return filled


def apply_simplified(paths: list[str]) -> int:
    import json

    translations: dict = {}
    for path in paths:
        translations.update(json.loads(Path(path).read_text(encoding="utf-8")))
    hans = polib.pofile(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po"))
    applied = 0
    for entry in hans:
        key = f"{entry.msgid}|||{entry.msgid_plural}" if entry.msgid_plural else entry.msgid
        value = translations.get(key)
        if value is None or entry.obsolete:
            continue
        if entry.msgid_plural:
            if any(entry.msgstr_plural.values()) and not entry.fuzzy:
                continue
            entry.msgstr_plural = {0: value[0] if isinstance(value, list) else value}
        else:
            if entry.msgstr and not entry.fuzzy:
                continue
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgctxt = None
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
        applied += 1
    hans.save()
    return applied


def main() -> int:
    check = "--check" in sys.argv
    apply = [a for i, a in enumerate(sys.argv) if i and sys.argv[i - 1] == "--apply"]
    sys.path.insert(0, str(ROOT))
    manage(
        "makemessages",
        "--no-obsolete",
        "--no-location",
        *(f"--locale={lang}" for lang in LANGS),
        # A folder pattern matches a folder of that name anywhere (scripts/* would also drop
        # telesales/crm/scripts), so only names no app uses are ignored.
        *(f"--ignore={d}/*" for d in (".venv", "var", "tests", "build", "bench", "docs")),
    )
    if apply:
        print(
            f"applied {apply_simplified(apply)} Simplified Chinese entries from {len(apply)} files"
        )
    if not check:
        print(f"filled {fill_traditional()} Traditional Chinese entries from Simplified")
    manage("compilemessages", "--ignore=.venv", *(f"--locale={lang}" for lang in LANGS))
    problems = []
    for lang in LANGS:
        po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES/django.po"))
        problems += [f"{lang}: untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
        problems += [f"{lang}: fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    print("\n".join(problems) or "catalogues complete")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
