"""Help: the Help menu's pages, F1 context help and the generated equation reference."""
from .panel import HelpPanel, help_topic_for
from .reference import reference_html

__all__ = ["HelpPanel", "help_topic_for", "reference_html"]
