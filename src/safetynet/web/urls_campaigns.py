from django.urls import path

from safetynet.web.views import campaigns as views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/cases/", views.campaign_cases, name="cases"),
]
