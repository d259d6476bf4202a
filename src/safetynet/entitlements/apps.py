from django.apps import AppConfig


class EntitlementsConfig(AppConfig):
    name = "safetynet.entitlements"
    label = "entitlements"
    verbose_name = "待遇享受（动态管理）"

    def ready(self) -> None:
        # The registry may not import entitlements; a household moved to another village takes its
        # rows with it (Entitlement.village).
        from safetynet.entitlements.services import follow_village
        from safetynet.registry.services import hooks

        if follow_village not in hooks.village_followers:
            hooks.village_followers.append(follow_village)
