from django.urls import path

from safetynet.web.views import exchange as views

app_name = "verification"
urlpatterns = [
    path("uploads/", views.uploads, name="uploads"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload"),
    path("households/<int:pk>/verification/", views.household_verification, name="household"),
]
