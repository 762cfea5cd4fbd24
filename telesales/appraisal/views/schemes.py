"""Appraisal pages: schemes (filled in by this session's work)."""

urlpatterns: list = []


def ready() -> None:
    """Menu entries, settings, importers and to-dos of this area, called by AppraisalConfig."""
