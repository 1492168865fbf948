from django.contrib import admin, messages
from django.db import transaction

from . import lifecycle
from .models import EVENT_FIELDS, ExpressionEvent, Session


class EventInline(admin.TabularInline):
    model = ExpressionEvent
    extra = 0
    can_delete = False
    readonly_fields = EVENT_FIELDS


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("title", "classroom", "source", "status", "progress", "attempts", "created_at", "finished_at")
    list_filter = ("status", "source", "classroom__teacher")
    search_fields = ("title", "classroom__name", "classroom__teacher__username")
    readonly_fields = ("task_id", "attempts", "started_at", "finished_at", "summary", "video_file", "video_bytes")
    inlines = [EventInline]
    actions = ["reprocess"]

    @admin.action(description="Reprocess selected sessions (video must still be stored)")
    def reprocess(self, request, queryset):
        queued = 0
        for session in queryset:
            if session.video_path is not None and session.video_path.exists():
                with transaction.atomic():
                    lifecycle.enqueue(session)
                queued += 1
        self.message_user(request, f"Queued {queued} of {queryset.count()} sessions.", messages.INFO)
