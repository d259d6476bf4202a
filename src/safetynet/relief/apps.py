from django.apps import AppConfig


class ReliefConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safetynet.relief"
    label = "relief"
    verbose_name = "临时救助"
