"""Call recordings (issue 6): the recording reference a phone-system export gives (FreePBX
`recordingfile`, a generic export's mapped recording column) is stored with the call, the
merged legs' recording is chosen by rule, the setting calls.recording_url_template turns
it into a link (only http and https links, ever), and the call list and the QA review page
show the link."""

from __future__ import annotations

import csv

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from telesales.calls.models import RECORDING_URL_TEMPLATE, Call, recording_link
from telesales.calls.services import column_mapping_create
from telesales.core.config import setting_definitions, setting_get, setting_set
from telesales.core.models import AuditEvent, Setting
from telesales.qa.models import Review
from telesales.qa.services import review_save
from tests.cdr_files import (
    FREEPBX_HEADER,
    Leg,
    command,
    csv_file,
    freepbx_row,
    generic_csv,
    generic_xlsx,
    import_calls,
    map_extensions,
)
from tests.test_qa_support import default_version, marks

TEMPLATE = "https://pbx.example/recordings/{file}"
REC = FREEPBX_HEADER.index("recordingfile")


def freepbx(legs: list[tuple[Leg, str]]) -> bytes:
    """A FreePBX CDR Reports export of (leg, recordingfile) pairs."""
    rows = []
    for leg, recording in legs:
        row = freepbx_row(leg)
        row[REC] = recording
        rows.append(row)
    return csv_file(rows, FREEPBX_HEADER, quoting=csv.QUOTE_ALL)


def leg(uid: str, start: str, billsec: int = 0, *, linkedid: str = "", src: str = "8001", **kw):
    disposition = kw.pop("disposition", "ANSWERED" if billsec else "NO ANSWER")
    return Leg(
        src,
        kw.pop("dst", "13800138000"),
        start,
        billsec,
        disposition=disposition,
        uniqueid=uid,
        linkedid=linkedid or uid,
        **kw,
    )


def recordings() -> dict[str, str]:
    return dict(Call.objects.values_list("call_id", "recording"))


@pytest.fixture
def mapped(org):
    map_extensions(org)
    return org


# -- the link ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "template", "link"),
    [
        # a file name goes into the template, URL-quoted, "/" kept
        (
            "out-13800138000-8001-20260701-090000-1751331600.101.wav",
            TEMPLATE,
            "https://pbx.example/recordings/out-13800138000-8001-20260701-090000-1751331600.101.wav",
        ),
        (
            "2026/07/01/录音 #1?.wav",
            "http://pbx.example/rec?f={file}",
            "http://pbx.example/rec?f=2026/07/01/%E5%BD%95%E9%9F%B3%20%231%3F.wav",
        ),
        ("  a.wav  ", TEMPLATE, "https://pbx.example/recordings/a.wav"),
        # an http(s) reference is the link as it is, template or not
        ("https://rec.example/a.wav?t=1&s=2", "", "https://rec.example/a.wav?t=1&s=2"),
        ("HTTP://rec.example/a.wav", TEMPLATE, "HTTP://rec.example/a.wav"),
        ("http://rec.example/a b.wav", "", "http://rec.example/a%20b.wav"),
        # no link: nothing given, no template, or a template that is not http(s)
        ("", TEMPLATE, ""),
        ("a.wav", "", ""),
        ("a.wav", "https://pbx.example/recordings/", ""),
        ("a.wav", "ftp://pbx.example/{file}", ""),
        ("a.wav", "javascript:alert('{file}')", ""),
        # no link: other schemes, hidden or not, and paths that climb out
        ("javascript:alert(1)", TEMPLATE, ""),
        ("JavaScript:alert(document.cookie)", "", ""),
        ("java\tscript:alert(1)", TEMPLATE, ""),
        (" javascript:alert(1)", TEMPLATE, ""),
        ("data:text/html,<script>alert(1)</script>", TEMPLATE, ""),
        ("file:///var/spool/asterisk/monitor/a.wav", TEMPLATE, ""),
        ("ht\ttp://evil.example/", TEMPLATE, ""),
        ("../../admin/", TEMPLATE, ""),
        ("2026/./a.wav", TEMPLATE, ""),
    ],
)
def test_recording_link(reference, template, link):
    # when / then
    assert recording_link(reference, template) == link


