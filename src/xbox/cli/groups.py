"""A command group that is also a command: ``xbox friends [GAMERTAG]`` lists, ``xbox friends
add GAMERTAG`` adds; ``xbox presence GAMERTAG...`` shows, ``xbox presence set STATE`` sets.

Click groups cannot take arguments and subcommands at once, so any word that is not a
subcommand's name (or help) goes to the group's default command, whose options the group's
help lists as its own. A user whose gamertag is literally a subcommand's name is given by
xuid. (``archive`` has its own variant with a richer usage line.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from .app import XboxCommand, write_global_options

__all__ = ["DEFAULT", "CommandGroup", "DefaultGroup", "default_of"]

#: The default command's name: no gamertag can be spelt like it.
DEFAULT = "_default"


class _SameUsageContext(click.Context):
    """The default command's usage and hints say ``xbox friends``, not its hidden name."""

    @property
    def command_path(self) -> str:
        return self.parent.command_path if self.parent is not None else super().command_path


class DefaultCommand(XboxCommand):
    context_class = _SameUsageContext


class CommandGroup(click.Group):
    """A plain group whose commands' help lists the global options too."""

    command_class = XboxCommand

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        write_global_options(formatter)


class DefaultGroup(click.Group):
    """A group whose words that are not subcommands run its :data:`DEFAULT` command.

    Args:
        usage: the default command's arguments, for the usage line (``[GAMERTAG|XUID]``).
    """

    command_class = XboxCommand

    def __init__(self, *args: Any, usage: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_usage = usage

    @property
    def default_command(self) -> click.Command:
        return self.commands[DEFAULT]

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = [DEFAULT, *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in super().list_commands(ctx) if name != DEFAULT]

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, f"[OPTIONS] {self.default_usage}".rstrip())
        names = "|".join(self.list_commands(ctx))
        formatter.write_usage(ctx.command_path, f"{names} ...", prefix="   or: ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        run = self.default_command
        with click.Context(run, info_name=ctx.info_name, parent=ctx) as run_ctx:
            records = [r for p in run.get_params(run_ctx)
                       if isinstance(p, click.Option) and (r := p.get_help_record(run_ctx))]
        with formatter.section("Options"):
            formatter.write_dl(records)
        self.format_commands(ctx, formatter)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        write_global_options(formatter)



def default_of(group: click.Group) -> Callable[[Callable[..., Any]], click.Command]:
    """Decorator: the default command of a :class:`DefaultGroup` (``@default_of(friends)``)."""
    return group.command(DEFAULT, cls=DefaultCommand)
