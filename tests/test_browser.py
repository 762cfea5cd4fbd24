"""End to end in headless Chromium (Debian's package) driven by Playwright."""

import os
import shutil

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = (
    os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("Chromium is not installed (Debian: apt install chromium); .ci/run installs it")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, transactional_db, settings):
    settings.AXES_ENABLED = False
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors
    yield page
    context.close()


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("load")
    assert page.url == f"{live_server.url}/", page.content()[:3000]


def test_supervisor_sees_team_and_switches_language(page, live_server, org):
    # given
    _log_in(page, live_server, "s1")
    # when: the supervisor opens the team from the home page
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.click("[data-testid=home-teams] >> text=T1")
    # then: the team's reps are listed
    members = page.locator("[data-testid=team-members]")
    assert "张一" in members.inner_text()
    assert "张三" not in members.inner_text()
    # when: switching to English, then to Traditional Chinese
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    # then
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h2", has_text="Members").count() == 1
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hant")
    assert page.locator("html").get_attribute("lang") == "zh-hant"
    assert page.locator("h2", has_text="成員").count() == 1
    # the choice is kept on the account
    org.s1.user.refresh_from_db()
    assert org.s1.user.language == "zh-hant"
    assert page.errors == []


def test_hr_imports_employees_with_one_bad_row(page, live_server, org, tmp_path):
    # given
    from telesales.org.models import Employee

    path = tmp_path / "employees.csv"
    path.write_text(
        "employee_no,name,team,role,manager_no,hire_date\n"
        "E100,新人甲,T1,rep,S1,2026-09-01\n"
        "E101,新人乙,T1,rep,S1,2026-13-01\n",
        encoding="utf-8",
    )
    _log_in(page, live_server, "h1")
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    # when: upload, preview, confirm
    page.goto(f"{live_server.url}/imports/employees/")
    page.set_input_files("input[type=file]", str(path))
    page.click("button[type=submit]:has-text('Upload and preview')")
    page.wait_for_selector("[data-testid=rejected]")
    assert not Employee.objects.filter(employee_no="E100").exists()
    rejected = page.locator("[data-testid=rejected]").inner_text()
    page.click("button:has-text('Confirm and import')")
    page.wait_for_selector("[data-testid=import-status]:has-text('Done')")
    # then: the good row is stored, the bad one reported with its line and reason
    assert "3" in rejected and "hire_date" in rejected and "2026-13-01" in rejected
    assert Employee.objects.filter(employee_no="E100").exists()
    assert not Employee.objects.filter(employee_no="E101").exists()
    assert page.errors == []


@pytest.fixture
def default_scorecard(transactional_db):
    """The default scorecard comes from a data migration, which a transactional test before
    this one flushed away; the migration's own function puts it back."""
    from importlib import import_module

    from django.apps import apps

    from telesales.qa.models import Scorecard

    if not Scorecard.objects.filter(code="default").exists():
        import_module("telesales.qa.migrations.0002_default_scorecard").forwards(apps, None)


def test_supervisor_scores_a_call_with_an_instant_fail_and_the_rep_acknowledges(
    default_scorecard, page, live_server, org
):
    # given: a call of R1, made through the real phone-system import
    from tests.test_qa_support import make_calls, mapped

    mapped(org)
    call = make_calls([("R1", "2026-03-02 10:00:00", 95)])[0]
    # when: the supervisor opens the people menu's call monitoring group, then the call
    _log_in(page, live_server, "s1")
    page.click("details.menu-group >> nth=0 >> summary")
    assert page.locator("details.menu-group >> nth=0 >> a").count() >= 1
    page.goto(f"{live_server.url}/qa/calls/{call.pk}/review/")
    form = page.locator("[data-testid=review-form]")
    for field in form.locator("input[type=number]").all():
        field.fill(field.get_attribute("max"))
    form.locator("tr.instant-fail >> nth=0 >> input[value=yes]").check()
    form.locator("textarea").last.fill("违规承诺")
    page.click("[data-testid=submit-review]")
    page.wait_for_load_state("load")
    # then: failed with the score 0, whatever the other points
    assert page.locator("[data-testid=review-score]").inner_text().strip() in {"0", "0.00"}
    assert page.locator("[data-testid=verdict]").count() == 1
    review_url = page.url
    # when: the rep reads and acknowledges it
    page.context.clear_cookies()
    _log_in(page, live_server, "r1")
    page.goto(review_url)
    page.click("[data-testid=ack-form] button[type=submit]")
    page.wait_for_load_state("load")
    # then
    assert "ack-form" not in page.content()
    assert page.errors == []


@pytest.fixture
def default_schemes(transactional_db):
    """The shipped schemes come from a data migration that an earlier transactional test
    flushed away; the migration's own function puts them back."""
    from importlib import import_module

    from django.apps import apps

    from telesales.appraisal.models import Scheme

    if not Scheme.objects.filter(code="rep-default").exists():
        import_module("telesales.appraisal.migrations.0002_default_schemes").add_defaults(
            apps, None
        )


def test_hr_edits_a_scheme_checked_as_they_type(default_schemes, page, live_server, org):
    # given HR on the editor of the shipped rep scheme
    _log_in(page, live_server, "h1")
    page.goto(f"{live_server.url}/appraisal/schemes/rep-default/edit/")
    box = page.locator("textarea[name=text]")
    text = box.input_value()
    assert "weight: 50" in text
    # when HR types a category weight that breaks the sum
    box.fill(text.replace("weight: 50", "weight: 45", 1))
    box.press("End")  # a key press: htmx checks on keyup
    # then the check names the broken rule without saving anything
    page.wait_for_selector("[data-testid=scheme-errors]")
    assert "100" in page.locator("[data-testid=scheme-errors]").inner_text()
    # when HR puts it back
    box.fill(text)
    box.press("End")
    # then the scheme is valid again and nothing changed
    page.wait_for_selector("[data-testid=scheme-valid]")
    from telesales.appraisal.models import Scheme

    assert Scheme.objects.get(code="rep-default").version == 1
    assert page.errors == []


def test_rep_and_supervisor_confirm_the_targets(default_schemes, page, live_server, org):
    # given R1's Q3 appraisal opened by HR
    from telesales.appraisal.cycles import appraisal_open

    cycle, _ = appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code="2026-Q3")
    appraisal = cycle.appraisals.get(employee=org.r1)
    # when the rep confirms on the scorecard, then the supervisor
    for username in ("r1", "s1"):
        page.context.clear_cookies()
        _log_in(page, live_server, username)
        page.goto(f"{live_server.url}/appraisal/{appraisal.pk}/")
        page.click("[data-testid=agree-form] button[type=submit]")
        page.wait_for_load_state("load")
    # then both confirmed and the appraisal is agreed
    appraisal.refresh_from_db()
    assert appraisal.status == "agreed"
    assert page.locator("[data-testid=agreed-appraisee]").inner_text() != ""
    assert page.errors == []
