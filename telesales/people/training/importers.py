"""`telesales import training` (PRODUCT.md §7; the columns are documented in docs/training.md
and on the import page): one row per trainee per session, with their attendance and scores.

A session is found by its date and title, or made (held) when there is none. A row whose
facts are all stored already is a duplicate; a row that contradicts a stored value (another
attendance, other scores, another topic, trainer, kind or pass mark) is rejected naming the
stored value, and nothing is overwritten."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.imports import fields
from telesales.core.imports.base import Column, Importer, RowError, StoreContext
from telesales.org.models import Employee
from telesales.people.training import access
from telesales.people.training.models import (
    Assessment,
    Attendance,
    Invitation,
    Topic,
    TrainingSession,
)
from telesales.people.training.services import (
    ScoreEntry,
    score_check,
    session_attendance_record,
    session_create,
    session_invite,
    session_scores_record,
    session_transition,
)

DEFAULT_START = dt.time(9, 0)
DEFAULT_MINUTES = 60
Status = TrainingSession.Status

TOPIC_ALIASES = {
    Topic.PRODUCT_KNOWLEDGE: ("产品知识", "產品知識", "公司与产品知识", "公司與產品知識"),
    Topic.SALES_PROCESS: ("销售流程", "銷售流程"),
    Topic.CALL_SCRIPTS: ("话术", "話術", "电话话术", "電話話術"),
    Topic.COMPLIANCE: ("合规", "合規"),
    Topic.SYSTEMS: ("系统", "系統", "系统与工具", "系統與工具", "crm"),
    Topic.PRODUCT_UPDATES: ("产品更新", "產品更新"),
    Topic.SELLING_SKILLS: ("销售技巧", "銷售技巧", "销售技能", "銷售技能"),
    Topic.INDUSTRY_NEWS: ("行业资讯", "行業資訊", "行业动态", "行業動態"),
    Topic.OTHER: ("其他",),
}
ATTENDANCE_WORDS = {
    Attendance.ATTENDED: ("yes", "y", "1", "true", "attended", "是", "出席", "已出席", "到"),
    Attendance.ABSENT: ("no", "n", "0", "false", "absent", "否", "缺席", "未出席", "缺勤"),
    Attendance.EXCUSED: ("excused", "leave", "请假", "請假", "事假", "病假"),
}
KIND_WORDS = {
    Assessment.Kind.COURSE: ("course", "课程", "課程", "课程考核", "課程考核"),
    Assessment.Kind.SKILL: ("skill", "技能", "技能考核"),
}


def _words(mapping: dict, choices) -> dict[str, str]:
    """Codes, their labels in every language and the aliases → code."""
    names: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices:
                names[str(label).strip().lower()] = value
    for value, words in mapping.items():
        names[str(value)] = str(value)
        for word in words:
            names[word.lower()] = str(value)
    return names


@functools.cache
def _topics() -> dict[str, str]:
    return _words(TOPIC_ALIASES, Topic.choices)


@functools.cache
def _attendance() -> dict[str, str]:
    return _words(ATTENDANCE_WORDS, Attendance.choices)


@functools.cache
def _kinds() -> dict[str, str]:
    return _words(KIND_WORDS, Assessment.Kind.choices)


def _score(value: str, column: str) -> Decimal | None:
    try:
        return score_check((value or "").strip().replace(",", ".") or None)
    except ValidationError as error:
        raise RowError(column, " ".join(error.messages)) from None


def _choice(value: str, column: str, names: dict[str, str], hint: str) -> str:
    cleaned = (value or "").strip().lower()
    if cleaned in names:
        return names[cleaned]
    raise RowError(
        column, _("“%(value)s” is not one of: %(choices)s.") % {"value": value, "choices": hint}
    )


@dataclass(frozen=True)
class TrainingRow:
    date: dt.date
    title: str
    topic: str | None  # None: not given
    trainer_no: str | None
    employee_no: str
    attendance: str
    pre_score: Decimal | None
    score: Decimal | None  # post_score, or the skill score
    pass_mark: Decimal | None
    kind: str


def _shown(value) -> str:
    return "—" if value in (None, "") else str(value)


class TrainingImporter(Importer):
    kind = "training"
    label = gettext_lazy("Training attendance and scores")
    description = gettext_lazy(
        "One row per trainee per session: the session's date and title (it is found by them, "
        "or made as a held session when there is none), the trainee's attendance and, for "
        "those who attended, their scores from 0 to 100. A course assessment has pre_score and "
        "post_score; a skill assessment (kind skill) has only post_score, the skill score. "
        "Importing the same file again stores nothing new; a row that contradicts what is "
        "stored is rejected and nothing is overwritten."
    )
    columns = (
        Column(
            "date",
            gettext_lazy("Date"),
            aliases=("日期", "培训日期", "培訓日期", "session_date"),
            help=gettext_lazy("The session's date, YYYY-MM-DD."),
        ),
        Column(
            "title",
            gettext_lazy("Title"),
            aliases=(
                "标题",
                "標題",
                "课程",
                "課程",
                "课程名称",
                "課程名稱",
                "培训名称",
                "培訓名稱",
            ),
            help=gettext_lazy("The session's title; with the date it names the session."),
        ),
        Column(
            "topic",
            gettext_lazy("Topic"),
            required=False,
            aliases=("主题", "主題", "类别", "類別"),
            help=gettext_lazy(
                "product_knowledge, sales_process, call_scripts, compliance, systems, "
                "product_updates, selling_skills, industry_news or other (or their names)."
            ),
        ),
        Column(
            "trainer_no",
            gettext_lazy("Trainer number"),
            required=False,
            aliases=("讲师工号", "講師工號", "培训师工号", "培訓師工號", "讲师", "講師"),
            help=gettext_lazy("The employee number of the trainer."),
        ),
        Column(
            "employee_no",
            gettext_lazy("Employee number"),
            aliases=("工号", "工號", "员工工号", "員工工號", "学员工号", "學員工號"),
            help=gettext_lazy("The trainee."),
        ),
        Column(
            "attended",
            gettext_lazy("Attended"),
            aliases=("出勤", "出席", "是否出席", "签到", "簽到"),
            help=gettext_lazy("yes, no or excused (是/否/请假)."),
        ),
        Column(
            "pre_score",
            gettext_lazy("Score before"),
            required=False,
            aliases=("前测", "前測", "培训前成绩", "培訓前成績", "训前成绩", "訓前成績"),
            help=gettext_lazy("A course assessment's score before the course, 0 to 100."),
        ),
        Column(
            "post_score",
            gettext_lazy("Score after"),
            required=False,
            aliases=(
                "后测",
                "後測",
                "培训后成绩",
                "培訓後成績",
                "训后成绩",
                "訓後成績",
                "成绩",
                "成績",
            ),
            help=gettext_lazy("The score after the course, or the skill score; 0 to 100."),
        ),
        Column(
            "pass_mark",
            gettext_lazy("Pass mark"),
            required=False,
            aliases=("及格线", "及格線", "及格分", "合格分"),
            help=gettext_lazy("The assessment's pass mark, 0 to 100."),
        ),
        Column(
            "kind",
            gettext_lazy("Assessment kind"),
            required=False,
            aliases=("考核类型", "考核類型", "类型", "類型"),
            help=gettext_lazy("course (when empty) or skill (课程/技能)."),
        ),
    )

    def allowed(self, user) -> bool:
        return access.can_manage_training(user)

    def example_row(self) -> list[str]:
        return [
            "2026-07-03",
            "销售技巧：异议处理",
            "selling_skills",
            "S001",
            "E001",
            "是",
            "62",
            "85",
            "60",
            "course",
        ]

    def parse(self, row: dict[str, str]) -> TrainingRow:
        topic_text = (row.get("topic") or "").strip()
        kind_text = (row.get("kind") or "").strip()
        attendance = _choice(
            row.get("attended") or "", "attended", _attendance(), "yes, no, excused (是/否/请假)"
        )
        kind = (
            _choice(kind_text, "kind", _kinds(), "course, skill (课程/技能)")
            if kind_text
            else Assessment.Kind.COURSE
        )
        pre = _score(row.get("pre_score") or "", "pre_score")
        post = _score(row.get("post_score") or "", "post_score")
        pass_mark = _score(row.get("pass_mark") or "", "pass_mark")
        if pre is not None and post is None:
            raise RowError(
                "post_score", _("A score before the course needs the score after it too.")
            )
        if kind == Assessment.Kind.SKILL and pre is not None:
            raise RowError(
                "pre_score",
                _(
                    "A skill assessment has one score; write it in post_score and leave pre_score empty."
                ),
            )
        if post is not None and attendance != Attendance.ATTENDED:
            raise RowError("attended", _("Only a trainee who attended has scores."))
        return TrainingRow(
            date=fields.date(row.get("date") or "", "date", required=True),
            title=fields.text(row.get("title") or "", "title", required=True, max_length=200),
            topic=_choice(topic_text, "topic", _topics(), ", ".join(Topic.values))
            if topic_text
            else None,
            trainer_no=fields.text(row.get("trainer_no") or "", "trainer_no", max_length=40)
            or None,
            employee_no=fields.text(
                row.get("employee_no") or "", "employee_no", required=True, max_length=40
            ),
            attendance=attendance,
            pre_score=pre,
            score=post,
            pass_mark=pass_mark,
            kind=kind,
        )

    def store(self, batch, ctx: StoreContext) -> None:
        user = ctx.actor if getattr(ctx.actor, "pk", None) else None
        numbers = {row.employee_no for _l, row in batch}
        trainees = {
            e.employee_no: e for e in access.trainees_for(user).filter(employee_no__in=numbers)
        }
        trainers = {
            e.employee_no: e
            for e in Employee.objects.filter(
                employee_no__in={row.trainer_no for _l, row in batch if row.trainer_no}
            )
        }
        today = timezone.localdate()
        for line, row in batch:
            try:
                with transaction.atomic():  # a row is stored whole or not at all
                    stored = self._store_row(row, ctx, user, trainees, trainers, today)
            except RowError as error:
                ctx.result.reject(line, error.column, error.reason)
                continue
            except PermissionDenied:
                ctx.result.reject(
                    line, "title", _("You may not record the training of this session.")
                )
                continue
            except ValidationError as error:
                ctx.result.reject(line, "employee_no", " ".join(error.messages))
                continue
            if stored:
                ctx.result.stored += 1
            else:
                ctx.result.duplicates += 1

    # -- one row ---------------------------------------------------------------------------

    def _store_row(self, row: TrainingRow, ctx, user, trainees, trainers, today) -> bool:
        """Store what the row adds; False when it adds nothing (a duplicate)."""
        if row.date > today:
            raise RowError("date", _("The session is in the future; it has no attendance yet."))
        employee = trainees.get(row.employee_no)
        if employee is None:
            raise RowError(
                "employee_no",
                _("There is no employee %(no)s whose training you manage.")
                % {"no": row.employee_no}
                if user is not None
                else _("There is no employee %(no)s.") % {"no": row.employee_no},
            )
        trainer = None
        if row.trainer_no:
            trainer = trainers.get(row.trainer_no)
            if trainer is None:
                raise RowError(
                    "trainer_no", _("There is no employee %(no)s.") % {"no": row.trainer_no}
                )
        session = self._session(row, user, trainer)
        changed = False
        if session is None:
            session = session_create(
                actor=ctx.actor,
                title=row.title,
                topic=row.topic or Topic.OTHER,
                date=row.date,
                start_time=DEFAULT_START,
                duration_minutes=DEFAULT_MINUTES,
                invitees=[employee],
                trainer=trainer,
                held=True,
                today=today,
            )
            changed = True
        invitation = Invitation.objects.filter(session=session, employee=employee).first()
        assessment = Assessment.objects.filter(session=session).first()
        result = (
            assessment.results.filter(employee=employee).first() if assessment is not None else None
        )
        self._conflicts(row, employee, invitation, assessment, result)
        if session.status == Status.PLANNED:
            session = session_transition(
                actor=ctx.actor, session=session, to_status=Status.HELD, today=today
            )
            changed = True
        if invitation is None:
            session_invite(actor=ctx.actor, session=session, employees=[employee])
            changed = True
        if invitation is None or invitation.attendance != row.attendance:
            session_attendance_record(
                actor=ctx.actor, session=session, attendance={employee.pk: row.attendance}
            )
            changed = True
        if row.score is not None and result is None:
            pass_mark = row.pass_mark
            if pass_mark is None and assessment is not None:
                pass_mark = assessment.pass_mark
            session_scores_record(
                actor=ctx.actor,
                session=session,
                kind=row.kind,
                pass_mark=pass_mark,
                scores=[ScoreEntry(employee.pk, row.pre_score, row.score)],
            )
            changed = True
        return changed

    def _session(self, row: TrainingRow, user, trainer) -> TrainingSession | None:
        """The stored session of the row's date and title, checked against the row."""
        found = list(
            TrainingSession.objects.filter(date=row.date, title=row.title).select_related(
                "plan", "trainer"
            )[:2]
        )
        if not found:
            return None
        if len(found) > 1:
            raise RowError(
                "title",
                _(
                    "There is more than one session named “%(title)s” on %(date)s; give them "
                    "different titles in the app first."
                )
                % {"title": row.title, "date": row.date.isoformat()},
            )
        session = found[0]
        if user is not None and not (
            access.sessions_visible_to(user).filter(pk=session.pk).exists()
            and access.session_may_manage(user, session)
        ):
            raise RowError(
                "title",
                _("The session “%(title)s” on %(date)s is not one whose training you manage.")
                % {"title": row.title, "date": row.date.isoformat()},
            )
        if session.status == Status.CANCELLED:
            raise RowError(
                "title",
                _("The session “%(title)s” on %(date)s was cancelled; plan it again first.")
                % {"title": row.title, "date": row.date.isoformat()},
            )
        if row.topic is not None and row.topic != session.topic:
            raise RowError(
                "topic",
                _("The session is stored with the topic “%(stored)s”; nothing was changed.")
                % {"stored": session.get_topic_display()},
            )
        if trainer is not None and session.trainer_id not in (None, trainer.pk):
            raise RowError(
                "trainer_no",
                _("The session is stored with the trainer %(stored)s; nothing was changed.")
                % {"stored": f"{session.trainer.employee_no} {session.trainer.name}"},
            )
        return session

    @staticmethod
    def _conflicts(row: TrainingRow, employee, invitation, assessment, result) -> None:
        if invitation is not None and invitation.attendance not in ("", row.attendance):
            raise RowError(
                "attended",
                _(
                    "%(name)s is stored as “%(stored)s” in this session; the file says "
                    "“%(value)s”. Nothing was changed."
                )
                % {
                    "name": employee.name,
                    "stored": invitation.get_attendance_display(),
                    "value": Attendance(row.attendance).label,
                },
            )
        if row.score is None or assessment is None:
            return
        if assessment.kind != row.kind and assessment.results.exists():
            raise RowError(
                "kind",
                _("The session's scores are stored as a %(stored)s; nothing was changed.")
                % {"stored": assessment.get_kind_display()},
            )
        if (
            row.pass_mark is not None
            and assessment.pass_mark is not None
            and row.pass_mark != assessment.pass_mark
        ):
            raise RowError(
                "pass_mark",
                _("The session's pass mark is stored as %(stored)s; nothing was changed.")
                % {"stored": assessment.pass_mark},
            )
        if result is not None and (result.pre_score, result.score) != (row.pre_score, row.score):
            raise RowError(
                "post_score",
                _(
                    "%(name)s's scores are stored as %(pre)s before and %(post)s after; "
                    "nothing was changed."
                )
                % {"name": employee.name, "pre": _shown(result.pre_score), "post": result.score},
            )
