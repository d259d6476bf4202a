from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "safetynet.campaigns"
    label = "campaigns"
    verbose_name = "年度复核"
