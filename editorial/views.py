"""The trend page's editor controls: POST-only views that call
editorial.operations and go back to the trend page with a message.

Only users with trends.change_story (the "editors" group) may use them;
Django's CSRF middleware checks every POST."""

import re
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from editorial import operations
from ingest import clock
from ingest.models import Article
from trends.models import Story
from trends.words.refresh import refresh_stories

_STORY_ID_IN_URL = re.compile(r"/trend/(\d+)/?")


def editor_action(view):
    """POST only, editors only, and an EditorialError becomes a message."""

    @require_POST
    @permission_required("trends.change_story", raise_exception=True)
    @wraps(view)
    def wrapper(request, pk):
        story = get_object_or_404(Story, pk=pk)
        try:
            destination = view(request, story)
        except operations.EditorialError as exc:
            messages.error(request, str(exc))
            destination = story
        return redirect(destination)

    return wrapper


@editor_action
def retitle(request, story):
    dek = request.POST.get("dek")
    story = operations.retitle(story, request.user, request.POST.get("headline", ""), dek)
    messages.success(request, "Headline changed and locked.")
    return story


@editor_action
def recategorise(request, story):
    story = operations.recategorise(story, request.user, request.POST.get("category", ""))
    messages.success(request, f"Category set to {story.get_category_display()} and locked.")
    return story


@editor_action
def pin(request, story):
    operations.pin(story, request.user)
    messages.success(request, "Pinned to the top of the front page.")
    return story


@editor_action
def unpin(request, story):
    operations.unpin(story, request.user)
    messages.success(request, "Unpinned.")
    return story


@editor_action
def hide(request, story):
    operations.hide(story, request.user)
    messages.success(request, "Hidden from the public pages.")
    return story


@editor_action
def unhide(request, story):
    operations.unhide(story, request.user)
    messages.success(request, "Visible again.")
    return story


@editor_action
def merge(request, story):
    """Merge another story (given by id or by its trend page address) into this one."""
    other_id = _story_id(request.POST.get("other", ""))
    if other_id is None:
        raise operations.EditorialError("Give the other story's number or its trend page address.")
    other = Story.objects.filter(pk=other_id).first()
    if other is None:
        raise operations.EditorialError(f"There is no story {other_id}.")
    target = operations.merge(other, story, request.user)
    refresh_stories([target.pk], clock.now())
    messages.success(request, f"Merged story {other.pk} “{other.headline}” into this one.")
    return target


@editor_action
def move_out(request, story):
    try:
        article_id = int(request.POST.get("article", ""))
    except ValueError:
        raise operations.EditorialError("Choose an article to move.") from None
    article = Article.objects.filter(pk=article_id, story=story).first()
    if article is None:
        raise operations.EditorialError("That article is not in this story.")
    new_story = operations.move_article_out(article, request.user, clock.now())
    refresh_stories([story.pk], clock.now())
    messages.success(request, f"Moved “{article.title}” to a new story (story {new_story.pk}).")
    return story


@editor_action
def edit_brief(request, story):
    sentences = request.POST.get("brief", "").splitlines()
    operations.edit_brief(story, request.user, sentences, clock.now())
    messages.success(request, "Brief saved and approved.")
    return story


@editor_action
def approve_brief(request, story):
    operations.approve_brief(story, request.user)
    messages.success(request, "Brief approved: automation will no longer rewrite it.")
    return story


@editor_action
def release(request, story):
    what = request.POST.get("what", "")
    operations.release(story, request.user, what)
    refresh_stories([story.pk], clock.now())
    messages.success(request, f"The {what} is chosen from the coverage again.")
    return story


def _story_id(value: str) -> int | None:
    value = value.strip()
    # isascii: str.isdigit is also true for digits int() refuses, such as "²".
    if value.isascii() and value.isdigit():
        return int(value)
    match = _STORY_ID_IN_URL.search(value)
    return int(match.group(1)) if match else None
