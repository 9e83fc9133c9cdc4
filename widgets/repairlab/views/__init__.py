"""ipywidgets views: thin classes that show an item, forward responses to the kind's scorer
and render the ``Feedback``. Every method a student triggers is callable from code (tests)."""
