from django.urls import path

from safetynet.web.views import relief as views

app_name = "relief"
urlpatterns = [
    path("", views.relief_list, name="list"),
    path("new/", views.relief_new, name="new"),
    path("<int:pk>/", views.relief_detail, name="detail"),
    path("fund/<str:township>/", views.fund, name="fund"),
    path("notice/<str:township>/", views.notice, name="notice"),
]
