from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "safetynet.assessments"
    label = "assessments"
    verbose_name = "认定测算"
