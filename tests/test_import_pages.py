"""The import pages: upload, preview, confirm, templates, rejected rows (PRODUCT.md §7)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from openpyxl import load_workbook

from telesales.core.imports.registry import get_importer
from telesales.core.imports.services import import_execute
from telesales.core.models import AuditEvent, ImportRun
from telesales.org.models import Employee, EmployeeEvent, Extension, Role
from telesales.org.services import employee_hire
from telesales.sales.models import Product
from tests.files import NOT_READABLE, PNG

HEADER = "employee_no,name,team,role,manager_no,hire_date,leave_date,extension,email,pay_grade"
GOOD_CSV = (
    f"{HEADER}\n"
    "E101,新人一,T1,rep,S1,2026-09-01,,8101,,P3\n"
    "E102,新人二,T1,rep,S1,2026-09-01,,8102,,P3\n"
).encode()
MIXED_CSV = (
    f"{HEADER}\n"
    "E101,新人一,T1,rep,S1,2026-09-01,,8101,,P3\n"
    "E102,新人二,T1,rep,S1,2026-13-01,,8102,,P3\n"
    "E103,新人三,T2,boss,S2,2026-09-01,,,,\n"
).encode()
MIXED_REJECTED = [
    {
        "row": 3,
        "column": "hire_date",
        "reason": "“2026-13-01” is not a date; write it as YYYY-MM-DD, for example 2026-07-01.",
    },
    {
        "row": 4,
        "column": "role",
        "reason": "“boss” is not one of: admin, hr, manager, rep, staff, supervisor.",
    },
]


def _english(*employees) -> None:
    for employee in employees:
        employee.user.language = "en"
        employee.user.save(update_fields=["language"])


def _upload(client, kind: str, data: bytes, name: str, capture):
    with capture(execute=True):
        return client.post(f"/imports/{kind}/", {"file": SimpleUploadedFile(name, data)})


def _confirm(client, run: ImportRun, capture, action: str = "confirm"):
    with capture(execute=True):
        return client.post(f"/imports/run/{run.pk}/confirm/", {"action": action})


def _new_employees() -> list[str]:
    return sorted(
        Employee.objects.filter(employee_no__startswith="E1").values_list("employee_no", flat=True)
    )


# --- who may open what ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "hr", "manager", "s1"])
def test_importers_open_the_imports_index(org, login, who):
    # given
    client = login(getattr(org, who))
    # when
    response = client.get("/imports/")
    # then
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["r1", "staff"])
def test_others_get_404_on_the_imports_index(org, login, who):
    # given
    client = login(getattr(org, who))
    # when
    response = client.get("/imports/")
    # then
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("who", "links"),
    [("hr", (True, False)), ("manager", (False, True)), ("admin", (True, True))],
)
def test_the_index_links_only_the_importers_the_user_may_use(org, login, who, links):
    # given
    client = login(getattr(org, who))
    # when
    page = client.get("/imports/").content.decode()
    # then
    assert ('href="/imports/employees/"' in page, 'href="/imports/products/"' in page) == links


@pytest.mark.parametrize("who", ["admin", "hr"])
def test_admin_and_hr_open_the_employee_import(org, login, who):
    # given
    client = login(getattr(org, who))
    # when
    response = client.get("/imports/employees/")
    # then
    assert response.status_code == 200
    assert 'href="/imports/employees/template.csv"' in response.content.decode()


@pytest.mark.parametrize("who", ["r1", "s1", "staff", "manager"])
def test_others_get_404_on_the_employee_import(org, login, who):
    # given
    client = login(getattr(org, who))
    # when
    response = client.get("/imports/employees/")
    # then
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["r1", "s1", "staff", "manager"])
def test_others_posting_an_employee_file_get_404_and_nothing_is_stored(
    org, login, django_capture_on_commit_callbacks, who
):
    # given
    client = login(getattr(org, who))
    audit = AuditEvent.objects.count()
    # when
    response = _upload(
        client, "employees", GOOD_CSV, "employees.csv", django_capture_on_commit_callbacks
    )
    # then
    assert response.status_code == 404
    assert ImportRun.objects.count() == 0
    assert _new_employees() == []
    assert AuditEvent.objects.count() == audit


@pytest.mark.parametrize("who", ["r1", "s1", "staff", "hr"])
def test_others_get_404_on_the_employee_templates(org, login, who):
    # given
    client = login(getattr(org, who))
    # when
    responses = [client.get(f"/imports/employees/template.{fmt}") for fmt in ("csv", "xlsx")]
    # then
    assert [r.status_code for r in responses] == ([200, 200] if who == "hr" else [404, 404])


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager", 200), ("admin", 200), ("hr", 404), ("r1", 404), ("s1", 404), ("staff", 404)],
)
def test_products_import_is_for_managers_and_admins(org, login, who, status):
    # given
    client = login(getattr(org, who))
    # when
    response = client.get("/imports/products/")
    # then
    assert response.status_code == status


@pytest.mark.parametrize("who", ["hr", "s1"])
def test_others_posting_a_product_file_get_404_and_nothing_is_stored(
    org, login, django_capture_on_commit_callbacks, who
):
    # given
    client = login(getattr(org, who))
    data = "product_code,name,key_product,unit_price\nP001,企业版年费,yes,19800\n".encode()
    # when
    response = _upload(client, "products", data, "products.csv", django_capture_on_commit_callbacks)
    # then
    assert response.status_code == 404
    assert (ImportRun.objects.count(), Product.objects.count()) == (0, 0)


def test_an_unknown_import_kind_is_404(org, login):
    # given
    client = login(org.admin)
    # when
    response = client.get("/imports/nothing/")
    # then
    assert response.status_code == 404


def test_anonymous_users_are_sent_to_login(db, client):
    # when
    response = client.get("/imports/employees/")
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- upload, preview, confirm -----------------------------------------------------------------


def test_upload_shows_a_preview_and_stores_nothing(org, login, django_capture_on_commit_callbacks):
    # given
    _english(org.hr)
    client = login(org.hr)
    events = EmployeeEvent.objects.count()
    # when
    response = _upload(
        client, "employees", MIXED_CSV, "employees.csv", django_capture_on_commit_callbacks
    )
    # then
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/run/{run.pk}/"
    assert (run.status, run.user, run.source, run.filename) == (
        "preview",
        org.hr.user,
        "web",
        "employees.csv",
    )
    assert (run.rows, run.stored, run.updated, run.duplicates) == (3, 1, 0, 0)
    assert run.rejected == MIXED_REJECTED
    assert run.detected == "csv · utf-8"
    assert [p["row"] for p in run.preview_rows] == [2]
    assert run.preview_rows[0]["values"]["employee_no"] == "E101"
    assert _new_employees() == []
    assert EmployeeEvent.objects.count() == events
    assert not AuditEvent.objects.filter(action="import.run").exists()


def test_the_preview_page_shows_status_counts_and_rejected_rows(
    org, login, django_capture_on_commit_callbacks
):
    # given
    _english(org.hr)
    client = login(org.hr)
    _upload(client, "employees", MIXED_CSV, "employees.csv", django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    # when
    response = client.get(f"/imports/run/{run.pk}/")
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert '<span data-testid="import-status">Preview</span>' in page
    assert '<div class="value">3</div><div class="label">Rows read</div>' in page
    assert '<div class="value">1</div><div class="label">New, to store</div>' in page
    assert '<div class="value error">2</div><div class="label">Rejected</div>' in page
    assert escape(MIXED_REJECTED[0]["reason"]) in page
    assert f'action="/imports/run/{run.pk}/confirm/"' in page


def test_confirming_the_preview_stores_the_rows(org, login, django_capture_on_commit_callbacks):
    # given
    _english(org.hr)
    client = login(org.hr)
    _upload(client, "employees", MIXED_CSV, "employees.csv", django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    # when
    response = _confirm(client, run, django_capture_on_commit_callbacks)
    # then
    assert response.status_code == 302
    assert response["Location"] == f"/imports/run/{run.pk}/"
    run.refresh_from_db()
    assert (run.status, run.rows, run.stored, run.updated, run.duplicates) == ("done", 3, 1, 0, 0)
    assert run.rejected == MIXED_REJECTED
    assert run.finished_at is not None
    e101 = Employee.objects.get(employee_no="E101")
    assert (e101.team, e101.manager) == (org.t1, org.s1)
    assert list(
        Extension.objects.filter(number="8101").values_list(
            "employee__employee_no", "valid_from", "valid_to"
        )
    ) == [("E101", dt.date(2026, 9, 1), None)]
    assert _new_employees() == ["E101"]
    audit = AuditEvent.objects.get(action="import.run")
    assert (audit.actor, audit.after["stored"], audit.after["rejected"]) == (org.hr.user, 1, 2)
    page = client.get(f"/imports/run/{run.pk}/").content.decode()
    assert '<span data-testid="import-status">Done</span>' in page
    assert '<div class="value">1</div><div class="label">Stored</div>' in page


def test_confirming_twice_stores_once(org, login, django_capture_on_commit_callbacks):
    # given
    _english(org.hr)
    client = login(org.hr)
    _upload(client, "employees", GOOD_CSV, "employees.csv", django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    _confirm(client, run, django_capture_on_commit_callbacks)
    events = EmployeeEvent.objects.count()
    # when
    response = _confirm(client, run, django_capture_on_commit_callbacks)
    # then
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.stored) == ("done", 2)
    assert _new_employees() == ["E101", "E102"]
    assert EmployeeEvent.objects.count() == events
    assert AuditEvent.objects.filter(action="import.run").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "This import has already been started." in page


def test_cancelling_the_preview_stores_nothing(org, login, django_capture_on_commit_callbacks):
    # given
    _english(org.hr)
    client = login(org.hr)
    _upload(client, "employees", GOOD_CSV, "employees.csv", django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    # when
    response = _confirm(client, run, django_capture_on_commit_callbacks, action="cancel")
    # then
    assert response.status_code == 302
    assert response["Location"] == "/imports/"
    run.refresh_from_db()
    assert run.status == "cancelled"
    assert _new_employees() == []
    assert (
        "The import was cancelled; nothing was stored." in client.get("/imports/").content.decode()
    )


def test_uploading_the_same_file_again_previews_duplicates_and_stores_nothing(
    org, login, django_capture_on_commit_callbacks
):
    # given
    client = login(org.hr)
    _upload(client, "employees", GOOD_CSV, "employees.csv", django_capture_on_commit_callbacks)
    _confirm(client, ImportRun.objects.get(), django_capture_on_commit_callbacks)
    events, extensions = EmployeeEvent.objects.count(), Extension.objects.count()
    # when
    _upload(client, "employees", GOOD_CSV, "employees.csv", django_capture_on_commit_callbacks)
    second = ImportRun.objects.order_by("-id").first()
    _confirm(client, second, django_capture_on_commit_callbacks)
    # then
    second.refresh_from_db()
    assert (second.status, second.rows, second.stored, second.updated, second.duplicates) == (
        "done",
        2,
        0,
        0,
        2,
    )
    assert (EmployeeEvent.objects.count(), Extension.objects.count()) == (events, extensions)


def test_products_upload_and_confirm_by_a_manager(org, login, django_capture_on_commit_callbacks):
    # given
    client = login(org.manager)
    data = "product_code,name,key_product,unit_price\r\nP001,企业版年费,是,19800\r\nP002,基础版,否,99\r\n".encode(
        "gbk"
    )
    _upload(client, "products", data, "products.csv", django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert (run.status, run.stored, run.detected, Product.objects.count()) == (
        "preview",
        2,
        "csv · gb18030",
        0,
    )
    # when
    _confirm(client, run, django_capture_on_commit_callbacks)
    # then
    run.refresh_from_db()
    assert (run.status, run.stored) == ("done", 2)
    assert list(Product.objects.order_by("code").values_list("code", "key_product")) == [
        ("P001", True),
        ("P002", False),
    ]


def test_an_xlsx_upload_is_previewed_and_stored(org, login, django_capture_on_commit_callbacks):
    # given
    client = login(org.admin)
    response = client.get("/imports/employees/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    sheet.delete_rows(2)
    sheet.append(["E101", "新人一", "T2", "rep", "S2", dt.date(2026, 9, 1), None, 8101])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _upload(
        client, "employees", buffer.getvalue(), "people.xlsx", django_capture_on_commit_callbacks
    )
    run = ImportRun.objects.get()
    assert (run.status, run.rows, run.stored, run.rejected, run.detected) == (
        "preview",
        1,
        1,
        [],
        "xlsx",
    )
    # when
    _confirm(client, run, django_capture_on_commit_callbacks)
    # then
    e101 = Employee.objects.get(employee_no="E101")
    assert (e101.team, e101.manager, e101.hire_date) == (org.t2, org.s2, dt.date(2026, 9, 1))
    assert list(e101.extensions.values_list("number", flat=True)) == ["8101"]


def test_the_status_partial_for_htmx_polling(org, login, django_capture_on_commit_callbacks):
    # given
    _english(org.hr)
    client = login(org.hr)
    _upload(client, "employees", GOOD_CSV, "employees.csv", django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    # when
    response = client.get(f"/imports/run/{run.pk}/", headers={"HX-Request": "true"})
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="import-status"')
    assert "<html" not in page
    assert '<span data-testid="import-status">Preview</span>' in page


# --- unreadable and refused uploads ------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_unreadable_upload_shows_a_failed_run_with_the_translated_message(
    org, login, django_capture_on_commit_callbacks, language
):
    # given
    org.hr.user.language = language
    org.hr.user.save(update_fields=["language"])
    client = login(org.hr)
    with translation.override(language):
        message = gettext(NOT_READABLE)
        failed = gettext("Failed")
    audit = AuditEvent.objects.count()
    # when
    response = _upload(
        client, "employees", PNG, "employees.csv", django_capture_on_commit_callbacks
    )
    # then
    run = ImportRun.objects.get()
    assert response["Location"] == f"/imports/run/{run.pk}/"
    assert (run.status, run.message, run.rows, run.stored) == ("failed", message, 0, 0)
    page = client.get(f"/imports/run/{run.pk}/").content.decode()
    assert f'<p class="error" role="alert">{escape(message)}</p>' in page
    assert f'<span data-testid="import-status">{escape(failed)}</span>' in page
    assert "Confirm and import" not in page
    assert _new_employees() == []
    assert AuditEvent.objects.count() == audit


def test_a_failed_run_cannot_be_confirmed(org, login, django_capture_on_commit_callbacks):
    # given
    client = login(org.hr)
    _upload(client, "employees", PNG, "employees.csv", django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    # when
    _confirm(client, run, django_capture_on_commit_callbacks)
    # then
    run.refresh_from_db()
    assert run.status == "failed"
    assert _new_employees() == []


def test_a_missing_required_header_fails_the_run_naming_the_column(
    org, login, django_capture_on_commit_callbacks
):
    # given
    _english(org.hr)
    client = login(org.hr)
    data = b"employee_no,name,team,role\nE101,x,T1,rep\n"
    # when
    _upload(client, "employees", data, "employees.csv", django_capture_on_commit_callbacks)
    # then
    run = ImportRun.objects.get()
    assert run.status == "failed"
    assert run.message == (
        "The first row must name the columns. Missing: hire_date (Hire date). "
        "Download the template to see the expected headers."
    )
    assert _new_employees() == []


@pytest.mark.parametrize("name", ["photo.png", "employees.csv.exe", "employees"])
def test_a_file_with_a_wrong_suffix_shows_a_form_error(
    org, login, django_capture_on_commit_callbacks, name
):
    # given
    _english(org.hr)
    client = login(org.hr)
    # when
    response = _upload(client, "employees", GOOD_CSV, name, django_capture_on_commit_callbacks)
    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": [f"“{name}” is not a CSV or Excel file; choose a .csv or .xlsx file."]
    }
    assert escape(f"“{name}” is not a CSV or Excel file") in response.content.decode()
    assert ImportRun.objects.count() == 0
    assert _new_employees() == []


def test_an_empty_upload_shows_a_form_error(org, login, django_capture_on_commit_callbacks):
    # given
    _english(org.hr)
    client = login(org.hr)
    # when
    response = _upload(
        client, "employees", b"", "employees.csv", django_capture_on_commit_callbacks
    )
    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["The submitted file is empty."]}
    assert ImportRun.objects.count() == 0


def test_posting_without_a_file_shows_a_form_error(org, login):
    # given
    _english(org.hr)
    client = login(org.hr)
    # when: a browser sends the CSRF token and no file part when none was chosen
    response = client.post("/imports/employees/", {"csrfmiddlewaretoken": "token"})
    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["This field is required."]}
    assert ImportRun.objects.count() == 0


# --- templates --------------------------------------------------------------------------------


def _template_rows(response, fmt: str) -> list[list[str]]:
    if fmt == "csv":
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.reader(io.StringIO(text[1:])))
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_employee_template_has_every_column_and_the_example_row(org, login, fmt):
    # given
    client = login(org.hr)
    importer = get_importer("employees")
    # when
    response = client.get(f"/imports/employees/template.{fmt}")
    # then
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="employees-template.{fmt}"'
    header, example = _template_rows(response, fmt)
    with translation.override("zh-hans"):
        assert header == [str(c.label) for c in importer.columns]
    assert example == importer.example_row()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_employee_template_header_maps_every_column(org, login, fmt):
    # given
    response = login(org.hr).get(f"/imports/employees/template.{fmt}")
    importer = get_importer("employees")
    # when
    result, info = import_execute(
        importer=importer, stream=io.BytesIO(response.content), actor=None, dry_run=True
    )
    # then
    assert info["columns"] == [c.key for c in importer.columns]
    assert info["ignored"] == []
    assert result.rows == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_employee_template_reimports_unchanged(
    org, login, django_capture_on_commit_callbacks, fmt
):
    # given: an S001 exists, which the example row (with no manager) must not pick up
    employee_hire(
        actor=None,
        employee_no="S001",
        name="主管",
        role=Role.SUPERVISOR,
        team=org.t1,
        hire_date=dt.date(2025, 1, 6),
    )
    client = login(org.hr)
    template = client.get(f"/imports/employees/template.{fmt}").content
    # when
    _upload(
        client,
        "employees",
        template,
        f"employees-template.{fmt}",
        django_capture_on_commit_callbacks,
    )
    run = ImportRun.objects.get()
    _confirm(client, run, django_capture_on_commit_callbacks)
    # then
    run.refresh_from_db()
    assert (run.status, run.rows, run.stored, run.rejected) == ("done", 1, 1, [])
    e001 = Employee.objects.get(employee_no="E001")
    assert (e001.name, e001.team, e001.manager, e001.pay_grade) == ("张伟", org.t1, None, "P3")
    assert (e001.department, e001.hire_date) == (org.sales, dt.date(2026, 1, 5))
    assert list(e001.extensions.values_list("number", flat=True)) == ["8001"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_product_template_reimports_unchanged(
    org, login, django_capture_on_commit_callbacks, fmt
):
    # given
    client = login(org.manager)
    response = client.get(f"/imports/products/template.{fmt}")
    assert response.status_code == 200
    # when
    _upload(
        client,
        "products",
        response.content,
        f"products-template.{fmt}",
        django_capture_on_commit_callbacks,
    )
    run = ImportRun.objects.get()
    _confirm(client, run, django_capture_on_commit_callbacks)
    # then
    run.refresh_from_db()
    assert (run.status, run.rows, run.stored, run.rejected) == ("done", 1, 1, [])
    product = Product.objects.get()
    assert (product.code, product.name, product.key_product, str(product.unit_price)) == (
        "P001",
        "企业版年费",
        True,
        "19800.00",
    )


def test_an_unknown_template_format_is_404(org, login):
    # given
    client = login(org.hr)
    # when
    response = client.get("/imports/employees/template.pdf")
    # then
    assert response.status_code == 404


# --- rejected rows and who sees which run -------------------------------------------------------


def _admin_run_with_rejections(org, login, capture) -> ImportRun:
    _english(org.admin)
    client = login(org.admin)
    _upload(client, "employees", MIXED_CSV, "employees.csv", capture)
    return ImportRun.objects.get(user=org.admin.user)


def test_the_rejected_rows_download(org, login, django_capture_on_commit_callbacks):
    # given
    run = _admin_run_with_rejections(org, login, django_capture_on_commit_callbacks)
    client = login(org.admin)
    # when
    response = client.get(f"/imports/run/{run.pk}/rejected.csv")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="rejected-employees-{run.pk}.csv"'
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]))) == [
        ["row", "column", "reason"],
        *([str(r["row"]), r["column"], r["reason"]] for r in MIXED_REJECTED),
    ]


def test_another_user_cannot_see_or_download_a_run(org, login, django_capture_on_commit_callbacks):
    # given
    run = _admin_run_with_rejections(org, login, django_capture_on_commit_callbacks)
    client = login(org.hr)
    # when
    responses = [
        client.get(f"/imports/run/{run.pk}/"),
        client.get(f"/imports/run/{run.pk}/rejected.csv"),
        client.post(f"/imports/run/{run.pk}/confirm/", {"action": "confirm"}),
    ]
    # then
    assert [r.status_code for r in responses] == [404, 404, 404]
    run.refresh_from_db()
    assert run.status == "preview"
    assert _new_employees() == []


def test_an_administrator_sees_every_run(org, login, django_capture_on_commit_callbacks):
    # given
    _upload(
        login(org.hr), "employees", MIXED_CSV, "hr-file.csv", django_capture_on_commit_callbacks
    )
    run = ImportRun.objects.get()
    client = login(org.admin)
    # when
    detail = client.get(f"/imports/run/{run.pk}/")
    rejected = client.get(f"/imports/run/{run.pk}/rejected.csv")
    index = client.get("/imports/")
    # then
    assert (detail.status_code, rejected.status_code) == (200, 200)
    assert "hr-file.csv" in index.content.decode()


def test_the_history_of_a_non_administrator_shows_only_their_runs(
    org, login, django_capture_on_commit_callbacks
):
    # given
    _upload(
        login(org.admin),
        "employees",
        GOOD_CSV,
        "admin-file.csv",
        django_capture_on_commit_callbacks,
    )
    _upload(login(org.hr), "employees", GOOD_CSV, "hr-file.csv", django_capture_on_commit_callbacks)
    # when
    page = login(org.hr).get("/imports/").content.decode()
    # then
    assert "hr-file.csv" in page
    assert "admin-file.csv" not in page


def test_a_manager_cannot_see_an_employee_run_even_by_id(
    org, login, django_capture_on_commit_callbacks
):
    # given
    run = _admin_run_with_rejections(org, login, django_capture_on_commit_callbacks)
    client = login(org.manager)
    # when
    responses = [
        client.get(f"/imports/run/{run.pk}/"),
        client.get(f"/imports/run/{run.pk}/rejected.csv"),
    ]
    # then
    assert [r.status_code for r in responses] == [404, 404]


def test_an_unknown_run_is_404(org, login):
    # given
    client = login(org.admin)
    # when
    response = client.get("/imports/run/999999/")
    # then
    assert response.status_code == 404
