from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "safetynet.assistance"
    label = "assistance"
    verbose_name = "帮扶计划"
