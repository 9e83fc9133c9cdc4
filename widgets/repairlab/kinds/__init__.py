"""Exercise kinds: for each, the item schema (what authors write) and a pure scorer.

Nothing here imports ipywidgets: the views live in ``repairlab.views`` and the registry
(``repairlab.registry``) ties a ``type`` to its schema, scorer and view.
"""
