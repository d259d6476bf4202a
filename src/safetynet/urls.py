from django.urls import include, path

from safetynet.api.main import api
from safetynet.web.urls_cases import public_urlpatterns

urlpatterns = [
    path("api/v1/", api.urls),
    path("cases/", include("safetynet.web.urls_cases")),
    path("", include((public_urlpatterns, "public"))),
    path("policy/", include("safetynet.web.urls_policy")),
    path("exchange/", include("safetynet.web.urls_exchange")),
    path("reports/", include("safetynet.web.urls_reports")),
    path("campaigns/", include("safetynet.web.urls_campaigns")),
    path("payments/", include("safetynet.web.urls_payments")),
    path("rosters/", include("safetynet.web.urls_rosters")),
    path("visits/", include("safetynet.web.urls_visits")),
    path("assistance/", include("safetynet.web.urls_assistance")),
    path("relief/", include("safetynet.web.urls_relief")),
    path("", include("safetynet.web.urls")),
]

# Errors raised outside a view (an unknown URL, a refused request) get the one web error page.
handler400 = "safetynet.web.shell.bad_request"
handler403 = "safetynet.web.shell.permission_denied"
handler404 = "safetynet.web.shell.page_not_found"
