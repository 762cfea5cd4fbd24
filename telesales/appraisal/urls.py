"""The appraisal pages, each area in its own module of `telesales.appraisal.views`."""

from telesales.appraisal.views import cycles, process, ratings, results, schemes, scorecard

urlpatterns = [
    *scorecard.urlpatterns,
    *process.urlpatterns,
    *ratings.urlpatterns,
    *cycles.urlpatterns,
    *schemes.urlpatterns,
    *results.urlpatterns,
]
