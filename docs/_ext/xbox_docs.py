"""Directives that render tables straight from the code, so the docs cannot drift.

``.. xbox-xerr-table::`` renders :data:`xbox.auth.flows.XERR_REASONS` (what each XSTS
refusal means and where to fix it) together with the sandbox accounts that trigger it.
``.. xbox-limits-table::`` renders the per-service rate limits of the client
(:data:`xbox._core.limits.TABLE`, with each row's source: published and paced, or assumed);
``.. xbox-sandbox-limits-table::`` the sandbox's own table (:data:`xbox.sandbox.limits.TABLE`),
with where each row comes from;
``.. xbox-sandbox-contracts-table::`` the contract versions each sandbox service answers
(:data:`xbox.sandbox.contracts.CONTRACTS`), with who is seen sending each.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class XerrTable(SphinxDirective):
    """The XErr codes XSTS answers with, their meaning, the fix, and the sandbox account."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from xbox.auth.flows import XERR_REASONS
        from xbox.sandbox.world import XERR_ACCOUNTS

        sandbox_account = {xerr: email for email, (xerr, _) in XERR_ACCOUNTS.items()}
        lines = [
            ".. csv-table::",
            '   :header: "XErr", "What it means", "Where to fix it", "Sandbox account"',
            "   :widths: 12, 48, 25, 15",
            "",
        ]
        for xerr, (reason, url) in sorted(XERR_REASONS.items()):
            account = sandbox_account.get(xerr)
            cells = [f"``{xerr}``", reason, url or "(nothing the account owner can do)",
                     f"``{account}``" if account else ""]
            lines.append("   " + ", ".join(_csv_cell(c) for c in cells))
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source="xbox-xerr-table"), self.content_offset,
                                container)
        return list(container.children)


class LimitsTable(SphinxDirective):
    """The per-user per-service limits: burst (15 s) and sustain (300 s), reads and writes,
    and where each row comes from (published and paced, or an assumption that paces nothing)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from xbox._core.limits import _HOST_SERVICE, TABLE

        hosts: dict[str, list[str]] = {}
        for host, service in _HOST_SERVICE.items():
            hosts.setdefault(service, []).append(host)
        lines = [
            ".. csv-table::",
            '   :header: "Service", "Hosts", "Reads: burst / sustain", "Writes: burst / sustain", '
            '"Source"',
            "   :widths: 12, 25, 12, 12, 39",
            "",
        ]
        for service, row in TABLE.items():
            source = (f"published, paced: `FGRL doc <{row.source}>`__" if row.published
                      else "assumption: " + row.source)
            cells = [f"``{service}``", ", ".join(sorted(hosts.get(service, []))),
                     f"{row.read.burst} / {row.read.sustain}",
                     f"{row.write.burst} / {row.write.sustain}", source]
            lines.append("   " + ", ".join(_csv_cell(c) for c in cells))
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source="xbox-limits-table"), self.content_offset,
                                container)
        return list(container.children)


class SandboxLimitsTable(SphinxDirective):
    """The limits the sandbox enforces, each row published (with its source) or an assumption."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from xbox.sandbox.limits import TABLE

        lines = [
            ".. csv-table::",
            '   :header: "Service", "Hosts", "Reads: burst / sustain", "Writes: burst / sustain", '
            '"Source"',
            "   :widths: 12, 25, 12, 12, 39",
            "",
        ]
        for row in TABLE.values():
            source = ("published: `FGRL doc <" + row.source.split(" ")[0] + ">`__" if row.source
                      else "assumption: " + row.note)
            cells = [f"``{row.service}``", ", ".join(row.hosts),
                     f"{row.read.burst} / {row.read.sustain}",
                     f"{row.write.burst} / {row.write.sustain}", source]
            lines.append("   " + ", ".join(_csv_cell(c) for c in cells))
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source="xbox-sandbox-limits-table"),
                                self.content_offset, container)
        return list(container.children)


class SandboxContractsTable(SphinxDirective):
    """The contract versions each sandbox service answers, its default, and the evidence."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from xbox.sandbox.contracts import CONTRACTS

        lines = [
            ".. csv-table::",
            '   :header: "Service", "Hosts", "Versions", "No header", "Who sends them"',
            "   :widths: 12, 22, 10, 8, 48",
            "",
        ]
        for row in CONTRACTS.values():
            cells = [f"``{row.service}``", ", ".join(row.hosts),
                     ", ".join(row.versions), f"as {row.default}", "; ".join(row.sources)]
            lines.append("   " + ", ".join(_csv_cell(c) for c in cells))
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source="xbox-sandbox-contracts-table"),
                                self.content_offset, container)
        return list(container.children)


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("xbox-xerr-table", XerrTable)
    app.add_directive("xbox-limits-table", LimitsTable)
    app.add_directive("xbox-sandbox-limits-table", SandboxLimitsTable)
    app.add_directive("xbox-sandbox-contracts-table", SandboxContractsTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
