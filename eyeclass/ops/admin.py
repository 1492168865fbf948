from django.contrib import admin

from .models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "queues", "pid", "started", "last_seen")
    readonly_fields = ("hostname", "queues", "pid", "started", "last_seen")
