"""tunekit's built-in plugins. Each module is a plugin, found through the ``tunekit`` entry-point
group exactly as a third-party plugin is, and uses only the public ``tunekit`` API."""