def test_the_call_property_uses_the_setting(db):
    # given
    call = Call(recording="a b.wav")
    url_call = Call(recording="https://rec.example/x.wav")
    bad_call = Call(recording="javascript:alert(1)")
    # when: no template yet
    before = (call.recording_url, url_call.recording_url, Call().recording_url)
    setting_set(actor=None, key=RECORDING_URL_TEMPLATE, value=TEMPLATE)
    # then
    assert before == ("", "https://rec.example/x.wav", "")
    assert call.recording_url == "https://pbx.example/recordings/a%20b.wav"
    assert url_call.recording_url == "https://rec.example/x.wav"
    assert bad_call.recording_url == ""


def _field():
    definition = next(d for d in setting_definitions() if d.key == RECORDING_URL_TEMPLATE)
    return definition.field()


def test_the_setting_is_empty_by_default_and_accepts_an_http_template(db):
    # when
    cleaned = [_field().clean(v) for v in ("", TEMPLATE, " http://10.0.0.5/rec/{file} ")]
    # then
    assert setting_get(RECORDING_URL_TEMPLATE) == ""
    assert cleaned == ["", TEMPLATE, "http://10.0.0.5/rec/{file}"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "javascript:alert('{file}')",
            "The recording link must start with http:// or https:// and contain no spaces.",
        ),
        (
            "ftp://pbx.example/{file}",
            "The recording link must start with http:// or https:// and contain no spaces.",
        ),
        (
            "http://pbx.example/my recordings/{file}",
            "The recording link must start with http:// or https:// and contain no spaces.",
        ),
        (
            "http://pbx.example/recordings/",
            "The recording link must contain {file}, where the recording file name goes.",
        ),
    ],
)
def test_a_bad_template_is_refused_with_a_reason(db, english, value, message):
    # when
    with pytest.raises(ValidationError) as refused:
        _field().clean(value)
    # then
    assert refused.value.messages == [message]


def _settings_post(client, **changes) -> dict:
    """Every field of the settings page as it stands, with some changed."""
    form = client.get("/settings/").context["form"]
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.html_name] = value
    data.update(changes)
    return data


def test_the_administrator_sets_the_template_on_the_settings_page(org, login_en):
    # given
    client = login_en(org.admin)
    name = RECORDING_URL_TEMPLATE.replace(".", "__")
    audits = AuditEvent.objects.count()
    # when
    bad = client.post("/settings/", _settings_post(client, **{name: "javascript:{file}"}))
    after_bad = (
        Setting.objects.filter(key=RECORDING_URL_TEMPLATE).count(),
        AuditEvent.objects.count(),
    )
    good = client.post("/settings/", _settings_post(client, **{name: TEMPLATE}))
    # then
    assert bad.status_code == 200
    assert "The recording link must start with http:// or https://" in bad.content.decode()
    assert after_bad == (0, audits)
    assert good.status_code == 302
    assert setting_get(RECORDING_URL_TEMPLATE) == TEMPLATE
    assert AuditEvent.objects.filter(action="setting.change").count() == 1


def test_a_supervisor_cannot_set_the_template(org, login):
    # given
    client = login(org.s1)
    # when
    response = client.post("/settings/", {RECORDING_URL_TEMPLATE.replace(".", "__"): TEMPLATE})
    # then
    assert response.status_code == 404
    assert setting_get(RECORDING_URL_TEMPLATE) == ""
    assert Setting.objects.filter(key=RECORDING_URL_TEMPLATE).count() == 0


# -- the import ------------------------------------------------------------------------------


