"""Create (or bring up to date) the "editors" group and its permissions.

Also run after every migrate (see editorial.apps), so a fresh database always
has the group. Editors also need is_staff to log in to the admin:
`--add-user NAME` does both for an existing user."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError

EDITORS_GROUP = "editors"

# app_label -> model -> actions. Editors curate stories and feeds; they never
# delete history (stories, articles, the editorial log) and never edit the log.
EDITOR_PERMISSIONS = {
    "trends": {
        "story": ["view", "change"],
        "storysnapshot": ["view"],
        "topic": ["view", "add", "change"],
        "storytopic": ["view"],
    },
    "editorial": {"editorialaction": ["view"]},
    "ingest": {
        "source": ["view", "add", "change"],
        "feed": ["view", "add", "change"],
        "article": ["view", "change"],
    },
}


def ensure_editors_group() -> tuple[Group, int]:
    """The group with exactly the editor permissions. Returns it and how many
    permissions were added. Idempotent."""
    for app_label in EDITOR_PERMISSIONS:
        # Permissions are created by auth's own post_migrate handler, which may
        # not have run for this app yet: create them first (idempotent).
        create_permissions(apps.get_app_config(app_label), verbosity=0)
    wanted = []
    for app_label, models in EDITOR_PERMISSIONS.items():
        for model, actions in models.items():
            for action in actions:
                wanted.append((app_label, f"{action}_{model}"))
    permissions = []
    for app_label, codename in wanted:
        try:
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        except Permission.DoesNotExist:
            raise CommandError(f"permission {app_label}.{codename} does not exist") from None
    group, _created = Group.objects.get_or_create(name=EDITORS_GROUP)
    before = set(group.permissions.values_list("pk", flat=True))
    group.permissions.set(permissions)
    return group, len({p.pk for p in permissions} - before)


class Command(BaseCommand):
    help = 'Create or update the "editors" group and its permissions.'

    def add_arguments(self, parser):
        parser.add_argument(
            "--add-user",
            action="append",
            default=[],
            metavar="USERNAME",
            help="put this existing user in the group and let them log in to the admin (is_staff)",
        )

    def handle(self, *args, **options):
        group, added = ensure_editors_group()
        self.stdout.write(
            f'group "{group.name}": {group.permissions.count()} permissions ({added} newly added)'
        )
        User = get_user_model()
        for username in options["add_user"]:
            try:
                user = User.objects.get(username=username)
            except User.DoesNotExist:
                raise CommandError(f"no user called {username!r}") from None
            user.groups.add(group)
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            self.stdout.write(f"{username}: editor, staff")
