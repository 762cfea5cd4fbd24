from django.db import models
from django.utils.translation import gettext_lazy as _

from telesales.core.models import TimeStampedModel


class Product(TimeStampedModel):
    code = models.CharField(_("product code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    key_product = models.BooleanField(_("key product"), default=False)
    unit_price = models.DecimalField(
        _("unit price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Deal(TimeStampedModel):
    """A won order, or a refund of one (status refunded, its own number, amounts positive,
    closed_on the refund date): PRODUCT.md §4."""

    class Status(models.TextChoices):
        WON = "won", _("Won")
        REFUNDED = "refunded", _("Refunded")

    deal_no = models.CharField(_("deal number"), max_length=60, unique=True)
    employee = models.ForeignKey(
        "org.Employee", verbose_name=_("rep"), on_delete=models.PROTECT, related_name="deals"
    )
    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="deals"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    gross_profit = models.DecimalField(_("gross profit"), max_digits=14, decimal_places=2)
    closed_on = models.DateField(_("closed on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WON
    )

    class Meta:
        ordering = ["-closed_on", "-id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["employee", "closed_on"], name="deal_employee_date"),
            models.Index(fields=["closed_on"], name="deal_closed_on"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="deal_amount_positive")
        ]

    def __str__(self) -> str:
        return self.deal_no

    @property
    def sign(self) -> int:
        return -1 if self.status == self.Status.REFUNDED else 1
