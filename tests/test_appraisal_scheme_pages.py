"""The scheme pages (PRODUCT.md §6, §7 "schemes"): the list and a scheme for supervisors up, a
scheme for the reps appraised on it, the YAML download, the editor that checks as you type, the
upload, and who may do what (everyone else refused, nothing changed)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from telesales.appraisal import spec
from telesales.appraisal.cycles import appraisal_open
from telesales.appraisal.models import Appraisal, Category, Scheme, SchemeKpi
from telesales.appraisal.schemes import DEFAULT_CODES, scheme_export, scheme_import, scheme_load
from telesales.appraisal.views.schemes import MAX_FILE_BYTES, scheme_changes
from telesales.core.models import AuditEvent
from telesales.core.navigation import menu_for

pytestmark = pytest.mark.usefixtures("english")

LIST = reverse("appraisal-schemes")
NEW = reverse("appraisal-scheme-new")
IMPORT = reverse("appraisal-scheme-import")
VALIDATE = reverse("appraisal-scheme-validate")

SMALL = """\
code: small-2027
name: 小方案
applies_to: rep
grades: {S: 90, A: 80, B: 70, C: 60}
categories:
  - {code: results, name: 业绩, weight: 60, kpis: [
      {kpi: sales_attainment, weight: 100, cap: 110}]}
  - {code: quality, name: 质量, weight: 40, kpis: [
      {kpi: csat_rate, weight: 70, target: 0.9},
      {kpi: superior_evaluation, weight: 30, curve: rating}]}
"""

# Three rules broken at once: category weights 95, a KPI outside the catalogue, cap < floor.
BROKEN = """\
code: rep-default
name: 电销专员考核方案
applies_to: rep
categories:
  - {code: results, name: 业绩, weight: 55, kpis: [
      {kpi: sales_attainment, weight: 100, cap: 50, floor: 60}]}
  - {code: quality, name: 质量, weight: 40, kpis: [{kpi: retention, weight: 100}]}
