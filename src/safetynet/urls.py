from django.urls import include, path

from safetynet.api.main import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("policy/", include("safetynet.assessments.urls")),
    path("", include("safetynet.web.urls")),
]