def test_the_freepbx_export_stores_the_recording(mapped):
    # given
    data = freepbx(
        [
            (leg("1751331600.1", "2026-07-01 09:00:00", 61), "out-13800138000-8001-1.wav"),
            (leg("1751331600.2", "2026-07-01 09:05:00"), ""),
            (leg("1751331600.3", "2026-07-01 09:10:00", 20), "2026/07/01/out-3.wav"),
        ]
    )
    # when
    result, info = import_calls(data)
    # then
    assert (info["layout"], result.rows, result.stored, result.rejected) == ("freepbx", 3, 3, [])
    assert recordings() == {
        "1751331600.1": "out-13800138000-8001-1.wav",
        "1751331600.2": "",
        "1751331600.3": "2026/07/01/out-3.wav",
    }


def test_a_long_reference_is_cut_to_500_characters(mapped):
    # given
    data = freepbx([(leg("1751331600.1", "2026-07-01 09:00:00", 61), "x" * 600 + ".wav")])
    # when
    import_calls(data)
    # then
    assert recordings() == {"1751331600.1": "x" * 500}


GENERIC_HEADER = ["通话ID", "开始时间", "主叫", "被叫", "通话时长", "录音文件"]
GENERIC_ROWS = [
    ["g1", "2026-07-01 09:00:00", "8001", "13800138000", "75", "g1.mp3"],
    ["g2", "2026-07-01 09:05:00", "8002", "13900139000", "0", ""],
]


@pytest.mark.parametrize("make", [generic_csv, generic_xlsx])
def test_a_generic_export_with_a_recording_column_stores_it(mapped, make):
    # when
    result, info = import_calls(make(GENERIC_HEADER, GENERIC_ROWS))
    # then
    assert (info["layout"], result.stored, result.rejected) == ("generic", 2, [])
    assert recordings() == {"g1": "g1.mp3", "g2": ""}


def test_a_freeswitch_custom_template_maps_its_recording_column(mapped):
    # given: a mod_cdr_csv template that adds ${record_path} to its columns
    column_mapping_create(
        actor=None,
        name="FreeSWITCH with recordings",
        system="freeswitch",
        date_order="ymd",
        columns={
            "call_id": "uuid",
            "start": "start_stamp",
            "src": "caller_id_number",
            "dst": "destination_number",
            "billsec": "billsec",
            "recording": "record_path",
        },
    )
    header = ["uuid", "start_stamp", "caller_id_number", "destination_number", "billsec"]
    rows = [
        ["a0f1", "2026-07-01 09:00:00", "8001", "13800138000", "90", "https://fs.example/a0f1.wav"],
        ["b2c3", "2026-07-01 09:01:00", "8002", "13800138001", "0", ""],
    ]
    # when
    result, _info = import_calls(
        generic_csv([*header, "record_path"], rows), mapping="FreeSWITCH with recordings"
    )
    # then
    assert (result.stored, result.rejected) == (2, [])
    assert recordings() == {"a0f1": "https://fs.example/a0f1.wav", "b2c3": ""}
    assert Call.objects.get(call_id="a0f1").recording_url == "https://fs.example/a0f1.wav"


def test_asterisk_cdr_csv_gives_no_recording(mapped):
    # given: the userfield of cdr_csv is not read as a recording
    from tests.cdr_files import asterisk_csv

    data = asterisk_csv([leg("1751331600.1", "2026-07-01 09:00:00", 61, userfield="a.wav")])
    # when
    import_calls(data)
    # then
    assert recordings() == {"1751331600.1": ""}


# -- merged legs -----------------------------------------------------------------------------

