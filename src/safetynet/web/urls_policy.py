from django.urls import path

from safetynet.web.views import policy as views

app_name = "policy"
urlpatterns = [
    path("parameters/", views.parameters, name="parameters"),
    path("simulate/", views.simulation, name="simulate"),
    path("households/<int:household_id>/assess/", views.assess_household, name="assess"),
    path("households/<int:household_id>/assessment/", views.latest_assessment, name="assessment"),
]
