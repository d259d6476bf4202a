from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "safetynet.verification"
    label = "verification"
    verbose_name = "经济状况核对与大数据比对"
