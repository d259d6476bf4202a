from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "safetynet.verification"
    label = "verification"
    verbose_name = "经济状况核对与大数据比对"

    def ready(self):
        # Every process start (web, jobs, commands) removes what killed processes left on disk:
        # raw department files and the framework's upload copies. Filesystem only (no database
        # here); cheap, and it never touches a workspace a live process holds (storage.py).
        from safetynet.verification.storage import sweep_leftovers

        sweep_leftovers()
