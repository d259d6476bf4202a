from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "safetynet.reports"
    label = "reports"
    verbose_name = "按月上报变化情况"
