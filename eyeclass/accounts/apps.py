from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "eyeclass.accounts"
    label = "accounts"
    verbose_name = "Teachers"
