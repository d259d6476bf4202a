from django.urls import path

from safetynet.web.views import visits as views

app_name = "visits"
urlpatterns = [
    path("", views.due, name="due"),
    path("households/<int:pk>/new/", views.record, name="record"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/photos/<int:photo_id>/", views.photo, name="photo"),
]
