"""Appraisal schemes as YAML (PRODUCT.md §6, §7 "schemes", §8 `telesales scheme`): parsing with
every rule checked, round-trips, storing, the shipped defaults and the command line."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from telesales.appraisal import spec
from telesales.appraisal.models import Category, Scheme, SchemeKpi
from telesales.appraisal.schemes import (
    CATALOGUE_CODES,
    DEFAULT_CODES,
    SchemeNotFound,
    default_scheme_text,
    scheme_dump,
    scheme_export,
    scheme_import,
    scheme_load,
    scheme_parse,
)
from telesales.core.models import AuditEvent

pytestmark = pytest.mark.usefixtures("english")

EXAMPLE = """\
code: supervisor-2026
name: 電銷主管考核方案
applies_to: supervisor
grades: {S: 95, A: 85, B: 75, C: 60}
categories:
  - {code: results, name: 業績指標, weight: 40, kpis: [
      {kpi: sales_attainment, weight: 60, curve: linear, cap: 120},
      {kpi: sales_per_head, weight: 20, target: 150000},
      {kpi: key_product_attainment, weight: 20}]}
  # … team (Y), efficiency (Z), contribution (W)
  - {code: team, name: 團隊管理, weight: 60, kpis: [{kpi: retention_rate, weight: 100}]}
"""

HAND_WRITTEN = """\
code: rep-2027
name: "Rep scheme: 2027"
applies_to: rep
grades: {S: 92.5, A: 80, B: 70, C: 55.25}
categories:
  - {code: calls, name: 通话, weight: 33.3333, kpis: [
      {kpi: call_volume, weight: 50, curve: bands, on: actual,
       bands: [{min: 1200, score: 100}, {min: 800, score: 70.5}]},
      {kpi: avg_talk_seconds, weight: 50, curve: linear_lower, target: 90, floor: 0.5,
       when_missing: zero}]}
  - {code: people, name: 评价, weight: 66.6667, kpis: [
      {kpi: collaboration, weight: 40, curve: rating,
       rater_groups: {superior: 60, peer: 20, subordinate: 20}},
      {kpi: superior_evaluation, weight: 40, curve: rating, when_missing: full,
       dimensions: [responsibility, leadership, innovation]},
      {kpi: connection_rate, weight: 20, curve: bands,
       bands: [{min: 1.0, score: 100}, {min: 0.8, score: 80}]}]}
"""

VALID = """\
code: s1
name: S1
applies_to: rep
categories:
  - {code: a, name: A, weight: 60, kpis: [{kpi: sales_attainment, weight: 100}]}
  - {code: b, name: B, weight: 40, kpis: [{kpi: csat_rate, weight: 70, target: 0.9},
      {kpi: superior_evaluation, weight: 30, curve: rating}]}
