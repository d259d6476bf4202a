from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "safetynet.visits"
    label = "visits"
    verbose_name = "巡访探视"
