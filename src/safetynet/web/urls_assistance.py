from django.urls import path

from safetynet.web.views import assistance as views

app_name = "assistance"
urlpatterns = [
    path("", views.measure_list, name="list"),
    path("suggest/", views.suggest_area, name="suggest_area"),
    path("households/<int:household_id>/", views.plan, name="plan"),
    path("households/<int:household_id>/suggest/", views.suggest, name="suggest"),
    path("households/<int:household_id>/measures/", views.add, name="add"),
    path("measures/<int:pk>/", views.measure, name="measure"),
    path("measures/<int:pk>/<str:action>/", views.measure_act, name="act"),
    path("feedback-files/", views.feedback_files, name="feedback_files"),
    path("feedback-files/upload/", views.feedback_upload, name="feedback_upload"),
    path("feedback-files/template.csv", views.feedback_template, name="feedback_template"),
    path("exports/housing-key-groups.csv", views.export_housing, name="export_housing"),
    path("exports/premium-subsidy.csv", views.export_premium, name="export_premium"),
]