"""


def _messages(text: str) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        scheme_parse(text)
    return refused.value.messages


def _counts() -> tuple[int, int, int, int]:
    return (
        Scheme.objects.count(),
        Category.objects.count(),
        SchemeKpi.objects.count(),
        AuditEvent.objects.count(),
    )


# --- parsing ---------------------------------------------------------------------------------


def test_the_product_example_parses_with_exact_decimals():
    # given the example of PRODUCT.md §7 (completed to 100)
    # when
    scheme = scheme_parse(EXAMPLE)
    # then
    assert scheme.code == "supervisor-2026"
    assert scheme.name == "電銷主管考核方案"
    assert scheme.applies_to == "supervisor"
    assert scheme.grades == {"S": 95, "A": 85, "B": 75, "C": 60}
    results = scheme.categories[0]
    assert (results.code, results.name, results.weight) == ("results", "業績指標", 40)
    assert results.kpis[0] == spec.KpiLine(
        kpi="sales_attainment", weight=Decimal(60), curve="linear", cap=Decimal(120)
    )
    assert results.kpis[1] == spec.KpiLine(
        kpi="sales_per_head", weight=Decimal(20), target=Decimal(150000)
    )
    assert results.kpis[2] == spec.KpiLine(kpi="key_product_attainment", weight=Decimal(20))


def test_a_hand_written_scheme_with_bands_and_rater_groups_parses():
    # when
    scheme = scheme_parse(HAND_WRITTEN)
    # then
    calls, people = scheme.categories
    assert calls.weight == Decimal("33.3333")
    assert calls.kpis[0].bands == (
        spec.Band(min=Decimal(1200), score=Decimal(100)),
        spec.Band(min=Decimal(800), score=Decimal("70.5")),
    )
    assert calls.kpis[0].bands_on == "actual"
    assert calls.kpis[1].floor == Decimal("0.5")
    assert calls.kpis[1].when_missing == "zero"
    assert people.kpis[0].rater_groups == {"superior": 60, "peer": 20, "subordinate": 20}
    assert people.kpis[1].dimensions == ("responsibility", "leadership", "innovation")
    assert people.kpis[2].bands[1] == spec.Band(min=Decimal("0.8"), score=Decimal(80))
    assert scheme.grades == {"S": Decimal("92.5"), "A": 80, "B": 70, "C": Decimal("55.25")}


def test_grades_default_to_the_product_bands():
    assert scheme_parse(VALID).grades == spec.DEFAULT_GRADES


@pytest.mark.parametrize("text", [EXAMPLE, HAND_WRITTEN, VALID])
def test_dump_then_parse_gives_an_equal_scheme(text):
    # given
    scheme = scheme_parse(text)
    # when
    dumped = scheme_dump(scheme)
    # then
    assert scheme_parse(dumped) == scheme
    assert scheme_dump(scheme_parse(dumped)) == dumped


def test_dump_writes_numbers_without_needless_decimals_and_keeps_chinese():
    # given
    scheme = scheme_parse(HAND_WRITTEN)
    # when
    dumped = scheme_dump(scheme)
    # then
    assert dumped.splitlines()[:5] == [
        "code: rep-2027",
        'name: "Rep scheme: 2027"',
        "applies_to: rep",
        "grades: {S: 92.5, A: 80, B: 70, C: 55.25}",
        "categories:",
    ]
    assert "  - {code: calls, name: 通话, weight: 33.3333, kpis: [" in dumped
    assert (
        "      {kpi: connection_rate, weight: 20, curve: bands, "
        "bands: [{min: 1, score: 100}, {min: 0.8, score: 80}]}]}"
    ) in dumped


def test_the_catalogue_lists_every_code_of_the_product_once():
    assert len(CATALOGUE_CODES) == len(set(CATALOGUE_CODES)) == 31


# --- every rule refused with its message -----------------------------------------------------

RULES = [
    (
        VALID.replace("weight: 60", "weight: 55"),
        ["category weights must sum to 100; they sum to 95"],
    ),
    (
        VALID.replace("weight: 70", "weight: 60"),
        ["category “b”: KPI weights must sum to 100; they sum to 90"],
    ),
    (
        VALID.replace("kpi: sales_attainment", "kpi: sales_magic"),
        ["category “a”, KPI “sales_magic”: “sales_magic” is not a KPI of the catalogue."],
    ),
    (
        VALID.replace("target: 0.9}", "target: 0.9, curve: cubic}"),
        [
            "category “b”, KPI “csat_rate”: “cubic” is not a curve; the curves are: "
            "linear, linear_lower, bands, rating, identity."
        ],
    ),
    (
        VALID.replace("target: 0.9}", "target: 0.9, curve: bands}"),
        [
            "category “b”, KPI “csat_rate”: curve bands needs a list of bands such as "
            "[{min: 1.0, score: 100}, {min: 0.8, score: 80}]."
        ],
    ),
    (
        VALID.replace("target: 0.9}", "target: 0.9, when_missing: skip}"),
        [
            "category “b”, KPI “csat_rate”: when_missing must be one of redistribute, zero, "
            "full, not “skip”."
        ],
    ),
    (
        VALID.replace("curve: rating}", "curve: rating, rater_groups: {boss: 100}}"),
        [
            "category “b”, KPI “superior_evaluation”: “boss” is not a rater group; the groups "
            "are: superior, peer, subordinate, department, self."
        ],
    ),
    (
        VALID.replace("curve: rating}", "curve: rating, rater_groups: {superior: 60, peer: 30}}"),
        [
            "category “b”, KPI “superior_evaluation”: rater group weights must sum to 100; "
            "they sum to 90"
        ],
    ),
    (
        VALID.replace("applies_to: rep", "applies_to: manager"),
        ["applies_to: applies_to must be rep or supervisor, not “manager”."],
    ),
    (
        VALID.replace("applies_to: rep", "applies_to: rep\ngrades: {S: 90, A: 95}"),
        ["grades: grades must be listed from the highest to the lowest threshold, each lower."],
    ),
    (
        VALID.replace("target: 0.9}", "target: 0.9, cap: 50, floor: 60}"),
        ["category “b”, KPI “csat_rate”: cap (50) must not be below floor (60)."],
    ),
    (
        VALID.replace("code: b,", "code: a,"),
        ["category “a”: the category code is used twice; each category needs its own code."],
    ),
    (
        VALID.replace("kpi: csat_rate", "kpi: sales_attainment"),
        [
            "category “b”, KPI “sales_attainment”: the KPI is already in the scheme; "
            "list each KPI once."
        ],
    ),
    (
        VALID.replace("kpi: sales_attainment, weight: 100", "kpi: sales_attainment, weight: ten"),
        [
            "category “a”, KPI “sales_attainment”: weight must be a number, not “ten”.",
        ],
    ),
    (
        VALID.replace("target: 0.9}", "target: 0.9, curve: rating}"),
        [
            "category “b”, KPI “csat_rate”: curve rating is only for rated KPIs "
            "(process_compliance, report_quality, collaboration, superior_evaluation)."
        ],
    ),
    (
        VALID.replace("target: 0.9}", "target: 0.9, colour: red}"),
        [
            "category “b”, KPI “csat_rate”: unknown key “colour”; the keys are: kpi, weight, "
            "curve, target, cap, floor, on, bands, when_missing, rater_groups, dimensions."
        ],
    ),
    (
        VALID.replace("weight: 100}", "weight: 100.00001}"),
        [
            "category “a”, KPI “sales_attainment”: weight must have at most 4 decimal places "
            "and 14 digits, not 100.00001.",
        ],
    ),
    (
        "code: x\nname: [unclosed\n",
        [
            "The file is not valid YAML: line 3, column 1: expected ',' or ']', but got "
            "'<stream end>'."
        ],
    ),
    (
        "- just\n- a list\n",
        [
            "A scheme file must be a YAML mapping with code, name, applies_to, grades and "
            "categories; this file holds list."
        ],
    ),
    (
        "",
        [
            "A scheme file must be a YAML mapping with code, name, applies_to, grades and "
            "categories; this file holds nothing."
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), RULES)
def test_each_rule_is_refused_with_its_place(text, expected):
    assert _messages(text) == expected


@pytest.mark.parametrize(("text", "expected"), RULES)
def test_a_refused_file_stores_nothing(db, text, expected):
    # given
    before = _counts()
    # when
    with pytest.raises(ValidationError):
        scheme_import(actor="test", text=text)
    # then
    assert _counts() == before


def test_several_broken_rules_are_all_reported():
    # given
    text = VALID.replace("weight: 60", "weight: 50").replace("weight: 70", "weight: 60")
    # then
    assert _messages(text) == [
        "category “b”: KPI weights must sum to 100; they sum to 90",
        "category weights must sum to 100; they sum to 90",
    ]


def test_on_stays_text_and_registered_kpis_beyond_the_catalogue_are_known():
    # given call_volume_attainment is registered by the KPI app, not listed in §5
    text = VALID.replace("kpi: sales_attainment", "kpi: call_volume_attainment")
    # then
    assert scheme_parse(text).categories[0].kpis[0].kpi == "call_volume_attainment"


# --- storing ---------------------------------------------------------------------------------


def test_the_defaults_exist_after_migrate(db):
    # then
    assert list(Scheme.objects.order_by("code").values_list("code", "name", "applies_to")) == [
        ("rep-default", "电销专员考核方案", "rep"),
        ("supervisor-default", "电销主管考核方案", "supervisor"),
    ]


@pytest.mark.parametrize("code", DEFAULT_CODES)
def test_the_defaults_round_trip(db, code):
    # given
    stored = scheme_load(code)
    # when
    exported = scheme_export(code)
    # then
    assert scheme_parse(exported) == stored
    assert stored == scheme_parse(default_scheme_text(code))


def test_the_supervisor_default_has_the_four_categories_of_the_source():
    # when
    scheme = scheme_parse(default_scheme_text("supervisor-default"))
    # then
    assert [(c.code, c.weight) for c in scheme.categories] == [
        ("results", 40),
        ("team", 20),
        ("efficiency", 25),
        ("contribution", 15),
    ]
    rated = {
        line.kpi: line for c in scheme.categories for line in c.kpis if c.code == "contribution"
    }
    assert {k for k, line in rated.items() if line.curve == "rating"} == {
        "process_compliance",
        "report_quality",
        "collaboration",
        "superior_evaluation",
    }
    assert rated["superior_evaluation"].dimensions == ("responsibility", "leadership", "innovation")


def test_import_creates_a_scheme_with_an_audit_row(db):
    # when
    row = scheme_import(actor="test", text=HAND_WRITTEN)
    # then
    assert (row.code, row.version, row.created) == ("rep-2027", 1, True)
    assert scheme_load("rep-2027") == scheme_parse(HAND_WRITTEN)
    event = AuditEvent.objects.get(action="scheme.import", object_id=str(row.pk))
    assert event.before is None
    assert event.after == {"yaml": scheme_dump(scheme_parse(HAND_WRITTEN)), "version": 1}


def test_import_of_a_known_code_replaces_contents_and_keeps_the_row(db):
    # given
    first = scheme_import(actor="test", text=HAND_WRITTEN)
    changed = HAND_WRITTEN.replace(
        "weight: 40, curve: rating,\n", "weight: 30, curve: rating,\n", 1
    )
    changed = changed.replace(
        "{kpi: connection_rate, weight: 20", "{kpi: connection_rate, weight: 30"
    )
    # when
    second = scheme_import(actor="test", text=changed)
    # then
    assert (second.pk, second.version, second.created) == (first.pk, 2, False)
    assert scheme_load("rep-2027") == scheme_parse(changed)
    assert SchemeKpi.objects.filter(category__scheme=second).count() == 5
    event = AuditEvent.objects.filter(action="scheme.import").latest("pk")
    assert event.before == {"yaml": scheme_dump(scheme_parse(HAND_WRITTEN)), "version": 1}
    assert event.after == {"yaml": scheme_dump(scheme_parse(changed)), "version": 2}


def test_loading_an_unknown_code_says_so(db):
    with pytest.raises(SchemeNotFound) as missing:
        scheme_load("nope")
    assert str(missing.value) == "There is no appraisal scheme with the code “nope”."


# --- command line ----------------------------------------------------------------------------


def test_the_command_imports_a_file(db, tmp_path):
    # given
    path = tmp_path / "scheme.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    out = io.StringIO()
    # when
    call_command("scheme", "import", str(path), stdout=out)
    # then
    assert out.getvalue() == (
        "Created scheme rep-2027 (Rep scheme: 2027). Categories: 2, KPIs: 5.\n"
    )
    assert scheme_load("rep-2027") == scheme_parse(HAND_WRITTEN)


def test_the_command_replaces_with_json_output(db, tmp_path):
    # given
    path = tmp_path / "scheme.yaml"
    path.write_text(
        scheme_export("rep-default")
        .replace("weight: 70", "weight: 60")
        .replace("weight: 30, curve: linear}]}", "weight: 40, curve: linear}]}", 1),
        encoding="utf-8",
    )
    out = io.StringIO()
    # when
    call_command("scheme", "import", str(path), "--json", stdout=out)
    # then
    assert json.loads(out.getvalue()) == {
        "code": "rep-default",
        "name": "电销专员考核方案",
        "created": False,
        "changed": True,
        "version": 2,
        "categories": 4,
        "kpis": 12,
    }


def test_the_command_refuses_an_invalid_file_and_changes_nothing(db, tmp_path):
    # given
    path = tmp_path / "scheme.yaml"
    path.write_text(VALID.replace("weight: 60", "weight: 55"), encoding="utf-8")
    before = _counts()
    err = io.StringIO()
    # when
    with pytest.raises(SystemExit) as exited:
        call_command("scheme", "import", str(path), stderr=err)
    # then
    assert exited.value.code == 1
    assert err.getvalue() == "category weights must sum to 100; they sum to 95\n"
    assert _counts() == before


def test_the_command_refuses_a_missing_file_with_status_2(db, tmp_path):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("scheme", "import", str(tmp_path / "none.yaml"), "--json", stdout=out)
    assert exited.value.code == 2
    assert json.loads(out.getvalue())["errors"][0].startswith("The file ")


def test_the_command_exports_a_scheme(db):
    # given
    out = io.StringIO()
    # when
    call_command("scheme", "export", "supervisor-default", stdout=out)
    # then
    assert out.getvalue() == scheme_export("supervisor-default")
    assert scheme_parse(out.getvalue()) == scheme_load("supervisor-default")


def test_the_command_refuses_an_unknown_code(db):
    # given
    err = io.StringIO()
    # when
    with pytest.raises(SystemExit) as exited:
        call_command("scheme", "export", "nope", stderr=err)
    # then
    assert exited.value.code == 1
    assert err.getvalue() == "There is no appraisal scheme with the code “nope”.\n"


def test_dump_lists_rater_groups_and_grades_in_a_fixed_order():
    # given groups and grades written in another order
    text = HAND_WRITTEN.replace(
        "{superior: 60, peer: 20, subordinate: 20}", "{subordinate: 20, peer: 20, superior: 60}"
    )
    # when
    dumped = scheme_dump(scheme_parse(text))
    # then
    assert "rater_groups: {superior: 60, peer: 20, subordinate: 20}" in dumped
    assert "grades: {S: 92.5, A: 80, B: 70, C: 55.25}" in dumped


def test_importing_the_stored_scheme_again_changes_nothing(db, tmp_path):
    # given
    path = tmp_path / "scheme.yaml"
    path.write_text(scheme_export("supervisor-default"), encoding="utf-8")
    before = _counts()
    out = io.StringIO()
    # when
    call_command("scheme", "import", str(path), stdout=out)
    # then
    assert out.getvalue() == (
        "Scheme supervisor-default (电销主管考核方案) is already stored exactly so; "
        "nothing changed.\n"
    )
    assert _counts() == before
    assert Scheme.objects.get(code="supervisor-default").version == 1
