from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "safetynet.registry"
    label = "registry"
    verbose_name = "区划与户籍档案"
