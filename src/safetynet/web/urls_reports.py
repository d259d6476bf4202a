from django.urls import path

from safetynet.web.views import dashboard, statistics
from safetynet.web.views import reports as views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("statistics/", statistics.statistics_page, name="statistics"),
    path("statistics/export.xlsx", statistics.statistics_export, name="statistics_export"),
    path("monitored/", statistics.monitored_page, name="monitored"),
    path("monitored/export.xlsx", statistics.monitored_export, name="monitored_export"),
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("dashboard/list/", dashboard.dashboard_list, name="dashboard_list"),
    path("prepare/", views.report_prepare, name="prepare"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/export.xlsx", views.report_export, name="export"),
    path("<int:pk>/<str:action>/", views.report_act, name="act"),
]
