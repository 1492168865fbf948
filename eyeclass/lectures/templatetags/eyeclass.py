from django import template
from django.utils.html import format_html

from eyeclass.lectures.glossary import TERMS
from inference.actionunits import in_words
from inference.summary import WITHHELD_REASON

register = template.Library()


@register.simple_tag
def tip(key: str):
    """A small "?" that shows the term's definition on hover or focus (and to screen readers)."""
    title, text = TERMS[key]
    return format_html(
        '<span class="tip" tabindex="0" role="note" aria-label="{}: {}" data-tip="{}">?</span>', title, text, text
    )


@register.filter
def actions_in_words(actions) -> str:
    """An event's moved action units in words ("brows raised, lids widened")."""
    return in_words(actions or [])


@register.filter
def duration(seconds) -> str:
    """Seconds as m:ss, or h:mm:ss from an hour."""
    if seconds is None:
        return "—"
    total = int(round(float(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.simple_tag
def withheld(text: str = "—"):
    """A number withheld by the "enough data" rule (inference.summary.shown), the same on every page."""
    return format_html('<span class="nodata" title="{}">{}</span>', WITHHELD_REASON, text)
