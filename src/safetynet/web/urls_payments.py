from django.urls import path

from safetynet.web.views import payments as views

app_name = "payments"
urlpatterns = [
    path("", views.payrolls, name="list"),
    path("<int:pk>/", views.payroll_detail, name="detail"),
    path("<int:pk>/bank-file/", views.bank_file, name="bank_file"),
    path("failures/", views.failures, name="failures"),
    path("persons/<int:pk>/account/", views.payee_account, name="account"),
]
