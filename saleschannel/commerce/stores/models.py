"""Websites and their store views (Magento's website > store view, without the store group)."""

from __future__ import annotations

from django.db import models


class Website(models.Model):
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    """A store view: the place store orders belong to."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=255)
    website = models.ForeignKey(Website, on_delete=models.PROTECT, related_name="stores")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
