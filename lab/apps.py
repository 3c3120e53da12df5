from django.apps import AppConfig


class LabConfig(AppConfig):
    """Offline work: evaluations, benchmarks, training, backtests and the replay
    demo. Installed only so that its management commands are found; nothing that
    runs in production imports it."""

    name = "lab"
    verbose_name = "Evaluations, benchmarks and the replay demo"
