from django.urls import path

from safetynet.web.views import rosters as views

app_name = "rosters"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("monitored/", views.monitored, name="monitored"),
    path("export.xlsx", views.export, name="export"),
]
