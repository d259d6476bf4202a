from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safetynet.cases"
    label = "cases"
    verbose_name = "线索与认定程序"

    def ready(self) -> None:
        # The registry may not import cases; cases tells it which households have an open case.
        from safetynet.cases.selectors import open_case_ids
        from safetynet.registry.services import hooks

        if open_case_ids not in hooks.open_case_probes:
            hooks.open_case_probes.append(open_case_ids)
        # A household moved to another village takes its cases with it (Case.village).
        from safetynet.cases.services.acceptance import follow_village

        if follow_village not in hooks.village_followers:
            hooks.village_followers.append(follow_village)
        # A family change on an entitled household opens a change case (cases/services/family.py).
        from safetynet.cases.services.family import on_household_changed

        hooks.household_changed.connect(on_household_changed, dispatch_uid="cases.open_change_case")
