"""``hypecheck mcp``: the MCP server over stdio."""

from __future__ import annotations

from .base import main


@main.command("mcp")
def mcp_cmd() -> None:
    """Serve check, scan, lab, record and themes to an assistant over MCP (stdio).

    Add it to the assistant's MCP configuration as the command `hypecheck` with the argument `mcp`
    (see the README). Tools return the JSON the commands' --json prints; bad input is a tool error
    with the hint. Needs `pip install 'hypecheck[mcp]'`."""
    from ..mcp_server import serve

    serve()
