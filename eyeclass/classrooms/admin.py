from django.contrib import admin

from .models import Classroom


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ("name", "teacher", "created_at")
    list_filter = ("teacher",)
    search_fields = ("name", "teacher__username")
