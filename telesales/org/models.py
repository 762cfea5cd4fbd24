from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from telesales.core.models import TimeStampedModel


class Role(models.TextChoices):
    """PRODUCT.md §2: what a person sees and does."""

    REP = "rep", _("Sales rep")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Sales manager")
    HR = "hr", _("HR")
    STAFF = "staff", _("Department staff")
    ADMIN = "admin", _("Administrator")


class Company(TimeStampedModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class Department(TimeStampedModel):
    class Kind(models.TextChoices):
        SALES = "sales", _("Sales")
        MARKETING = "marketing", _("Marketing")
        PRODUCT = "product", _("Product")
        CUSTOMER_SERVICE = "customer_service", _("Customer service")
        HR = "hr", _("Human resources")
        FINANCE = "finance", _("Finance")
        IT = "it", _("IT")
        OTHER = "other", _("Other")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="departments"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="department_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Team(TimeStampedModel):
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="teams"
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    supervisor = models.ForeignKey(
        "Employee",
        verbose_name=_("supervisor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return f"{self.code} {self.name}" if self.name != self.code else self.code


class EmployeeQuerySet(models.QuerySet):
    def employed_on(self, day):
        """Headcount rule of PRODUCT.md §4: hire_date ≤ day and no leave_date or leave_date > day."""
        return self.filter(hire_date__lte=day).filter(
            Q(leave_date__isnull=True) | Q(leave_date__gt=day)
        )

    def employed_between(self, start, end):
        """Employed on at least one day from `start` to `end`."""
        return self.filter(hire_date__lte=end).filter(
            models.Q(leave_date__isnull=True) | models.Q(leave_date__gt=start)
        )

    def reps(self):
        return self.filter(role=Role.REP)


class Employee(TimeStampedModel):
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="employees"
    )
    employee_no = models.CharField(_("employee number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.REP)
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    pay_grade = models.CharField(_("pay grade"), max_length=20, blank=True)
    base_bonus = models.DecimalField(
        _("base bonus"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    email = models.EmailField(_("email"), blank=True)
    hire_date = models.DateField(_("hire date"))
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
    )

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["employee_no"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        constraints = [
            models.CheckConstraint(
                condition=Q(leave_date__isnull=True) | Q(leave_date__gte=models.F("hire_date")),
                name="employee_leave_after_hire",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee_no} {self.name}"

    def is_employed_on(self, day) -> bool:
        return self.hire_date <= day and (self.leave_date is None or self.leave_date > day)


class TeamAssignment(models.Model):
    """Which team an employee belonged to from `start` up to, not including, `end`."""

    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="team_assignments",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="assignments"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["employee", "start"]
        verbose_name = _("team assignment")
        verbose_name_plural = _("team assignments")
        indexes = [models.Index(fields=["team", "start"])]

    def __str__(self) -> str:
        return f"{self.employee} → {self.team} {self.start}–{self.end or ''}"


class EmployeeEvent(models.Model):
    """A fact of an employee's history: hire, leave, promotion, transfer, change of role."""

    class Kind(models.TextChoices):
        HIRE = "hire", _("Hired")
        LEAVE = "leave", _("Left")
        PROMOTION = "promotion", _("Promoted")
        TRANSFER = "transfer", _("Transferred")
        ROLE_CHANGE = "role_change", _("Role changed")
        REHIRE = "rehire", _("Rehired")

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    voluntary = models.BooleanField(_("voluntary"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    from_team = models.ForeignKey(
        Team,
        verbose_name=_("from team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_team = models.ForeignKey(
        Team,
        verbose_name=_("to team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_value = models.CharField(_("from"), max_length=100, blank=True)
    to_value = models.CharField(_("to"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("employee event")
        verbose_name_plural = _("employee events")
        indexes = [models.Index(fields=["kind", "date"])]

    def __str__(self) -> str:
        return f"{self.employee} {self.get_kind_display()} {self.date}"


class Extension(models.Model):
    """A phone extension or agent id, owned by an employee from valid_from up to valid_to."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="extensions"
    )
    number = models.CharField(_("extension / agent id"), max_length=40, db_index=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["number", "valid_from"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"{self.number} → {self.employee.employee_no}"


class Absence(models.Model):
    """Planned or taken leave: days from `start` to `end` (both included) on which the
    employee is not available for work; target splits and phasing leave them out."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual leave")
        SICK = "sick", _("Sick leave")
        TRAINING = "training", _("Off-line training")
        OTHER = "other", _("Other leave")

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="absences"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until (included)"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ANNUAL)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["employee", "start"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="absence_end_after_start"
            )
        ]
        indexes = [models.Index(fields=["start", "end"], name="absence_dates")]

    def __str__(self) -> str:
        return f"{self.employee} {self.get_kind_display()} {self.start}–{self.end}"