"""


def _edit(code: str) -> str:
    return reverse("appraisal-scheme-edit", args=[code])


def _state() -> tuple:
    """Everything a scheme page could write."""
    return (
        list(Scheme.objects.order_by("code").values_list("code", "version", "name")),
        Category.objects.count(),
        SchemeKpi.objects.count(),
        AuditEvent.objects.filter(action="scheme.import").count(),
    )


def _html(response) -> str:
    return response.content.decode()


def _rep_text() -> str:
    """The shipped rep scheme with sales_attainment 70 → 60 and key_product_attainment 30 → 40."""
    text = scheme_export("rep-default")
    return text.replace(
        "{kpi: sales_attainment, weight: 70", "{kpi: sales_attainment, weight: 60"
    ).replace(
        "{kpi: key_product_attainment, weight: 30", "{kpi: key_product_attainment, weight: 40"
    )


# -- the list --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["hr", "admin", "s1", "manager"])
def test_the_list_shows_every_scheme_to_supervisors_and_up(org, login_en, who):
    # given
    appraisal_open(actor=None, scheme_code="rep-default", period_code="2026-Q3")
    # when
    response = login_en(getattr(org, who)).get(LIST)
    # then
    assert response.status_code == 200
    html = _html(response)
    assert 'data-testid="scheme-rep-default"' in html
    assert 'data-testid="scheme-supervisor-default"' in html
    assert "电销专员考核方案" in html
    assert '业绩指标 <span class="muted">50</span>' in html
    assert "2026-Q3" in html
    assert ("scheme-new" in html) is (who in ("hr", "admin"))


@pytest.mark.parametrize("who", ["r1", "staff"])
def test_the_list_is_refused_to_reps_and_staff(org, login, who):
    # when
    response = login(getattr(org, who)).get(LIST)
    # then
    assert response.status_code == 404


def test_the_menu_shows_the_schemes_to_supervisors_up_only(org):
    # when
    keys = {who: {e["key"] for e in menu_for(getattr(org, who).user)} for who in ("s1", "r1")}
    # then
    assert "appraisal-schemes" in keys["s1"]
    assert "appraisal-schemes" not in keys["r1"]


def test_the_list_needs_the_same_queries_for_more_schemes(
    org, login, django_assert_max_num_queries
):
    # given
    client = login(org.hr)
    appraisal_open(actor=None, scheme_code="rep-default", period_code="2026-Q3")
    client.get(LIST)
    for number in range(5):
        scheme_import(actor=None, text=SMALL.replace("small-2027", f"small-{number}"))
        appraisal_open(actor=None, scheme_code=f"small-{number}", period_code="2026-Q3")
        appraisal_open(actor=None, scheme_code=f"small-{number}", period_code="2026-Q4")
    # when / then: session, user, employee, schemes, categories, cycles, menu roles
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert _html(response).count('data-testid="scheme-small-') == 5


# -- one scheme ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["hr", "s1"])
def test_a_scheme_reads_as_tables(org, login_en, who):
    # when
    response = login_en(getattr(org, who)).get(reverse("appraisal-scheme", args=["rep-default"]))
    # then
    assert response.status_code == 200
    html = _html(response)
    assert 'data-testid="kpi-sales_attainment"' in html
    assert "Sales attainment<br>" in html  # the KPI's label from the catalogue
    assert "1 (already a ratio to its target)" in html  # sales_attainment's target
    assert "sales_attainment" in html
    assert "≥ 95" in html and "total &lt; 60" in html  # grade bands, D below the last
    assert "Version 1 was installed with the system." in html
    assert ('data-testid="scheme-edit"' in html) is (who == "hr")


def test_a_scheme_shows_its_import_history(org, login_en):
    # given
    scheme_import(actor=org.hr.user, text=_rep_text())
    # when
    response = login_en(org.s1).get(reverse("appraisal-scheme", args=["rep-default"]))
    # then
    html = _html(response)
    assert 'data-testid="scheme-version">2<' in html
    assert "· 人事" in html  # who imported
    assert "version 2" in html
    assert "Category “results”, KPI “sales_attainment”: weight 70 → 60." in html


def test_a_rep_reads_only_the_scheme_of_their_own_appraisal(org, login):
    # given
    client = login(org.r1)
    before = client.get(reverse("appraisal-scheme", args=["rep-default"])).status_code
    appraisal_open(actor=None, scheme_code="rep-default", period_code="2026-Q3")
    # when
    own = client.get(reverse("appraisal-scheme", args=["rep-default"]))
    other = client.get(reverse("appraisal-scheme", args=["supervisor-default"]))
    download = client.get(reverse("appraisal-scheme-export", args=["rep-default"]))
    # then
    assert before == 404
    assert own.status_code == 200
    assert other.status_code == 404
    assert download.status_code == 200
    assert 'data-testid="scheme-edit"' not in _html(own)


def test_a_line_without_a_target_says_it_is_not_applicable(org, login_en):
    # when
    html = _html(login_en(org.hr).get(reverse("appraisal-scheme", args=["supervisor-default"])))
    # then: sales_per_head has no target in the scheme and none in the targets app
    row = html[html.index('data-testid="kpi-sales_per_head"') :]
    row = row[: row.index("</tr>")]
    assert "none: not applicable until the scheme gives a target" in row


def test_staff_and_unknown_codes_get_404(org, login):
    # when
    staff = login(org.staff).get(reverse("appraisal-scheme", args=["rep-default"]))
    unknown = login(org.hr).get(reverse("appraisal-scheme", args=["nope"]))
    # then
    assert staff.status_code == 404
    assert unknown.status_code == 404


@pytest.mark.parametrize("who", ["hr", "s1"])
def test_the_download_is_the_yaml_file(org, login, who):
    # when
    response = login(getattr(org, who)).get(
        reverse("appraisal-scheme-export", args=["supervisor-default"])
    )
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="supervisor-default.yaml"'
    assert response.content.decode("utf-8") == scheme_export("supervisor-default")


def test_the_download_is_refused_to_staff(org, login):
    # when
    response = login(org.staff).get(reverse("appraisal-scheme-export", args=["rep-default"]))
    # then
    assert response.status_code == 404


# -- the editor ------------------------------------------------------------------------------


def test_the_editor_opens_with_the_stored_file_checked(org, login_en):
    # when
    response = login_en(org.hr).get(_edit("rep-default"))
    # then
    assert response.status_code == 200
    html = _html(response)
    assert 'hx-post="/appraisal/schemes/validate/"' in html
    assert 'hx-trigger="keyup changed delay:500ms"' in html
    assert "code: rep-default\n" in html
    assert 'data-testid="scheme-valid"' in html
    assert "No change: the stored scheme is exactly this." in html


def test_saving_a_valid_edit_stores_a_new_version(org, login_en):
    # given
    client = login_en(org.hr)
    # when
    response = client.post(
        _edit("rep-default"), {"text": _rep_text(), "action": "save"}, follow=True
    )
    # then
    assert response.redirect_chain == [(reverse("appraisal-scheme", args=["rep-default"]), 302)]
    assert "The scheme “rep-default” was stored as version 2." in _html(response)
    row = Scheme.objects.get(code="rep-default")
    assert row.version == 2
    line = SchemeKpi.objects.get(category__scheme=row, kpi="sales_attainment")
    assert line.weight == Decimal(60)
    event = AuditEvent.objects.get(action="scheme.import")
    assert event.actor == org.hr.user
    assert event.after["version"] == 2


def test_saving_the_same_file_is_no_change(org, login_en):
    # given
    client = login_en(org.hr)
    before = _state()
    # when
    response = client.post(
        _edit("rep-default"),
        {"text": scheme_export("rep-default"), "action": "save"},
        follow=True,
    )
    # then
    assert "No change: the scheme “rep-default” is already exactly this (version 1)." in _html(
        response
    )
    assert _state() == before


def test_an_invalid_edit_names_every_broken_rule_and_stores_nothing(org, login_en):
    # given
    client = login_en(org.hr)
    before = _state()
    # when
    response = client.post(_edit("rep-default"), {"text": BROKEN, "action": "save"})
    # then
    assert response.status_code == 400
    html = _html(response)
    assert "The scheme breaks 3 rules" in html
    assert (
        "category “results”, KPI “sales_attainment”: cap (50) must not be below floor (60)." in html
    )
    assert "category “quality”, KPI “retention”: “retention” is not a KPI of the catalogue." in html
    assert "category weights must sum to 100; they sum to 95" in html
    assert BROKEN.splitlines()[0] in html  # the text is kept in the box
    assert _state() == before
    assert Scheme.objects.get(code="rep-default").version == 1


def test_an_edit_may_not_change_the_code(org, login_en):
    # given
    client = login_en(org.hr)
    before = _state()
    text = scheme_export("rep-default").replace("code: rep-default", "code: rep-2027")
    # when
    response = client.post(_edit("rep-default"), {"text": text, "action": "save"})
    # then
    assert response.status_code == 400
    assert (
        "code: this page edits the scheme “rep-default”, but the text has the code “rep-2027”."
        in _html(response)
    )
    assert _state() == before


def test_check_without_javascript_shows_the_changes_and_stores_nothing(org, login_en):
    # given
    client = login_en(org.hr)
    before = _state()
    # when
    response = client.post(_edit("rep-default"), {"text": _rep_text(), "action": "check"})
    # then
    assert response.status_code == 200
    html = _html(response)
    assert 'data-testid="scheme-valid"' in html
    assert "Category “results”, KPI “sales_attainment”: weight 70 → 60." in html
    assert "Category “results”, KPI “key_product_attainment”: weight 30 → 40." in html
    assert _state() == before


@pytest.mark.parametrize("who", ["s1", "manager"])
def test_a_reader_may_not_edit(org, login, who):
    # given
    client = login(getattr(org, who))
    before = _state()
    # when
    page = client.get(_edit("rep-default"))
    post = client.post(_edit("rep-default"), {"text": _rep_text(), "action": "save"})
    check = client.post(VALIDATE, {"text": _rep_text(), "edited": "rep-default"})
    upload = client.post(
        IMPORT,
        {"file": SimpleUploadedFile("s.yaml", SMALL.encode()), "action": "save"},
    )
    new = client.post(NEW, {"text": SMALL, "action": "save"})
    # then
    assert [page.status_code, post.status_code, check.status_code] == [403, 403, 403]
    assert [upload.status_code, new.status_code] == [403, 403]
    assert _state() == before


@pytest.mark.parametrize("who", ["r1", "staff"])
def test_reps_and_staff_do_not_find_the_editor(org, login, who):
    # given
    client = login(getattr(org, who))
    before = _state()
    # when
    codes = [
        client.get(_edit("rep-default")).status_code,
        client.post(_edit("rep-default"), {"text": _rep_text(), "action": "save"}).status_code,
        client.post(VALIDATE, {"text": SMALL}).status_code,
        client.get(NEW).status_code,
        client.get(IMPORT).status_code,
    ]
    # then
    assert codes == [404] * 5
    assert _state() == before


def test_the_frozen_note_tells_what_an_edit_changes(org, login_en):
    # given
    cycle, _ = appraisal_open(actor=None, scheme_code="rep-default", period_code="2026-Q3")
    Appraisal.objects.filter(pk=cycle.appraisals.get(employee=org.r1).pk).update(status="published")
    # when
    html = _html(login_en(org.hr).get(_edit("rep-default")))
    # then
    assert (
        "1 published appraisal of this scheme keeps the snapshot taken when it was published; "
        "a change here does not alter it." in html
    )
    assert "2 open appraisals will be scored on the new version." in html


# -- the check as you type ------------------------------------------------------------------


def test_the_check_lists_the_broken_rules_as_a_partial(org, login_en):
    # given
    client = login_en(org.hr)
    before = _state()
    # when
    response = client.post(
        VALIDATE, {"text": BROKEN, "edited": "rep-default"}, HTTP_HX_REQUEST="true"
    )
    # then
    assert response.status_code == 200
    html = _html(response)
    assert html.lstrip().startswith('<div id="scheme-check"')
    assert "<html" not in html
    assert html.count("<li>") == 3
    assert "category weights must sum to 100; they sum to 95" in html
    assert _state() == before


def test_the_check_of_a_valid_text_summarises_it(org, login_en):
    # when
    response = login_en(org.hr).post(VALIDATE, {"text": SMALL})
    # then
    html = _html(response)
    assert 'data-testid="scheme-valid"' in html
    assert "2 categories, 3 KPI lines; the category weights sum to 100." in html
    assert "A new scheme." in html
    assert not Scheme.objects.filter(code="small-2027").exists()


def test_the_check_of_bad_yaml_names_the_line(org, login_en):
    # when
    response = login_en(org.hr).post(VALIDATE, {"text": "code: [a\nname: x\n"})
    # then
    assert "The file is not valid YAML: line" in _html(response)


# -- a new scheme ---------------------------------------------------------------------------


def test_a_new_scheme_starts_from_a_copy_under_a_new_code(org, login_en):
    # given
    client = login_en(org.hr)
    page = client.get(NEW + "?from=rep-default")
    text = scheme_export("rep-default").replace("code: rep-default", "code: rep-default-copy")
    # when
    response = client.post(NEW, {"text": text, "action": "save"}, follow=True)
    # then
    assert "code: rep-default-copy\n" in _html(page)
    assert "The scheme “rep-default-copy” was created as version 1." in _html(response)
    assert scheme_load("rep-default-copy").categories == scheme_load("rep-default").categories


def test_a_new_scheme_starts_from_an_empty_template(org, login_en):
    # when
    response = login_en(org.hr).get(NEW)
    # then
    assert "code: new-scheme\n" in _html(response)
    assert 'data-testid="scheme-valid"' in _html(response)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("rep-default", "a scheme with the code “rep-default” exists already"),
        ("new", "code: “new” is a word the pages use; choose another code."),
    ],
)
def test_a_new_scheme_needs_a_code_of_its_own(org, login_en, code, message):
    # given
    client = login_en(org.hr)
    before = _state()
    # when
    response = client.post(NEW, {"text": SMALL.replace("small-2027", code), "action": "save"})
    # then
    assert response.status_code == 400
    assert message in _html(response)
    assert _state() == before


# -- upload ------------------------------------------------------------------------------------


def _upload(client, data: bytes, action: str = "save", name: str = "scheme.yaml"):
    return client.post(
        IMPORT, {"file": SimpleUploadedFile(name, data), "action": action}, follow=True
    )


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_uploading_a_good_file_stores_it(org, login_en, bom):
    # when
    response = _upload(login_en(org.hr), bom + SMALL.encode("utf-8"))
    # then
    assert "The scheme “small-2027” was created as version 1." in _html(response)
    assert scheme_load("small-2027").name == "小方案"
    assert AuditEvent.objects.filter(action="scheme.import").count() == 1


def test_checking_an_upload_stores_nothing(org, login_en):
    # given
    before = _state()
    # when
    response = _upload(login_en(org.hr), SMALL.encode(), action="check")
    # then
    assert 'data-testid="scheme-valid"' in _html(response)
    assert _state() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BROKEN.encode("utf-8"), "category weights must sum to 100; they sum to 95"),
        (
            SMALL.encode("gbk"),
            "The file is not UTF-8 text (it may be saved as GBK or as a Word document)",
        ),
        (
            SMALL.encode() + b"#" * MAX_FILE_BYTES,
            "a scheme file may be at most 256 KB.",
        ),
    ],
    ids=["broken", "gbk", "too-large"],
)
def test_a_bad_upload_is_refused_with_a_clear_message(org, login_en, data, message):
    # given
    before = _state()
    # when
    response = _upload(login_en(org.hr), data)
    # then
    assert response.status_code == 400
    assert message in _html(response)
    assert _state() == before


def test_an_upload_without_a_file_is_refused(org, login_en):
    # when
    response = login_en(org.hr).post(IMPORT, {"action": "save"})
    # then
    assert response.status_code == 400
    assert "Choose a scheme file to upload." in _html(response)


@pytest.mark.parametrize("code", DEFAULT_CODES)
def test_export_then_import_through_the_pages_is_no_change(org, login_en, code):
    # given
    client = login_en(org.hr)
    exported = client.get(reverse("appraisal-scheme-export", args=[code])).content
    before = _state()
    # when
    response = _upload(client, exported, name=f"{code}.yaml")
    # then
    assert f"No change: the scheme “{code}” is already exactly this (version 1)." in _html(response)
    assert _state() == before


# -- what changes ---------------------------------------------------------------------------


def _scheme(**kwargs) -> spec.Scheme:
    line = spec.KpiLine(kpi="sales_attainment", weight=Decimal(100))
    fields = {
        "code": "x",
        "name": "X",
        "applies_to": "rep",
        "categories": (spec.Category("a", "A", Decimal(100), (line,)),),
    }
    return spec.Scheme(**{**fields, **kwargs})


def test_changes_name_each_difference():
    # given
    before = _scheme()
    after = _scheme(
        name="Y",
        categories=(
            spec.Category(
                "a",
                "A",
                Decimal(60),
                (spec.KpiLine(kpi="sales_attainment", weight=Decimal(100), cap=Decimal(110)),),
            ),
            spec.Category(
                "b", "B", Decimal(40), (spec.KpiLine(kpi="csat_rate", weight=Decimal(100)),)
            ),
        ),
    )
    # when
    changes = scheme_changes(before, after)
    # then
    assert changes == [
        "Name: X → Y.",
        "Category “b” (B) added with weight 40.",
        "Category “a”: weight 100 → 60.",
        "Category “a”, KPI “sales_attainment”: cap 120 → 110.",
    ]
    assert scheme_changes(before, before) == []
    assert scheme_changes(None, before) == ["A new scheme."]