MERGED_LEGS = [
    # L1: the answered leg with the longest billsec among those with a recording: c
    (leg("1.1", "2026-07-01 09:00:00", 100, linkedid="L1"), ""),
    (leg("1.2", "2026-07-01 09:00:05", 30, linkedid="L1", src="8002"), "b.wav"),
    (leg("1.3", "2026-07-01 09:00:10", 60, linkedid="L1", src="8003"), "c.wav"),
    # L2: equal billsec: the earlier start (read later)
    (leg("2.1", "2026-07-01 09:10:00", 40, linkedid="L2"), "d.wav"),
    (leg("2.2", "2026-07-01 09:09:00", 40, linkedid="L2", src="8002"), "e.wav"),
    # L3: none answered: the earliest leg with a recording
    (leg("3.1", "2026-07-01 09:20:10", linkedid="L3"), "f.wav"),
    (leg("3.2", "2026-07-01 09:20:00", linkedid="L3", src="8002"), "g.wav"),
    (leg("3.3", "2026-07-01 09:19:00", linkedid="L3", src="8003"), ""),
    # L4: an answered leg with 0 s of talk beats an unanswered one
    (leg("4.1", "2026-07-01 09:30:00", linkedid="L4"), "i.wav"),
    (leg("4.2", "2026-07-01 09:30:05", 0, linkedid="L4", disposition="ANSWERED"), "j.wav"),
    # L5: only an unanswered leg has one: it is taken
    (leg("5.1", "2026-07-01 09:40:00", 90, linkedid="L5"), ""),
    (leg("5.2", "2026-07-01 09:40:02", linkedid="L5", src="8002"), "m.wav"),
    # L6: no leg has one
    (leg("6.1", "2026-07-01 09:50:00", 90, linkedid="L6"), ""),
    (leg("6.2", "2026-07-01 09:50:02", 10, linkedid="L6", src="8002"), ""),
]


def test_merged_legs_keep_the_recording_of_the_best_leg(mapped):
    # when
    result, _info = import_calls(freepbx(MERGED_LEGS))
    # then
    assert (result.rows, result.stored, result.rejected) == (14, 6, [])
    assert recordings() == {
        "L1": "c.wav",
        "L2": "e.wav",
        "L3": "g.wav",
        "L4": "j.wav",
        "L5": "m.wav",
        "L6": "",
    }
    assert Call.objects.get(call_id="L1").talk_seconds == 100


def _apart(legs):
    """The legs with seven other calls between each of them."""
    out = []
    for n, pair in enumerate(legs):
        out.append(pair)
        for m in range(7):
            start = f"2026-07-01 1{n % 10}:0{m}:00"
            out.append((leg(f"o{n}.{m}", start, 5, dst=f"1390000{n:02d}{m:02d}"), ""))
    return out


FAR_APART = [
    # X: first stored without a recording; a longer answered leg brings x2, a shorter x3
    (leg("x.1", "2026-07-01 08:00:10", 20, linkedid="X"), ""),
    (leg("x.2", "2026-07-01 08:00:00", 100, linkedid="X", src="8002"), "x2.wav"),
    (leg("x.3", "2026-07-01 08:00:20", 50, linkedid="X", src="8003"), "x3.wav"),
    # Y: a leg that changes nothing but the recording still brings it
    (leg("y.1", "2026-07-01 08:10:00", 100, linkedid="Y"), ""),
    (leg("y.2", "2026-07-01 08:10:05", 30, linkedid="Y", src="8002"), "y2.wav"),
    # Z: none answered: the earliest
    (leg("z.1", "2026-07-01 08:20:10", linkedid="Z"), "z1.wav"),
    (leg("z.2", "2026-07-01 08:20:00", linkedid="Z", src="8002"), "z2.wav"),
]


@pytest.mark.parametrize("window", ["memory", "database"])
def test_legs_merged_past_the_window_choose_the_same_recording(
    mapped, monkeypatch, tmp_path, window
):
    # given: legs are merged in memory within a window of recent calls, the rest in the
    # database; a window of 2 calls and batches of 2 make the database do it (the command
    # line's import run tells this import's own calls from calls stored before)
    from telesales.calls import importer

    if window == "database":
        monkeypatch.setattr(importer, "WINDOW", 2)
        monkeypatch.setattr(importer.CallImporter, "batch_size", 2)
    # when
    code, payload, _err = command(tmp_path, freepbx(_apart(FAR_APART)))
    # then
    stored = recordings()
    assert (code, payload) == (0, {"rows": 56, "stored": 52, "duplicates": 0, "rejected": []})
    assert (stored["X"], stored["Y"], stored["Z"]) == ("x2.wav", "y2.wav", "z2.wav")
    assert Call.objects.get(call_id="X").talk_seconds == 100


