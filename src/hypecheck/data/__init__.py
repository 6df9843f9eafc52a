"""Everything that brings data in: file formats and folders, bundled datasets, live connectors.

``sources`` is the registry of offline sources (``files``, ``bundled``); ``connectors`` holds the
live connectors behind one interface and registry. See the README's architecture section.
"""
