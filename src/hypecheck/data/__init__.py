"""Everything that brings data in: file formats and folders, bundled datasets, live connectors.

``registry`` holds the one registry of offline sources (``files``: :mod:`.folder`, ``bundled``) and
of live connectors; ``connectors`` holds the live connectors behind one interface. See the README's architecture section.
"""