# -- re-imports ------------------------------------------------------------------------------


def test_the_same_file_again_stores_nothing_and_keeps_the_recordings(mapped):
    # given
    data = freepbx(MERGED_LEGS)
    import_calls(data)
    before = recordings()
    # when
    again, _info = import_calls(data)
    # then
    assert (again.rows, again.stored, again.updated, again.duplicates) == (14, 0, 0, 6)
    assert Call.objects.count() == 6
    assert recordings() == before


def test_a_recording_given_later_for_a_stored_call_is_a_duplicate(mapped):
    # given: the calls stored from an export without recordings
    legs = [
        leg("1751331600.1", "2026-07-01 09:00:00", 61),
        leg("1751331600.2", "2026-07-01 09:05:00"),
    ]
    import_calls(freepbx([(one, "") for one in legs]))
    # when: the same calls, now with recordings
    result, _info = import_calls(freepbx([(one, f"{one.uniqueid}.wav") for one in legs]))
    # then: duplicates are not updated, recording or not
    assert (result.stored, result.updated, result.duplicates) == (0, 0, 2)
    assert recordings() == {"1751331600.1": "", "1751331600.2": ""}


def test_a_later_leg_that_changes_the_call_brings_its_recording(mapped):
    # given: one leg of L stored, without a recording
    import_calls(freepbx([(leg("a.1", "2026-07-01 09:00:00", 30, linkedid="L"), "")]))
    # when: a longer answered leg of L, with one
    result, _info = import_calls(
        freepbx([(leg("a.2", "2026-07-01 09:00:03", 100, linkedid="L", src="8002"), "l.wav")])
    )
    # then
    assert (result.stored, result.updated, result.duplicates) == (0, 1, 0)
    call = Call.objects.get(call_id="L")
    assert (call.recording, call.talk_seconds, call.extension) == ("l.wav", 100, "8001")


# -- the pages -------------------------------------------------------------------------------

LINK = (
    '<a href="https://pbx.example/recordings/out-1772416800.1.wav" target="_blank" '
    'rel="noopener noreferrer" data-testid="recording-link">Listen to the recording</a>'
)
NO_LINK = "The phone system gave no recording link for this call."


@pytest.fixture
def reviewed(mapped):
    """R1's calls of 2 March 2026 from a FreePBX export: .1 with a recording file, reviewed
    by S1 (submitted); .2 with a javascript: reference; .3 with an https link."""
    data = freepbx(
        [
            (leg("1772416800.1", "2026-03-02 10:00:00", 120), "out-1772416800.1.wav"),
            (leg("1772416800.2", "2026-03-02 10:10:00", 90), "javascript:alert(1)"),
            (leg("1772416800.3", "2026-03-02 10:20:00", 90), "https://rec.example/3.wav"),
        ]
    )
    import_calls(data)
    call = Call.objects.get(call_id="1772416800.1")
    version = default_version()
    review = review_save(
        actor=mapped.s1.user, call=call, version=version, marks=marks(version, {}), submit=True
    )
    return mapped, call, review


def test_the_review_page_shows_no_link_without_the_setting(reviewed, login_en):
    # given
    org, _call, review = reviewed
    # when
    page = login_en(org.s1).get(f"/qa/reviews/{review.pk}/").content.decode()
    # then
    assert NO_LINK in page
    assert "Listen to the recording" not in page


