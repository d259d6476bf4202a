from django.apps import AppConfig


class EntitlementsConfig(AppConfig):
    name = "safetynet.entitlements"
    label = "entitlements"
    verbose_name = "待遇享受（动态管理）"
