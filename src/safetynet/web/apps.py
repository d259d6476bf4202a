from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "safetynet.web"
    label = "web"
    verbose_name = "网页界面"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from safetynet.web.security import on_login

        user_logged_in.connect(on_login, dispatch_uid="safetynet.web.session_seen")