def test_the_review_pages_link_to_the_recording(reviewed, login_en):
    # given
    org, call, review = reviewed
    setting_set(actor=None, key=RECORDING_URL_TEMPLATE, value=TEMPLATE)
    client = login_en(org.s1)
    # when
    detail = client.get(f"/qa/reviews/{review.pk}/")
    form = client.get(f"/qa/calls/{Call.objects.get(call_id='1772416800.3').pk}/review/")
    # then
    assert detail.status_code == form.status_code == 200
    assert LINK in detail.content.decode()
    assert NO_LINK not in detail.content.decode()
    assert (
        '<a href="https://rec.example/3.wav" target="_blank" rel="noopener noreferrer" '
        'data-testid="recording-link">Listen to the recording</a>'
    ) in form.content.decode()


def test_an_unsafe_reference_gives_no_link_on_the_review_page(reviewed, login_en):
    # given
    org, _call, _review = reviewed
    setting_set(actor=None, key=RECORDING_URL_TEMPLATE, value=TEMPLATE)
    unsafe = Call.objects.get(call_id="1772416800.2")
    # when
    page = login_en(org.s1).get(f"/qa/calls/{unsafe.pk}/review/").content.decode()
    # then
    assert NO_LINK in page
    assert "javascript:" not in page
    assert "Listen to the recording" not in page


@pytest.mark.parametrize("who", ["s2", "r2", "r3", "staff"])
def test_the_recording_of_a_call_out_of_scope_is_not_shown(reviewed, login, who):
    # given
    org, call, review = reviewed
    setting_set(actor=None, key=RECORDING_URL_TEMPLATE, value=TEMPLATE)
    reviews = list(Review.objects.values_list("pk", "status", "score"))
    client = login(getattr(org, who))
    # when
    responses = [
        client.get(f"/qa/reviews/{review.pk}/"),
        client.get(f"/qa/calls/{call.pk}/review/"),
        client.get("/calls/?date_from=2026-03-01&date_to=2026-03-31"),
    ]
    # then
    assert [r.status_code for r in responses[:2]] == [404, 404]
    assert all("out-1772416800.1.wav" not in r.content.decode() for r in responses)
    assert list(Review.objects.values_list("pk", "status", "score")) == reviews


def test_the_call_list_links_to_recordings(reviewed, login_en):
    # given
    org = reviewed[0]
    setting_set(actor=None, key=RECORDING_URL_TEMPLATE, value=TEMPLATE)
    # when
    page = login_en(org.s1).get("/calls/?date_from=2026-03-01&date_to=2026-03-31")
    # then
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count('rel="noopener noreferrer"') == 2
    assert 'href="https://rec.example/3.wav"' in text
    assert (
        '<a href="https://pbx.example/recordings/out-1772416800.1.wav" target="_blank" '
        'rel="noopener noreferrer" title="Listen to the recording">Listen</a>'
    ) in text
    assert "javascript:" not in text


def _many_calls(count: int, offset: int) -> None:
    import_calls(
        freepbx(
            [
                (
                    leg(
                        f"1772500000.{offset + n}",
                        f"2026-03-03 {9 + n // 60:02d}:{n % 60:02d}:00",
                        n,
                    ),
                    f"rec-{offset + n}.wav" if n % 2 else f"https://rec.example/{offset + n}.wav",
                )
                for n in range(count)
            ]
        )
    )


@pytest.mark.parametrize("who", ["admin", "s1"])
def test_the_call_list_queries_do_not_grow_with_recordings(mapped, login, who):
    # given
    setting_set(actor=None, key=RECORDING_URL_TEMPLATE, value=TEMPLATE)
    client = login(getattr(mapped, who))
    url = "/calls/?date_from=2026-03-01&date_to=2026-03-31"
    _many_calls(4, 0)
    with CaptureQueriesContext(connection) as few:
        first = client.get(url)
    _many_calls(40, 100)
    # when
    with CaptureQueriesContext(connection) as many:
        second = client.get(url)
    # then
    assert first.content.decode().count("noopener noreferrer") == 4
    assert second.content.decode().count("noopener noreferrer") == 44
    assert len(many.captured_queries) == len(few.captured_queries)
