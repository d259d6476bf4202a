from django.urls import include, path

from safetynet.api.main import api
from safetynet.cases.urls import public_urlpatterns

urlpatterns = [
    path("api/v1/", api.urls),
    path("cases/", include("safetynet.cases.urls")),
    path("", include((public_urlpatterns, "public"))),
    path("policy/", include("safetynet.assessments.urls")),
    path("exchange/", include("safetynet.verification.urls")),
    path("", include("safetynet.web.urls")),
]
