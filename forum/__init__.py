"""Passerelle's extensions of django-machina.

A plain package (no app of its own): each sub-package is a machina override app named after the
machina app it replaces (``forum_search`` …), listed in INSTALLED_APPS in place of machina's, so
that machina's ``get_class()`` finds our classes first.
"""
