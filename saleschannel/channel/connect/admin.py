"""The application's settings in the admin: the client secret is write-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from saleschannel.channel.connect.models import ApplicationSettings, AuthorizationState


class ApplicationSettingsForm(forms.ModelForm):
    client_secret = forms.CharField(
        label="LWA client secret", required=False, strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted and never shown. Leave empty to keep the current one.",
    )
    clear_client_secret = forms.BooleanField(label="Forget the stored client secret", required=False)

    class Meta:
        model = ApplicationSettings
        fields = ["application_id", "client_id", "redirect_url", "draft", "seller_central_url", "token_url",
                  "api_endpoint"]

    def save(self, commit: bool = True) -> Any:
        row = super().save(commit=False)
        if self.cleaned_data.get("clear_client_secret"):
            row.client_secret = ""  # nosec B105  # clearing the stored secret, not a password
        elif self.cleaned_data.get("client_secret"):
            row.client_secret = self.cleaned_data["client_secret"]
        if commit:
            row.save()
        return row


@admin.register(ApplicationSettings)
class ApplicationSettingsAdmin(admin.ModelAdmin):
    form = ApplicationSettingsForm
    list_display = ["__str__", "application_id", "draft", "secret_stored", "updated_at"]
    fields = ["application_id", "client_id", "client_secret", "clear_client_secret", "redirect_url", "draft",
              "seller_central_url", "token_url", "api_endpoint"]

    @admin.display(boolean=True, description="Client secret stored")
    def secret_stored(self, obj: ApplicationSettings) -> bool:
        return bool(obj.client_secret_encrypted)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not ApplicationSettings.objects.exists()


@admin.register(AuthorizationState)
class AuthorizationStateAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "marketplace_id", "created_at", "expires_at", "used_at", "outcome", "detail"]
    list_filter = ["outcome"]
    readonly_fields = ["user", "marketplace_id", "account_name", "account", "redirect_url", "created_at",
                       "expires_at", "used_at", "outcome", "detail", "connected_account"]
    exclude = ["state_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
