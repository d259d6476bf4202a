from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "safetynet.dashboard"
    label = "dashboard"
    verbose_name = "领导小组驾驶舱"
